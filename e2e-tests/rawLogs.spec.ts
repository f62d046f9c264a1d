import { expect, test } from '@playwright/test';
import { signInAsGuest } from './support';

test("an on-call engineer reads a replica's lines before its OOM kill and its previous container's log", async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');

  await page
    .getByRole('button', {
      name: 'Logs of checkout-api-v1-abc, container checkout-api, around its last termination',
    })
    .click();
  const dialog = page.getByRole('dialog', {
    name: 'Logs of checkout-api-v1-abc, container checkout-api',
  });

  // Loki's lines around the last kill: the OutOfMemoryError just before it.
  const around = dialog.getByRole('region', {
    name: 'Log lines of checkout-api-v1-abc',
  });
  await expect(around).toContainText(
    'java.lang.OutOfMemoryError: Java heap space',
  );
  await expect(around.getByRole('note')).toContainText(
    'last termination (OOMKilled)',
  );

  // Searching the loaded lines, then Loki, keeps the error lines only.
  await dialog.getByLabel('Search in lines').fill('OutOfMemoryError');
  await dialog.getByRole('button', { name: 'Search in Loki' }).click();
  await expect(dialog).toContainText('lines containing “OutOfMemoryError”');
  await expect(around).not.toContainText('Catalog cache warm-up');
  await expect(around).toContainText('java.lang.OutOfMemoryError');
  await dialog.getByLabel('Search in lines').fill('');

  // The previous container's log, from the Kubernetes API.
  await dialog.getByRole('tab', { name: 'Previous container' }).click();
  const previous = dialog.getByRole('region', {
    name: 'Previous container log of checkout-api-v1-abc',
  });
  await expect(previous).toContainText(
    'java.lang.OutOfMemoryError: Java heap space',
  );
  await expect(previous).toContainText(
    'at com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)',
  );
  await expect(dialog).toContainText(
    "kubectl --context 'sandbox' -n 'finance' logs 'checkout-api-v1-abc' -c 'checkout-api' --previous",
  );

  // The log block is reached with the keyboard; Escape closes the dialog.
  await previous.focus();
  await expect(previous).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('a kill on the timeline opens the lines before it, and a click on the chart the logs around that moment', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');

  const timeline = page.getByRole('region', { name: 'Timeline' });
  // The charts are drawn after the other panels, above the list of events:
  // the list moves down once they are, so it is read after.
  const chart = timeline.getByRole('img', {
    name: 'Memory working set and limit over time',
  });
  await expect(chart).toBeVisible();
  await timeline.getByRole('button', { name: /Events in this range/ }).click();
  // The events are listed oldest first: take the last OOM kill listed.
  const kills = timeline.getByRole('listitem').filter({ hasText: 'OOMKilled' });
  const kill = kills.last();
  await kill.getByRole('button', { name: /^Logs of checkout-api-v1-/ }).click();

  const dialog = page.getByRole('dialog', {
    name: /^Logs of checkout-api-v1-/,
  });
  await expect(dialog).toContainText(
    'java.lang.OutOfMemoryError: Java heap space',
  );
  await expect(dialog.getByRole('note')).toContainText('OOMKilled');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Any moment of the memory chart: the logs of a pod around it.
  const box = (await chart.boundingBox())!;
  await chart.click({
    position: { x: box.width * 0.6, y: box.height * 0.5 },
  });
  await expect(
    page.getByRole('dialog', { name: /^Logs of checkout-api-v1-/ }),
  ).toBeVisible();
});

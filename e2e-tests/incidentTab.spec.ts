import { expect, Page, test } from '@playwright/test';
import { entityTab, signInAsGuest } from './support';
import fs from 'node:fs';
import { backendLogPath } from '../playwright.config';

const screenshots = 'e2e-tests/screenshots';

test('the backend started every plugin without an error', async () => {
  const log = fs.readFileSync(backendLogPath, 'utf8');
  // Log lines carry ANSI colours when written to a terminal; strip them.
  const lines = log.replace(/\u001b\[[0-9;]*m/g, '').split('\n');

  expect(lines.some(l => l.includes('Plugin initialization complete'))).toBe(
    true,
  );
  expect(lines.filter(l => / error /i.test(l))).toEqual([]);
});

test('a service owner finds checkout-api and sees why it is slow', async ({
  page,
}) => {
  await signInAsGuest(page);

  await page.getByRole('link', { name: 'Checkout API' }).click();
  await expect(
    page.getByRole('heading', { name: 'Checkout API' }),
  ).toBeVisible();

  await entityTab(page, 'Incident').click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/checkout-api\/incident/,
  );

  // The diagnosis names the memory limit and the fix.
  await expect(
    page.getByRole('heading', {
      name: 'Most likely cause: Memory limit too low',
    }),
  ).toBeVisible();
  const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
  await expect(diagnosis.getByText('512Mi → 1Gi')).toBeVisible();

  // Memory against its 512Mi limit, with the OOM kills marked.
  const memoryChart = page.getByRole('img', {
    name: 'Memory working set and limit over time',
  });
  await expect(memoryChart).toBeVisible();
  await expect(memoryChart).toContainText('limit 512Mi');
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await timeline
    .getByRole('button', { name: /Events in this range: \d+ terminations/ })
    .click();
  await expect(
    timeline.getByText(/OOMKilled at \d\d:\d\d:\d\d/).first(),
  ).toBeVisible();

  // The lab's two alerts, firing for both pods, in the Alerts panel and
  // as bands on the timeline.
  const alerts = page.getByRole('table', {
    name: 'Alerts of the entity’s pods',
  });
  for (const name of ['KubePodCrashLooping', 'ContainerMemoryNearLimit']) {
    for (const pod of ['checkout-api-v1-abc', 'checkout-api-v1-xyz']) {
      const row = alerts
        .getByRole('row')
        .filter({ hasText: name })
        .filter({ hasText: pod });
      await expect(row).toContainText('firing');
      await expect(row).toContainText('still firing');
    }
  }
  const bands = timeline.getByRole('list', { name: 'Alerts on the timeline' });
  await expect(bands.getByRole('listitem')).toHaveCount(2);
  await expect(bands).toContainText('KubePodCrashLooping');
  await expect(bands).toContainText('ContainerMemoryNearLimit');
  await expect(memoryChart.locator('.incident-alert-band')).toHaveCount(2);

  // Both replicas, restarted in the 40s, last terminated OOMKilled.
  const replicas = page.getByRole('table', { name: 'Replicas' });
  for (const pod of ['checkout-api-v1-abc', 'checkout-api-v1-xyz']) {
    const row = replicas.getByRole('row').filter({ hasText: pod });
    await expect(row.getByRole('cell', { name: /^4\d$/ })).toBeVisible();
    await expect(row).toContainText('OOMKilled');
  }

  // The OutOfMemoryError lines grouped, with their count.
  await expect(
    page.getByRole('button', {
      name: /^java\.lang\.OutOfMemoryError: Java heap space First .* \d+ lines$/,
    }),
  ).toBeVisible();

  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({
    path: `${screenshots}/incident-tab-full.png`,
    fullPage: true,
  });
  await timeline.getByRole('button', { name: /Events in this range/ }).click();
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${screenshots}/incident-tab.png` });
});

test('services without Kubernetes annotations have no Incident tab', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/recommendations');

  await expect(
    page.getByRole('heading', { name: 'Recommendations' }),
  ).toBeVisible();
  await expect(entityTab(page, 'Overview')).toBeVisible();
  await expect(entityTab(page, 'Incident')).toHaveCount(0);
});

test("the incident data of another team's service is refused", async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/cart-service/incident');

  await expect(
    page.getByText("You cannot see this service's incident data"),
  ).toBeVisible();
  await expect(
    page.getByText(
      /You are not allowed to read the incident data of component:default\/cart-service/,
    ),
  ).toBeVisible();
});

test('the stock Kubernetes tab shows the sandbox pods restarting', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/kubernetes');

  // 45 and 42 at the start of the scenario, rising with every OOM kill.
  const restarts = page.getByText(/container=checkout-api restarted 4\d times/);
  await expect(restarts).toHaveCount(2);
  await expect(restarts.first()).toBeVisible();
  // The sandbox serves every kind the tab lists, so none fails to load.
  await expect(
    page.getByText('There was a problem retrieving Kubernetes objects'),
  ).toHaveCount(0);
});

test('a link to the Incident tab keeps its range, and back returns to the previous one', async ({
  page,
  context,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');
  const preset = (p: Page, name: string) =>
    p
      .getByRole('group', { name: 'Time range' })
      .getByRole('button', { name, exact: true });
  await expect(preset(page, 'Last 1h')).toHaveAttribute('aria-pressed', 'true');

  const sixHours = page.waitForRequest(/\/v1\/metrics\?.*range=6h/);
  await preset(page, 'Last 6h').click();
  await sixHours;
  await expect(page).toHaveURL(/[?&]range=6h/);
  await expect(preset(page, 'Last 6h')).toHaveAttribute('aria-pressed', 'true');

  // The copied link, opened in another tab, shows the same range.
  const link = page.url();
  const other = await context.newPage();
  const otherSixHours = other.waitForRequest(/\/v1\/metrics\?.*range=6h/);
  await other.goto(link);
  await otherSixHours;
  await expect(preset(other, 'Last 6h')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(preset(other, 'Last 1h')).toHaveAttribute(
    'aria-pressed',
    'false',
  );
  await other.close();

  // Back: the last hour again, asked of the backend again.
  const oneHour = page.waitForRequest(/\/v1\/metrics\?.*range=1h/);
  await page.goBack();
  await oneHour;
  await expect(page).toHaveURL(/\/checkout-api\/incident$/);
  await expect(preset(page, 'Last 1h')).toHaveAttribute('aria-pressed', 'true');
});

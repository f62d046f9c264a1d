import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { signInAsGuest } from './support';

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type Violation = AxeResults['violations'][number];

/**
 * Parts of the page that come from Backstage's own components, with the
 * violations they bring: left out of the check of the Incident tab, listed
 * in the output. The stock Kubernetes tab shows the same ones.
 */
const BACKSTAGE_PARTS = [
  {
    // Backstage's Table puts a focusable sort label inside the header's
    // button (nested-interactive).
    selector: 'thead .MuiTableSortLabel-root',
    what: "the sort labels in the header buttons of Backstage's Table",
  },
];

/** One line per element: impact, rule and where. */
function describe(violations: Violation[]): string[] {
  return violations.flatMap(v =>
    v.nodes.map(n => `${v.impact} ${v.id}: ${n.target.join(' ')}`),
  );
}

/** The serious and critical violations, one entry per element. */
function serious(results: AxeResults): string[] {
  return describe(
    results.violations.filter(
      v => v.impact === 'serious' || v.impact === 'critical',
    ),
  );
}

async function openIncidentTab(page: Page) {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');
  await expect(
    page.getByRole('heading', {
      name: 'Most likely cause: Memory limit too low',
    }),
  ).toBeVisible();
  await expect(
    page.getByRole('img', { name: 'Memory working set and limit over time' }),
  ).toBeVisible();
  await expect(
    page
      .getByRole('table', { name: 'Replicas' })
      .getByRole('row')
      .filter({ hasText: 'checkout-api-v1-abc' }),
  ).toBeVisible();
  // Loki's answer comes last.
  await expect(
    page.getByRole('button', { name: /^java\.lang\.OutOfMemoryError/ }),
  ).toBeVisible({ timeout: 60_000 });
  // The telemetry audit is asked for once its panel comes into view.
  const telemetry = page.getByRole('region', { name: 'Telemetry pipeline' });
  await telemetry.scrollIntoViewIfNeeded();
  await expect(
    telemetry.getByRole('list', { name: 'Metrics checks in sandbox' }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/^Last updated/)).toBeVisible();
}

test('the Incident tab has no serious or critical accessibility violation', async ({
  page,
}) => {
  // The tab's evidence takes a while to gather; each scan takes seconds.
  test.setTimeout(180_000);
  await openIncidentTab(page);
  // The stack trace of a log group is shown on request: open one.
  const group = page.getByRole('button', {
    name: /^java\.lang\.OutOfMemoryError/,
  });
  await group.click();
  const stackTrace = page.getByRole('region', {
    name: 'Sample log line and stack trace',
  });
  await expect(stackTrace).toBeVisible();

  let scan = new AxeBuilder({ page });
  for (const part of BACKSTAGE_PARTS) {
    scan = scan.exclude(part.selector);
  }
  const ours = serious(await scan.analyze());
  console.log(
    [
      `Incident tab: ${ours.length} serious or critical in the plugin's components`,
      ...ours.map(line => `  ${line}`),
    ].join('\n'),
  );

  const excluded: string[] = [];
  for (const part of BACKSTAGE_PARTS) {
    if ((await page.locator(part.selector).count()) === 0) {
      continue;
    }
    const found = serious(
      await new AxeBuilder({ page }).include(part.selector).analyze(),
    );
    excluded.push(...found.map(line => `${line} (${part.what})`));
  }
  console.log(
    [
      `Incident tab: ${excluded.length} serious or critical left out, from Backstage's components`,
      ...excluded.map(line => `  ${line}`),
    ].join('\n'),
  );

  expect(ours).toEqual([]);
  // The stack trace scrolls sideways: the keyboard reaches it, next after
  // its group.
  await group.focus();
  await page.keyboard.press('Tab');
  await expect(stackTrace).toBeFocused();
});

test('the stock Kubernetes tab, for comparison', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/kubernetes');
  const restarts = page.getByText(/container=checkout-api restarted 4\d times/);
  await expect(restarts).toHaveCount(2);

  const found = serious(await new AxeBuilder({ page }).analyze());
  console.log(
    [
      `Kubernetes tab: ${found.length} serious or critical`,
      ...found.map(line => `  ${line}`),
    ].join('\n'),
  );
});

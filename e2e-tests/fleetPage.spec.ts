import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import {
  openFleetHealth,
  signInAsGuest,
  signInAsPlatformGuest,
} from './support';

const screenshots = 'e2e-tests/screenshots';

test('as a platform team member, the fleet page lists the lab pod under the finance team', async ({
  page,
}) => {
  const authorization = await signInAsPlatformGuest(page);
  const me = await page.request.get('/api/auth/platform-guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect((await me.json()).backstageIdentity.identity).toMatchObject({
    userEntityRef: 'user:default/platform-guest',
    ownershipEntityRefs: expect.arrayContaining([
      'group:default/platform-team',
    ]),
  });

  const findings = await openFleetHealth(page);
  const row = findings
    .getByRole('row')
    .filter({ hasText: 'checkout-api-v1-abc' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('OOMKilled');
  await expect(row).toContainText('finance');
  await expect(row.getByRole('link', { name: 'Checkout API' })).toBeVisible();

  // Grouped by owner: the nearest group heading above the row is the
  // finance team's.
  const rows = await findings.getByRole('row').allInnerTexts();
  const at = rows.findIndex(text => text.includes('checkout-api-v1-abc'));
  const heading = rows
    .slice(0, at)
    .reverse()
    .find(text => /\(\d+ containers?\)\s*$/.test(text.trim()));
  expect(heading?.trim()).toMatch(/^finance-team \(\d+ containers?\)$/);

  // The owner filter keeps the finance team's rows only, in the URL.
  await page.getByLabel('Owner').selectOption({ label: 'finance-team' });
  await expect(page).toHaveURL(/owner=group%3Adefault%2Ffinance-team/);
  await expect(row).toHaveCount(1);
  const owners = await findings.getByRole('row').allInnerTexts();
  expect(
    owners.filter(text => /\(\d+ containers?\)\s*$/.test(text.trim())),
  ).toEqual([expect.stringMatching(/^finance-team/)]);

  fs.mkdirSync(screenshots, { recursive: true });
  await page.getByLabel('Owner').selectOption({ label: 'All owners' });
  // Wide enough for every column of the findings table.
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${screenshots}/fleet-health.png` });

  // The row links to the entity's Incident tab.
  await row.getByRole('link', { name: 'Checkout API' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/checkout-api\/incident/,
  );

  // The API answers the platform member with the same finding.
  const sweep = await page.request.get(
    '/api/observability-ir/v1/fleet/silent-outages?range=1h',
    { headers: { Authorization: authorization } },
  );
  expect(sweep.status()).toBe(200);
  const { findings: found } = await sweep.json();
  expect(
    found.find((f: { pod: string }) => f.pod === 'checkout-api-v1-abc'),
  ).toMatchObject({
    namespace: 'finance',
    reason: 'OOMKilled',
    owner: {
      entityRef: 'component:default/checkout-api',
      ownerRef: 'group:default/finance-team',
    },
  });
});

test("checkout-api's telemetry panel finds backend-telemetry scraping it and its logs labelled", async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');

  const panel = page.getByRole('region', { name: 'Telemetry pipeline' });
  // At the foot of the tab, the audit is asked for once it comes into view.
  await panel.scrollIntoViewIfNeeded();
  await expect(
    panel.getByText(
      /ServiceMonitors selecting them: monitoring\/backend-telemetry/,
    ),
  ).toBeVisible({ timeout: 30_000 });
  // backend-telemetry matches: its selector, namespaceSelector and port
  // all fit checkout-api's Service, and the series are there.
  const metrics = panel.getByRole('list', {
    name: 'Metrics checks in sandbox',
  });
  for (const title of [
    'A Service selects the pods',
    'A ServiceMonitor selects the Service',
    "The ServiceMonitor's namespaceSelector selects the namespace",
    'The scraped port exists on the Service',
    'The expected series are present',
  ]) {
    await expect(
      metrics.getByRole('listitem').filter({ hasText: title }),
    ).toContainText(/^OK/);
  }
  await expect(metrics).toContainText(
    'ServiceMonitor monitoring/backend-telemetry selects Service finance/checkout-api by tier=backend.',
  );
  // The scrape itself is reported as it is: the JVM is OOMKilled before it
  // listens on 8080, so the targets are mostly down, with their error.
  await expect(
    metrics
      .getByRole('listitem')
      .filter({ hasText: 'Prometheus scrapes the pods' }),
  ).toContainText(/targets? (up|down)/);
  // The logs carry the Kubernetes labels Fluent Bit's filter adds.
  const logs = panel
    .getByRole('list', { name: 'Logs checks in sandbox' })
    .getByRole('listitem');
  await expect(logs.first()).toBeVisible();
  await expect(logs.filter({ hasText: /^OK/ })).toHaveCount(await logs.count());
  await expect(panel.getByText('Suggested ServiceMonitor')).toHaveCount(0);
  await expect(panel.getByText('Suggested Fluent Bit filter')).toHaveCount(0);

  await panel.scrollIntoViewIfNeeded();
  fs.mkdirSync(screenshots, { recursive: true });
  await panel.screenshot({ path: `${screenshots}/telemetry-panel.png` });
});

test('the finance on-call guest is refused the fleet pages, by the API and on the page', async ({
  page,
}) => {
  const authorization = await signInAsGuest(page);
  for (const path of ['silent-outages?range=1h', 'telemetry']) {
    const response = await page.request.get(
      `/api/observability-ir/v1/fleet/${path}`,
      { headers: { Authorization: authorization } },
    );
    expect(response.status()).toBe(403);
  }

  await page.goto('/fleet-health');
  await expect(
    page
      .getByText(
        'You need the observability-ir.fleet.read permission (platform teams)',
      )
      .first(),
  ).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Containers terminated abnormally' }),
  ).toHaveCount(0);
});

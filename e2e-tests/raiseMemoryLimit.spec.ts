import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { runbookStep, sandboxAdmin, signInAsGuest } from './support';

/*
 * The lab's ending, clicked through: from the Incident tab's Fix step into
 * the raise-memory-limit template, filled in with 1Gi; run it against the
 * sandbox; back on the tab, watch the verification pass and the incident
 * close; export the postmortem.
 *
 * It changes the sandbox's checkout-api, so it runs after every other spec
 * (its own project in playwright.config.ts) and resets the sandbox before
 * and after itself.
 */

const screenshots = 'e2e-tests/screenshots';
const incidentTab = '/catalog/default/component/checkout-api/incident';

test.beforeEach(async () => {
  await sandboxAdmin('/_sandbox/reset');
});

test.afterAll(async () => {
  await sandboxAdmin('/_sandbox/reset');
});

test('an on-call engineer raises the limit from the runbook and sees the incident close', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signInAsGuest(page);

  // The runbook of the open incident. The backend may still answer from
  // before the sandbox was reset for a few seconds: look again until the
  // incident is open.
  const runbook = page.getByRole('region', { name: 'Runbook' });
  await expect(async () => {
    await page.goto(incidentTab);
    await expect(runbook.getByText('Incident open')).toBeVisible({
      timeout: 15_000,
    });
  }).toPass({ timeout: 90_000 });
  await expect(runbook.getByText('limits.memory: 512Mi → 1Gi')).toBeVisible();
  fs.mkdirSync(screenshots, { recursive: true });
  await runbook.screenshot({ path: `${screenshots}/runbook-open.png` });

  // The Fix step opens the template with the values filled in.
  await runbook
    .getByRole('link', { name: 'Raise the limit with a template' })
    .click();
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/raise-memory-limit/,
  );
  await expect(
    page.getByRole('heading', { name: "Raise a container's memory limit" }),
  ).toBeVisible();
  await expect(page.getByLabel('Container', { exact: false })).toHaveValue(
    'checkout-api',
  );
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(
    page.getByLabel('New memory limit', { exact: false }),
  ).toHaveValue('1Gi');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.screenshot({
    path: `${screenshots}/raise-memory-limit-review.png`,
  });
  await page.getByRole('button', { name: 'Create' }).click();

  // The task edits the manifest, applies it, and links back.
  const back = page.getByRole('link', { name: 'Back to the Incident tab' });
  await expect(back).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText(/limits\.memory 512Mi → 1Gi/)).toBeVisible();
  await page.screenshot({ path: `${screenshots}/raise-memory-limit-done.png` });

  // The new pods warm up and turn Ready in the cluster's own time.
  await sandboxAdmin('/_sandbox/clock', { advanceSeconds: 600 });
  await back.click();
  await expect(page).toHaveURL(new RegExp(`${incidentTab}$`));

  // The Fix step sees the rollout; Verify watches, then the incident closes.
  await expect(
    runbookStep(page, 'Raise the memory limit').getByText('Done', {
      exact: true,
    }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(runbook.getByText('Incident resolved')).toBeVisible({
    timeout: 120_000,
  });
  await expect(runbook.getByText(/Time to recovery: /)).toBeVisible();
  await runbook.screenshot({ path: `${screenshots}/runbook-resolved.png` });

  // The postmortem, downloaded as Markdown.
  const download = page.waitForEvent('download');
  await runbook.getByRole('button', { name: 'Export postmortem' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(
    /^postmortem-checkout-api-\d{4}-\d\d-\d\d\.md$/,
  );
  const markdown = fs.readFileSync((await file.path())!, 'utf8');
  expect(markdown).toContain('Memory limit too low');
  expect(markdown).toContain('512Mi');
  expect(markdown).toContain('1Gi');
  expect(markdown).toContain('user:default/guest');
});

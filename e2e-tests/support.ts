import { expect, Page } from '@playwright/test';

/**
 * Signs in as the guest (finance on-call, see catalog/org.yaml) and returns
 * the Authorization header the app itself sends with its catalog requests:
 * the guest's own session.
 */
export async function signInAsGuest(page: Page): Promise<string> {
  await page.goto('/');
  const catalogRequest = page.waitForRequest(
    request =>
      request.url().includes('/api/catalog/') &&
      Boolean(request.headers().authorization),
  );
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('heading', { name: 'Acme Shop Catalog' }),
  ).toBeVisible();
  return (await catalogRequest).headers().authorization;
}

/**
 * Signs in through one of the demo's other cards on the sign-in page (see
 * catalog/org.yaml) and returns the Authorization header of the app's own
 * catalog requests.
 */
async function signInThroughCard(page: Page, title: string): Promise<string> {
  await page.goto('/');
  const catalogRequest = page.waitForRequest(
    request =>
      request.url().includes('/api/catalog/') &&
      Boolean(request.headers().authorization),
  );
  await page
    .getByRole('listitem')
    .filter({ hasText: title })
    .getByRole('button', { name: 'Sign In' })
    .click();
  await expect(
    page.getByRole('heading', { name: 'Acme Shop Catalog' }),
  ).toBeVisible();
  return (await catalogRequest).headers().authorization;
}

/** Signs in as the platform guest, a member of the platform team. */
export function signInAsPlatformGuest(page: Page): Promise<string> {
  return signInThroughCard(page, 'Platform guest');
}

/**
 * Signs in as the contractor guest: on the finance team, so an owner of
 * checkout-api, but a finance contractor, from whom the portal's policy
 * withholds node forensics and the limit fix.
 */
export function signInAsContractorGuest(page: Page): Promise<string> {
  return signInThroughCard(page, 'Contractor guest');
}

/** The sandbox cluster the e2e backend reads (see playwright.config.ts). */
export const SANDBOX_URL = 'http://127.0.0.1:7008';

/**
 * Calls one of the sandbox's own controls (`/_sandbox/reset`,
 * `/_sandbox/clock`) and expects it to succeed.
 */
export async function sandboxAdmin(path: string, body?: object) {
  const response = await fetch(`${SANDBOX_URL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  expect(response.status, `POST ${path}`).toBe(200);
}

/** One step of the Incident tab's runbook, by its heading. */
export function runbookStep(page: Page, title: RegExp | string) {
  return page
    .getByRole('list', { name: 'Runbook steps' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title }) });
}

/** A tab of the entity page (Overview, Incident, Kubernetes...). */
export function entityTab(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name, exact: true });
}

/** The fleet page through its nav item, once the first sweep has answered. */
export async function openFleetHealth(page: Page) {
  await page.getByRole('link', { name: 'Fleet health' }).click();
  await expect(page).toHaveURL(/\/fleet-health/);
  // The first sweep runs shortly after the backend starts; the page reads
  // it again until it has.
  await expect(page.getByText('The first sweep is running…')).toHaveCount(0, {
    timeout: 60_000,
  });
  return page.getByRole('table', { name: 'Containers terminated abnormally' });
}

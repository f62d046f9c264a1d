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
 * Signs in as the platform guest (a platform team member, see
 * catalog/org.yaml) through its card on the sign-in page and returns the
 * Authorization header of the app's own catalog requests.
 */
export async function signInAsPlatformGuest(page: Page): Promise<string> {
  await page.goto('/');
  const catalogRequest = page.waitForRequest(
    request =>
      request.url().includes('/api/catalog/') &&
      Boolean(request.headers().authorization),
  );
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(
    page.getByRole('heading', { name: 'Acme Shop Catalog' }),
  ).toBeVisible();
  return (await catalogRequest).headers().authorization;
}

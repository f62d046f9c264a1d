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

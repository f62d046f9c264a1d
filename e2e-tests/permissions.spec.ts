import { expect, test } from '@playwright/test';
import { signInAsGuest } from './support';

test('the guest cannot use the raw Kubernetes proxy, yet the Kubernetes tab shows the pods', async ({
  page,
}) => {
  const authorization = await signInAsGuest(page);

  // Every pod of every namespace, with the portal's service account: refused.
  const proxy = await page.request.get('/api/kubernetes/proxy/api/v1/pods', {
    headers: {
      Authorization: authorization,
      'Backstage-Kubernetes-Cluster': 'sandbox',
    },
  });
  expect(proxy.status()).toBe(403);
  expect((await proxy.json()).error.name).toBe('NotAllowedError');

  // The stock tab goes through the entity's own workloads instead.
  await page.goto('/catalog/default/component/checkout-api/kubernetes');
  const restarts = page.getByText(/container=checkout-api restarted 4\d times/);
  await expect(restarts).toHaveCount(2);
  await expect(restarts.first()).toBeVisible();
});

test('the guest reads the catalog but cannot register or unregister anything', async ({
  page,
}) => {
  const headers = { Authorization: await signInAsGuest(page) };

  const entity = await page.request.get(
    '/api/catalog/entities/by-name/component/default/checkout-api',
    { headers },
  );
  expect(entity.status()).toBe(200);
  const { metadata } = await entity.json();

  const register = await page.request.post('/api/catalog/locations', {
    headers,
    data: {
      type: 'url',
      target: 'https://github.com/acme/shop/blob/main/catalog-info.yaml',
    },
  });
  expect(register.status()).toBe(403);

  const unregister = await page.request.delete(
    `/api/catalog/entities/by-uid/${metadata.uid}`,
    { headers },
  );
  expect(unregister.status()).toBe(403);

  const stillThere = await page.request.get(
    '/api/catalog/entities/by-name/component/default/checkout-api',
    { headers },
  );
  expect(stillThere.status()).toBe(200);
});

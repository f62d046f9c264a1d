import { Entity } from '@backstage/catalog-model';
import { FleetOwnership } from './FleetOwnership';

function component(
  name: string,
  annotations: Record<string, string>,
  owner?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', ...(owner ? { owner } : {}) },
  };
}

const checkout = component(
  'checkout-api',
  {
    'backstage.io/kubernetes-id': 'checkout-api',
    'backstage.io/kubernetes-namespace': 'finance',
  },
  'finance-team',
);
const auth = component(
  'auth-service',
  {
    'backstage.io/kubernetes-label-selector': 'app=auth,tier=backend',
    'backstage.io/kubernetes-namespace': 'identity',
  },
  'group:identity/identity-team',
);

describe('FleetOwnership', () => {
  const ownership = new FleetOwnership([checkout, auth]);

  it('claims the pods labelled with the kubernetes id, by either label, in the entity namespace only', () => {
    const byEitherLabel: Array<Record<string, string>> = [
      { 'backstage.io/kubernetes-id': 'checkout-api' },
      { 'app.kubernetes.io/name': 'checkout-api' },
    ];
    for (const labels of byEitherLabel) {
      expect(
        ownership.ownerOf({ cluster: 'c', namespace: 'finance', labels }),
      ).toEqual({
        entityRef: 'component:default/checkout-api',
        title: 'checkout-api',
        ownerRef: 'group:default/finance-team',
      });
      expect(
        ownership.ownerOf({ cluster: 'c', namespace: 'staging', labels }),
      ).toBeUndefined();
    }
  });

  it('claims the pods its label selector selects, and no pod missing one label', () => {
    expect(
      ownership.ownerOf({
        cluster: 'c',
        namespace: 'identity',
        labels: { app: 'auth', tier: 'backend', version: '2' },
      })?.ownerRef,
    ).toBe('group:identity/identity-team');
    expect(
      ownership.ownerOf({
        cluster: 'c',
        namespace: 'identity',
        labels: { app: 'auth' },
      }),
    ).toBeUndefined();
  });

  it('leaves pods no entity claims unowned', () => {
    expect(
      ownership.ownerOf({
        cluster: 'c',
        namespace: 'monitoring',
        labels: { app: 'prometheus-operator' },
      }),
    ).toBeUndefined();
  });

  it('prefers the entity pinned to the namespace, and keeps to the cluster an entity names', () => {
    const anywhere = component(
      'checkout-anywhere',
      { 'backstage.io/kubernetes-id': 'checkout-api' },
      'platform-team',
    );
    const onlyStaging = component(
      'checkout-staging',
      {
        'backstage.io/kubernetes-id': 'checkout-staging',
        'backstage.io/kubernetes-cluster': 'staging',
      },
      'finance-team',
    );
    const both = new FleetOwnership([anywhere, checkout, onlyStaging]);
    const labels = { 'backstage.io/kubernetes-id': 'checkout-api' };
    expect(
      both.ownerOf({ cluster: 'c', namespace: 'finance', labels })?.entityRef,
    ).toBe('component:default/checkout-api');
    expect(
      both.ownerOf({ cluster: 'c', namespace: 'storefront', labels })
        ?.entityRef,
    ).toBe('component:default/checkout-anywhere');
    const stagingLabels = { 'backstage.io/kubernetes-id': 'checkout-staging' };
    expect(
      both.ownerOf({
        cluster: 'production',
        namespace: 'x',
        labels: stagingLabels,
      }),
    ).toBeUndefined();
    expect(
      both.ownerOf({
        cluster: 'staging',
        namespace: 'x',
        labels: stagingLabels,
      })?.entityRef,
    ).toBe('component:default/checkout-staging');
  });

  it('skips an entity whose annotation cannot be read, and says which', () => {
    const broken = component('broken', {
      'backstage.io/kubernetes-label-selector': 'app in (',
    });
    const withBroken = new FleetOwnership([broken, checkout]);
    expect(withBroken.invalid.map(i => i.entityRef)).toEqual([
      'component:default/broken',
    ]);
    expect(
      withBroken.ownerOf({
        cluster: 'c',
        namespace: 'finance',
        labels: { 'backstage.io/kubernetes-id': 'checkout-api' },
      })?.entityRef,
    ).toBe('component:default/checkout-api');
  });
});

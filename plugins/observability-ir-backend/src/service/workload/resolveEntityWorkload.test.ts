import { Entity } from '@backstage/catalog-model';
import {
  resolveEntityWorkload,
  toEntityWorkload,
} from './resolveEntityWorkload';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout-api', namespace: 'default', annotations },
    spec: { type: 'service' },
  };
}

describe('resolveEntityWorkload', () => {
  it('selects pods by the kubernetes id label, like the Kubernetes plugin', () => {
    expect(
      resolveEntityWorkload(
        component({
          'backstage.io/kubernetes-id': 'checkout-api',
          'backstage.io/kubernetes-namespace': 'finance',
          'backstage.io/kubernetes-cluster': 'eu-west',
        }),
      ),
    ).toEqual({
      entityRef: 'component:default/checkout-api',
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: 'finance',
      cluster: 'eu-west',
    });
  });

  it('prefers an explicit label selector annotation', () => {
    const workload = resolveEntityWorkload(
      component({
        'backstage.io/kubernetes-id': 'checkout-api',
        'backstage.io/kubernetes-label-selector':
          'app=checkout,tier in (backend)',
      }),
    );
    expect(workload.labelSelector).toBe('app=checkout,tier in (backend)');
    expect(workload.namespace).toBeUndefined();
  });

  it('parses the prometheus-matchers annotation once, for every query, and shows its text', () => {
    const workload = resolveEntityWorkload(
      component({
        'backstage.io/kubernetes-id': 'checkout-api',
        'observability-ir.io/prometheus-matchers': '{cluster="eu-1"}',
      }),
    );
    expect(workload.extraPrometheusMatchers).toEqual([
      { name: 'cluster', op: '=', value: 'eu-1' },
    ]);
    expect(toEntityWorkload(workload)).toEqual({
      entityRef: 'component:default/checkout-api',
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: undefined,
      cluster: undefined,
      prometheusMatchers: '{cluster="eu-1"}',
    });
  });

  it('rejects an entity without Kubernetes annotations', () => {
    expect(() => resolveEntityWorkload(component({}))).toThrow(
      /has neither a backstage.io\/kubernetes-id nor a backstage.io\/kubernetes-label-selector annotation/,
    );
  });

  it.each([
    [
      'a kubernetes id with a quote',
      { 'backstage.io/kubernetes-id': 'checkout"}' },
    ],
    [
      'a kubernetes id with a newline',
      { 'backstage.io/kubernetes-id': 'a\nb' },
    ],
    [
      'a kubernetes id over 63 characters',
      { 'backstage.io/kubernetes-id': 'a'.repeat(64) },
    ],
    [
      'a selector with braces',
      { 'backstage.io/kubernetes-label-selector': 'app={x}' },
    ],
    [
      'a selector with a regex',
      { 'backstage.io/kubernetes-label-selector': 'app=~".*"' },
    ],
    [
      'an upper-case namespace',
      {
        'backstage.io/kubernetes-id': 'x',
        'backstage.io/kubernetes-namespace': 'Finance',
      },
    ],
    [
      'a namespace with a slash',
      {
        'backstage.io/kubernetes-id': 'x',
        'backstage.io/kubernetes-namespace': 'finance/../x',
      },
    ],
  ])('rejects %s', (_, annotations) => {
    expect(() => resolveEntityWorkload(component(annotations))).toThrow(
      /invalid backstage\.io\/kubernetes-[a-z-]+ annotation/,
    );
  });
});

import { Entity } from '@backstage/catalog-model';
import { isObservabilityIncidentAvailable } from './workload';

function component(annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout-api', annotations },
    spec: { type: 'service' },
  };
}

describe('isObservabilityIncidentAvailable', () => {
  it('is true for entities with a kubernetes id or a label selector', () => {
    expect(
      isObservabilityIncidentAvailable(
        component({ 'backstage.io/kubernetes-id': 'checkout-api' }),
      ),
    ).toBe(true);
    expect(
      isObservabilityIncidentAvailable(
        component({ 'backstage.io/kubernetes-label-selector': 'app=checkout' }),
      ),
    ).toBe(true);
  });

  it('is false for entities without them, even with a namespace', () => {
    expect(isObservabilityIncidentAvailable(component())).toBe(false);
    expect(
      isObservabilityIncidentAvailable(
        component({ 'backstage.io/kubernetes-namespace': 'finance' }),
      ),
    ).toBe(false);
  });
});

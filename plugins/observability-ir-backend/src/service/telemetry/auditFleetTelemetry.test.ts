import { Entity } from '@backstage/catalog-model';
import {
  TelemetryCheck,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { auditFleetTelemetry, worstStatus } from './auditFleetTelemetry';

function entity(name: string, owner?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(name === 'cart-service' ? { title: 'Cart' } : {}),
    },
    spec: { type: 'service', ...(owner ? { owner } : {}) },
  };
}

function c(id: string, status: TelemetryCheck['status'], detail = id) {
  return { id, title: id, status, detail };
}

function response(
  entityRef: string,
  metrics: TelemetryCheck[],
  logs: TelemetryCheck[],
): TelemetryResponse {
  return {
    entityRef,
    metrics: [
      { cluster: 'a', services: [], serviceMonitors: [], checks: metrics },
    ],
    logs: [{ cluster: 'a', labels: [], checks: logs }],
    sources: [
      { cluster: 'a', source: 'prometheus', status: 'ok' },
      {
        cluster: 'a',
        source: 'loki',
        status: entityRef.includes('cart') ? 'error' : 'ok',
        ...(entityRef.includes('cart')
          ? { error: 'Loki of cluster a: 503' }
          : {}),
      },
    ],
  };
}

describe('auditFleetTelemetry', () => {
  it('gives each entity the worst state of its metrics and logs checks and its first problem', async () => {
    const answers: Record<string, TelemetryResponse> = {
      'component:default/checkout-api': response(
        'component:default/checkout-api',
        [c('service', 'ok'), c('target-up', 'ok')],
        [c('log-streams', 'ok')],
      ),
      'component:default/payment-gateway': response(
        'component:default/payment-gateway',
        [
          c('service', 'ok'),
          c(
            'service-monitor',
            'missing',
            'No ServiceMonitor selects Service finance/payment-gateway',
          ),
          c('target-up', 'missing', 'no target'),
        ],
        [c('log-streams', 'ok'), c('log-recent', 'warning', 'stale')],
      ),
      'component:default/cart-service': response(
        'component:default/cart-service',
        [c('service', 'ok'), c('target-up', 'unknown')],
        [c('log-kubernetes-labels', 'warning', 'labels missing')],
      ),
    };
    const { rows, sources } = await auditFleetTelemetry(
      [
        entity('checkout-api', 'finance-team'),
        entity('payment-gateway', 'group:payments/payments-team'),
        entity('cart-service'),
        entity('ghost'),
      ],
      async ref => {
        const answer = answers[ref];
        if (!answer) throw new Error(`No entity ${ref} in the catalog`);
        return answer;
      },
    );
    expect(rows).toEqual([
      {
        owner: {
          entityRef: 'component:default/checkout-api',
          title: 'checkout-api',
          ownerRef: 'group:default/finance-team',
        },
        metrics: 'ok',
        logs: 'ok',
      },
      {
        owner: {
          entityRef: 'component:default/payment-gateway',
          title: 'payment-gateway',
          ownerRef: 'group:payments/payments-team',
        },
        metrics: 'missing',
        logs: 'warning',
        problem: 'No ServiceMonitor selects Service finance/payment-gateway',
      },
      {
        owner: { entityRef: 'component:default/cart-service', title: 'Cart' },
        metrics: 'unknown',
        logs: 'warning',
        problem: 'labels missing',
      },
      {
        owner: { entityRef: 'component:default/ghost', title: 'ghost' },
        metrics: 'unknown',
        logs: 'unknown',
        problem:
          'The audit of component:default/ghost failed: No entity component:default/ghost in the catalog',
      },
    ]);
    // A source that failed for one entity is the source's status.
    expect(sources).toEqual([
      {
        cluster: 'a',
        source: 'loki',
        status: 'error',
        error: 'Loki of cluster a: 503',
      },
      { cluster: 'a', source: 'prometheus', status: 'ok' },
    ]);
  });

  it('ranks missing over warning over unknown over ok', () => {
    expect(worstStatus([c('a', 'ok'), c('b', 'unknown')])).toBe('unknown');
    expect(worstStatus([c('a', 'warning'), c('b', 'unknown')])).toBe('warning');
    expect(worstStatus([c('a', 'warning'), c('b', 'missing')])).toBe('missing');
    expect(worstStatus([])).toBe('unknown');
  });
});

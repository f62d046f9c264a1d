import { useAppLocation } from '@backstage/frontend-plugin-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FleetOwner,
  SilentOutageFinding,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { ReactElement } from 'react';
import { ObservabilityIrClient, observabilityIrApiRef } from '../../../api';

export const MI = 1024 * 1024;

/** When the fixtures' sweep ran: two minutes before the test. */
export function twoMinutesAgo(): string {
  return new Date(Date.now() - 2 * 60_000).toISOString();
}

export const checkoutApi: FleetOwner = {
  entityRef: 'component:default/checkout-api',
  title: 'Checkout API',
  ownerRef: 'group:default/finance-team',
};
export const ledger: FleetOwner = {
  entityRef: 'component:default/ledger',
  title: 'Ledger',
  ownerRef: 'group:default/finance-team',
};
export const search: FleetOwner = {
  entityRef: 'component:default/search',
  title: 'Search',
  ownerRef: 'group:default/storefront-team',
};

/** A container OOMKilled in cluster prod, namespace finance. */
export function finding(
  overrides: Partial<SilentOutageFinding> = {},
): SilentOutageFinding {
  return {
    cluster: 'prod',
    namespace: 'finance',
    pod: 'checkout-api-7d9f-abcde',
    container: 'app',
    reason: 'OOMKilled',
    exitCode: 137,
    restartsInRange: 4,
    restartCount: 12,
    lastKilledAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    memoryLimitBytes: 512 * MI,
    source: 'kubernetes',
    owner: checkoutApi,
    ...overrides,
  };
}

/** The sweep's findings: two teams, an unowned pod, two clusters. */
export function fleetFindings(): SilentOutageFinding[] {
  return [
    finding(),
    finding({
      pod: 'ledger-5c4b-xyz12',
      reason: 'Error',
      exitCode: 1,
      restartsInRange: 2,
      owner: ledger,
    }),
    finding({
      cluster: 'staging',
      namespace: 'storefront',
      pod: 'search-6f7a-qwert',
      restartsInRange: 7,
      memoryLimitBytes: 1024 * MI,
      source: 'prometheus',
      exitCode: undefined,
      owner: search,
    }),
    finding({
      cluster: 'staging',
      namespace: 'kube-system',
      pod: 'orphan-job-abc',
      container: 'worker',
      reason: 'Error',
      exitCode: 2,
      restartsInRange: 1,
      owner: undefined,
      memoryLimitBytes: undefined,
    }),
  ];
}

/** `GET /v1/fleet/silent-outages` after a sweep two minutes ago. */
export function silentOutages(
  overrides: Partial<SilentOutagesResponse> = {},
): SilentOutagesResponse {
  return {
    sweptAt: twoMinutesAgo(),
    range: '1h',
    podsScanned: 10_000,
    findings: fleetFindings(),
    nearOom: [
      {
        cluster: 'prod',
        namespace: 'finance',
        pod: 'ledger-5c4b-near1',
        container: 'app',
        workingSetBytes: 490 * MI,
        memoryLimitBytes: 512 * MI,
        share: 490 / 512,
        owner: ledger,
      },
    ],
    nearOomShare: 0.9,
    topRestarters: [
      {
        cluster: 'staging',
        namespace: 'storefront',
        pod: 'search-6f7a-qwert',
        container: 'app',
        restartsInRange: 7,
        restartCount: 40,
        owner: search,
      },
    ],
    sources: [
      { cluster: 'prod', source: 'kubernetes', status: 'ok' },
      { cluster: 'staging', source: 'kubernetes', status: 'ok' },
    ],
    ...overrides,
  };
}

/** Shows the app's current query string, for tests of URL-kept state. */
export function LocationProbe() {
  const location = useAppLocation();
  return <output aria-label="Current query">{location.search}</output>;
}

/**
 * Renders a fleet element with the real client talking to msw, the
 * catalog's entity pages mounted for the Incident-tab links.
 */
export function renderFleet(
  element: ReactElement,
  options: { initialRouteEntries?: string[] } = {},
) {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage.test' });
  const fetchApi = mockApis.fetch({ resolvePluginProtocol: { discoveryApi } });
  return renderInTestApp(
    <>
      {element}
      <LocationProbe />
    </>,
    {
      initialRouteEntries: options.initialRouteEntries,
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        discoveryApi,
        fetchApi,
        [observabilityIrApiRef, new ObservabilityIrClient({ fetchApi })],
      ],
    },
  );
}

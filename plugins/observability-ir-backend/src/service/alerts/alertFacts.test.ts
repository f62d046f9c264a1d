import { IncidentAlert } from '@observability-ir/plugin-observability-ir-common';
import { alertTopics, firedAlertFacts } from './alertFacts';

const NOW = new Date('2026-11-25T14:00:00Z');

function alert(overrides: Partial<IncidentAlert>): IncidentAlert {
  return {
    name: 'HighErrorRate',
    state: 'firing',
    startsAt: '2026-11-25T13:10:00Z',
    cluster: 'eu-1',
    namespace: 'shop',
    pod: 'cart-0',
    labels: {},
    origins: ['prometheus'],
    ...overrides,
  };
}

describe('alertTopics', () => {
  it('reads what an alert watches from its name', () => {
    expect(alertTopics('ContainerMemoryNearLimit')).toEqual(['memory']);
    expect(alertTopics('KubePodCrashLooping')).toEqual(['restarts']);
    expect(alertTopics('CPUThrottlingHigh')).toEqual(['cpu']);
    expect(alertTopics('HighErrorRate')).toEqual([]);
  });
});

describe('firedAlertFacts', () => {
  it('says one sentence per alert name, with its pods, and leaves pending ones out', () => {
    const facts = firedAlertFacts(
      [
        alert({ pod: 'cart-0', severity: 'critical' }),
        alert({ pod: 'cart-1', startsAt: '2026-11-25T13:05:00Z' }),
        alert({
          name: 'OOMEvents',
          state: 'resolved',
          endsAt: '2026-11-25T13:30:00Z',
        }),
        alert({ name: 'SlowRequests', state: 'pending' }),
      ],
      NOW,
    );

    expect(facts).toEqual([
      {
        name: 'HighErrorRate',
        topics: [],
        sentence:
          'Alert HighErrorRate (critical) firing since 13:05:00Z for cart-0 and cart-1',
      },
      {
        name: 'OOMEvents',
        topics: ['memory'],
        sentence:
          'Alert OOMEvents fired from 13:10:00Z, now resolved for cart-0',
      },
    ]);
  });
});

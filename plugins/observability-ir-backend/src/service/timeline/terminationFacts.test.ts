import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';
import {
  CLUSTER,
  labOom,
  MINUTE,
  NOW,
  termination,
} from '../../__testUtils__/evidence';
import {
  oomKillsOf,
  terminationsByReason,
  terminationsOf,
} from './terminationFacts';

const END = NOW.getTime();
const POD = 'checkout-api-v1-abc';

const burst: TimelineEvent = {
  kind: 'error-burst',
  time: new Date(END - 3 * MINUTE).toISOString(),
  cluster: CLUSTER,
  pod: POD,
  lineCount: 40,
  signature: 'java.lang.OutOfMemoryError: Java heap space',
  summary: '40 error lines',
};

describe('timeline terminations', () => {
  const events: TimelineEvent[] = [
    termination(POD, END - 9 * MINUTE, 'OOMKilled', 137),
    burst,
    termination(POD, END - 6 * MINUTE, 'Error', 1),
    termination(POD, END - 3 * MINUTE, 'OOMKilled', 137),
    { ...termination(POD, END - MINUTE, 'Error', 2), reason: undefined },
  ];

  it('leaves error bursts out', () => {
    expect(terminationsOf(events)).toHaveLength(4);
  });

  it('counts them by reason, Unknown when none is given', () => {
    expect([...terminationsByReason(events)]).toEqual([
      ['OOMKilled', 2],
      ['Error', 1],
      ['Unknown', 1],
    ]);
  });

  it('finds the OOM kills: every termination of the lab', () => {
    const lab = labOom().timeline.events;
    expect(oomKillsOf(lab)).toHaveLength(lab.length);
    expect(oomKillsOf(events).map(e => e.time)).toEqual([
      new Date(END - 9 * MINUTE).toISOString(),
      new Date(END - 3 * MINUTE).toISOString(),
    ]);
  });
});

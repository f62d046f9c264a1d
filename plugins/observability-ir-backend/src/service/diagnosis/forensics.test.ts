import {
  ForensicsVerdict,
  Hypothesis,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import { diagnose } from '.';
import { DiagnosisInput } from './types';
import {
  labOom,
  networkFault,
  NOW,
  probeMisconfiguration,
} from '../../__testUtils__/evidence';

function verdict(
  kind: ForensicsVerdict['kind'],
  sentence: string,
): ForensicsVerdict {
  return {
    kind,
    sentence,
    expectedPorts: [8080],
    listeningPorts: kind === 'wrong-port' ? [9000] : [],
  };
}

const OOM_BEFORE_READY = verdict(
  'oom-before-ready',
  "Nothing listens on 8080 in the pod's network namespace while the spec expects it; the cgroup recorded 46 OOM kills: the process dies before it is Ready, consistent with the memory limit",
);
const LISTENING = verdict(
  'listening',
  'The app listens on 8080 and the interface is up: look at the network path (Service, NetworkPolicy, CNI)',
);
const WRONG_PORT = verdict(
  'wrong-port',
  'It listens on 9000, not on the 8080 that the probe and Service use',
);

function withForensics(
  input: DiagnosisInput,
  forensicsVerdict: ForensicsVerdict,
): DiagnosisInput {
  return {
    ...input,
    forensics: {
      pod: 'checkout-api-v1-abc',
      finishedAt: '2026-11-25T14:04:00.000Z',
      verdict: forensicsVerdict,
    },
  };
}

function hypothesis(input: DiagnosisInput, id: HypothesisId): Hypothesis {
  return diagnose(input, { now: NOW }).hypotheses.find(h => h.id === id)!;
}

describe('a node-forensics verdict in the diagnosis', () => {
  it('supports a too-low memory limit and contradicts a network fault when nothing listens and the cgroup saw OOM kills', () => {
    const before = labOom();
    const after = withForensics(before, OOM_BEFORE_READY);

    const limit = hypothesis(after, 'memory-limit-too-low');
    expect(limit.supporting).toContainEqual({
      source: 'forensics',
      description: `Node forensics on checkout-api-v1-abc (2026-11-25T14:04:00.000Z): ${OOM_BEFORE_READY.sentence}`,
    });
    expect(limit.confidence).toBeGreaterThanOrEqual(
      hypothesis(before, 'memory-limit-too-low').confidence,
    );
    const network = hypothesis(after, 'network-fault');
    expect(
      network.contradicting
        .filter(i => i.source === 'forensics')
        .map(i => i.description),
    ).toEqual([expect.stringMatching(/nothing listens to be reached$/)]);
    expect(diagnose(after, { now: NOW }).hypotheses[0].id).toBe(
      'memory-limit-too-low',
    );
  });

  it('supports a network fault when the app listens on the expected port', () => {
    const before = networkFault();
    const after = withForensics(before, LISTENING);

    const network = hypothesis(after, 'network-fault');
    expect(network.supporting.map(i => i.source)).toContain('forensics');
    expect(network.confidence).toBeGreaterThan(
      hypothesis(before, 'network-fault').confidence,
    );
  });

  it('supports a probe misconfiguration when the app listens on another port', () => {
    const before = probeMisconfiguration();
    const after = withForensics(before, WRONG_PORT);

    const probe = hypothesis(after, 'probe-misconfiguration');
    expect(probe.supporting.map(i => i.description)).toContainEqual(
      expect.stringContaining('It listens on 9000, not on the 8080'),
    );
    expect(probe.confidence).toBeGreaterThan(
      hypothesis(before, 'probe-misconfiguration').confidence,
    );
  });

  it('changes nothing without a verdict', () => {
    expect(diagnose(labOom(), { now: NOW })).toEqual(
      diagnose({ ...labOom(), forensics: undefined }, { now: NOW }),
    );
  });
});

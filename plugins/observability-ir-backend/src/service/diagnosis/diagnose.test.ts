import {
  Hypothesis,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import { diagnose } from '.';
import { DiagnosisInput } from './types';
import {
  appCrash,
  counter,
  cpuThrottling,
  evidence,
  healthyService,
  HOUR,
  inCluster,
  labOom,
  labOomWithoutLoki,
  labOomWithoutPrometheus,
  leakInProgress,
  memoryLeak,
  merged,
  MI,
  networkFault,
  nodeMemoryPressure,
  NOW,
  probeMisconfiguration,
  readinessFailing,
  sample,
  series,
  sources,
  withoutKubernetes,
} from '../../__testUtils__/evidence';

function run(input: DiagnosisInput) {
  return diagnose(input, { now: NOW });
}

function find(hypotheses: Hypothesis[], id: HypothesisId): Hypothesis {
  const h = hypotheses.find(x => x.id === id);
  if (!h) {
    throw new Error(`no hypothesis ${id}`);
  }
  return h;
}

function sentences(items: Array<{ description: string }>): string {
  return items.map(i => i.description).join('\n');
}

describe('diagnose', () => {
  it.each<[string, () => DiagnosisInput, HypothesisId, RegExp[]]>([
    [
      'the lab OOM',
      labOom,
      'memory-limit-too-low',
      [
        /checkout-api-v1-abc: 45 restarts .*last terminated OOMKilled \(exit 137\) at \d\d:\d\d:\d\dZ/,
        /checkout-api-v1-xyz: 42 restarts/,
        /working set peaked at 509Mi, 99% of the 512Mi limit/,
        /java\.lang\.OutOfMemoryError: Java heap space.*about one per OOM kill/,
        /reached 90% of the limit within 2 min of the start/,
      ],
    ],
    [
      'a memory leak',
      memoryLeak,
      'memory-leak',
      [
        /climbed steadily in \d+ of \d+ runs in the range, about \+7\.8Mi\/min/,
        /raised from 512Mi to 768Mi at 12:05:00Z the working set climbed again/,
      ],
    ],
    [
      'node memory pressure',
      nodeMemoryPressure,
      'node-memory-pressure',
      [
        /checkout-api-v1-xyz on worker-2: Evicted — The node was low on resource: memory/,
        /Node worker-2: MemoryPressure=True/,
        /EvictionThresholdMet/,
        /No container was OOMKilled/,
      ],
    ],
    [
      'an application crash',
      appCrash,
      'application-crash',
      [
        /checkout-api-v1-abc: 12 restarts .*last terminated Error \(exit 1\)/,
        /waiting in CrashLoopBackOff/,
        /java\.lang\.NullPointerException/,
      ],
    ],
    [
      'a probe misconfiguration',
      probeMisconfiguration,
      'probe-misconfiguration',
      [
        /Liveness probe failed: Get "http:\/\/10\.0\.0\.5:8081\/health": dial tcp 10\.0\.0\.5:8081: connect: connection refused/,
        /failed liveness probe, will be restarted/,
        /last terminated Error \(exit 137\).*not OOMKilled/,
        /60% of the 1Gi limit: memory is normal/,
      ],
    ],
    [
      'CPU throttling',
      cpuThrottling,
      'cpu-throttling',
      [
        /throttled in 60% of CFS periods/,
        /uses 0\.98 cores of its 1 core limit/,
      ],
    ],
    [
      'a network fault',
      networkFault,
      'network-fault',
      [
        /running, not ready, no restarts/,
        /Readiness probe failed: .*context deadline exceeded.*cannot reach the pod/,
      ],
    ],
    [
      'a healthy service',
      healthyService,
      'healthy',
      [/All 2 containers are ready/, /No restarts in the range/],
    ],
  ])('names %s, well ahead of the rest', (_, build, id, expected) => {
    const { hypotheses } = run(build());
    const [top, second] = hypotheses;
    expect(top.id).toBe(id);
    expect(top.confidence).toBeGreaterThanOrEqual(0.8);
    expect(top.confidence - second.confidence).toBeGreaterThanOrEqual(0.2);
    const text = sentences(top.supporting);
    for (const pattern of expected) {
      expect(text).toMatch(pattern);
    }
  });

  it('lists every hypothesis once, most likely first, with confidences in 0–1', () => {
    for (const build of [labOom, healthyService, networkFault]) {
      const { hypotheses } = run(build());
      expect(hypotheses.map(h => h.id).sort()).toEqual(
        [
          'application-crash',
          'cpu-throttling',
          'healthy',
          'memory-leak',
          'memory-limit-too-low',
          'network-fault',
          'node-memory-pressure',
          'probe-misconfiguration',
        ].sort(),
      );
      const confidences = hypotheses.map(h => h.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      for (const c of confidences) {
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThan(1);
      }
    }
  });

  it('ranks the same whatever the order of the evidence', () => {
    const lab = labOom();
    const shuffled: DiagnosisInput = {
      ...lab,
      replicas: [...lab.replicas].reverse(),
      events: [...lab.events].reverse(),
      metrics: {
        ...lab.metrics,
        memory: {
          ...lab.metrics.memory,
          workingSet: [...lab.metrics.memory.workingSet].reverse(),
        },
      },
    };
    const rank = (input: DiagnosisInput) =>
      run(input).hypotheses.map(h => [h.id, h.confidence]);
    expect(rank(shuffled)).toEqual(rank(lab));
    expect(run(lab)).toEqual(run(labOom()));
  });

  it('tells the lab apart from a leak: a quick rise to the limit, not a steady climb', () => {
    const { hypotheses } = run(labOom());
    const leak = find(hypotheses, 'memory-leak');
    expect(leak.confidence).toBeLessThan(0.2);
    expect(sentences(leak.contradicting)).toMatch(
      /a quick rise to the limit, as an undersized limit gives, not a slow leak/,
    );
  });

  it('names the undersized limit when Prometheus samples too coarsely to see the runs', () => {
    const { hypotheses, recommendation } = run(labOom({ stepMs: 5 * 60_000 }));
    expect(hypotheses[0].id).toBe('memory-limit-too-low');
    expect(hypotheses[0].confidence).toBeGreaterThan(0.9);
    expect(find(hypotheses, 'memory-leak').confidence).toBeLessThan(0.5);
    expect(sentences(hypotheses[0].supporting)).toMatch(
      /restarts in the range, one every 3(\.\d)? min: the limit is reached soon after each start/,
    );
    expect(recommendation?.memoryLimit?.proposed).toBe('1Gi');
  });

  it('names a leak in progress before the first OOM kill', () => {
    const { hypotheses, recommendation } = run(leakInProgress());
    const [top, second] = hypotheses;
    expect(top.id).toBe('memory-leak');
    expect(top.confidence - second.confidence).toBeGreaterThanOrEqual(0.2);
    expect(sentences(top.supporting)).toMatch(
      /climbed steadily in the range, about \+2Mi\/min over 4h, to 76% of the limit, and is still climbing/,
    );
    expect(recommendation?.summary).toMatch(/heap dump/);
  });

  it.each<[string, (ip: string) => string, RegExp]>([
    [
      'a wrong readiness path (HTTP 404)',
      ip =>
        `Readiness probe failed: Get "http://${ip}:8080/healthz": HTTP probe failed with statuscode: 404`,
      /statuscode: 404: the path does not exist/,
    ],
    [
      'a wrong readiness port (connection refused, no restarts)',
      ip =>
        `Readiness probe failed: Get "http://${ip}:8081/ready": dial tcp ${ip}:8081: connect: connection refused`,
      /connection refused while the container runs without restarts: nothing listens on the probed port/,
    ],
  ])('tells %s from a network fault', (_, message, evidenceLine) => {
    const { hypotheses } = run(readinessFailing(message));
    expect(hypotheses[0].id).toBe('probe-misconfiguration');
    expect(sentences(hypotheses[0].supporting)).toMatch(evidenceLine);
    expect(sentences(find(hypotheses, 'network-fault').contradicting)).toMatch(
      /the kubelet reaches the pod and is refused or answered/,
    );
  });

  it('keeps the undersized limit as a runner-up of a leak, contradicted by the raise that did not help', () => {
    const { hypotheses } = run(memoryLeak());
    const limit = find(hypotheses, 'memory-limit-too-low');
    expect(hypotheses[1].id).toBe('memory-limit-too-low');
    expect(limit.confidence).toBeGreaterThan(0.3);
    expect(sentences(limit.contradicting)).toMatch(
      /raised from 512Mi to 768Mi .* reached 764Mi \(99%\) again: the larger limit did not help/,
    );
  });

  it('does not name a memory cause when the container is killed by the kubelet', () => {
    const { hypotheses } = run(probeMisconfiguration());
    expect(find(hypotheses, 'memory-limit-too-low').confidence).toBe(0);
    expect(find(hypotheses, 'application-crash').confidence).toBe(0);
    expect(
      sentences(find(hypotheses, 'application-crash').contradicting),
    ).toMatch(/exit 137 \(Error\): killed by a signal, not crashed/);
  });

  it('does not call a service healthy when anything else has solid evidence', () => {
    for (const build of [
      labOom,
      memoryLeak,
      nodeMemoryPressure,
      appCrash,
      probeMisconfiguration,
      cpuThrottling,
      networkFault,
    ]) {
      const healthy = find(run(build()).hypotheses, 'healthy');
      expect(healthy.confidence).toBeLessThan(0.1);
    }
  });

  it('does not call a service healthy after a single OOM kill at its limit', () => {
    const input = healthyService();
    const [abc] = input.replicas;
    const killedAt = NOW.getTime() - 10 * 60_000;
    abc.restartCount = 1;
    abc.lastTermination = {
      reason: 'OOMKilled',
      exitCode: 137,
      finishedAt: new Date(killedAt).toISOString(),
    };
    input.metrics.restarts[0] = series(
      abc.pod,
      counter(NOW.getTime() - HOUR, NOW.getTime(), 15_000, 0, [killedAt]),
    );
    input.metrics.memory.workingSet[0] = series(
      abc.pod,
      sample(NOW.getTime() - HOUR, NOW.getTime(), 15_000, t =>
        t < killedAt ? 1000 * MI : 400 * MI,
      ),
    );
    const { hypotheses, recommendation } = run(input);
    expect(hypotheses[0].id).toBe('memory-limit-too-low');
    expect(find(hypotheses, 'healthy').confidence).toBeLessThan(
      hypotheses[0].confidence,
    );
    expect(recommendation?.memoryLimit).toEqual({
      current: '1Gi',
      proposed: '2Gi',
      peakWorkingSet: '1000Mi',
      basis:
        'Killed at its 1Gi limit, so its true demand is unknown: the proposal assumes 1.25× the kill level with 50% headroom, rounded up to 2Gi; verify after the raise that the working set levels off below it.',
    });
  });

  it('keeps clusters apart: the OOM in production, a healthy staging with a larger limit', () => {
    const input = merged(
      inCluster(labOom(), 'production'),
      inCluster(healthyService(), 'staging'),
    );
    const { hypotheses, recommendation } = run(input);
    const [top] = hypotheses;
    expect(top.id).toBe('memory-limit-too-low');
    expect(sentences(top.supporting)).toMatch(
      /^production\/checkout-api-v1-abc: 45 restarts/m,
    );
    // Staging's 1Gi is no raise of production's 512Mi.
    expect(sentences([...top.supporting, ...top.contradicting])).not.toMatch(
      /raised/,
    );
    expect(recommendation).toEqual({
      summary: expect.stringMatching(
        /^Raise limits\.memory of container checkout-api in cluster production from 512Mi to 1Gi/,
      ),
      memoryLimit: {
        current: '512Mi',
        proposed: '1Gi',
        peakWorkingSet: '509Mi',
        basis: expect.stringMatching(
          /^Killed at its 512Mi limit, so its true demand is unknown/,
        ),
      },
    });
  });

  it('ignores the NaN and Inf points Prometheus answers for 0/0', () => {
    const input = cpuThrottling();
    input.metrics.cpu.throttledShare[0].points.push(
      [NOW.getTime() + 1, NaN],
      [NOW.getTime() + 2, Infinity],
    );
    input.metrics.memory.workingSet[0].points.unshift([
      NOW.getTime() - 2 * HOUR,
      NaN,
    ]);
    const { hypotheses } = run(input);
    expect(hypotheses[0].id).toBe('cpu-throttling');
    const all = hypotheses.flatMap(h => [...h.supporting, ...h.contradicting]);
    expect(sentences(all)).not.toMatch(/NaN|Infinity/);
  });

  it('answers at once, with no raise to propose, when the limit is infinite', () => {
    // A pod spec's `1e400` and Prometheus' `+Inf` both read as Infinity.
    const input = labOom();
    input.replicas = input.replicas.map(r => ({
      ...r,
      limits: { ...r.limits, memoryBytes: Infinity },
    }));
    for (const limit of input.metrics.memory.limit) {
      limit.points = limit.points.map(([t]) => [t, Infinity]);
    }
    const { hypotheses, recommendation } = run(input);
    expect(hypotheses.length).toBeGreaterThan(0);
    expect(recommendation?.memoryLimit).toBeUndefined();
    expect(JSON.stringify(recommendation ?? {})).not.toMatch(/Infinity/);
  });

  it('names the root cause of a crash from the stack trace', () => {
    const [top] = run(appCrash()).hypotheses;
    expect(sentences(top.supporting)).toMatch(
      /Application run failed": 8 error lines in .*, caused by java\.lang\.NullPointerException: Cannot invoke "String\.trim\(\)" because "gatewayUrl" is null/,
    );
  });

  describe('recommendation', () => {
    it('raises the lab limit from 512Mi to 1Gi', () => {
      expect(run(labOom()).recommendation).toEqual({
        summary: expect.stringMatching(
          /^Raise limits\.memory of container checkout-api from 512Mi to 1Gi/,
        ),
        memoryLimit: {
          current: '512Mi',
          proposed: '1Gi',
          peakWorkingSet: '509Mi',
          basis: expect.stringMatching(
            /^Killed at its 512Mi limit, so its true demand is unknown/,
          ),
        },
      });
    });

    it('asks for a heap dump for a leak, with the limit raise as a stopgap', () => {
      const { recommendation } = run(memoryLeak());
      expect(recommendation?.summary).toMatch(/heap dump/);
      expect(recommendation?.summary).toMatch(
        /stopgap, raise limits\.memory of container checkout-api from 768Mi to 1\.5Gi/,
      );
      expect(recommendation?.memoryLimit?.proposed).toBe('1.5Gi');
    });

    it.each<[string, () => DiagnosisInput, RegExp]>([
      [
        'node pressure',
        nodeMemoryPressure,
        /node memory pressure on worker-2.*requests\.memory equal to limits\.memory/,
      ],
      ['an app crash', appCrash, /java\.lang\.NullPointerException.*exit 1/],
      [
        'a probe misconfiguration',
        probeMisconfiguration,
        /probe that checks http:\/\/10\.0\.0\.5:8081\/health/,
      ],
      ['CPU throttling', cpuThrottling, /limits\.cpu/],
      ['a network fault', networkFault, /NetworkPolic.*CNI.*forensics/],
    ])('says what to do about %s', (_, build, summary) => {
      const { recommendation } = run(build());
      expect(recommendation?.summary).toMatch(summary);
      expect(recommendation?.memoryLimit).toBeUndefined();
    });

    it('recommends nothing for a healthy service', () => {
      expect(run(healthyService()).recommendation).toBeUndefined();
    });
  });

  describe('with a source down', () => {
    it('still names the undersized limit without Prometheus, less sure, and says why', () => {
      const full = find(run(labOom()).hypotheses, 'memory-limit-too-low');
      const { hypotheses, recommendation } = run(labOomWithoutPrometheus());
      const [top] = hypotheses;
      expect(top.id).toBe('memory-limit-too-low');
      expect(top.confidence).toBeLessThan(full.confidence);
      expect(top.confidence).toBeGreaterThan(0.5);
      expect(sentences(top.supporting)).toMatch(/45 restarts.*OOMKilled/);
      expect(top.contradicting).toContainEqual({
        source: 'prometheus',
        description: expect.stringMatching(
          /^Prometheus did not answer \(sandbox: .*ECONNREFUSED\): the working set could not be compared/,
        ),
      });
      // No invented working set.
      expect(sentences(top.supporting)).not.toMatch(/working set peaked/);
      expect(recommendation?.memoryLimit).toEqual({
        current: '512Mi',
        proposed: '1Gi',
        peakWorkingSet: 'unknown',
        basis: expect.stringMatching(
          /^Killed at its 512Mi limit, so its true demand is unknown/,
        ),
      });
    });

    it('still names the undersized limit without Loki, less sure, and says why', () => {
      const full = find(run(labOom()).hypotheses, 'memory-limit-too-low');
      const [top] = run(labOomWithoutLoki()).hypotheses;
      expect(top.id).toBe('memory-limit-too-low');
      expect(top.confidence).toBeLessThan(full.confidence);
      expect(sentences(top.supporting)).not.toMatch(/OutOfMemoryError/);
      expect(top.contradicting).toContainEqual({
        source: 'loki',
        description: expect.stringMatching(
          /^Loki did not answer \(sandbox: Loki query failed: 502 Bad Gateway\)/,
        ),
      });
    });

    it('still names the undersized limit without Kubernetes, from the timeline and the series', () => {
      const { hypotheses, recommendation } = run(withoutKubernetes(labOom()));
      const [top] = hypotheses;
      expect(top.id).toBe('memory-limit-too-low');
      expect(top.confidence).toBeLessThan(0.7);
      expect(sentences(top.supporting)).toMatch(
        /40 of 40 terminations in the range were OOMKilled/,
      );
      expect(sentences(top.contradicting)).toMatch(
        /^Kubernetes did not answer \(sandbox: the API server did not answer: 503\)/m,
      );
      // The kills still mean the series is clipped at the limit.
      expect(recommendation?.memoryLimit).toEqual({
        current: '512Mi',
        proposed: '1Gi',
        peakWorkingSet: '509Mi',
        basis: expect.stringMatching(
          /^Killed at its 512Mi limit, so its true demand is unknown/,
        ),
      });
    });

    it('sees a network fault from Prometheus readiness without Kubernetes', () => {
      const [top] = run(withoutKubernetes(networkFault())).hypotheses;
      expect(top.id).toBe('network-fault');
      expect(sentences(top.supporting)).toMatch(
        /not ready in 100% of the samples or more, no restarts in the range/,
      );
    });

    it('is not sure of anything when no source answered', () => {
      const { hypotheses, recommendation } = run(
        evidence({
          nodes: [],
          sources: sources({
            kubernetes: 'the API server did not answer',
            prometheus: 'timeout',
            loki: 'timeout',
          }),
        }),
      );
      for (const h of hypotheses) {
        expect(h.confidence).toBeLessThan(0.3);
      }
      expect(recommendation).toBeUndefined();
      expect(sentences(find(hypotheses, 'healthy').contradicting)).toMatch(
        /Kubernetes did not answer/,
      );
    });

    it('says a source is not configured rather than down', () => {
      const input = healthyService();
      const { hypotheses } = run({
        ...input,
        logGroups: [],
        sources: input.sources.map(s =>
          s.source === 'loki' ? { ...s, status: 'not-configured' } : s,
        ),
      });
      expect(sentences(find(hypotheses, 'healthy').contradicting)).toMatch(
        /^Loki is not configured \(sandbox\): error lines could not be checked$/m,
      );
    });

    it('is less sure a service is healthy when Prometheus did not answer', () => {
      const input = healthyService();
      const full = run(input).hypotheses[0];
      const partial = run({
        ...input,
        metrics: evidence().metrics,
        sources: sources({ prometheus: 'timeout' }),
      }).hypotheses[0];
      expect(partial.id).toBe('healthy');
      expect(partial.confidence).toBeLessThan(full.confidence);
      expect(sentences(partial.contradicting)).toMatch(
        /Prometheus did not answer \(sandbox: timeout\): memory and CPU could not be checked/,
      );
    });
  });
});

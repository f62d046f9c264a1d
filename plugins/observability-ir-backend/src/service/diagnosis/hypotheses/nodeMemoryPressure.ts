import { nodesUnderMemoryPressure } from '../../replicas/nodeFacts';
import { DiagnosisContext } from '../context';
import { listNames, plural } from '../format';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceScore } from '../score';
import { limitBySources, oomKilled, supportEach } from './common';

/** Points each fact for node memory pressure adds. */
export const SUPPORT = {
  /** Pods `Evicted` for memory (or for no reason given). */
  evictedForMemory: 1.5,
  /** Pods `Evicted` for another resource. */
  evictedForOther: 0.5,
  /** `Evicted` events for memory, no evicted pod seen. */
  evictionEvents: 1.2,
  /** `Evicted` events for another resource, no evicted pod seen. */
  evictionEventsForOther: 0.5,
  /** `Evicted` events of pods already seen evicted. */
  evictionEventsOfEvictedPods: 0.3,
  /** `EvictionThresholdMet` / `NodeHasInsufficientMemory` events. */
  thresholdEvents: 0.5,
  /** A node with `MemoryPressure=True`. */
  memoryPressure: 1,
  /** Evictions or pressure, and no container OOMKilled. */
  noOomKill: 0.3,
} as const;

/** Points each fact against node memory pressure takes away. */
export const CONTRADICT = {
  /** No eviction and no node under pressure. */
  noEviction: 1.5,
  /** Containers OOMKilled at their own limit. */
  oomKilled: 0.5,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.5,
} as const;

/**
 * The node ran out of memory and the kubelet evicted pods: pods `Evicted`,
 * `EvictionThresholdMet` events, nodes with `MemoryPressure=True`, while no
 * container was OOMKilled at its own limit.
 */
export function nodeMemoryPressure(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore(
    'node-memory-pressure',
    'Node memory pressure',
  );
  const { input } = ctx;
  const evicted = input.replicas.filter(r => r.podReason === 'Evicted');
  const evictedPods = [...new Map(evicted.map(r => [r.pod, r])).values()];
  const evictionEvents = input.events.filter(e => e.reason === 'Evicted');
  const thresholdEvents = input.events.filter(
    e =>
      e.reason === 'EvictionThresholdMet' ||
      e.reason === 'NodeHasInsufficientMemory',
  );
  const pressured = nodesUnderMemoryPressure(input.nodes);
  const aboutMemory = (text?: string) => /memory/i.test(text ?? '');

  if (evictedPods.length) {
    const memory = evictedPods.filter(r => aboutMemory(r.podMessage));
    supportEach(
      score,
      memory.length || evictedPods.every(r => !r.podMessage)
        ? SUPPORT.evictedForMemory
        : SUPPORT.evictedForOther,
      'kubernetes',
      evictedPods.map(
        r =>
          `${r.pod}${r.node ? ` on ${r.node}` : ''}: Evicted${
            r.podMessage ? ` — ${r.podMessage.trim()}` : ''
          }`,
      ),
      n => `${plural(n, 'more pod')} evicted`,
    );
  }
  if (evictionEvents.length) {
    const sentence = `${plural(
      evictionEvents.reduce((sum, e) => sum + Math.max(1, e.count), 0),
      'Evicted event',
    )} for ${listNames(
      evictionEvents.map(e => e.pod),
    )}: ${evictionEvents[0].message.trim()}`;
    if (evictedPods.length) {
      score.support(
        SUPPORT.evictionEventsOfEvictedPods,
        'kubernetes',
        sentence,
      );
    } else {
      score.support(
        aboutMemory(evictionEvents[0].message)
          ? SUPPORT.evictionEvents
          : SUPPORT.evictionEventsForOther,
        'kubernetes',
        sentence,
      );
    }
  }
  if (thresholdEvents.length) {
    score.support(
      SUPPORT.thresholdEvents,
      'kubernetes',
      `${listNames(
        thresholdEvents.map(e => `${e.reason} (${e.message.trim()})`),
        2,
      )}`,
    );
  }
  for (const [i, node] of pressured.entries()) {
    const c = node.conditions.find(x => x.type === 'MemoryPressure')!;
    const detail = [c.reason, c.message].filter(Boolean).join(': ');
    const sentence = `Node ${node.name}: MemoryPressure=True${
      detail ? ` (${detail})` : ''
    }`;
    if (i === 0) {
      score.support(SUPPORT.memoryPressure, 'kubernetes', sentence);
    } else {
      score.note('kubernetes', sentence);
    }
  }

  const evidence =
    evictedPods.length + evictionEvents.length + pressured.length > 0;
  const oom = oomKilled(ctx);
  if (evidence && oom.length === 0 && !ctx.unavailable.kubernetes) {
    score.support(
      SUPPORT.noOomKill,
      'kubernetes',
      'No container was OOMKilled: the pods were evicted by the kubelet, not killed at their own memory limit',
    );
    const burstable = evictedPods.filter(
      r =>
        r.requests.memoryBytes !== undefined &&
        r.limits.memoryBytes !== undefined &&
        r.requests.memoryBytes < r.limits.memoryBytes,
    );
    if (burstable.length) {
      const r = burstable[0];
      score.note(
        'kubernetes',
        `${r.pod}: requests.memory ${describeBytes(
          r.requests.memoryBytes!,
        )} below limits.memory ${describeBytes(
          r.limits.memoryBytes!,
        )}: a Burstable pod, evicted before Guaranteed ones`,
      );
    }
  }
  if (!evidence && !ctx.unavailable.kubernetes) {
    score.contradict(
      CONTRADICT.noEviction,
      'kubernetes',
      `No pod was evicted and no node reports MemoryPressure (${plural(
        input.nodes.length,
        'node',
      )} checked)`,
    );
  }
  if (oom.length) {
    score.contradict(
      CONTRADICT.oomKilled,
      'kubernetes',
      `${listNames(
        oom.map(r => ctx.label(r)),
      )} were OOMKilled at their own memory limit: the container limit, not the node, ended them`,
    );
  }
  limitBySources(ctx, score, {
    kubernetes: [
      SOURCE_FACTORS.kubernetes,
      'evictions and node conditions could not be read',
    ],
  });
  return score;
}

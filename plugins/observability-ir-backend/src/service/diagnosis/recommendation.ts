import {
  Hypothesis,
  Recommendation,
  describeBytes,
  formatMemoryQuantity,
} from '@observability-ir/plugin-observability-ir-common';
import { errorCarryingGroup, errorStatement } from '../logs/logFacts';
import { nodesUnderMemoryPressure } from '../replicas/nodeFacts';
import { DiagnosisContext } from './context';
import { listNames } from './format';
import {
  crashed,
  describeAffectedReplicas,
  memoryErrorExits,
  oomKilled,
  timelineOomKills,
} from './hypotheses/common';
import {
  CLIPPED_SHARE,
  MIN_LIMIT_INCREASE,
  describeMemoryLimitBasis,
  proposeMemoryLimit,
} from './quantity';

/** No recommendation below this confidence of the top hypothesis. */
export const RECOMMENDATION_MIN_CONFIDENCE = 0.3;

interface LimitProposal {
  container: string;
  memoryLimit: NonNullable<Recommendation['memoryLimit']>;
}

/**
 * The limit raise for the container with the most OOM kills (else the one
 * closest to its limit), per {@link proposeMemoryLimit}.
 */
export function proposeLimit(ctx: DiagnosisContext): LimitProposal | undefined {
  const key = (x: { cluster: string; container?: string }) =>
    `${x.cluster}/${x.container ?? ''}`;
  const kills = new Map<string, number>();
  const count = (x: { cluster: string; container?: string }, n: number) =>
    kills.set(key(x), (kills.get(key(x)) ?? 0) + n);
  for (const r of oomKilled(ctx)) {
    count(r, 1 + ctx.restarts(r));
  }
  for (const e of timelineOomKills(ctx)) {
    count(e, 1);
  }
  const candidates = ctx.memory
    // An infinite or zero limit (a pod spec's `1e400`, Prometheus' `+Inf`)
    // has no sensible raise.
    .filter(
      m =>
        m.currentLimit !== undefined &&
        Number.isFinite(m.currentLimit) &&
        m.currentLimit > 0,
    )
    .sort(
      (a, b) =>
        (kills.get(key(b)) ?? 0) - (kills.get(key(a)) ?? 0) ||
        (b.peak?.share ?? 0) - (a.peak?.share ?? 0) ||
        key(a).localeCompare(key(b)),
    );
  const m = candidates[0];
  if (!m) {
    return undefined;
  }
  const currentLimit = m.currentLimit!;
  const plateau = observedPlateau(ctx, m.cluster, m.container, currentLimit);
  // Over the look-back, runs the range does not show: a slow leak's peak
  // and its kills at the limit hours ago.
  const shapes = ctx.runShapes.find(
    s => s.cluster === m.cluster && s.container === m.container,
  );
  const peak = Math.max(m.peak?.bytes ?? 0, shapes?.peak?.bytes ?? 0);
  const killedEarlier = (shapes?.cycles ?? []).some(
    c => c.endedByRestart && (c.peakShare ?? 0) >= CLIPPED_SHARE,
  );
  const basis = {
    currentLimit,
    peakWorkingSet: peak > 0 ? peak : undefined,
    oomKilled: kills.has(key(m)) || killedEarlier,
    ...(plateau ? { plateau } : {}),
  };
  const proposed = proposeMemoryLimit(basis);
  return {
    container: m.name,
    memoryLimit: {
      current: formatMemoryQuantity(currentLimit),
      proposed: formatMemoryQuantity(proposed),
      peakWorkingSet: peak > 0 ? describeBytes(peak) : 'unknown',
      basis: describeMemoryLimitBasis(basis, proposed),
    },
  };
}

/**
 * The highest plateau of a run of the container that had room above the
 * kill level: it levelled off (shape `plateau`) below
 * {@link CLIPPED_SHARE} of its own limit, yet at or above that share of
 * the current limit, so it ran under a higher limit than the one the
 * container is killed at. A plateau below the kill level says nothing of
 * the demand of a run killed there.
 */
function observedPlateau(
  ctx: DiagnosisContext,
  cluster: string,
  container: string,
  currentLimit: number,
): { bytes: number; where: string } | undefined {
  const shapes = ctx.runShapes.find(
    s => s.cluster === cluster && s.container === container,
  );
  const informative = (shapes?.cycles ?? []).filter(
    c =>
      c.shape === 'plateau' &&
      c.limit !== undefined &&
      c.peak < CLIPPED_SHARE * c.limit &&
      c.peak >= CLIPPED_SHARE * currentLimit,
  );
  if (informative.length === 0) {
    return undefined;
  }
  const best = informative.reduce((a, b) => (b.peak > a.peak ? b : a));
  return {
    bytes: best.peak,
    where: `a run of ${ctx.label({ cluster, pod: best.pod })} ${shapes!.over}`,
  };
}

/** How a runtime's own memory cap is set, for the recommendation. */
export const RUNTIME_MEMORY_CAPS =
  'JVM -Xmx or -XX:MaxRAMPercentage, Node.js --max-old-space-size, .NET GCHeapHardLimit or GCHeapHardLimitPercent, an address-space ulimit';

/**
 * When containers exited after their runtime's memory error, none
 * OOMKilled, with the working set well below the container's limit: the
 * runtime's own cap stopped them, and raising limits.memory alone would
 * not help. Undefined otherwise (a cap near the limit is raised with it).
 */
function runtimeCapReached(ctx: DiagnosisContext): string | undefined {
  if (oomKilled(ctx).length) {
    return undefined;
  }
  const exits = memoryErrorExits(ctx);
  if (exits.length === 0) {
    return undefined;
  }
  const r = exits[0];
  const m = ctx.memory.find(
    x => x.cluster === r.cluster && x.container === (r.container ?? ''),
  );
  const limit = m?.currentLimit;
  const peak = m?.peak?.bytes;
  if (limit && peak && peak >= CLIPPED_SHARE * limit) {
    return undefined;
  }
  const where =
    peak && limit
      ? ` at about ${describeBytes(peak)}, ${Math.round(
          (peak / limit) * 100,
        )}% of its ${formatMemoryQuantity(limit)} limit`
      : '';
  return `Raise the memory cap of the runtime in container ${
    r.container
  } (${RUNTIME_MEMORY_CAPS}): it ran out of memory${where}, so limits.memory is not what stops it. Keep limits.memory at least ${Math.round(
    (MIN_LIMIT_INCREASE - 1) * 100,
  )}% above the new cap, and verify after that the exits stop.`;
}

function probeTarget(ctx: DiagnosisContext): string | undefined {
  const failure =
    ctx.probes.find(p => p.probe !== 'readiness' && p.target) ??
    ctx.probes.find(p => p.target);
  return failure?.target;
}

/** What to do about the top hypothesis; none for `healthy` or weak ones. */
export function recommend(
  ctx: DiagnosisContext,
  top: Hypothesis | undefined,
): Recommendation | undefined {
  if (
    !top ||
    top.id === 'healthy' ||
    top.confidence < RECOMMENDATION_MIN_CONFIDENCE
  ) {
    return undefined;
  }
  switch (top.id) {
    case 'memory-limit-too-low': {
      const heapCap = runtimeCapReached(ctx);
      if (heapCap) {
        return { summary: heapCap };
      }
      const proposal = proposeLimit(ctx);
      if (!proposal) {
        return {
          summary:
            'Set limits.memory of the OOMKilled container above its peak working set, with 50% headroom',
        };
      }
      const { container, memoryLimit } = proposal;
      const affected = describeAffectedReplicas(ctx, oomKilled(ctx));
      return {
        summary: `Raise limits.memory of container ${container} from ${
          memoryLimit.current
        } to ${memoryLimit.proposed}. ${memoryLimit.basis}${
          affected
            ? ` ${affected}: find what it does differently (a shard, a tenant, a batch) before settling on the limit.`
            : ''
        }`,
        memoryLimit,
      };
    }
    case 'memory-leak': {
      const proposal = proposeLimit(ctx);
      const stopgap = proposal
        ? ` As a stopgap, raise limits.memory of container ${proposal.container} from ${proposal.memoryLimit.current} to ${proposal.memoryLimit.proposed}: it buys time, it does not fix the leak.`
        : '';
      return {
        summary: `Investigate the memory leak${
          proposal ? ` in container ${proposal.container}` : ''
        }: take a heap dump while the working set is high (e.g. jcmd <pid> GC.heap_dump, or the runtime's equivalent) and compare it with one taken after a start.${stopgap}`,
        memoryLimit: proposal?.memoryLimit,
      };
    }
    case 'node-memory-pressure': {
      const nodes = nodesUnderMemoryPressure(ctx.input.nodes).map(n => n.name);
      const where = nodes.length ? ` on ${listNames(nodes)}` : '';
      return {
        summary: `Relieve the node memory pressure${where}: move or shrink the workloads that fill the node, or add node capacity; set requests.memory equal to limits.memory so the pods are Guaranteed and evicted last`,
      };
    }
    case 'application-crash': {
      const group = errorCarryingGroup(ctx.logs.exceptions);
      const exception = group
        ? errorStatement(group) ?? group.signature
        : undefined;
      const exit = crashed(ctx)[0]?.lastTermination;
      return {
        summary: `Fix the application error${
          exception ? ` "${exception}"` : ''
        }${
          exit ? ` that ends the container with exit ${exit.exitCode}` : ''
        }: read its stack trace and the previous container's logs (kubectl logs --previous); a restart or more memory will not help`,
      };
    }
    case 'probe-misconfiguration': {
      const target = probeTarget(ctx);
      return {
        summary: `Fix the liveness/readiness probe${
          target ? ` that checks ${target}` : ''
        }: point it at the port and path the application serves (see the Unhealthy event message); the process itself is healthy`,
      };
    }
    case 'cpu-throttling':
      return {
        summary:
          'Raise or remove limits.cpu of the throttled container (keep requests.cpu at its real usage): the CFS quota slows it down',
      };
    case 'network-fault':
      return {
        summary:
          'Check the pod network: NetworkPolicies that select the pods, the CNI on the nodes that run them, and run node forensics (connectivity from the node to the pod IP on the probe port)',
      };
    default:
      return undefined;
  }
}

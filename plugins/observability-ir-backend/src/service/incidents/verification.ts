import {
  describeBytes,
  describePercent,
  formatMemoryQuantity,
  plural,
  Replica,
  VerifyProgress,
} from '@observability-ir/plugin-observability-ir-common';
import type {
  ContainerMemoryLimits,
  ObservedFix,
  StoredIncident,
  VerificationState,
} from './IncidentStore';

/** How a fix is verified: for how long, and how much memory is healthy. */
export interface VerificationSettings {
  /** How long every check must hold, in seconds. */
  windowSeconds: number;
  /** The highest working set, as a share of the limit, that passes. */
  maxWorkingSetShare: number;
}

/** The defaults of `observabilityIr.runbook.verify`. */
export const DEFAULT_VERIFICATION_SETTINGS: VerificationSettings = {
  windowSeconds: 15 * 60,
  maxWorkingSetShare: 0.9,
};

const replicaKey = (r: Replica) =>
  `${r.cluster}/${r.namespace}/${r.pod}/${r.container}`;

/** The memory limit of each container that has one, the largest seen. */
export function memoryLimitsOf(replicas: Replica[]): ContainerMemoryLimits {
  const limits: ContainerMemoryLimits = {};
  for (const r of replicas) {
    const bytes = r.limits.memoryBytes;
    if (bytes !== undefined) {
      limits[r.container] = Math.max(limits[r.container] ?? 0, bytes);
    }
  }
  return limits;
}

/**
 * The memory-limit change the cluster shows since the incident opened:
 * every replica of a container that had a limit then now runs with another
 * one. `undefined` while any replica still runs with the old limit (the
 * rollout is not over) or nothing changed.
 */
export function observedMemoryFix(
  incident: StoredIncident,
  replicas: Replica[],
  now: Date,
): ObservedFix | undefined {
  const changed: ContainerMemoryLimits = {};
  const descriptions: string[] = [];
  for (const [container, before] of Object.entries(incident.baseline)) {
    const own = replicas.filter(r => r.container === container);
    const limits = own.map(r => r.limits.memoryBytes);
    if (
      own.length === 0 ||
      limits.some(limit => limit === undefined || limit === before)
    ) {
      continue;
    }
    const after = Math.max(...(limits as number[]));
    changed[container] = after;
    descriptions.push(
      `${container}: memory limit ${formatMemoryQuantity(
        before,
      )} → ${formatMemoryQuantity(after)} on ${plural(own.length, 'replica')}`,
    );
  }
  if (descriptions.length === 0) {
    return undefined;
  }
  return {
    seenAt: now.toISOString(),
    description: descriptions.join('; '),
    memoryLimits: changed,
  };
}

/** The outcome of one look at the replicas during verification. */
export interface VerificationOutcome {
  progress: VerifyProgress;
  /** The state to keep until the next look. */
  state: VerificationState;
  /** Set when the watch started over because a replica restarted. */
  restartedBecause?: string;
  passed: boolean;
}

/**
 * One look at the replicas after a fix: the restart counts stop
 * increasing, every replica is Ready, and each working set stays below a
 * share of its limit (for a memory fix, every replica also runs with the
 * new limit). When every check holds, the window runs on from when they
 * began to hold; when one fails, it starts over.
 */
export function evaluateVerification(options: {
  fix: ObservedFix;
  previous?: VerificationState;
  replicas: Replica[];
  now: Date;
  settings: VerificationSettings;
}): VerificationOutcome {
  const { fix, previous, now, settings } = options;
  const watched = Object.keys(fix.memoryLimits);
  const replicas =
    watched.length > 0
      ? options.replicas.filter(r => watched.includes(r.container))
      : options.replicas;
  const checks: VerifyProgress['checks'] = [];

  checks.push({
    name: 'Replicas running',
    passed: replicas.length > 0,
    detail:
      replicas.length > 0
        ? `${plural(replicas.length, 'replica')} found`
        : 'No replica of the workload is running',
  });

  if (watched.length > 0) {
    const stale = replicas.filter(
      r => r.limits.memoryBytes !== fix.memoryLimits[r.container],
    );
    checks.push({
      name: 'Fix rolled out',
      passed: stale.length === 0,
      detail:
        stale.length === 0
          ? `Every replica runs with ${watched
              .map(c => `${c} ${formatMemoryQuantity(fix.memoryLimits[c])}`)
              .join(', ')}`
          : `${plural(stale.length, 'replica')} still ${
              stale.length === 1 ? 'runs' : 'run'
            } with the old limit (${stale
              .slice(0, 3)
              .map(r => r.pod)
              .join(', ')})`,
    });
  }

  const notReady = replicas.filter(r => !r.ready);
  checks.push({
    name: 'Ready',
    passed: notReady.length === 0,
    detail:
      notReady.length === 0
        ? `${replicas.length}/${replicas.length} Ready`
        : `${replicas.length - notReady.length}/${
            replicas.length
          } Ready; not ready: ${notReady
            .slice(0, 3)
            .map(r => r.pod)
            .join(', ')}`,
  });

  const baseline = previous?.restarts ?? {};
  const restarted = replicas.filter(
    r =>
      baseline[replicaKey(r)] !== undefined &&
      r.restartCount > baseline[replicaKey(r)],
  );
  const restartedBecause =
    restarted.length > 0
      ? restarted
          .slice(0, 3)
          .map(
            r =>
              `${r.pod} restarted (${baseline[replicaKey(r)]} → ${
                r.restartCount
              }${r.lastTermination ? `, ${r.lastTermination.reason}` : ''})`,
          )
          .join('; ')
      : undefined;
  checks.push({
    name: 'No restarts',
    passed: restarted.length === 0,
    detail: restartedBecause ?? 'No restart since the watch began',
  });

  const shares = replicas.map(r => r.memoryLimitShare);
  const known = shares.filter((s): s is number => s !== undefined);
  const highest = known.length > 0 ? Math.max(...known) : undefined;
  const highestReplica = replicas.find(r => r.memoryLimitShare === highest);
  const memoryPassed =
    replicas.length > 0 &&
    known.length === replicas.length &&
    highest! < settings.maxWorkingSetShare;
  checks.push({
    name: 'Memory below the limit',
    passed: memoryPassed,
    detail:
      highest === undefined
        ? 'No working set is known (Prometheus did not answer for these replicas)'
        : `Highest working set ${describeBytes(
            highestReplica?.memoryWorkingSetBytes ?? 0,
          )}, ${describePercent(
            highest,
          )} of its limit (must stay below ${describePercent(
            settings.maxWorkingSetShare,
          )})${
            known.length < replicas.length
              ? `; ${plural(
                  replicas.length - known.length,
                  'replica',
                )} without a working set`
              : ''
          }`,
  });

  const allPassed = checks.every(c => c.passed);
  const restarts = Object.fromEntries(
    replicas.map(r => [replicaKey(r), r.restartCount]),
  );
  const since = allPassed && previous ? previous.since : now.toISOString();
  const windowMs = settings.windowSeconds * 1000;
  const elapsed = now.getTime() - Date.parse(since);
  const progress = allPassed ? Math.min(1, elapsed / windowMs) : 0;
  const passed = allPassed && elapsed >= windowMs;
  return {
    progress: {
      since,
      windowSeconds: settings.windowSeconds,
      progress,
      checks,
      ...(passed ? { passedAt: now.toISOString() } : {}),
    },
    state: {
      since,
      // Keep the counts the watch began with; replicas seen for the first
      // time start from their count now.
      restarts: allPassed
        ? { ...restarts, ...baselineOf(previous, replicas) }
        : restarts,
    },
    ...(restartedBecause ? { restartedBecause } : {}),
    passed,
  };
}

function baselineOf(
  previous: VerificationState | undefined,
  replicas: Replica[],
): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const r of replicas) {
    const key = replicaKey(r);
    if (previous?.restarts[key] !== undefined) {
      kept[key] = previous.restarts[key];
    }
  }
  return kept;
}

/**
 * Whether a resolved incident's entity may open a new incident: only on
 * evidence that came after the verification passed (a termination after
 * it, a memory limit other than the verified one), or once the whole
 * evidence range lies after it. The range still shows the kills from
 * before the fix for a while; they must not open the incident again.
 */
export function mayOpenAgain(options: {
  resolved: StoredIncident;
  replicas: Replica[];
  rangeStart: Date;
}): boolean {
  const { resolved, replicas, rangeStart } = options;
  const closedAt = Date.parse(resolved.closedAt ?? resolved.openedAt);
  if (closedAt < rangeStart.getTime()) {
    return true;
  }
  const terminatedSince = replicas.some(
    r =>
      r.lastTermination?.finishedAt !== undefined &&
      Date.parse(r.lastTermination.finishedAt) > closedAt,
  );
  const verified = resolved.verified?.memoryLimits ?? {};
  const limitChanged = replicas.some(
    r =>
      verified[r.container] !== undefined &&
      r.limits.memoryBytes !== verified[r.container],
  );
  return terminatedSince || limitChanged;
}

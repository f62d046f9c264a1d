import { UpstreamError } from '../../clients/UpstreamError';
import { PodScope, podPatternOf } from '../../queries';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { ClusterConnection } from './ClusterConnections';
import { LocatedWorkload } from './locatePods';

/**
 * An entity's workload in one cluster while its pods are being listed:
 * Prometheus and Loki can already be asked about the speculative scope, and
 * the answers are narrowed to the listed pods when they arrive.
 */
export interface SpeculatedWorkload {
  connection: ClusterConnection;
  /**
   * What Prometheus and Loki may be asked before the pods are listed: the
   * scopes of the pods listed last time, else the guess of
   * {@link speculativeScope}; none when there is neither.
   */
  speculative?: PodScope[];
  located: Promise<LocatedWorkload>;
}

/**
 * How speculative questions fared, over the life of one service: answered
 * from the speculation, or asked again with the listed pods' scope.
 */
export class SpeculationCounters {
  /** Speculative questions asked (one per scope and evidence kind). */
  asked = 0;
  /** Listed pods' scopes answered from a speculative answer. */
  answered = 0;
  /** Listed pods' scopes asked again: the speculation missed or could not stand for them. */
  reasked = 0;
  /** Series, streams or alerts a speculative answer held about other workloads' pods. */
  dropped = 0;
}

/**
 * The scope Prometheus and Loki are asked about before the pods are listed:
 * the entity's annotated namespace, and the pods whose names start with its
 * kubernetes id and a `-` (those of a Deployment or StatefulSet named so,
 * and of sibling workloads whose names extend it, which the pod list then
 * drops). None without both annotations: a label selector alone says
 * nothing of pod names, and without a namespace the guess would be every
 * namespace.
 */
export function speculativeScope(
  workload: ResolvedWorkload,
): PodScope | undefined {
  const { namespace, kubernetesId, extraPrometheusMatchers } = workload;
  if (!namespace || !kubernetesId) return undefined;
  const scope: PodScope = {
    namespace,
    pods: { namePrefix: kubernetesId },
    ...(extraPrometheusMatchers ? { extraPrometheusMatchers } : {}),
  };
  try {
    podPatternOf(scope);
    return scope;
  } catch {
    return undefined;
  }
}

/** A workload whose pods are already listed, as a speculated one. */
export function asSpeculated(
  entry: LocatedWorkload | SpeculatedWorkload,
): SpeculatedWorkload {
  return 'pods' in entry
    ? { connection: entry.connection, located: Promise.resolve(entry) }
    : entry;
}

function sameScope(a: PodScope, b: PodScope): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The scopes of the pods each workload had when last listed, per cluster
 * and credentials, for the next request to ask about at once: pods keep
 * the shape of their names across restarts and rollouts, so a workload
 * whose names the guess misses (its kubernetes id is not its Deployment's
 * name, or it has only a label selector) is asked in one round trip too
 * from its second request on. Bounded; a stale entry costs a scope asked
 * again, never a wrong answer (every answer is narrowed to the new list).
 * The same for other things listed with the pods, such as their nodes.
 */
export class ListedScopes<T = PodScope> {
  private readonly entries = new Map<string, { scopes: T[]; at: number }>();

  constructor(
    private readonly options: {
      maxEntries: number;
      ttlMs: number;
      now?: () => number;
    },
  ) {}

  recall(key: string): T[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.at + this.options.ttlMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.scopes;
  }

  remember(key: string, scopes: T[]) {
    this.entries.delete(key);
    if (scopes.length === 0) return;
    this.entries.set(key, { scopes, at: this.now() });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }
}

/** Kubernetes cuts a generated pod name's base to this many characters. */
const MAX_GENERATED_BASE = 58;

function sameMatchers(a: PodScope, b: PodScope) {
  return (
    JSON.stringify(a.extraPrometheusMatchers ?? []) ===
      JSON.stringify(b.extraPrometheusMatchers ?? []) &&
    a.container === b.container
  );
}

/**
 * Whether every pod `exact` selects is one `speculative` selects too, so
 * the speculative answer, narrowed, is the answer `exact` would get.
 */
export function covers(speculative: PodScope, exact: PodScope): boolean {
  if (sameScope(speculative, exact)) return true;
  if (
    !('namePrefix' in speculative.pods) ||
    speculative.namespace !== exact.namespace ||
    !sameMatchers(speculative, exact)
  ) {
    return false;
  }
  const base = `${speculative.pods.namePrefix}-`;
  const names = exact.pods.names ?? [];
  if (!names.every(name => name.length > base.length && name.startsWith(base)))
    return false;
  if ('namePrefix' in exact.pods) {
    return `${exact.pods.namePrefix}-`.startsWith(base);
  }
  const owners = 'owners' in exact.pods ? exact.pods.owners : [];
  return owners.every(
    owner =>
      `${owner.name}-`.startsWith(base) &&
      // A Deployment's long pod names are cut before the prefix ends.
      (owner.kind === 'StatefulSet' || base.length <= MAX_GENERATED_BASE),
  );
}

/**
 * Whether a series, stream or alert with these labels belongs to the
 * scope's pods; a label the answer aggregated away (the namespace of a
 * `sum by (pod, container)`) is the one the question asked for.
 */
export function podSelector(
  exact: PodScope,
  askedNamespace: string,
): (labels: Readonly<Record<string, string | undefined>>) => boolean {
  // Built by the query helpers: RE2 and JavaScript read it alike.
  const pod = new RegExp(`^(?:${podPatternOf(exact)})$`, 's');
  return labels =>
    (labels.namespace ?? askedNamespace) === exact.namespace &&
    pod.test(labels.pod ?? '');
}

/**
 * Whether a speculative question that failed deserves the exact one: the
 * upstream answered but refused it (a 4xx, e.g. too many samples) or sent
 * more than is read, which a narrower question may avoid. An upstream that
 * did not answer, or failed on its side, would fail the exact one too.
 */
function worthAskingAgain(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  if (error.status !== undefined) {
    return error.status >= 400 && error.status < 500 && error.status !== 429;
  }
  return /answered more than/.test(error.message);
}

type Settled<A> = { ok: true; value: A } | { ok: false; error: unknown };

/**
 * Answers one question per scope of the listed pods, asking about the
 * speculative scope at once, before the pods are listed, and each listed
 * scope on its own only when the speculation does not cover it or its
 * answer cannot stand for the exact one (`narrow` says so by returning
 * nothing, e.g. when a limit cut it).
 */
export async function reconcile<A>(input: {
  workload: SpeculatedWorkload;
  /** Asks about one scope; may throw. */
  ask: (scope: PodScope) => Promise<A>;
  /**
   * The speculative answer cut to the exact scope's pods, with how many
   * series, streams or alerts it kept; `shared` when other listed scopes
   * are cut from the same answer.
   */
  narrow: (
    answer: A,
    exact: PodScope,
    context: { askedNamespace: string; shared: boolean },
  ) => { answer: A; kept: number } | undefined;
  /** How many series, streams or alerts an answer holds. */
  size: (answer: A) => number;
  /** Told the listed pods before any of their scopes is asked about. */
  onLocated?: (located: LocatedWorkload) => void;
  counters?: SpeculationCounters;
}): Promise<{
  located: LocatedWorkload;
  answers: Array<{ scope: PodScope; answer: A }>;
}> {
  const { workload, ask, narrow, size, onLocated, counters } = input;
  const speculative = workload.speculative ?? [];
  const early = speculative.map(scope => {
    if (counters) counters.asked++;
    return (async () => ask(scope))().then(
      (value): Settled<A> => ({ ok: true, value }),
      (error): Settled<A> => ({ ok: false, error }),
    );
  });
  const located = await workload.located;
  onLocated?.(located);
  // Each listed scope is cut from the first speculative answer covering it.
  const coveredBy = located.scopes.map(scope =>
    speculative.findIndex(guess => covers(guess, scope)),
  );
  let kept = 0;
  const answers = await Promise.all(
    located.scopes.map(async (scope, i) => {
      const k = coveredBy[i];
      if (k >= 0) {
        const settled = await early[k];
        if (!settled.ok && !worthAskingAgain(settled.error)) {
          throw settled.error;
        }
        let narrowed: { answer: A; kept: number } | undefined;
        if (settled.ok && sameScope(speculative[k], scope)) {
          // The very question: its answer stands as it is.
          narrowed = { answer: settled.value, kept: size(settled.value) };
        } else if (settled.ok) {
          narrowed = narrow(settled.value, scope, {
            askedNamespace: speculative[k].namespace,
            shared: coveredBy.filter(c => c === k).length > 1,
          });
        }
        if (narrowed) {
          if (counters) counters.answered++;
          kept += narrowed.kept;
          return { scope, answer: narrowed.answer };
        }
      }
      if (counters && speculative.length > 0) counters.reasked++;
      return { scope, answer: await ask(scope) };
    }),
  );
  const settled = await Promise.all(early);
  if (counters) {
    // What no listed scope kept was about other workloads' pods.
    const total = settled.reduce((n, a) => n + (a.ok ? size(a.value) : 0), 0);
    counters.dropped += Math.max(0, total - kept);
  }
  return { located, answers };
}

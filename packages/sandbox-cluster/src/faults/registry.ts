import { z } from 'zod';

/** The upstreams a fault can be set on; `*` is every upstream of a cluster. */
export const FAULT_UPSTREAMS = [
  'kubernetes',
  'prometheus',
  'loki',
  'alertmanager',
] as const;

export type FaultUpstream = (typeof FAULT_UPSTREAMS)[number];

/**
 * What goes wrong:
 * - `latency`: every answer waits `latencyMs` first;
 * - `error`: a share (`rate`) of requests answer a 5xx (`status`) with the
 *   API's own error body;
 * - `rate-limit`: 429 with `Retry-After: retryAfterSeconds`;
 * - `reset`: the connection is reset (TCP RST) before any answer;
 * - `unreachable`: the connection is closed without an answer, as a
 *   cluster whose load balancer has no backend;
 * - `truncate`: the answer declares its full length, sends `keep` of it
 *   and the connection drops;
 * - `oversize`: a 200 whose body runs to `bytes`, streamed without a
 *   length;
 * - `stall-watch`: a watch (or a followed log) is accepted and then sends
 *   nothing until the fault is cleared.
 */
export const FAULT_KINDS = [
  'latency',
  'error',
  'rate-limit',
  'reset',
  'unreachable',
  'truncate',
  'oversize',
  'stall-watch',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

const MAX_LATENCY_MS = 10 * 60_000;
const MAX_OVERSIZE_BYTES = 4 * 1024 ** 3;

/** One fault, as set by flag or by `PUT /_sandbox/faults`. */
export const faultSpecSchema = z
  .object({
    /** One upstream, or every upstream of the cluster when unset or `*`. */
    upstream: z.enum([...FAULT_UPSTREAMS, '*']).default('*'),
    /** One cluster by name; every cluster when unset. */
    cluster: z.string().min(1).optional(),
    kind: z.enum(FAULT_KINDS),
    /** `latency`: the wait before every answer. */
    latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
    /** `error`: the share of requests that fail, 0 to 1 (default 1). */
    rate: z.number().min(0).max(1).optional(),
    /** `error`: the status answered (default 500). */
    status: z.number().int().min(500).max(599).optional(),
    /** `rate-limit`: the `Retry-After` sent, in seconds (default 1). */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** `truncate`: the share of the body sent before the drop (default 0.5). */
    keep: z.number().min(0).lt(1).optional(),
    /** `oversize`: the length of the body (default 64 MiB). */
    bytes: z.number().int().min(1).max(MAX_OVERSIZE_BYTES).optional(),
    /** Only the next `times` requests it applies to; then it is spent. */
    times: z.number().int().min(1).optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** A fault in force, with how often it struck. */
export interface ActiveFault extends FaultSpec {
  id: number;
  /** Requests it changed so far. */
  hits: number;
  /** Bytes of body sent under it (`oversize`, `truncate`). */
  bytesSent: number;
}

/** Where a request goes: which upstream of which cluster. */
export interface FaultTarget {
  upstream: FaultUpstream;
  cluster: string;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(value.trim());
  if (!m) {
    throw new Error(`"${value}" is not a size (e.g. 64MiB)`);
  }
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
}

function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) {
    throw new Error(`"${value}" is not a duration (e.g. 500ms, 2s)`);
  }
  const factor = { ms: 1, s: 1000, m: 60_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

function parseNumber(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new Error(`${what} must be a number, got "${value}"`);
  }
  return n;
}

/**
 * Reads a fault written as a flag:
 * `<upstream>[@<cluster>]:<kind>[=<value>][,<option>=<value>...]`, e.g.
 * `prometheus:latency=500ms`, `kubernetes@production:error=0.5,status=503`,
 * `loki:rate-limit=2s`, `*@staging:unreachable`, `prometheus:oversize=64MiB`,
 * `loki:truncate=0.25`, `kubernetes:stall-watch`, `prometheus:reset,times=1`.
 * The value after the kind is its main setting: the latency, the error
 * rate, the `Retry-After`, the size or the share kept.
 */
export function parseFault(text: string): FaultSpec {
  const m = /^([a-z*]+)(?:@([^:]+))?:([a-z-]+)(?:=([^,]*))?((?:,[^,]+)*)$/.exec(
    text.trim(),
  );
  if (!m) {
    throw new Error(
      `fault "${text}" is not <upstream>[@<cluster>]:<kind>[=<value>][,<option>=<value>]`,
    );
  }
  const [, upstream, cluster, kind, value, rest] = m;
  const spec: Record<string, unknown> = { upstream, kind };
  if (cluster) spec.cluster = cluster;
  if (value !== undefined) {
    switch (kind) {
      case 'latency':
        spec.latencyMs = parseDurationMs(value);
        break;
      case 'error':
        spec.rate = parseNumber(value, 'the error rate');
        break;
      case 'rate-limit':
        spec.retryAfterSeconds = Math.ceil(parseDurationMs(value) / 1000);
        break;
      case 'oversize':
        spec.bytes = parseBytes(value);
        break;
      case 'truncate':
        spec.keep = parseNumber(value, 'the share kept');
        break;
      default:
        throw new Error(`fault kind ${kind} takes no value`);
    }
  }
  for (const option of rest.split(',').filter(Boolean)) {
    const [key, v = ''] = option.split('=');
    if (key === 'status' || key === 'times') {
      spec[key] = parseNumber(v, key);
    } else {
      throw new Error(`unknown fault option "${key}" (status, times)`);
    }
  }
  const parsed = faultSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `fault "${text}": ${issue.path.join('.') || 'fault'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * The faults in force on a sandbox. A request consults it once it is
 * routed; every matching fault counts a hit. Spent faults (`times`) drop
 * out by themselves, and listeners hear when faults are cleared, so that
 * what a fault holds open (a stalled watch) can end.
 */
export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  /** Requests seen per fault, for an error rate spread evenly. */
  private readonly seen = new Map<number, number>();
  private readonly clearListeners = new Set<() => void>();

  constructor(initial: FaultSpec[] = []) {
    this.set(initial);
  }

  /** The faults in force. */
  list(): ActiveFault[] {
    return this.faults.map(f => ({ ...f }));
  }

  /** Replaces every fault with these. */
  set(specs: FaultSpec[]): ActiveFault[] {
    this.clear();
    specs.forEach(s => this.add(s));
    return this.list();
  }

  /** Adds a fault beside those in force. */
  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = {
      ...faultSpecSchema.parse(spec),
      id: this.nextId++,
      hits: 0,
      bytesSent: 0,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** Removes every fault; what they held open is let go. */
  clear(): void {
    this.faults = [];
    this.seen.clear();
    const listeners = [...this.clearListeners];
    this.clearListeners.clear();
    listeners.forEach(l => l());
  }

  /** Called once when the faults are next cleared. */
  onClear(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => this.clearListeners.delete(listener);
  }

  /** Whether `fault` is still in force (it may have been cleared). */
  isActive(fault: ActiveFault): boolean {
    return this.faults.includes(fault);
  }

  /**
   * The faults that strike this request, each counted: a latency and at
   * most one fault that changes the answer, first set first. An `error`
   * fault strikes its share of the requests it sees, spread evenly.
   */
  strike(
    target: FaultTarget,
    isStream: boolean,
  ): { latencyMs: number; fault?: ActiveFault } {
    let latencyMs = 0;
    let fault: ActiveFault | undefined;
    for (const f of this.faults) {
      if (
        (f.upstream !== '*' && f.upstream !== target.upstream) ||
        (f.cluster !== undefined && f.cluster !== target.cluster)
      ) {
        continue;
      }
      if (f.kind === 'latency') {
        latencyMs = Math.max(latencyMs, f.latencyMs ?? 1000);
        this.hit(f);
        continue;
      }
      if (fault || (f.kind === 'stall-watch' && !isStream)) {
        continue;
      }
      if (f.kind === 'error') {
        const n = this.seen.get(f.id) ?? 0;
        this.seen.set(f.id, n + 1);
        const rate = f.rate ?? 1;
        if (Math.floor((n + 1) * rate) === Math.floor(n * rate)) {
          continue;
        }
      }
      fault = f;
      this.hit(f);
    }
    return { latencyMs, fault };
  }

  private hit(fault: ActiveFault) {
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) {
      this.faults = this.faults.filter(f => f !== fault);
    }
  }
}

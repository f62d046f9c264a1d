import {
  BehaviorSpec,
  ContainerSpec,
  ProbeSpec,
  Runtime,
} from '../scenario/schema';
import { parseQuantity } from '../util/quantity';
import { randomFor } from '../util/random';
import { runtimeProfile } from './runtimes';

/** How one run (one container instance) of a container ends. */
export interface RunOutcome {
  /** How long the process lives; undefined when it keeps running. */
  durationMs?: number;
  exitCode: number;
  reason: 'OOMKilled' | 'Error' | 'Completed';
  /** The kubelet killed it after failed liveness probes. */
  killedByLiveness?: boolean;
  /** The runtime's own heap cap was reached: it failed with its memory error. */
  memoryError?: boolean;
}

/** How a memory leak ends: at the heap cap or at the container's limit. */
interface LeakEnd {
  afterMs: number;
  by: 'heapLimit' | 'memoryLimit';
}

/**
 * Everything the simulation derives from a container's spec and its
 * behaviour: when it dies, what it uses, whether it listens and is ready.
 * The root cause follows from the spec, so changing the spec (for example
 * raising the memory limit) changes the outcome.
 */
export class ContainerModel {
  readonly name: string;
  readonly image: string;
  readonly memoryLimit?: number;
  readonly memoryRequest?: number;
  readonly cpuLimit?: number;
  readonly cpuRequest?: number;
  readonly listenPorts: number[];
  readonly readinessProbe?: ProbeSpec;
  readonly livenessProbe?: ProbeSpec;
  /** The runtime whose log formats the container writes. */
  readonly runtime: Runtime;
  /** The runtime's own heap cap (memory-leak `heapLimit`), in bytes. */
  readonly heapLimit?: number;

  constructor(
    readonly spec: ContainerSpec,
    readonly behavior: BehaviorSpec,
    private readonly seedKey: string,
  ) {
    this.name = spec.name;
    this.image = spec.image;
    const { limits = {}, requests = {} } = spec.resources ?? {};
    this.memoryLimit = opt(limits.memory);
    this.memoryRequest = opt(requests.memory);
    this.cpuLimit = opt(limits.cpu);
    this.cpuRequest = opt(requests.cpu);
    this.listenPorts = spec.ports.map(p => p.containerPort);
    this.readinessProbe = spec.readinessProbe;
    this.livenessProbe = spec.livenessProbe;
    this.runtime = spec.runtime ?? behavior.runtime ?? 'java';
    this.heapLimit =
      behavior.type === 'memory-leak' ? opt(behavior.heapLimit) : undefined;
    // Parsed once: memoryAt runs for every sample of every series.
    this.memoryBytes =
      behavior.type === 'memory-leak'
        ? {
            base: parseQuantity(behavior.baselineMemory),
            demand: parseQuantity(behavior.demandMemory),
          }
        : { base: parseQuantity(behavior.memory), demand: 0 };
  }

  /** The behaviour's memory: a leak's baseline and demand, or steady use. */
  private readonly memoryBytes: { base: number; demand: number };
  /** Each run's ramp, drawn once (runs are numbered from 0). */
  private readonly ramps: number[] = [];

  private rand(runIndex: number, what: string) {
    return randomFor(this.seedKey, runIndex, what);
  }

  /** Seconds after start at which the process accepts connections. */
  get startupMs(): number {
    return this.behavior.startupSeconds * 1000;
  }

  /** Whether the process ever listens (a crash-loop dies during startup). */
  listensAfter(runIndex: number): number | undefined {
    const outcome = this.behaviorOutcome(runIndex);
    if (
      outcome.durationMs !== undefined &&
      outcome.durationMs <= this.startupMs
    ) {
      return undefined;
    }
    return this.startupMs;
  }

  private probePort(probe: ProbeSpec): number | undefined {
    const target = resolveProbePort(
      this.spec.ports,
      probe.httpGet?.port ?? probe.tcpSocket?.port,
    );
    return 'port' in target ? target.port : undefined;
  }

  /** Whether a probe passes at a given moment of a run. */
  probePasses(probe: ProbeSpec, runIndex: number, sinceStartMs: number) {
    if (this.behavior.type === 'steady' && this.behavior.networkUnreachable) {
      return false;
    }
    const port = this.probePort(probe);
    const listensAfter = this.listensAfter(runIndex);
    return (
      port !== undefined &&
      this.listenPorts.includes(port) &&
      listensAfter !== undefined &&
      sinceStartMs >= listensAfter
    );
  }

  /** Whether the container is Ready at a moment of a run. */
  readyAt(runIndex: number, sinceStartMs: number): boolean {
    const probe = this.readinessProbe;
    if (!probe) {
      return true;
    }
    if (sinceStartMs < probe.initialDelaySeconds * 1000) {
      return false;
    }
    return this.probePasses(probe, runIndex, sinceStartMs);
  }

  /** How the run would end if only the behaviour mattered. */
  private behaviorOutcome(runIndex: number): RunOutcome {
    const b = this.behavior;
    if (b.type === 'memory-leak') {
      const end = this.leakEnd(runIndex);
      if (end === undefined) {
        return { exitCode: 0, reason: 'Completed' };
      }
      if (end.by === 'heapLimit') {
        // The runtime's allocator fails first: it prints its memory error
        // and exits on its own, long before the kernel would step in.
        return {
          durationMs: end.afterMs,
          exitCode: runtimeProfile(this.runtime).memoryError.exitCode,
          reason: 'Error',
          memoryError: true,
        };
      }
      return { durationMs: end.afterMs, exitCode: 137, reason: 'OOMKilled' };
    }
    if (b.type === 'crash-loop') {
      const jitter = 0.9 + 0.2 * this.rand(runIndex, 'crash');
      return {
        durationMs: b.crashAfterSeconds * 1000 * jitter,
        exitCode:
          b.exitCode ?? runtimeProfile(this.runtime).crash[b.error].exitCode,
        reason: 'Error',
      };
    }
    return { exitCode: 0, reason: 'Completed' };
  }

  /** How a run ends, taking the kubelet's liveness probe into account. */
  outcome(runIndex: number): RunOutcome {
    const raw = this.behaviorOutcome(runIndex);
    const own =
      raw.durationMs === undefined
        ? raw
        : { ...raw, durationMs: Math.floor(raw.durationMs) };
    const probe = this.livenessProbe;
    if (!probe) {
      return own;
    }
    // The kubelet restarts the container after failureThreshold consecutive
    // failures, the first probe running after initialDelaySeconds.
    const killAt =
      (probe.initialDelaySeconds +
        probe.periodSeconds * (probe.failureThreshold - 1)) *
        1000 +
      Math.floor(this.rand(runIndex, 'probe') * 1000);
    const failsThen = !this.probePasses(probe, runIndex, killAt);
    if (
      failsThen &&
      (own.durationMs === undefined || killAt < own.durationMs)
    ) {
      return {
        durationMs: killAt,
        exitCode: 137,
        reason: 'Error',
        killedByLiveness: true,
      };
    }
    return own;
  }

  /** Delay before the kubelet starts the next run. */
  restartDelayMs(consecutiveFailures: number): number {
    if (this.behavior.type === 'memory-leak') {
      return this.behavior.restartDelaySeconds * 1000;
    }
    // The kubelet's exponential back-off: 10s doubling up to five minutes.
    return Math.min(
      10_000 * 2 ** Math.max(0, consecutiveFailures - 1),
      300_000,
    );
  }

  private rampMs(runIndex: number): number {
    const b = this.behavior;
    if (b.type !== 'memory-leak') {
      return 1;
    }
    return (this.ramps[runIndex] ??=
      b.rampSeconds * 1000 * (0.85 + 0.3 * this.rand(runIndex, 'ramp')));
  }

  /**
   * The working set never exceeds the lower of the runtime's heap cap and
   * the container's memory limit. A heap cap strictly below the limit (or
   * with no limit) is reached first.
   */
  private memoryCap(): LeakEnd['by'] | undefined {
    if (this.heapLimit !== undefined) {
      if (this.memoryLimit === undefined || this.heapLimit < this.memoryLimit) {
        return 'heapLimit';
      }
    }
    return this.memoryLimit === undefined ? undefined : 'memoryLimit';
  }

  private capBytes(): number | undefined {
    const by = this.memoryCap();
    return by === 'heapLimit' ? this.heapLimit : this.memoryLimit;
  }

  /** When a leaking run reaches its cap, and which one, if it does. */
  private leakEnd(runIndex: number): LeakEnd | undefined {
    const b = this.behavior;
    const by = this.memoryCap();
    const cap = this.capBytes();
    if (b.type !== 'memory-leak' || by === undefined || cap === undefined) {
      return undefined;
    }
    const { base, demand } = this.memoryBytes;
    if (demand < cap) {
      return undefined;
    }
    const fraction = (cap - base) / (demand - base);
    if (fraction >= 1) {
      return undefined;
    }
    // A cap at or below the baseline fails within the first second.
    const afterMs =
      fraction <= 0 ? 1000 : -this.rampMs(runIndex) * Math.log(1 - fraction);
    return { afterMs: Math.max(1000, afterMs), by };
  }

  /** Working set bytes at a moment of a run. */
  memoryAt(runIndex: number, sinceStartMs: number): number {
    const b = this.behavior;
    if (b.type === 'memory-leak') {
      const { base, demand } = this.memoryBytes;
      const value =
        base +
        (demand - base) * (1 - Math.exp(-sinceStartMs / this.rampMs(runIndex)));
      const cap = this.capBytes();
      return Math.floor(cap === undefined ? value : Math.min(value, cap));
    }
    const steady = this.memoryBytes.base;
    // A little deterministic wobble, as a real working set has.
    const wobble = Math.sin(
      sinceStartMs / 97_000 + this.rand(runIndex, 'mem') * 6,
    );
    return Math.floor(steady * (1 + 0.02 * wobble));
  }

  /** CPU cores actually used (capped by the CFS quota). */
  cpuUsageCores(): number {
    const wanted = this.behavior.cpuCores;
    return this.cpuLimit === undefined
      ? wanted
      : Math.min(wanted, this.cpuLimit);
  }

  /** Share of CFS periods in which the container was throttled. */
  throttledShare(): number {
    if (this.cpuLimit === undefined) {
      return 0;
    }
    const wanted = this.behavior.cpuCores;
    if (wanted <= this.cpuLimit) {
      return wanted / this.cpuLimit > 0.8 ? 0.05 : 0.001;
    }
    return Math.min(0.95, 0.3 + (wanted - this.cpuLimit) / wanted);
  }

  /** Whether the CPU demand exceeds the quota. */
  get throttled(): boolean {
    return (
      this.cpuLimit !== undefined && this.behavior.cpuCores > this.cpuLimit
    );
  }
}

/**
 * The port a probe targets, resolved as the kubelet does: a number is used
 * as given, a name is looked up in the container's ports and, failing that,
 * parsed as a number (strconv.Atoi); what cannot be resolved is an error.
 */
export function resolveProbePort(
  ports: ContainerSpec['ports'],
  port: number | string | undefined,
): { port: number } | { error: string } {
  let value: number;
  if (typeof port === 'number') {
    value = port;
  } else {
    const named = ports.find(p => p.name === port);
    if (named) {
      value = named.containerPort;
    } else if (/^[+-]?[0-9]+$/.test(String(port ?? ''))) {
      value = Number(port);
    } else {
      return {
        error: `strconv.Atoi: parsing ${JSON.stringify(
          String(port ?? ''),
        )}: invalid syntax`,
      };
    }
  }
  return value > 0 && value < 65536
    ? { port: value }
    : { error: `invalid port number: ${value}` };
}

function opt(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseQuantity(value);
}

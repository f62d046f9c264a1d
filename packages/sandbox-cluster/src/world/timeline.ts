import { ContainerModel, RunOutcome } from './containerModel';

/** One container instance: from start until it terminates (if it does). */
export interface ContainerRun {
  /** Restart count while this run is the current one. */
  index: number;
  startMs: number;
  /** When the process terminated; undefined while it keeps running. */
  endMs?: number;
  outcome: RunOutcome;
  /** When the kubelet starts the next run, after the back-off. */
  nextStartMs?: number;
}

/** The container's state at a moment, as the kubelet would report it. */
export interface ContainerMoment {
  /** The run that is current (running, or the last one while waiting). */
  run: ContainerRun;
  running: boolean;
  /** Last terminated run before the current one. */
  previous?: ContainerRun;
  restartCount: number;
}

/**
 * The sequence of runs of one container, built backwards from scenario start
 * for the history (so the restart count at start is as the scenario says)
 * and extended lazily into the future.
 */
export class ContainerTimeline {
  private readonly runs: ContainerRun[] = [];
  /** When the pod's sandbox was ready and the first run could start. */
  readonly firstStartMs: number;

  constructor(
    readonly model: ContainerModel,
    options: {
      restartsAtStart: number;
      scenarioStartMs: number;
      createdAtMs?: number;
    },
  ) {
    const { restartsAtStart, scenarioStartMs } = options;
    if (restartsAtStart === 0) {
      const start = (options.createdAtMs ?? scenarioStartMs) + 2_000;
      this.runs.push(this.makeRun(0, start));
    } else {
      // Place the current run so that the scenario starts part-way into it,
      // then lay the earlier runs out backwards.
      const current = this.model.outcome(restartsAtStart);
      const length = current.durationMs ?? 600_000;
      // Crash loops spend most of their time in back-off, so the scenario
      // starts in the back-off before the current run; others start a
      // quarter into the current run.
      const backoff = this.model.restartDelayMs(restartsAtStart);
      const currentStart =
        current.durationMs !== undefined && backoff > current.durationMs
          ? scenarioStartMs + Math.floor(backoff * 0.5)
          : scenarioStartMs - Math.floor(length * 0.25);
      const built: ContainerRun[] = [];
      let nextStart = currentStart;
      for (let i = restartsAtStart - 1; i >= 0; i--) {
        const outcome = this.model.outcome(i);
        const duration = outcome.durationMs ?? 1_800_000;
        const delay = this.model.restartDelayMs(i + 1);
        const endMs = nextStart - delay;
        built.unshift({
          index: i,
          startMs: endMs - duration,
          endMs,
          outcome: outcome.durationMs
            ? outcome
            : {
                ...outcome,
                durationMs: duration,
                exitCode: 1,
                reason: 'Error',
              },
          nextStartMs: nextStart,
        });
        nextStart = endMs - duration;
      }
      this.runs.push(...built);
      this.runs.push(this.makeRun(restartsAtStart, currentStart));
    }
    this.firstStartMs = this.runs[0].startMs;
  }

  /** Builds a timeline from known runs that never restart (Job pods). */
  static fixed(model: ContainerModel, run: ContainerRun): ContainerTimeline {
    const timeline = Object.create(
      ContainerTimeline.prototype,
    ) as ContainerTimeline;
    Object.assign(timeline, { model, runs: [run], firstStartMs: run.startMs });
    return timeline;
  }

  private makeRun(index: number, startMs: number): ContainerRun {
    const outcome = this.model.outcome(index);
    if (outcome.durationMs === undefined) {
      return { index, startMs, outcome };
    }
    const endMs = startMs + Math.floor(outcome.durationMs);
    return {
      index,
      startMs,
      endMs,
      outcome,
      // The back-off resets after ten minutes of running.
      nextStartMs:
        endMs +
        this.model.restartDelayMs(outcome.durationMs > 600_000 ? 1 : index + 1),
    };
  }

  /** Makes sure runs are generated up to the given time. */
  private extendTo(ms: number) {
    let last = this.runs[this.runs.length - 1];
    while (last.nextStartMs !== undefined && last.nextStartMs <= ms) {
      last = this.makeRun(last.index + 1, last.nextStartMs);
      this.runs.push(last);
    }
  }

  /** The container's state at a moment, or undefined before the first run. */
  at(ms: number): ContainerMoment | undefined {
    if (ms < this.firstStartMs) {
      return undefined;
    }
    this.extendTo(ms);
    const i = this.indexAt(ms);
    const run = this.runs[i];
    const running = run.endMs === undefined || ms < run.endMs;
    return {
      run,
      running,
      previous: i > 0 ? this.runs[i - 1] : undefined,
      restartCount: run.index,
    };
  }

  private indexAt(ms: number): number {
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runs[mid].startMs <= ms) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Runs overlapping [fromMs, toMs]. */
  runsBetween(fromMs: number, toMs: number): ContainerRun[] {
    this.extendTo(toMs);
    return this.runs.filter(
      r => r.startMs <= toMs && (r.endMs === undefined || r.endMs >= fromMs),
    );
  }

  /** First moment the container is Ready, if it ever is in its first run. */
  firstReadyMs(): number | undefined {
    const run = this.runs[0];
    const probe = this.model.readinessProbe;
    const step = (probe?.periodSeconds ?? 1) * 1000;
    const first = (probe?.initialDelaySeconds ?? 0) * 1000;
    const limit = run.outcome.durationMs ?? 3_600_000;
    for (let t = first; t <= Math.min(limit, 3_600_000); t += step) {
      if (this.model.readyAt(0, t)) {
        return run.startMs + t;
      }
    }
    return undefined;
  }
}

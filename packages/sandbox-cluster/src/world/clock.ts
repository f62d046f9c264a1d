/**
 * The scenario clock: simulated time runs against the wall clock at a speed
 * factor, and tests can move it forward explicitly.
 */
export class ScenarioClock {
  /** Simulated time (ms since epoch) at which the scenario started. */
  readonly startMs: number;
  private readonly wallStart = Date.now();
  private offsetMs = 0;

  constructor(startMs: number, private readonly speed: number) {
    this.startMs = startMs;
  }

  /** Current simulated time in milliseconds since the epoch. */
  now(): number {
    return Math.floor(
      this.startMs + (Date.now() - this.wallStart) * this.speed + this.offsetMs,
    );
  }

  /** Moves simulated time forward. */
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

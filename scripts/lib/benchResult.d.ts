export interface BenchGoal {
  /** The figure meets the goal at or below this. */
  max?: number;
  /** The figure meets the goal at or above this. */
  min?: number;
}

export interface BenchFigure {
  name: string;
  value: number;
  /** `ms`, `MB`…; none for a ratio. */
  unit?: string;
  goal?: BenchGoal;
}

export interface BenchResult {
  /** The benchmark's name in `yarn bench`: `render`, `forensics`… */
  benchmark: string;
  figures: BenchFigure[];
  /** What the run was asked for: rounds, replicas… */
  settings?: Record<string, unknown>;
}

export interface NormalisedBenchResult {
  benchmark: string;
  figures: (BenchFigure & { met?: boolean })[];
  settings: Record<string, unknown>;
}

export declare function meetsGoal(
  value: number,
  goal: BenchGoal | undefined,
): boolean | undefined;

export declare function normaliseBenchResult(
  result: BenchResult,
): NormalisedBenchResult;

/** Writes the figures to `BENCH_RESULT_FILE` when `yarn bench` set it. */
export declare function reportBenchResult(
  result: BenchResult,
  env?: Record<string, string | undefined>,
): NormalisedBenchResult | undefined;

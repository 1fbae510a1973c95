/**
 * One measurement of a benchmark. Each bench/<area>.ts exports `run(): Promise<BenchResult[]>` and can be
 * run alone (`npx tsx bench/<area>.ts`); bench/run.ts runs them all and writes docs/benchmarks.md.
 */
export interface BenchResult {
  /** What was measured, e.g. "synth, all stacks of all envs". */
  readonly name: string;
  readonly value: number;
  /** "ms", "MB", "rows/s", … */
  readonly unit: string;
  /** The target from the issue, e.g. "< 5000 ms"; absent when there is none. */
  readonly target?: string;
  /** Whether the value meets the target; absent when there is none. */
  readonly ok?: boolean;
  /** Context: input size, runs, median of N, … */
  readonly note?: string;
}

/** The median of samples (the upper one of an even count): what every bench reports of repeated runs. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A timed side of a benchmark: does the work once and checks `signal` between steps. When
 * it answers a number, that is the time it measured itself (in a browser page, say).
 */
export type Work = (run: number, signal: AbortSignal) => Promise<unknown>;

export interface ComparisonSpec {
  name: string;
  /** What each side does, in words, for the table. */
  synclineLabel: string;
  baselineLabel: string;
  /** The ratio (Syncline / baseline) the issue asks for at most. */
  goal: number;
  /** Timed runs per side, after one warm-up run of each. */
  runs: number;
  /**
   * Untimed runs of each side before the timed ones (default 1). Work so long that JIT and
   * caches do not matter needs none; short work may need several: reading 100k rows with
   * postgres.js gets about a fifth faster after some ten runs in a process, and a side
   * measured before that would be measured at its worst.
   */
  warmUpRuns?: number;
  /**
   * No new timed run starts this long after the first one began (warm-up runs do not count);
   * a run still going after twice this is aborted.
   */
  budgetMs: number;
  /** Untimed preparation before each run of either side (e.g. reading current versions). */
  prepare?: (side: Side, run: number) => Promise<void>;
  syncline: Work;
  baseline: Work;
  /** Each measurement is divided by this, e.g. the pulls in one run (default 1). */
  perRun?: number;
  unit?: string;
}

export type Side = 'syncline' | 'baseline';

export interface Comparison {
  name: string;
  synclineLabel: string;
  baselineLabel: string;
  unit: string;
  synclineMs: number;
  baselineMs: number;
  ratio: number;
  goal: number;
  met: boolean;
  runs: number;
}

export class BenchTimeoutError extends Error {
  override name = 'BenchTimeoutError';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The `q` quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/**
 * Runs both sides `runs` times after a warm-up, alternating which goes first so that a
 * noisy neighbour or a warming cache does not favour one side, and compares the medians.
 */
export async function compare(spec: ComparisonSpec): Promise<Comparison> {
  let timedFrom = performance.now();
  const times: Record<Side, number[]> = { syncline: [], baseline: [] };
  const perRun = spec.perRun ?? 1;
  // Runs up to 0 warm up: JIT, caches, connections.
  const first = 1 - (spec.warmUpRuns ?? 1);
  for (let run = first; run <= spec.runs; run++) {
    if (run === 1) timedFrom = performance.now();
    if (run > 1 && performance.now() - timedFrom > spec.budgetMs) {
      console.log(
        `  ${spec.name}: stopping after ${times.syncline.length} runs, over its ${spec.budgetMs / 1000} s budget`,
      );
      break;
    }
    const order: Side[] = run % 2 !== 0 ? ['syncline', 'baseline'] : ['baseline', 'syncline'];
    for (const side of order) {
      await spec.prepare?.(side, run);
      const work = side === 'syncline' ? spec.syncline : spec.baseline;
      let reported: number | undefined;
      const wall = await timed(`${spec.name} (${side})`, spec.budgetMs * 2, async (signal) => {
        const answer = await work(run, signal);
        if (typeof answer === 'number') reported = answer;
      });
      const elapsed = reported ?? wall;
      if (run > 0) times[side].push(elapsed / perRun);
    }
  }
  const synclineMs = median(times.syncline);
  const baselineMs = median(times.baseline);
  const ratio = synclineMs / baselineMs;
  const result: Comparison = {
    name: spec.name,
    synclineLabel: spec.synclineLabel,
    baselineLabel: spec.baselineLabel,
    unit: spec.unit ?? 'ms',
    synclineMs,
    baselineMs,
    ratio,
    goal: spec.goal,
    met: ratio <= spec.goal,
    runs: times.syncline.length,
  };
  console.log(formatComparison(result));
  return result;
}

/** Times one piece of work; aborts it and throws BenchTimeoutError after `limitMs`. */
export async function timed(
  what: string,
  limitMs: number,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<number> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new BenchTimeoutError(`${what}: aborted after ${Math.round(limitMs / 1000)} s`));
    }, limitMs);
  });
  const start = performance.now();
  try {
    await Promise.race([work(controller.signal), deadline]);
    return performance.now() - start;
  } finally {
    clearTimeout(timer);
  }
}

export function formatComparison(result: Comparison): string {
  const verdict = result.met ? 'met' : 'MISSED';
  return [
    `  ${result.name.padEnd(22)}`,
    `Syncline ${formatMs(result.synclineMs, result.unit).padStart(11)}`,
    `baseline ${formatMs(result.baselineMs, result.unit).padStart(11)}`,
    `ratio ${result.ratio.toFixed(2).padStart(5)}x`,
    `goal <= ${result.goal}x: ${verdict} (median of ${result.runs})`,
  ].join('  ');
}

export function formatMs(ms: number, unit = 'ms'): string {
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ${unit}`;
}

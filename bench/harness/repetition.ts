// How repeated runs are reduced to one figure on a shared, noisy host.
import type { LoadResult } from "./measure.js";
import { RUNS } from "./settings.js";

/**
 * Of repeated runs, the one the host disturbed least: the highest throughput. On a shared machine
 * a neighbour can only make a run slower, never faster.
 */
export function leastDisturbed(runs: LoadResult[]): LoadResult {
  return runs.reduce((best, run) => (run.requestsPerSecond > best.requestsPerSecond ? run : best));
}

/**
 * Runs `runA` and `runB` in 2 × RUNS adjacent pairs, alternating which goes first (ABBA), and
 * returns the pair with the median `ratio` (and every ratio). A host whose speed drifts during
 * the bench moves both runs of a pair alike, so the ratio survives noise the absolute figures do not.
 */
export async function medianPair<A, B>(
  runA: () => Promise<A>,
  runB: () => Promise<B>,
  ratio: (a: A, b: B) => number,
): Promise<{ a: A; b: B; ratios: number[] }> {
  const pairs: { a: A; b: B; ratio: number }[] = [];
  for (let pair = 0; pair < 2 * RUNS; pair++) {
    let a: A, b: B;
    if (pair % 2 === 0) {
      a = await runA();
      b = await runB();
    } else {
      b = await runB();
      a = await runA();
    }
    pairs.push({ a, b, ratio: ratio(a, b) });
  }
  pairs.sort((x, y) => x.ratio - y.ratio);
  const { a, b } = pairs[Math.floor(pairs.length / 2)]!;
  return { a, b, ratios: pairs.map((p) => p.ratio) };
}

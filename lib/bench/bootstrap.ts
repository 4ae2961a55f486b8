/**
 * Percentile bootstrap confidence intervals, resampling whole items (an item may hold several
 * comparisons), seeded so a re-run gives the same interval.
 * @module
 */
import { mulberry32 } from "./random.ts";

/** One resampling unit: the sum and count of its values (e.g. an item's comparisons). */
export interface Group {
  /** Sum of the unit's values. */
  sum: number;
  /** Number of the unit's values. */
  count: number;
}

/** Options of {@linkcode bootstrapMeanCI}. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Coverage (default 0.95). */
  level?: number;
}

/**
 * A confidence interval `[low, high]` for the pooled mean Σsum/Σcount, by resampling groups
 * with replacement; percentiles interpolate linearly between order statistics (NumPy's
 * default). `null` when there are no values.
 *
 * @example
 * ```ts
 * import { bootstrapMeanCI } from "./bootstrap.ts";
 * import assert from "node:assert/strict";
 * const groups = [1, 0, 1, 1].map((v) => ({ sum: v, count: 1 }));
 * const ci = bootstrapMeanCI(groups, { seed: 1 });
 * assert.deepEqual(ci, bootstrapMeanCI(groups, { seed: 1 }));
 * assert.ok(ci![0] <= 0.75 && 0.75 <= ci![1]);
 * ```
 */
export function bootstrapMeanCI(
  groups: readonly Group[],
  opts: BootstrapOptions = {},
): [number, number] | null {
  const n = groups.length;
  if (n === 0 || groups.every((g) => g.count === 0)) return null;
  const { resamples = 1000, seed = 0, level = 0.95 } = opts;
  const random = mulberry32(seed);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0, count = 0;
    for (let i = 0; i < n; i++) {
      const g = groups[Math.floor(random() * n)];
      sum += g.sum;
      count += g.count;
    }
    if (count > 0) stats.push(sum / count);
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [quantile(stats, tail), quantile(stats, 1 - tail)];
}

/** Median of values in any order (the 0.5 `quantile`); NaN when there are none. */
export function median(values: readonly number[]): number {
  return quantile(values.toSorted((a, b) => a - b), 0.5);
}

/** Linear-interpolation quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

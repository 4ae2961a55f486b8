/**
 * Math answer checking measured on the labelled cases of `fixtures/math/equivalence.jsonl`:
 * precision and recall of `isEquivalent` with and without its computer-algebra layer, and the
 * time of one comparison (median and worst over repeated rounds, plus the one-off engine load).
 * @module
 */
import { type EquivalenceOptions, isEquivalent } from "../math/mod.ts";
import { median } from "../bench/bootstrap.ts";
import type { Figure } from "./measure.ts";

/** The labelled cases shipped with the toolkit. */
export const EQUIVALENCE_CASES: URL = new URL(
  "../../fixtures/math/equivalence.jsonl",
  import.meta.url,
);

/** One labelled pair of answers. */
export interface EquivalenceCase {
  /** What the case is about (`symbolic`, `structure`, `not-handled`…), for reading the file. */
  group: string;
  /** The answer as a model might write it. */
  predicted: string;
  /** The reference answer. */
  reference: string;
  /** The truth: are the two the same answer mathematically? */
  equivalent: boolean;
  /** A known error of the checker (listed as not handled): it answers the opposite. */
  missed?: boolean;
}

/** Counts of a checker's verdicts against the labels. */
export interface EquivalenceScore {
  /** Equivalent pairs judged equivalent. */
  truePositives: number;
  /** Different pairs judged equivalent (a wrong solution kept as correct). */
  falsePositives: number;
  /** Equivalent pairs judged different (a correct solution made "rejected"). */
  falseNegatives: number;
  /** Different pairs judged different. */
  trueNegatives: number;
  /** truePositives / (truePositives + falsePositives). */
  precision: number;
  /** truePositives / (truePositives + falseNegatives). */
  recall: number;
}

/** The cases of a JSONL file, one object a line. */
export function readEquivalenceCases(path: string | URL): EquivalenceCase[] {
  return Deno.readTextFileSync(path).trim().split("\n").map((line) => JSON.parse(line));
}

/**
 * Scores a checker against the labels.
 *
 * @example
 * ```ts
 * import { scoreEquivalence } from "./math.ts";
 * import assert from "node:assert/strict";
 * const cases = [
 *   { group: "g", predicted: "1", reference: "1", equivalent: true },
 *   { group: "g", predicted: "1", reference: "2", equivalent: false },
 * ];
 * assert.equal(scoreEquivalence(cases, (p, r) => p === r).precision, 1);
 * ```
 */
export function scoreEquivalence(
  cases: readonly EquivalenceCase[],
  check: (predicted: string, reference: string) => boolean,
): EquivalenceScore {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const c of cases) {
    const said = check(c.predicted, c.reference);
    if (c.equivalent) said ? tp++ : fn++;
    else said ? fp++ : tn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp / (tp + fp),
    recall: tp / (tp + fn),
  };
}

/**
 * Precision, recall and per-comparison time of `isEquivalent` on the cases, with the algebra
 * layer on and off. The first comparison that needs the engine loads it: that one-off time is
 * its own figure, and the timed rounds start after it.
 */
export function mathEquivalence(rounds: number, file: string | URL = EQUIVALENCE_CASES): Figure[] {
  const cases = readEquivalenceCases(file);
  const figures: Figure[] = [];
  const settings: [string, EquivalenceOptions][] = [["", {}], [" (algebra off)", {
    symbolic: false,
  }]];
  for (const [label, options] of settings) {
    const check = (p: string, r: string) => isEquivalent(p, r, options);
    const t0 = performance.now();
    const score = scoreEquivalence(cases, check);
    const first = performance.now() - t0;
    const perCase = cases.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      cases.forEach((c, k) => {
        const t = performance.now();
        check(c.predicted, c.reference);
        perCase[k].push(performance.now() - t);
      });
    }
    const times = perCase.flat();
    // A single worst time includes garbage-collection pauses; the slowest case's median does not.
    const slowest = perCase.map((t, k) => [median(t), k]).sort((a, b) => b[0] - a[0])[0];
    const of = `${cases.length} labelled cases${label}`;
    figures.push(
      {
        name: `math precision, ${of}`,
        value: score.precision,
        unit: "",
        reference: `${score.falsePositives} false positives`,
      },
      {
        name: `math recall, ${of}`,
        value: score.recall,
        unit: "",
        reference: `${score.falseNegatives} equivalent pairs judged different`,
      },
      {
        name: `math comparison median${label}`,
        value: median(times) * 1000,
        unit: "µs",
        reference: `${rounds} rounds after the first`,
      },
      {
        name: `math comparison worst${label}`,
        value: Math.max(...times),
        unit: "ms",
        reference: options.symbolic === false
          ? "any single call"
          : "any single call; engine limit 1000 ms",
      },
      {
        name: `math slowest case, median of its rounds${label}`,
        value: slowest[0],
        unit: "ms",
        reference: `${cases[slowest[1]].predicted} vs ${cases[slowest[1]].reference}`,
      },
      {
        name: `math first round (engine load included)${label}`,
        value: first,
        unit: "ms",
        reference: "once per process",
      },
    );
  }
  return figures;
}

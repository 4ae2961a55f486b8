/** Test helper: judged results and items, written compactly. */
import assert from "node:assert/strict";
import type { ComparisonResult, EvalItem, Verdict } from "../../lib/records.ts";

/** A verdict or an unparseable sample. */
export type V = Verdict | null;

/** A pairwise result: per order, the sample verdicts (omit an order to leave it unjudged). */
export function pw(key: string, ab?: V[], ba?: V[]): ComparisonResult {
  const verdicts: ComparisonResult["verdicts"] = {};
  if (ab) verdicts.AB = ab;
  if (ba) verdicts.BA = ba;
  return { key, verdicts, thoughtLengths: [] };
}

/** A pointwise result from the samples' scores. */
export function pt(
  key: string,
  chosen: (number | null)[],
  rejected: (number | null)[],
): ComparisonResult {
  return { key, scores: { chosen, rejected }, thoughtLengths: [] };
}

/** A judged item. */
export function item(
  benchmark: string,
  subset: string,
  itemId: string,
  results: ComparisonResult[],
  meta?: Record<string, unknown>,
): EvalItem {
  return { benchmark, subset, itemId, results, ...(meta ? { meta } : {}) };
}

/** Asserts a number within `eps` of the expected one. */
export const close = (actual: number | null | undefined, expected: number, eps = 1e-9) =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < eps,
    `${actual} ≈ ${expected}`,
  );

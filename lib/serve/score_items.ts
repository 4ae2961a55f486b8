/**
 * The plain JSON scoring route (`POST /score`) that verl's `compute_score` glue calls:
 * `{items: [{response, label, reasoning?}]}` → `{results: [...]}`, or one `{response, label}` →
 * one result.
 * @module
 */
import { type LabelledResponse, scoreResponses } from "../judge/label.ts";
import { parseJudgment } from "../judge/parse.ts";
import type { RewardConfig } from "../judge/rewards.ts";
import type { ParseErrorCode, Verdict } from "../records.ts";
import { expectArray, expectLabel, expectObject, expectString } from "./expect.ts";
import { stripSpecialTokens } from "./response_text.ts";

/** The score of one response. */
export interface ScoreResult {
  /** The weighted J1 reward. */
  reward: number;
  /** Every component, unweighted. */
  rewards: Record<string, number>;
  /** Pairwise modes: the position the judge picked. */
  verdict?: Verdict;
  /** Pairwise-scores `{A, B}`, pointwise `{score}`. */
  scores?: Record<string, number>;
  /** Why the judgment could not be parsed. */
  parseError?: ParseErrorCode;
}

/**
 * Scores a `/score` body. A batch (`items`) is scored together, so both orders of a pair in one
 * call earn the consistency reward; a single object gets a single result. Throws
 * `HttpError` (400 bad shape, 422 bad label, both with the item's index).
 *
 * @example
 * ```ts
 * import { scoreItems } from "./score_items.ts";
 * import assert from "node:assert/strict";
 * const label = { taskId: "t", pairId: "p", mode: "pairwise", template: "thinking", order: "AB", label: "A" };
 * const out = scoreItems({ response: "<think>x</think>[[B]]", label }, { weights: { correct: 1 }, consistency: "by-sample" });
 * assert.deepEqual(out, { reward: 0, rewards: { correct: 0, wrong: 1, consistent: 0, format: 1 }, verdict: "B" });
 * ```
 */
export function scoreItems(
  body: unknown,
  config: RewardConfig,
): { results: ScoreResult[] } | ScoreResult {
  const req = expectObject(body, "body {items} or {response, label}");
  if (!("items" in req)) return scoreAll([item(req, "body")], config)[0];
  const items = expectArray(req.items, "items").map((it, i) => item(it, `items[${i}]`, i));
  return { results: scoreAll(items, config) };
}

function item(value: unknown, where: string, index = 0): LabelledResponse {
  const it = expectObject(value, where, index);
  const reasoning = it.reasoning === undefined || it.reasoning === null
    ? undefined
    : expectString(it.reasoning, `${where}.reasoning`, index);
  return {
    text: stripSpecialTokens(expectString(it.response, `${where}.response`, index)),
    reasoning,
    label: expectLabel(it.label, `${where}.label`, index),
  };
}

function scoreAll(items: LabelledResponse[], config: RewardConfig): ScoreResult[] {
  return scoreResponses(items, config).map(({ reward, rewards }, i) => {
    const { label, text, reasoning } = items[i];
    // Parsed again (it is cheap) because `scoreResponses` returns rewards only.
    const { verdict, scores, parseError } = parseJudgment(label.mode, text, reasoning);
    return {
      reward,
      rewards,
      ...(verdict && { verdict }),
      ...(scores && { scores }),
      ...(parseError && { parseError }),
    };
  });
}

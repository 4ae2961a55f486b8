/**
 * The plain JSON scoring route (`POST /score`) that verl's `compute_score` glue calls:
 * `{items: [{response, label, reasoning?}]}` → `{results: [...]}`, or one `{response, label}` →
 * one result.
 * @module
 */
import type { LabelledResponse } from "../judge/label.ts";
import { parseJudgment } from "../judge/parse.ts";
import type { ParseErrorCode, Verdict } from "../records.ts";
import { expectArray, expectLabel, expectObject, expectString } from "./expect.ts";
import type { PartnerRendezvous } from "./partners.ts";
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
  /** Present (true) when the reward needed a partner sample that did not arrive in time. */
  alone?: true;
}

/**
 * Scores a `/score` body: a batch (`items`) or a single object (one result). A sample whose
 * reward needs its pair's other sample is scored with it, from the same call or, through
 * `partners`, from another one (verl's per-sample reward loop). Throws `HttpError` (400 bad
 * shape, 422 bad label, both with the item's index).
 *
 * @example
 * ```ts
 * import { scoreItems } from "./score_items.ts";
 * import { PartnerRendezvous } from "./partners.ts";
 * import assert from "node:assert/strict";
 * const label = { taskId: "t", pairId: "p", mode: "pairwise", template: "thinking", order: "AB", label: "A" };
 * const partners = new PartnerRendezvous({ weights: { correct: 1 }, consistency: "by-sample" });
 * const out = await scoreItems({ response: "<think>x</think>[[B]]", label }, partners);
 * assert.deepEqual(out, { reward: 0, rewards: { correct: 0, wrong: 1, consistent: 0, format: 1 }, verdict: "B" });
 * ```
 */
export async function scoreItems(
  body: unknown,
  partners: PartnerRendezvous,
): Promise<{ results: ScoreResult[] } | ScoreResult> {
  const req = expectObject(body, "body {items} or {response, label}");
  if (!("items" in req)) return (await scoreAll([item(req, "body")], partners))[0];
  const items = expectArray(req.items, "items").map((it, i) => item(it, `items[${i}]`, i));
  return { results: await scoreAll(items, partners) };
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

async function scoreAll(
  items: LabelledResponse[],
  partners: PartnerRendezvous,
): Promise<ScoreResult[]> {
  return (await partners.score(items)).map(({ reward, rewards, alone }, i) => {
    const { label, text, reasoning } = items[i];
    // Parsed again (it is cheap) because `scoreResponses` returns rewards only.
    const { verdict, scores, parseError } = parseJudgment(
      label.mode,
      text,
      reasoning,
      partners.config.parse,
    );
    return {
      reward,
      rewards,
      ...(verdict && { verdict }),
      ...(scores && { scores }),
      ...(parseError && { parseError }),
      ...(alone && { alone }),
    };
  });
}

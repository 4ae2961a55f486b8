/**
 * RewardBench 2's four-way ranking for pairwise judges (`run_generative_v2.py` with
 * `run_judge_four` of allenai/reward-bench): the chosen answer and the three rejected ones in
 * one prompt, the chosen one in a random slot; the judge names the best as `[[A]]`…`[[D]]`.
 * Right = 1, another slot = 0, no verdict = 0.25 (the authors' "error", a random pick's
 * expectation). The prompt here is this project's wording of the same task and output format.
 * @module
 */
import type { ComparisonResult, Instruction, Message } from "../records.ts";
import { renderInstruction } from "../prompts/render.ts";
import { seededOrder } from "./random.ts";

/** The slot letters, in order. */
export const RANKING_SLOTS = ["A", "B", "C", "D"] as const;

/** The key of a four-way ranking result. */
export const RANKING_KEY = "rank4";

const SYSTEM =
  "You are an impartial judge. Four AI assistants answered the user question shown below. " +
  "Decide which assistant's answer follows the user's instructions and answers the question " +
  "best, weighing helpfulness, relevance, accuracy, depth, creativity and level of detail. " +
  "Compare the four answers and explain your judgment briefly. The order in which the answers " +
  "appear, their length and the assistants' names must not influence you; be as objective as " +
  'possible. End with your final verdict in exactly this format: "[[A]]" if assistant A is ' +
  'best, "[[B]]" if assistant B is best, "[[C]]" if assistant C is best, or "[[D]]" if ' +
  "assistant D is best.";

/**
 * The slot (0–3) the chosen answer is shown in for an item: two seeded coins
 * ({@linkcode seededOrder} of the item id, salted), so it does not depend on item order.
 */
export function rankingSlot(itemId: string, seed: number): number {
  const bit = (salt: string) => (seededOrder(`${itemId}#${salt}`, seed) === "AB" ? 0 : 1);
  return 2 * bit("slot-hi") + bit("slot-lo");
}

/**
 * The four-way prompt: `answers[0]` is the chosen one and is shown in `slot`, swapped with the
 * answer there (the authors swap A with the chosen slot the same way).
 *
 * @example
 * ```ts
 * import { renderRanking } from "./ranking.ts";
 * import assert from "node:assert/strict";
 * const [, user] = renderRanking("Q?", ["good", "b", "c", "d"], 2);
 * assert.ok(user.content.indexOf("good") > user.content.indexOf("Assistant C's Answer]"));
 * assert.ok(user.content.indexOf("c\n[The End of Assistant A") > 0);
 * ```
 */
export function renderRanking(
  instruction: Instruction,
  answers: readonly string[],
  slot: number,
): Message[] {
  const shown = [...answers];
  [shown[0], shown[slot]] = [shown[slot], shown[0]];
  const blocks = RANKING_SLOTS.map((letter, i) =>
    `[The Start of Assistant ${letter}'s Answer]\n${
      shown[i]
    }\n[The End of Assistant ${letter}'s Answer]`
  );
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `[User Question]\n${renderInstruction(instruction)}\n\n${blocks.join("\n\n")}`,
    },
  ];
}

/**
 * The slot a ranking names: the first of `[[A]]`, `[[B]]`, `[[C]]`, `[[D]]` found in the text,
 * checked in that order as the authors' `process_judgement` does; `null` when none is.
 *
 * @example
 * ```ts
 * import { parseRanking } from "./ranking.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseRanking("B looks good but [[C]]"), 2);
 * assert.equal(parseRanking("[[D]] … no, [[B]]"), 1);
 * assert.equal(parseRanking("undecided"), null);
 * ```
 */
export function parseRanking(text: string): number | null {
  const i = RANKING_SLOTS.findIndex((letter) => text.includes(`[[${letter}]]`));
  return i < 0 ? null : i;
}

/**
 * A ranking's credit: per sample 1 if the chosen slot was picked, 0 for another slot, 0.25 for
 * no verdict; with several samples, their plurality pick (a tie between picks is no verdict).
 */
export function rankingCredit(ranking: NonNullable<ComparisonResult["ranking"]>): number {
  const counts = new Map<number, number>();
  for (const p of ranking.picks) if (p !== null) counts.set(p, (counts.get(p) ?? 0) + 1);
  const best = Math.max(0, ...counts.values());
  const top = [...counts].filter(([, n]) => n === best).map(([slot]) => slot);
  if (best === 0 || top.length > 1) return 0.25;
  return top[0] === ranking.slot ? 1 : 0;
}

/**
 * The sampled-and-verified recipe for math seeds: sample k solutions in one `n` request, check
 * each final answer (the last `\boxed{}`) against the reference, and pair a correct solution
 * (chosen) with an incorrect one (rejected). Prompts where all or none are correct give no pair.
 * @module
 */
import { contentId } from "../ids.ts";
import type { LlmClient } from "../llm/types.ts";
import { extractAnswer, isEquivalent } from "../math/mod.ts";
import type { SeedPrompt } from "../records.ts";
import { answerMessages, lastUserText } from "./conversation.ts";
import type { Synthesized, SynthIssue, SynthParams } from "./outcome.ts";
import { requestSeed } from "../llm/request_seed.ts";
import type { SynthTemplate } from "./templates.ts";

/** One sampled solution, checked. */
export interface GradedSolution {
  /** The solution as sampled. */
  text: string;
  /** The extracted final answer; null when the solution has none. */
  answer: string | null;
  /** Whether the answer is equivalent to the reference. */
  correct: boolean;
}

/**
 * Extracts each solution's final answer and compares it with the reference under mathematical
 * equivalence.
 *
 * @example
 * ```ts
 * import { gradeSolutions } from "./verified.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   gradeSolutions(["So \\boxed{0.5}.", "So \\boxed{2}.", "No idea."], "\\frac{1}{2}")
 *     .map((g) => [g.answer, g.correct]),
 *   [["0.5", true], ["2", false], [null, false]],
 * );
 * ```
 */
export function gradeSolutions(texts: string[], reference: string): GradedSolution[] {
  return texts.map((text) => {
    const answer = extractAnswer(text)?.answer ?? null;
    return { text, answer, correct: answer !== null && isEquivalent(answer, reference) };
  });
}

/**
 * The pair of graded solutions: the first correct one as chosen, the first one whose final
 * answer misses the reference as rejected (a solution without a final answer is never the
 * rejected one: it would teach format, not correctness). Issues: `unparseable` (no solution has
 * a final answer), `all_wrong` (none correct), `all_correct` (none wrong).
 *
 * @example
 * ```ts
 * import { pickVerified } from "./verified.ts";
 * import assert from "node:assert/strict";
 * const right = { text: "\\boxed{4}", answer: "4", correct: true };
 * const wrong = { text: "\\boxed{5}", answer: "5", correct: false };
 * assert.deepEqual(pickVerified([wrong, right, right]), { chosen: right, rejected: wrong });
 * const none = pickVerified([right, right]);
 * assert.equal("issue" in none ? none.issue.reason : "", "all_correct");
 * ```
 */
export function pickVerified(
  graded: GradedSolution[],
): { chosen: GradedSolution; rejected: GradedSolution } | { issue: SynthIssue } {
  const answered = graded.filter((g) => g.answer !== null);
  const chosen = answered.find((g) => g.correct);
  const rejected = answered.find((g) => !g.correct);
  const tally = `${graded.length} sampled: ${answered.filter((g) => g.correct).length} correct, ` +
    `${answered.filter((g) => !g.correct).length} wrong, ${graded.length - answered.length} ` +
    `without a final answer`;
  if (!answered.length) return { issue: { reason: "unparseable", detail: tally } };
  if (!chosen) return { issue: { reason: "all_wrong", detail: tally } };
  if (!rejected) return { issue: { reason: "all_correct", detail: tally } };
  return { chosen, rejected };
}

/**
 * Runs the recipe for one verifiable seed (`no_reference` when it has no reference answer).
 * The pair's provenance keeps the model, every sampled answer and the sample count.
 */
export async function synthesizeVerified(
  seed: SeedPrompt,
  llm: LlmClient,
  template: SynthTemplate,
  params: SynthParams & { samples: number },
): Promise<Synthesized> {
  const reference = seed.reference?.trim();
  if (!reference) {
    return { issue: { reason: "no_reference", detail: "a verifiable seed needs a reference" } };
  }
  const solutions = await llm.complete(
    answerMessages(seed.instruction, lastUserText(seed.instruction), template),
    {
      n: params.samples,
      temperature: params.temperature,
      topP: params.topP,
      maxTokens: params.maxTokens,
      seed: requestSeed(params.seed, params.samples, seed.id, "solve"),
    },
  );
  const graded = gradeSolutions(solutions.map((s) => s.text), reference);
  const picked = pickVerified(graded);
  if ("issue" in picked) return picked;
  const { chosen, rejected } = picked;
  return {
    pair: {
      id: contentId(seed.id, chosen.text, rejected.text),
      seedId: seed.id,
      source: seed.source,
      kind: seed.kind,
      instruction: seed.instruction,
      chosen: chosen.text,
      rejected: rejected.text,
      reference: seed.reference,
      method: "sampled-verified",
      provenance: {
        model: llm.endpoint.model,
        sampledAnswers: graded.map(({ answer, correct }) => ({ answer, correct })),
        samples: graded.length,
      },
    },
  };
}

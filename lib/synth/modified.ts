/**
 * The Self-Taught-Evaluator recipe for chat seeds: ask for a subtly modified instruction x',
 * answer x' (rejected: a good answer to the wrong question) and answer x (chosen).
 * @module
 */
import { contentId } from "../ids.ts";
import type { LlmClient } from "../llm/types.ts";
import { SYNTH_MARKERS } from "../prompts/markers.ts";
import type { SeedPrompt } from "../records.ts";
import { answerMessages, lastUserText } from "./conversation.ts";
import type { Synthesized, SynthIssue, SynthParams } from "./outcome.ts";
import { isRefusal } from "./refusal.ts";
import { requestSeed } from "../llm/request_seed.ts";
import { settleAll } from "../llm/settle.ts";
import { renderSynth, type SynthTemplate } from "./templates.ts";

/** The templates of the recipe. */
export interface ModifiedTemplates {
  /** Asks for a modified instruction in `<modified_instruction>` tags. */
  modify: SynthTemplate;
  /** Answers an instruction. */
  answer: SynthTemplate;
}

/**
 * The modified instruction inside `<modified_instruction>…</modified_instruction>` (the last
 * one, trimmed), or null when the tag is missing, unclosed or empty.
 *
 * @example
 * ```ts
 * import { parseModifiedInstruction } from "./modified.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   parseModifiedInstruction("ok <modified_instruction> Write 4 tips </modified_instruction>"),
 *   "Write 4 tips",
 * );
 * assert.equal(parseModifiedInstruction("<modified_instruction> </modified_instruction>"), null);
 * ```
 */
export function parseModifiedInstruction(text: string): string | null {
  const [open, close] = SYNTH_MARKERS.modified;
  const start = text.lastIndexOf(open);
  if (start < 0) return null;
  const end = text.indexOf(close, start);
  if (end < 0) return null;
  return text.slice(start + open.length, end).trim() || null;
}

/**
 * Whether two texts are the same once whitespace is collapsed and case folded.
 *
 * @example
 * ```ts
 * import { sameText } from "./modified.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sameText(" Name a  river.\n", "name a river."), true);
 * ```
 */
export function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();
  return norm(a) === norm(b);
}

/**
 * The modified instruction in the generator's reply, or why there is none usable:
 * `no_modified_instruction` (tag missing or empty), `modified_identical` (the original again).
 *
 * @example
 * ```ts
 * import { checkModifiedInstruction } from "./modified.ts";
 * import assert from "node:assert/strict";
 * const reply = "<modified_instruction>Name a lake.</modified_instruction>";
 * assert.deepEqual(checkModifiedInstruction("Name a river.", reply), { modified: "Name a lake." });
 * ```
 */
export function checkModifiedInstruction(
  original: string,
  reply: string,
): { modified: string } | { issue: SynthIssue } {
  const modified = parseModifiedInstruction(reply);
  if (modified === null) {
    return { issue: { reason: "no_modified_instruction", detail: clip(reply) } };
  }
  if (sameText(modified, original)) {
    return { issue: { reason: "modified_identical", detail: clip(modified) } };
  }
  return { modified };
}

/**
 * Why two answers make no pair, or null when they do: `empty_answer`, `refusal` (either answer
 * opens with one), `identical_answers` (same after whitespace and case normalisation).
 *
 * @example
 * ```ts
 * import { checkAnswers } from "./modified.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkAnswers("Three tips: …", "Four tips: …"), null);
 * assert.equal(checkAnswers("Same.", " same. ")?.reason, "identical_answers");
 * ```
 */
export function checkAnswers(chosen: string, rejected: string): SynthIssue | null {
  const empty = [chosen, rejected].findIndex((a) => a.trim() === "");
  if (empty >= 0) {
    return {
      reason: "empty_answer",
      detail: `the ${["chosen", "rejected"][empty]} answer is empty`,
    };
  }
  const refusal = [chosen, rejected].find(isRefusal);
  if (refusal !== undefined) return { reason: "refusal", detail: clip(refusal) };
  if (sameText(chosen, rejected)) return { reason: "identical_answers", detail: clip(chosen) };
  return null;
}

/**
 * Runs the recipe for one chat seed: one request for the modified instruction, then the two
 * answers at once. A multi-turn seed keeps its conversation; only its last user turn is
 * modified (and answered). The pair's provenance keeps the model and the modified instruction.
 */
export async function synthesizeModified(
  seed: SeedPrompt,
  llm: LlmClient,
  templates: ModifiedTemplates,
  params: SynthParams,
): Promise<Synthesized> {
  const ask = (purpose: string) => ({
    temperature: params.temperature,
    maxTokens: params.maxTokens,
    seed: requestSeed(params.seed, 1, seed.id, purpose),
  });
  const original = lastUserText(seed.instruction);
  const [reply] = await llm.complete(renderSynth(templates.modify, original), ask("modify"));
  const checked = checkModifiedInstruction(original, reply.text);
  if ("issue" in checked) return checked;
  const answer = async (text: string, purpose: string) =>
    (await llm.complete(answerMessages(seed.instruction, text, templates.answer), ask(purpose)))[0]
      .text;
  const [chosen, rejected] = await settleAll([
    answer(original, "chosen"),
    answer(checked.modified, "rejected"),
  ]);
  const issue = checkAnswers(chosen, rejected);
  if (issue) return { issue };
  return {
    pair: {
      id: contentId(seed.id, chosen, rejected),
      seedId: seed.id,
      source: seed.source,
      kind: seed.kind,
      instruction: seed.instruction,
      chosen,
      rejected,
      method: "modified-instruction",
      provenance: { model: llm.endpoint.model, modifiedInstruction: checked.modified },
    },
  };
}

/** A detail short enough for a manifest line. */
function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

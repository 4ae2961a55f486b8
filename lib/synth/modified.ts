/**
 * The Self-Taught-Evaluator recipe for chat seeds in three calls: ask for a subtly modified
 * instruction x', answer x' (rejected: a good answer to the wrong question) and answer x
 * (chosen); and the checks and helpers every chat method shares (`worse.ts` is the one-call
 * method).
 * @module
 */
import { contentId } from "../ids.ts";
import type { LlmClient, SampleParams } from "../llm/types.ts";
import { SYNTH_MARKERS } from "../prompts/markers.ts";
import type { ChatMethod, Pair, SeedPrompt } from "../records.ts";
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
    return { issue: { reason: "no_modified_instruction", detail: clipDetail(reply) } };
  }
  const issue = modifiedIssue(original, modified);
  return issue ? { issue } : { modified };
}

/** `modified_identical` when the modified instruction is the original again, else null. */
export function modifiedIssue(original: string, modified: string): SynthIssue | null {
  return sameText(modified, original)
    ? { reason: "modified_identical", detail: clipDetail(modified) }
    : null;
}

/**
 * Why one answer cannot be part of a pair, or null when it can: `empty_answer`, `refusal` (it
 * opens with one). `role` names it in the detail.
 *
 * @example
 * ```ts
 * import { answerIssue } from "./modified.ts";
 * import assert from "node:assert/strict";
 * assert.equal(answerIssue("chosen", "Three tips: …"), null);
 * assert.equal(answerIssue("chosen", "I'm sorry, I can't.")?.reason, "refusal");
 * ```
 */
export function answerIssue(role: "chosen" | "rejected", answer: string): SynthIssue | null {
  if (answer.trim() === "") {
    return { reason: "empty_answer", detail: `the ${role} answer is empty` };
  }
  if (isRefusal(answer)) return { reason: "refusal", detail: clipDetail(answer) };
  return null;
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
  const issue = answerIssue("chosen", chosen) ?? answerIssue("rejected", rejected);
  if (issue) return issue;
  if (sameText(chosen, rejected)) {
    return { reason: "identical_answers", detail: clipDetail(chosen) };
  }
  return null;
}

/**
 * Runs the three-call recipe for one chat seed: one request for the modified instruction, then
 * the two answers at once. A multi-turn seed keeps its conversation; only its last user turn is
 * modified (and answered). The pair's provenance keeps the model and the modified instruction.
 */
export async function synthesizeModified(
  seed: SeedPrompt,
  llm: LlmClient,
  templates: ModifiedTemplates,
  params: SynthParams,
): Promise<Synthesized> {
  const original = lastUserText(seed.instruction);
  const [reply] = await llm.complete(
    renderSynth(templates.modify, { instruction: original }),
    synthRequest(params, seed, "modify"),
  );
  const checked = checkModifiedInstruction(original, reply.text);
  if ("issue" in checked) return checked;
  const [chosen, rejected] = await settleAll([
    answerSeed(seed, original, llm, templates.answer, params, "chosen"),
    answerSeed(seed, checked.modified, llm, templates.answer, params, "rejected"),
  ]);
  const issue = checkAnswers(chosen, rejected);
  if (issue) return { issue };
  return { pair: chatPair(seed, llm, chosen, rejected, checked.modified, "three-call") };
}

/**
 * The sampling parameters of one request of a chat recipe; `purpose` gives each request of a
 * seed its own seed, so the chosen answer is the same request in every chat method (and
 * cached once).
 */
export function synthRequest(params: SynthParams, seed: SeedPrompt, purpose: string): SampleParams {
  return {
    temperature: params.temperature,
    topP: params.topP,
    maxTokens: params.maxTokens,
    seed: requestSeed(params.seed, 1, seed.id, purpose),
  };
}

/** The answer to `text` in the place of the seed's last user turn. */
export async function answerSeed(
  seed: SeedPrompt,
  text: string,
  llm: LlmClient,
  template: SynthTemplate,
  params: SynthParams,
  purpose: string,
): Promise<string> {
  const messages = answerMessages(seed.instruction, text, template);
  return (await llm.complete(messages, synthRequest(params, seed, purpose)))[0].text;
}

/** A chat pair: the baseline answer chosen, the answer to the modified instruction rejected. */
export function chatPair(
  seed: SeedPrompt,
  llm: LlmClient,
  chosen: string,
  rejected: string,
  modifiedInstruction: string,
  chatMethod: ChatMethod,
): Pair {
  return {
    id: contentId(seed.id, chosen, rejected),
    seedId: seed.id,
    source: seed.source,
    kind: seed.kind,
    instruction: seed.instruction,
    chosen,
    rejected,
    method: "modified-instruction",
    provenance: { model: llm.endpoint.model, modifiedInstruction, chatMethod },
  };
}

/** A text cut short enough for a reject's detail. */
export function clipDetail(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/**
 * The Self-Taught-Evaluator recipe for chat seeds as the paper ran it (J1 v3 Fig. 14): the
 * baseline answer to x is the chosen response; then ONE call sees x and that answer and writes
 * a modified instruction x' and a high-quality answer to x' that is not a good answer to x: the
 * rejected response.
 * @module
 */
import type { LlmClient } from "../llm/types.ts";
import { SYNTH_MARKERS } from "../prompts/markers.ts";
import type { SeedPrompt } from "../records.ts";
import { lastUserText } from "./conversation.ts";
import {
  answerIssue,
  answerSeed,
  chatPair,
  checkAnswers,
  clipDetail,
  modifiedIssue,
  synthRequest,
} from "./modified.ts";
import type { Synthesized, SynthIssue, SynthParams } from "./outcome.ts";
import { renderSynth, type SynthTemplate } from "./templates.ts";

/** The templates of the one-call recipe. */
export interface WorseTemplates {
  /** Answers an instruction (the baseline, chosen answer). */
  answer: SynthTemplate;
  /** Shows `{{instruction}}` and `{{response}}`, asks for the worse-response sections. */
  worse: SynthTemplate;
}

/** A marker as a pattern: case and inner spacing as models vary them. */
function markerPattern(marker: string): RegExp {
  const words = marker.slice(1, -1).trim().split(/\s+/).map((w) =>
    w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/'/g, "['’]")
  );
  return new RegExp(`\\[\\s*${words.join("\\s+")}\\s*\\]`, "gi");
}

const HEADER = markerPattern(SYNTH_MARKERS.modifiedQuestion);
const START = markerPattern(SYNTH_MARKERS.modifiedAnswer[0]);
const END = markerPattern(SYNTH_MARKERS.modifiedAnswer[1]);

/** Where `pattern` first matches in `text` at or after `from`: [start, end], or null. */
function find(text: string, pattern: RegExp, from = 0): [number, number] | null {
  pattern.lastIndex = from;
  const m = pattern.exec(text);
  return m ? [m.index, m.index + m[0].length] : null;
}

/**
 * The modified instruction and its answer in a worse-response reply, or why not:
 * `no_modified_instruction` (no `[User Question Modified]` header before the answer, or nothing
 * under it), `no_modified_answer` (the answer's start or end marker is missing, or nothing is
 * between them). Markers match whatever their case and spacing.
 *
 * @example
 * ```ts
 * import { parseWorseResponse } from "./worse.ts";
 * import assert from "node:assert/strict";
 * const reply = "[User Question Modified]\nName a lake.\n\n" +
 *   "[The start of Assistant's answer to the modified instruction]\nLake Tahoe.\n" +
 *   "[The end of Assistant's answer to the modified instruction]";
 * assert.deepEqual(parseWorseResponse(reply), { modified: "Name a lake.", answer: "Lake Tahoe." });
 * const cut = parseWorseResponse(reply.slice(0, -20));
 * assert.equal("issue" in cut && cut.issue.reason, "no_modified_answer");
 * ```
 */
export function parseWorseResponse(
  text: string,
): { modified: string; answer: string } | { issue: SynthIssue } {
  const start = find(text, START);
  let header: [number, number] | null = null;
  for (
    let at = find(text, HEADER);
    at && (!start || at[0] < start[0]);
    at = find(text, HEADER, at[1])
  ) {
    header = at;
  }
  const fail = (reason: string, what: string) => ({
    issue: { reason, detail: `${what}: ${clipDetail(text)}` },
  });
  if (!header) {
    return fail(
      "no_modified_instruction",
      `expected ${SYNTH_MARKERS.modifiedQuestion}, found none`,
    );
  }
  if (!start) {
    return fail("no_modified_answer", `expected ${SYNTH_MARKERS.modifiedAnswer[0]}, found none`);
  }
  const modified = text.slice(header[1], start[0]).trim();
  if (!modified) {
    return fail("no_modified_instruction", "expected a modified instruction, found none");
  }
  const end = find(text, END, start[1]);
  if (!end) {
    return fail("no_modified_answer", `expected ${SYNTH_MARKERS.modifiedAnswer[1]}, found none`);
  }
  const answer = text.slice(start[1], end[0]).trim();
  if (!answer) {
    return fail("no_modified_answer", "expected an answer between the markers, found none");
  }
  return { modified, answer };
}

/**
 * Runs the one-call recipe for one chat seed: the baseline answer (chosen; the same request as
 * the three-call recipe's chosen answer, so both share its cache entry), then the worse-response
 * call on the last user turn and that answer. Issues: those of {@linkcode parseWorseResponse},
 * `modified_identical`, `empty_answer`, `refusal`, `identical_answers`. A chosen answer that is
 * empty or a refusal stops before the second call.
 */
export async function synthesizeWorse(
  seed: SeedPrompt,
  llm: LlmClient,
  templates: WorseTemplates,
  params: SynthParams,
): Promise<Synthesized> {
  const original = lastUserText(seed.instruction);
  const chosen = await answerSeed(seed, original, llm, templates.answer, params, "chosen");
  const early = answerIssue("chosen", chosen);
  if (early) return { issue: early };
  const [reply] = await llm.complete(
    renderSynth(templates.worse, { instruction: original, response: chosen }),
    synthRequest(params, seed, "worse"),
  );
  const parsed = parseWorseResponse(reply.text);
  if ("issue" in parsed) return parsed;
  const issue = modifiedIssue(original, parsed.modified) ?? checkAnswers(chosen, parsed.answer);
  if (issue) return { issue };
  return { pair: chatPair(seed, llm, chosen, parsed.answer, parsed.modified, "worse-response") };
}

/**
 * An LLM category filter for chat seeds: the Self-Taught Evaluator had an LLM sort WildChat
 * instructions into categories and kept the "reasoning" one. The prompt is a template
 * (`classify-instruction`) given the instruction and the category list; the model answers in
 * `<category>` tags.
 * @module
 */
import type { LlmClient } from "../llm/types.ts";
import { SYNTH_MARKERS } from "../prompts/markers.ts";
import type { SeedPrompt } from "../records.ts";
import { lastUserText } from "../synth/conversation.ts";
import { renderSynth, type SynthTemplate } from "../synth/templates.ts";

/**
 * The default category list (ours: the Self-Taught Evaluator's own list and classification
 * prompt are not public; only the kept "reasoning" category is). The last one is a catch-all.
 */
export const DEFAULT_CATEGORIES = [
  "coding",
  "math",
  "reasoning",
  "writing",
  "brainstorming",
  "advice",
  "knowledge",
  "roleplay",
  "other",
] as const;

/**
 * The category a reply names: the last `<category>…</category>`, else the whole reply, matched
 * against `categories` ignoring case, spaces and quotes; null when it names none of them.
 *
 * @example
 * ```ts
 * import { parseCategory } from "./category.ts";
 * import assert from "node:assert/strict";
 * const cats = ["coding", "reasoning", "other"];
 * assert.equal(parseCategory("It asks why. <category> Reasoning </category>", cats), "reasoning");
 * assert.equal(parseCategory('"coding"', cats), "coding");
 * assert.equal(parseCategory("<category>poetry</category>", cats), null);
 * ```
 */
export function parseCategory(text: string, categories: readonly string[]): string | null {
  const [open, close] = SYNTH_MARKERS.category;
  const start = text.lastIndexOf(open);
  const end = start >= 0 ? text.indexOf(close, start) : -1;
  const named = start >= 0 && end >= 0 ? text.slice(start + open.length, end) : text;
  const norm = (s: string) => s.replace(/["'`*.]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
  const wanted = norm(named);
  return categories.find((c) => norm(c) === wanted) ?? null;
}

/**
 * Asks `llm` for the category of the seed's last user turn: the category (null when the reply
 * names none of `categories`) and the reply.
 */
export async function classifySeed(
  seed: SeedPrompt,
  llm: LlmClient,
  template: SynthTemplate,
  categories: readonly string[],
): Promise<{ category: string | null; reply: string }> {
  const messages = renderSynth(template, {
    instruction: lastUserText(seed.instruction),
    categories: categories.join("\n"),
  });
  // Greedy: a label, not a sample.
  const [reply] = await llm.complete(messages, { temperature: 0, maxTokens: 256, seed: 0 });
  return { category: parseCategory(reply.text, categories), reply: reply.text };
}

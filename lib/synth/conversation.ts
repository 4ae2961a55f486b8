/**
 * Where a synthesized text goes in a seed's instruction: the last user turn is the one a
 * modified instruction replaces and the one a solution answers.
 * @module
 */
import type { Instruction, Message } from "../records.ts";
import { renderSynth, type SynthTemplate } from "./templates.ts";

/**
 * The text of an instruction's last user turn (a string instruction is one user turn).
 *
 * @example
 * ```ts
 * import { lastUserText } from "./conversation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(lastUserText("Name a river."), "Name a river.");
 * assert.equal(
 *   lastUserText([
 *     { role: "user", content: "Hi" },
 *     { role: "assistant", content: "Hello!" },
 *     { role: "user", content: "Name a river." },
 *   ]),
 *   "Name a river.",
 * );
 * ```
 */
export function lastUserText(instruction: Instruction): string {
  return typeof instruction === "string"
    ? instruction
    : instruction.findLast((m) => m.role === "user")?.content ?? "";
}

/**
 * The messages asking for an answer to `text` in the place of the instruction's last user turn,
 * rendered with `template`: for a string instruction the template alone; for a conversation the
 * earlier turns, then the rendered turn (and the template's system message first when the
 * conversation has none).
 *
 * @example
 * ```ts
 * import { answerMessages } from "./conversation.ts";
 * import assert from "node:assert/strict";
 * const t = { system: "Be brief.", user: "{{instruction}}", source: "t.md" };
 * assert.deepEqual(
 *   answerMessages([
 *     { role: "user", content: "Hi" },
 *     { role: "assistant", content: "Hello!" },
 *     { role: "user", content: "Name a river." },
 *   ], "Name a lake.", t),
 *   [
 *     { role: "system", content: "Be brief." },
 *     { role: "user", content: "Hi" },
 *     { role: "assistant", content: "Hello!" },
 *     { role: "user", content: "Name a lake." },
 *   ],
 * );
 * ```
 */
export function answerMessages(
  instruction: Instruction,
  text: string,
  template: SynthTemplate,
): Message[] {
  const rendered = renderSynth(template, { instruction: text });
  if (typeof instruction === "string") return rendered;
  const turns = [...instruction];
  const last = turns.findLastIndex((m) => m.role === "user");
  turns.splice(last < 0 ? turns.length : last, 1, rendered.at(-1)!);
  const system = rendered.find((m) => m.role === "system");
  return system && turns[0]?.role !== "system" ? [system, ...turns] : turns;
}

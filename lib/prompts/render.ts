/**
 * Rendering judge prompts: a template plus an instruction and responses gives chat messages; a
 * template plus a pair and a slot (order or target) gives a {@linkcode JudgeTask}.
 * @module
 */
import { contentId } from "../ids.ts";
import type { Instruction, JudgeTask, Message, Order, Pair, PointwiseTarget } from "../records.ts";
import {
  type JudgeTemplate,
  PLACEHOLDER_PATTERN,
  promptText,
  templateDigest,
} from "./templates.ts";

const ROLE_NAMES: Record<Message["role"], string> = {
  system: "System",
  user: "User",
  assistant: "Assistant",
};

/**
 * An instruction as prompt text: a string as is, a single user turn as its content, a
 * conversation as a transcript (`User: …\n\nAssistant: …`).
 *
 * @example
 * ```ts
 * import { renderInstruction } from "./render.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   renderInstruction([
 *     { role: "user", content: "Hi" },
 *     { role: "assistant", content: "Hello!" },
 *     { role: "user", content: "Name a river." },
 *   ]),
 *   "User: Hi\n\nAssistant: Hello!\n\nUser: Name a river.",
 * );
 * ```
 */
export function renderInstruction(instruction: Instruction): string {
  if (typeof instruction === "string") return instruction;
  if (instruction.length === 1 && instruction[0].role === "user") return instruction[0].content;
  return instruction.map((m) => `${ROLE_NAMES[m.role]}: ${m.content}`).join("\n\n");
}

/**
 * The chat messages of one judgment: `first` is response A (pairwise modes) or the response
 * (pointwise); `second` is response B, and must be absent in pointwise mode. Used directly by
 * benchmarks, which have no {@linkcode Pair}. The template's layout decides whether the
 * instructions come as a system message (`system-user`) or above the data (`one-message`).
 *
 * @example
 * ```ts
 * import { renderComparison } from "./render.ts";
 * import { parseTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = parseTemplate(
 *   "---\nmode: pairwise\n---\n## system\nJudge.\n## user\n{{question}}|{{response_a}}|{{response_b}}",
 *   "t.md",
 * );
 * assert.deepEqual(renderComparison("Q", "x", "y", t), [{ role: "user", content: "Judge.\n\nQ|x|y" }]);
 * assert.deepEqual(renderComparison("Q", "x", "y", { ...t, layout: "system-user" }), [
 *   { role: "system", content: "Judge." },
 *   { role: "user", content: "Q|x|y" },
 * ]);
 * ```
 */
export function renderComparison(
  instruction: Instruction,
  first: string,
  second: string | undefined,
  template: JudgeTemplate,
): Message[] {
  const pointwise = template.mode === "pointwise";
  if (pointwise !== (second === undefined)) {
    throw new Error(
      `template ${template.name} (${template.mode}) needs ${pointwise ? "one" : "two"} responses`,
    );
  }
  const values: Record<string, string> = pointwise
    ? { question: renderInstruction(instruction), response: first }
    : { question: renderInstruction(instruction), response_a: first, response_b: second! };
  // One pass, so a response that itself contains `{{…}}` is never substituted again.
  const fill = (text: string) =>
    text.replace(PLACEHOLDER_PATTERN, (whole, name: string) => values[name] ?? whole);
  const text = promptText(template);
  const system = fill(text.system);
  return [
    ...(system.trim() ? [{ role: "system" as const, content: system }] : []),
    { role: "user", content: fill(text.user) },
  ];
}

/** Which judgment of a pair to render: an order (pairwise modes) or a target (pointwise). */
export type Slot = { order: Order } | { target: PointwiseTarget };

/**
 * Renders one judge task of a pair. Pairwise modes show `chosen` as A in order `AB`, and the
 * label is the position of the chosen response; pointwise scores one response, the label being
 * the target. The id hashes the pair, mode, template name, slot and template text.
 *
 * @example
 * ```ts
 * import { renderJudgeTask } from "./render.ts";
 * import { loadTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const pair = {
 *   id: "p1", seedId: "s1", source: "demo", kind: "chat" as const, instruction: "Q?",
 *   chosen: "good", rejected: "bad", method: "given" as const, provenance: {},
 * };
 * const task = renderJudgeTask(pair, await loadTemplate("thinking", "pairwise"), { order: "BA" });
 * assert.equal(task.label, "B");
 * assert.ok(task.messages.at(-1)!.content.indexOf("bad") < task.messages.at(-1)!.content.indexOf("good"));
 * ```
 */
export function renderJudgeTask(pair: Pair, template: JudgeTemplate, slot: Slot): JudgeTask {
  const base = { pairId: pair.id, mode: template.mode, template: template.name };
  const id = (s: string) =>
    contentId(pair.id, template.mode, template.name, s, templateDigest(template));
  if (template.mode === "pointwise") {
    if (!("target" in slot)) throw new Error("pointwise tasks need a target, not an order");
    return {
      id: id(slot.target),
      ...base,
      target: slot.target,
      messages: renderComparison(pair.instruction, pair[slot.target], undefined, template),
      label: slot.target,
    };
  }
  if (!("order" in slot)) throw new Error(`${template.mode} tasks need an order, not a target`);
  const [a, b] = slot.order === "AB" ? [pair.chosen, pair.rejected] : [pair.rejected, pair.chosen];
  return {
    id: id(slot.order),
    ...base,
    order: slot.order,
    messages: renderComparison(pair.instruction, a, b, template),
    label: slot.order === "AB" ? "A" : "B",
  };
}

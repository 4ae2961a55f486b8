/**
 * Reads the samples out of a chat-completions response body, whether it came over HTTP or from
 * a batch output file.
 * @module
 */
import type { CachedSample } from "./cache.ts";
import { MalformedResponse } from "./retry.ts";

/** The parts of a chat completion's message that are read (servers add untyped fields). */
interface ChoiceMessage {
  content?: string | null;
  reasoning?: unknown;
  reasoning_content?: unknown;
}

/** The samples of one response, sorted by choice index, and its usage. */
export interface ReadChoices {
  /** One per choice; each holds its share of the usage. */
  samples: CachedSample[];
  /** The response's prompt tokens. */
  promptTokens: number;
  /** The response's completion tokens (all choices). */
  completionTokens: number;
}

/**
 * The samples of a chat-completions body; throws {@linkcode MalformedResponse} without a
 * non-empty `choices` array of messages. Reasoning is read from `reasoning` or
 * `reasoning_content` (vLLM's and SGLang's names).
 *
 * @example
 * ```ts
 * import { readChoices } from "./choices.ts";
 * import assert from "node:assert/strict";
 * const { samples } = readChoices({
 *   choices: [{ index: 0, message: { content: "A" }, finish_reason: "stop" }],
 *   usage: { prompt_tokens: 10, completion_tokens: 2 },
 * });
 * assert.deepEqual(samples, [
 *   { text: "A", finishReason: "stop", usage: { promptTokens: 10, completionTokens: 2 } },
 * ]);
 * ```
 */
export function readChoices(response: unknown): ReadChoices {
  const { choices, usage } = (response ?? {}) as {
    choices?: { index?: number; message?: ChoiceMessage; finish_reason?: string | null }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  if (!Array.isArray(choices) || choices.length === 0 || !choices.every((c) => c?.message)) {
    throw new MalformedResponse("expected a non-empty `choices` array with messages");
  }
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  const samples = [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((choice) => {
    const message = choice.message!;
    const reasoning = message.reasoning ?? message.reasoning_content;
    return {
      text: message.content ?? "",
      ...(typeof reasoning === "string" ? { reasoning } : {}),
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
      usage: {
        promptTokens: promptTokens / choices.length,
        completionTokens: completionTokens / choices.length,
      },
    };
  });
  return { samples, promptTokens, completionTokens };
}

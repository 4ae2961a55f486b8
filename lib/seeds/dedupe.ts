/**
 * Duplicate filters over a stream of seeds: exact duplicates (same normalized text) and near
 * duplicates (MinHash LSH over word shingles). The first seed of a group is kept.
 * @module
 */
import { sha256Words } from "../sha256.ts";
import type { Reject } from "../pipeline/stage.ts";
import type { SeedPrompt } from "../records.ts";
import { instructionText } from "./fields.ts";
import { type MinHashOptions, NearDuplicateIndex } from "./minhash.ts";
import { KeyTable, StringList } from "./table.ts";

/** Options of {@linkcode dedupeSeeds}. */
export interface DedupeOptions {
  /** Near-duplicate detection: `false` to turn it off, or its options (default: on, 0.8). */
  near?: boolean | MinHashOptions;
  /** Called once per dropped seed (`duplicate` or `near_duplicate`). */
  onReject?: (reject: Reject) => void;
}

/**
 * The text duplicates are compared on: Unicode-normalized (NFKC), lower-cased, whitespace
 * collapsed.
 *
 * @example
 * ```ts
 * import { normalizeText } from "./dedupe.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalizeText("  Hello\n  WORLD "), "hello world");
 * ```
 */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * The exact-duplicate key of a text already through {@linkcode normalizeText}: a 52-bit hash (a
 * number: a typed array holds it; equal keys are taken for equal texts).
 */
export function exactKey(normalized: string): number {
  // The first 13 hex digits of the SHA-256: 32 bits of word 0, then 20 of word 1.
  const words = sha256Words(normalized);
  return (words[0] >>> 0) * 2 ** 20 + (words[1] >>> 12);
}

/**
 * Drops exact and near duplicates, keeping the first of each group, and reports each drop
 * with the id of the seed it duplicates. Memory grows with the number of kept seeds, never with
 * their text: per kept seed one {@linkcode KeyTable} entry for its exact key and one per LSH
 * band when `near` is on (16–32 bytes each: 160–320 bytes with the default 9 bands), plus its
 * id's bytes.
 *
 * @example
 * ```ts
 * import { dedupeSeeds } from "./dedupe.ts";
 * import assert from "node:assert/strict";
 * const seeds = ["Tell me a joke.", "tell me  a JOKE.", "Name a river."].map((instruction, i) => ({
 *   id: String(i), source: "s", kind: "chat" as const, instruction,
 * }));
 * const reasons: string[] = [];
 * const kept = await Array.fromAsync(dedupeSeeds(seeds, { onReject: (r) => reasons.push(r.reason) }));
 * assert.deepEqual([kept.map((s) => s.id), reasons], [["0", "2"], ["duplicate"]]);
 * ```
 */
export async function* dedupeSeeds(
  seeds: AsyncIterable<SeedPrompt> | Iterable<SeedPrompt>,
  opts: DedupeOptions = {},
): AsyncGenerator<SeedPrompt> {
  const ids = new StringList();
  const seen = new KeyTable();
  const near = opts.near === false
    ? undefined
    : new NearDuplicateIndex(opts.near === true ? {} : opts.near);
  for await (const seed of seeds) {
    const text = normalizeText(instructionText(seed.instruction));
    const key = exactKey(text);
    const same = seen.get(key);
    if (same !== undefined) {
      opts.onReject?.(duplicateReject(seed, "duplicate", ids.get(same)));
      continue;
    }
    const bands = near?.keys(text);
    const similar = bands && near!.find(bands);
    if (similar !== undefined) {
      opts.onReject?.(duplicateReject(seed, "near_duplicate", ids.get(similar)));
      continue;
    }
    const index = ids.push(seed.id);
    seen.set(key, index);
    if (bands) near!.insert(index, bands);
    yield seed;
  }
}

/** The reject of a seed dropped as a duplicate of the seed `of` (an id). */
function duplicateReject(
  seed: SeedPrompt,
  reason: "duplicate" | "near_duplicate",
  of: string,
): Reject {
  const detail = reason === "duplicate" ? `same text as ${of}` : `nearly the same text as ${of}`;
  return { reason, detail, record: seed };
}

/**
 * Duplicate filters over a stream of seeds: exact duplicates (same normalized text) and near
 * duplicates (MinHash LSH over word shingles). The first seed of a group is kept.
 * @module
 */
import { fmix32 } from "../hash32.ts";
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
 * The exact-duplicate key of a text already through {@linkcode normalizeText}: a 52-bit hash of
 * its UTF-16 code units (two MurmurHash3-style lanes with different constants; a number, so a
 * typed array holds it; equal keys are taken for equal texts: over a million distinct texts, a
 * false match has odds of about 1 in 9,000). Not cryptographic: a text crafted to collide with
 * another would pass for its duplicate.
 *
 * @example
 * ```ts
 * import { exactKey, normalizeText } from "./dedupe.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exactKey(normalizeText("Hi  THERE")), exactKey("hi there"));
 * assert.ok(exactKey("hi there") < 2 ** 52);
 * ```
 */
export function exactKey(normalized: string): number {
  return codesKey(normalized, false);
}

/**
 * `exactKey(normalizeText(text))`, without making the normalized string when `text` is ASCII
 * (NFKC changes no ASCII text, so lower-casing and folding whitespace as the hash reads it is
 * the whole normalization): the key of every row, read at the speed of the hash.
 *
 * @example
 * ```ts
 * import { exactKey, normalizeText, textKey } from "./dedupe.ts";
 * import assert from "node:assert/strict";
 * for (const text of ["  Tell me\ta JOKE. ", "Ｔｅｌｌ me ａ joke"]) {
 *   assert.equal(textKey(text), exactKey(normalizeText(text)));
 * }
 * ```
 */
export function textKey(text: string): number {
  const key = codesKey(text, true);
  return Number.isNaN(key) ? exactKey(normalizeText(text)) : key;
}

/**
 * The 52-bit hash of `text`'s code units, or with `fold` of its normalized form: lower-cased,
 * whitespace runs one space, none at the ends; NaN when folding meets a code unit beyond ASCII.
 * Code units are taken two at a time, as MurmurHash3 takes 4 bytes.
 */
function codesKey(text: string, fold: boolean): number {
  let h1 = 0x9747b28c;
  let h2 = 0x2e1b2138;
  let length = 0;
  // The first code unit of a pair, until its second comes (-1: none).
  let half = -1;
  // A whitespace run after the first character, to be one space if a character follows.
  let space = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (fold) {
      if (c >= 128) return NaN;
      if (c === 32 || (c >= 9 && c <= 13)) {
        space = length > 0;
        continue;
      }
      if (space) {
        // The run's one space goes in first; this character is read again after it.
        space = false;
        c = 32;
        i--;
      } else if (c >= 65 && c <= 90) c += 32;
    }
    length++;
    if (half < 0) half = c;
    else {
      h1 = laneStep(h1, half | c << 16, 0xcc9e2d51, 15, 0x1b873593, 13, 0xe6546b64);
      h2 = laneStep(h2, half | c << 16, 0x38b34ae5, 18, 0xa1e38b93, 15, 0x96cd1c35);
      half = -1;
    }
  }
  if (half >= 0) {
    h1 ^= scramble(half, 0xcc9e2d51, 15, 0x1b873593);
    h2 ^= scramble(half, 0x38b34ae5, 18, 0xa1e38b93);
  }
  return (fmix32(h2 ^ length) >>> 12) * 2 ** 32 + fmix32(h1 ^ length);
}

/** MurmurHash3's scrambling of one 32-bit block (multiply, rotate left by `r`, multiply). */
function scramble(block: number, c1: number, r: number, c2: number): number {
  const k = Math.imul(block, c1);
  return Math.imul((k << r) | (k >>> (32 - r)), c2);
}

/**
 * One MurmurHash3 step over a block: scrambled, mixed into `h`, rotated left by `s`, ×5 + `n`.
 * The first lane has MurmurHash3 (x86, 32-bit)'s constants; the second those of MurmurHash3
 * x86-128's third lane, so a difference that cancels in one lane does not cancel in the other.
 */
function laneStep(
  h: number,
  block: number,
  c1: number,
  r: number,
  c2: number,
  s: number,
  n: number,
): number {
  h ^= scramble(block, c1, r, c2);
  h = (h << s) | (h >>> (32 - s));
  return (Math.imul(h, 5) + n) | 0;
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
    const text = instructionText(seed.instruction);
    const key = textKey(text);
    const same = seen.get(key);
    if (same !== undefined) {
      opts.onReject?.(duplicateReject(seed, "duplicate", ids.get(same)));
      continue;
    }
    const bands = near?.keys(normalizeText(text));
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

/**
 * The reject of a seed dropped as a duplicate of the seed `of` (an id; undefined: an earlier row
 * whose id was not kept, as a sample keeps only the ids of the rows it holds).
 */
export function duplicateReject(
  seed: SeedPrompt,
  reason: "duplicate" | "near_duplicate",
  of: string | undefined,
): Reject {
  const other = of ?? "an earlier row";
  const detail = reason === "duplicate"
    ? `same text as ${other}`
    : `nearly the same text as ${other}`;
  return { reason, detail, record: seed };
}

/**
 * Near-duplicate detection: MinHash signatures over word shingles, and an LSH index with
 * banding. Deterministic: the hash functions come from a seed, not from a random source.
 * @module
 */
import { fmix32, fnv1a } from "../hash32.ts";

/** Options of the near-duplicate index. */
export interface MinHashOptions {
  /** Jaccard similarity (of word shingles) at which texts count as near duplicates (0.8). */
  threshold?: number;
  /** Hash functions per signature (128). */
  numPerm?: number;
  /** Words per shingle (5). */
  shingleSize?: number;
  /** Seed of the hash functions (0). */
  seed?: number;
}

/**
 * The word shingles of a text: lower-cased runs of `size` words. A text of fewer words is one
 * shingle.
 *
 * @example
 * ```ts
 * import { shingles } from "./minhash.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(shingles("A b, c!", 2), ["a b", "b c"]);
 * assert.deepEqual(shingles("Hi there", 5), ["hi there"]);
 * ```
 */
export function shingles(text: string, size = 5): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length <= size) return words.length ? [words.join(" ")] : [];
  const out: string[] = [];
  for (let i = 0; i + size <= words.length; i++) out.push(words.slice(i, i + size).join(" "));
  return out;
}

/**
 * The MinHash signature of a text: for each of `numPerm` hash functions, the smallest hash of
 * any shingle. Function `i` is `fmix32(h ^ salt_i)`, a permutation of 32-bit hashes.
 */
export function minHash(
  text: string,
  opts: { numPerm?: number; shingleSize?: number; seed?: number } = {},
): Uint32Array {
  const numPerm = opts.numPerm ?? 128;
  const salts = new Uint32Array(numPerm);
  for (let i = 0; i < numPerm; i++) salts[i] = fmix32((opts.seed ?? 0) * 0x9e3779b9 + i + 1);
  const signature = new Uint32Array(numPerm).fill(0xffffffff);
  for (const shingle of new Set(shingles(text, opts.shingleSize))) {
    const h = fnv1a(shingle);
    for (let i = 0; i < numPerm; i++) {
      const v = fmix32(h ^ salts[i]);
      if (v < signature[i]) signature[i] = v;
    }
  }
  return signature;
}

/**
 * Bands × rows for LSH at a threshold: the split of `numPerm` that minimises the summed
 * chance of false positives (below the threshold) and false negatives (above it), as
 * datasketch does. Two texts of similarity s share a band with probability 1-(1-s^r)^b.
 *
 * @example
 * ```ts
 * import { lshParams } from "./minhash.ts";
 * import assert from "node:assert/strict";
 * const { bands, rows } = lshParams(0.8, 128);
 * assert.ok(bands * rows <= 128);
 * assert.ok(Math.abs((1 / bands) ** (1 / rows) - 0.8) < 0.1);
 * ```
 */
export function lshParams(threshold: number, numPerm: number): { bands: number; rows: number } {
  const collide = (s: number, b: number, r: number) => 1 - (1 - s ** r) ** b;
  const integrate = (f: (s: number) => number, lo: number, hi: number) => {
    const steps = 100;
    const width = (hi - lo) / steps;
    let sum = 0;
    for (let i = 0; i < steps; i++) sum += f(lo + (i + 0.5) * width);
    return sum * width;
  };
  let best = { bands: 1, rows: numPerm, error: Infinity };
  for (let b = 1; b <= numPerm; b++) {
    for (let r = 1; r * b <= numPerm; r++) {
      const fp = integrate((s) => collide(s, b, r), 0, threshold);
      const fn = integrate((s) => 1 - collide(s, b, r), threshold, 1);
      if (fp + fn < best.error) best = { bands: b, rows: r, error: fp + fn };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

/**
 * An LSH index of the texts kept so far. A text is a near duplicate of the first earlier text
 * it shares a band with; bands × rows come from {@linkcode lshParams}, so that happens mostly
 * around and above the threshold, as with datasketch's `MinHashLSH` (at 0.8 with 128 hash
 * functions, 9 bands of 13 rows: a pair of similarity 0.7 is caught 8 % of the time, 0.8 40 %,
 * 0.9 93 %). Candidates are not re-checked, so no signatures are held: memory is one map entry
 * per band per kept text.
 *
 * @example
 * ```ts
 * import { NearDuplicateIndex } from "./minhash.ts";
 * import assert from "node:assert/strict";
 * const index = new NearDuplicateIndex({ shingleSize: 2 });
 * assert.equal(index.add("a", "one two three four five six seven eight nine ten"), undefined);
 * assert.equal(index.add("b", "One two three four five six seven eight nine ten!"), "a");
 * assert.equal(index.add("c", "something else entirely"), undefined);
 * ```
 */
export class NearDuplicateIndex {
  #opts: Required<MinHashOptions>;
  #rows: number;
  #buckets: Map<number, string>[];

  /** An empty index; the options fix the hash functions and the LSH bands. */
  constructor(opts: MinHashOptions = {}) {
    this.#opts = { threshold: 0.8, numPerm: 128, shingleSize: 5, seed: 0, ...opts };
    const { bands, rows } = lshParams(this.#opts.threshold, this.#opts.numPerm);
    this.#rows = rows;
    this.#buckets = Array.from({ length: bands }, () => new Map());
  }

  /**
   * Returns the id of an earlier near duplicate of `text`; otherwise indexes `text` under
   * `id` and returns undefined.
   */
  add(id: string, text: string): string | undefined {
    const signature = minHash(text, this.#opts);
    const keys = this.#buckets.map((_, band) => this.#bandKey(signature, band));
    for (const [band, key] of keys.entries()) {
      const earlier = this.#buckets[band].get(key);
      if (earlier !== undefined) return earlier;
    }
    for (const [band, key] of keys.entries()) this.#buckets[band].set(key, id);
    return undefined;
  }

  /** A 53-bit key of one band's rows (two 32-bit hashes, so bucket collisions stay rare). */
  #bandKey(signature: Uint32Array, band: number): number {
    let lo = 0x811c9dc5;
    let hi = 0x01000193;
    for (let i = band * this.#rows; i < (band + 1) * this.#rows; i++) {
      lo = fmix32(lo ^ signature[i]);
      hi = fmix32(Math.imul(hi, 31) ^ signature[i]);
    }
    return (hi & 0x1fffff) * 2 ** 32 + lo;
  }
}

/**
 * Near-duplicate detection: MinHash signatures over word shingles, and an LSH index with
 * banding. Deterministic: the hash functions come from a seed, not from a random source.
 * @module
 */
import { fmix32 } from "../hash32.ts";
import { KeyTable, StringList } from "./table.ts";

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
 * any shingle. Function `i` is `fmix32(h ^ salt_i)`, a permutation of 32-bit hashes, and `h` is
 * `fnv1a` of the shingle's text (computed word by word, without building the shingle strings).
 *
 * @example
 * ```ts
 * import { minHash, shingles } from "./minhash.ts";
 * import { fmix32, fnv1a } from "../hash32.ts";
 * import assert from "node:assert/strict";
 * const text = "one two three four five six";
 * const salt = fmix32(1);
 * const expected = Math.min(...shingles(text).map((s) => fmix32(fnv1a(s) ^ salt)));
 * assert.equal(minHash(text, { numPerm: 1 })[0], expected);
 * ```
 */
export function minHash(
  text: string,
  opts: { numPerm?: number; shingleSize?: number; seed?: number } = {},
): Uint32Array {
  const numPerm = opts.numPerm ?? 128;
  const size = opts.shingleSize ?? 5;
  const salt = salts(numPerm, opts.seed ?? 0);
  // Minima kept as int32 with the sign bit flipped (x ^ 2^31 orders as x does unsigned): V8
  // keeps int32 arithmetic in registers where uint32 values above 2^31 become doubles.
  const flipped = new Int32Array(numPerm).fill(0x7fffffff);
  const lower = text.toLowerCase();
  const bounds = wordBounds(lower);
  const words = bounds.length / 2;
  const count = words <= size ? Math.min(words, 1) : words - size + 1;
  const span = Math.min(size, words);
  for (let first = 0; first < count; first++) {
    // fnv1a of the words joined by spaces (a repeated shingle changes no minimum).
    let h = 0x811c9dc5 | 0;
    for (let w = first; w < first + span; w++) {
      if (w > first) h = Math.imul(h ^ 32, 0x01000193);
      for (let c = bounds[2 * w]; c < bounds[2 * w + 1]; c++) {
        h = Math.imul(h ^ lower.charCodeAt(c), 0x01000193);
      }
    }
    for (let i = 0; i < numPerm; i++) {
      // fmix32(h ^ salt[i]), inlined: this loop is the stage's hottest.
      let x = h ^ salt[i];
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
      x = x ^ (x >>> 16) ^ 0x80000000;
      if (x < flipped[i]) flipped[i] = x;
    }
  }
  const signature = new Uint32Array(numPerm);
  for (let i = 0; i < numPerm; i++) signature[i] = flipped[i] ^ 0x80000000;
  return signature;
}

/**
 * Where the words of `text` are, as `[start, end)` pairs of code-unit offsets: the runs
 * `/[\p{L}\p{N}]+/u` matches, found without making a string per word.
 */
function wordBounds(text: string): Int32Array {
  const bounds: number[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let units = 1;
    let word: boolean;
    if (c < 128) word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    else {
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
        (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      units = pair ? 2 : 1;
      word = pair ? WORD_CHAR.test(text.slice(i, i + 2)) : isWordUnit(c);
    }
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      bounds.push(start, i);
      start = -1;
    }
    i += units - 1;
  }
  if (start >= 0) bounds.push(start, text.length);
  return new Int32Array(bounds);
}

const WORD_CHAR = /^[\p{L}\p{N}]$/u;
/** Per code unit of the BMP: 0 not yet known, 1 a letter or number, 2 neither. */
const BMP_WORD = new Uint8Array(0x10000);

/** Whether a BMP code point (not a surrogate of a pair) is a letter or a number. */
function isWordUnit(c: number): boolean {
  if (BMP_WORD[c] === 0) BMP_WORD[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
  return BMP_WORD[c] === 1;
}

/** The salts of the hash functions, computed once per (numPerm, seed). */
function salts(numPerm: number, seed: number): Int32Array {
  const key = `${numPerm}:${seed}`;
  let salt = SALTS.get(key);
  if (!salt) {
    salt = new Int32Array(numPerm);
    for (let i = 0; i < numPerm; i++) salt[i] = fmix32(seed * 0x9e3779b9 + i + 1);
    SALTS.set(key, salt);
  }
  return salt;
}
const SALTS = new Map<string, Int32Array>();

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
 * The LSH band keys of texts: a text's MinHash signature cut into bands × rows (from
 * {@linkcode lshParams}), each band hashed to a 53-bit integer. Two texts are candidates (near
 * duplicates here) when they share the key of some band.
 */
class LshBands {
  /** The options, defaults filled in. */
  readonly opts: Required<MinHashOptions>;
  /** Bands per signature. */
  readonly bands: number;
  /** Hash functions per band. */
  readonly rows: number;

  /** The bands for these options (threshold 0.8, 128 functions, 5-word shingles, seed 0). */
  constructor(opts: MinHashOptions = {}) {
    this.opts = { threshold: 0.8, numPerm: 128, shingleSize: 5, seed: 0, ...opts };
    const { bands, rows } = lshParams(this.opts.threshold, this.opts.numPerm);
    this.bands = bands;
    this.rows = rows;
  }

  /** The key of each band of `text`'s signature. */
  keys(text: string): Float64Array {
    const signature = minHash(text, this.opts);
    const keys = new Float64Array(this.bands);
    for (let band = 0; band < this.bands; band++) {
      // Two 32-bit hashes of the band's rows, 53 bits kept, so bucket collisions stay rare.
      let lo = 0x811c9dc5;
      let hi = 0x01000193;
      for (let i = band * this.rows; i < (band + 1) * this.rows; i++) {
        lo = fmix32(lo ^ signature[i]);
        hi = fmix32(Math.imul(hi, 31) ^ signature[i]);
      }
      keys[band] = (hi & 0x1fffff) * 2 ** 32 + lo;
    }
    return keys;
  }
}

/**
 * An LSH index of the texts kept so far. A text is a near duplicate of the first earlier text
 * it shares a band with (the lowest band first); bands × rows come from {@linkcode lshParams}, so
 * that happens mostly around and above the threshold, as with datasketch's `MinHashLSH` (at 0.8
 * with 128 hash functions, 9 bands of 13 rows: a pair of similarity 0.7 is caught 8 % of the
 * time, 0.8 40 %, 0.9 93 %). Candidates are not re-checked, so no signatures are held: memory
 * is one {@linkcode KeyTable} entry per band per kept text (16–32 bytes) and its id's bytes.
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
  #lsh: LshBands;
  #tables: KeyTable[];
  #ids = new StringList();

  /** An empty index; the options fix the hash functions and the LSH bands. */
  constructor(opts: MinHashOptions = {}) {
    this.#lsh = new LshBands(opts);
    this.#tables = Array.from({ length: this.#lsh.bands }, () => new KeyTable());
  }

  /** How many band keys a text has (the length of {@linkcode keys}' result). */
  get bands(): number {
    return this.#lsh.bands;
  }

  /**
   * Returns the id of an earlier near duplicate of `text`; otherwise indexes `text` under
   * `id` and returns undefined.
   */
  add(id: string, text: string): string | undefined {
    const keys = this.keys(text);
    const earlier = this.find(keys);
    if (earlier !== undefined) return this.#ids.get(earlier);
    this.insert(this.#ids.push(id), keys);
    return undefined;
  }

  /**
   * The value {@linkcode insert}ed with the first indexed keys sharing a band key with `keys`
   * (the lowest band first), or undefined.
   */
  find(keys: Float64Array): number | undefined {
    for (let band = 0; band < keys.length; band++) {
      const earlier = this.#tables[band].get(keys[band]);
      if (earlier !== undefined) return earlier;
    }
    return undefined;
  }

  /** Indexes band `keys` (from {@linkcode keys}) with `value` (32-bit unsigned), e.g. a row. */
  insert(value: number, keys: Float64Array): void {
    for (let band = 0; band < keys.length; band++) this.#tables[band].set(keys[band], value);
  }

  /** The band keys of `text`, for {@linkcode find} and {@linkcode insert}. */
  keys(text: string): Float64Array {
    return this.#lsh.keys(text);
  }
}

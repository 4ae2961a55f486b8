/**
 * The sampling key: a hash of (seed, id). A sample keeps the records with the smallest keys
 * (bottom-k, see `distinctSample`), so the same seed and ids give the same sample whatever the
 * input order.
 * @module
 */
import { canonicalJson, contentId } from "../ids.ts";
import { sha256Words } from "../sha256.ts";

/**
 * The sampling key of a record: a 16-hex hash of (seed, id). Records with the smallest keys
 * are the sample.
 */
export function sampleKey(seed: number | string, id: string): string {
  return contentId("sample", seed, id);
}

/**
 * {@linkcode sampleKey} as two unsigned 32-bit numbers, `[high, low]`: ordering by them orders
 * as the key does, without a string per record. The array is shared, overwritten by the next
 * call.
 *
 * @example
 * ```ts
 * import { sampleKey, sampleKeyWords } from "./sample.ts";
 * import assert from "node:assert/strict";
 * const [high, low] = sampleKeyWords(7, "a");
 * assert.equal(high.toString(16).padStart(8, "0") + low.toString(16).padStart(8, "0"), sampleKey(7, "a"));
 * ```
 */
export function sampleKeyWords(seed: number | string, id: string): Uint32Array {
  const words = sha256Words(canonicalJson(["sample", seed, id]));
  KEY_WORDS[0] = words[0];
  KEY_WORDS[1] = words[1];
  return KEY_WORDS;
}
const KEY_WORDS = new Uint32Array(2);

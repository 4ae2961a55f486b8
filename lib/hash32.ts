/**
 * Fast 32-bit integer hashes of strings, shared by near-duplicate detection (MinHash), the
 * response cache's Bloom filter and the simulator's draws: not cryptographic, for spreading
 * keys, not for naming them.
 * @module
 */

/**
 * FNV-1a over the UTF-16 code units of `text`, 32 bits, from `basis` (FNV's offset basis by
 * default; another basis gives another hash function).
 *
 * @example
 * ```ts
 * import { fnv1a } from "./hash32.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fnv1a(""), 0x811c9dc5);
 * assert.notEqual(fnv1a("key"), fnv1a("key", 0x2e1b2138));
 * ```
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * MurmurHash3's finaliser: a bijection of 32-bit integers that mixes every bit (unsigned
 * result).
 *
 * @example
 * ```ts
 * import { fmix32 } from "./hash32.ts";
 * import assert from "node:assert/strict";
 * assert.notEqual(fmix32(1), fmix32(2));
 * assert.ok(fmix32(-1) >= 0);
 * ```
 */
export function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

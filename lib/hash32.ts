/**
 * Fast 32-bit integer hashes of strings, shared by the response cache's Bloom filter and the
 * simulator's draws: not cryptographic, for spreading keys, not for naming them.
 * @module
 */

/**
 * FNV-1a over the UTF-16 code units of `text` in two lanes from the starts `a` and `b`.
 *
 * @example
 * ```ts
 * import { fnv1aPair } from "./hash32.ts";
 * import assert from "node:assert/strict";
 * const [x, y] = fnv1aPair("key", 0x811c9dc5, 0x2e1b2138);
 * assert.notEqual(x, y);
 * assert.deepEqual(fnv1aPair("key", 0x811c9dc5, 0x2e1b2138), [x, y]);
 * ```
 */
export function fnv1aPair(text: string, a: number, b: number): [number, number] {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return [a, b];
}

/**
 * MurmurHash3's finaliser: every input bit affects every output bit (unsigned result).
 *
 * @example
 * ```ts
 * import { mix32 } from "./hash32.ts";
 * import assert from "node:assert/strict";
 * assert.notEqual(mix32(1), mix32(2));
 * assert.ok(mix32(-1) >= 0);
 * ```
 */
export function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

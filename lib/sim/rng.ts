/**
 * Deterministic draws: every random choice of the simulator is a hash of what it depends on,
 * never of arrival order or the clock.
 * @module
 */
import { canonicalJson, sha256 } from "../ids.ts";
import { fmix32, fnv1a } from "../hash32.ts";
import { sha256Words } from "../sha256.ts";

/**
 * A number in [0, 1) determined by `parts`.
 *
 * @example
 * ```ts
 * import { draw } from "./rng.ts";
 * import assert from "node:assert/strict";
 * assert.equal(draw(1, "x"), draw(1, "x"));
 * assert.notEqual(draw(1, "x"), draw(2, "x"));
 * ```
 */
export function draw(...parts: unknown[]): number {
  // 48 bits are plenty and stay exact in a double.
  return Number.parseInt(sha256(canonicalJson(parts)).slice(0, 12), 16) / 2 ** 48;
}

/**
 * A source of draws for many purposes that share `parts`: the parts are hashed once (SHA-256),
 * and each purpose is mixed into that digest with a fast integer hash, so a sample's dozens of
 * choices cost one digest, not one each.
 *
 * @example
 * ```ts
 * import { drawer } from "./rng.ts";
 * import assert from "node:assert/strict";
 * assert.equal(drawer(1, "p", 3)("noise"), drawer(1, "p", 3)("noise"));
 * assert.notEqual(drawer(1, "p", 3)("noise"), drawer(1, "p", 4)("noise"));
 * assert.notEqual(drawer(1, "p", 3)("noise"), drawer(1, "p", 3)("tie"));
 * ```
 */
export function drawer(...parts: (string | number)[]): (purpose: string) => number {
  const [k0, k1, k2, k3] = sha256Words(JSON.stringify(parts));
  return (purpose) => {
    const a = fmix32(fnv1a(purpose, k0) ^ k2);
    const b = fmix32(fnv1a(purpose, k1) ^ k3 ^ a);
    return (a * 2 ** 16 + (b >>> 16)) / 2 ** 48;
  };
}

/** An integer in [min, max] determined by `parts`. */
export function drawInt(min: number, max: number, ...parts: unknown[]): number {
  return min + Math.floor(draw(...parts) * (max - min + 1));
}

/** One element of `items` determined by `parts`. */
export function pick<T>(items: readonly T[], ...parts: unknown[]): T {
  return items[Math.floor(draw(...parts) * items.length)];
}

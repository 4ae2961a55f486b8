/**
 * Deterministic draws: every random choice of the simulator is a hash of what it depends on,
 * never of arrival order or the clock.
 * @module
 */
import { canonicalJson, sha256 } from "../ids.ts";
import { sha256PrefixWords } from "../sha256.ts";

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
 * `draw(...parts, purpose)` for many purposes, with the shared parts hashed once (they must be
 * strings or numbers, whose canonical JSON is their plain JSON).
 *
 * @example
 * ```ts
 * import { draw, drawer } from "./rng.ts";
 * import assert from "node:assert/strict";
 * assert.equal(drawer(1, "p", 3)("noise"), draw(1, "p", 3, "noise"));
 * ```
 */
export function drawer(...parts: (string | number)[]): (purpose: string) => number {
  const hashed = sha256PrefixWords(`${JSON.stringify(parts).slice(0, -1)},`);
  return (purpose) => {
    const words = hashed(`${JSON.stringify(purpose)}]`);
    // The first 48 bits, as `draw` reads them from the hex.
    return ((words[0] >>> 0) * 2 ** 16 + (words[1] >>> 16)) / 2 ** 48;
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

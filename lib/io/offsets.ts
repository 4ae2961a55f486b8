/**
 * A growing list of byte offsets in one `Float64Array` (doubling): 8 bytes an offset, where an
 * array of numbers would hold a heap number for each offset beyond 2^31.
 * @module
 */

/**
 * Offsets pushed in order; `data[i]` for `i < length` is the i-th.
 *
 * @example
 * ```ts
 * import { Offsets } from "./offsets.ts";
 * import assert from "node:assert/strict";
 * const offsets = new Offsets();
 * for (let i = 0; i < 3000; i++) offsets.push(i * 2 ** 33);
 * assert.deepEqual([offsets.length, offsets.data[2999]], [3000, 2999 * 2 ** 33]);
 * ```
 */
export class Offsets {
  /** The offsets, then unused room. */
  data: Float64Array = new Float64Array(1024);
  /** How many offsets were pushed. */
  length = 0;

  /** Appends `offset`. */
  push(offset: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = offset;
  }
}

/**
 * JSON whose numbers are all floats (`1.0`, never `1`). Python's `json.loads` types `1` as an
 * `int`; OpenRLHF builds its reward tensor from those values, an all-int list becomes an int64
 * tensor, and `rewards.std()` then raises at the first step (checked with OpenRLHF v0.9.0 and
 * v0.11.0). Every number the reward server returns for scoring goes through this.
 * @module
 */

/**
 * `JSON.stringify` for plain data (objects, arrays, strings, numbers, booleans, null), but a
 * finite number without a fraction or exponent is written with `.0`. Non-finite numbers become
 * `null` and `undefined` object fields are left out, as in `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { floatJson } from "./float_json.ts";
 * import assert from "node:assert/strict";
 * assert.equal(floatJson({ rewards: [1, 0, 0.5], n: -0 }), '{"rewards":[1.0,0.0,0.5],"n":0.0}');
 * ```
 */
export function floatJson(value: unknown): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "null";
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => v === undefined ? "null" : floatJson(v)).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${floatJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Stable content ids: the same content always gives the same id, so re-runs, resume and the
 * response cache can key on them.
 * @module
 */
import { sha256 } from "./sha256.ts";

export { sha256 };

/** Serialises a JSON value with object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value));
}

/** A copy of `value` whose objects have their keys in code-unit order (what `toJSON` gives). */
function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortedKeys);
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return sortedKeys(json.call(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * A 16-hex-digit id from any JSON-serialisable parts.
 *
 * @example
 * ```ts
 * import { contentId } from "./ids.ts";
 * import assert from "node:assert/strict";
 * assert.equal(contentId("a", { x: 1, y: 2 }), contentId("a", { y: 2, x: 1 }));
 * ```
 */
export function contentId(...parts: unknown[]): string {
  return sha256(canonicalJson(parts)).slice(0, 16);
}

/**
 * Stable content ids: the same content always gives the same id, so re-runs, resume and the
 * response cache can key on them.
 * @module
 */
import { createHash } from "node:crypto";

/** Serialises a JSON value with object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/** SHA-256 of a string, hex. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
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

/**
 * Math answer checking for verifiable pairs: extract a sampled solution's final answer and
 * compare it with the reference answer.
 *
 * @example
 * ```ts
 * import { extractAnswer, isEquivalent } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const found = extractAnswer("So the answer is $\\boxed{\\dfrac{1}{2}}$.");
 * assert.equal(found !== null && isEquivalent(found.answer, "0.5"), true);
 * ```
 * @module
 */
export { type AnswerSource, extractAnswer, type ExtractedAnswer, lastBoxed } from "./extract.ts";
export { normalizeAnswer } from "./normalize.ts";
export { type EquivalenceOptions, isEquivalent } from "./equivalent.ts";

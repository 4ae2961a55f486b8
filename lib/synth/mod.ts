/**
 * Synthetic preference pairs: the Self-Taught-Evaluator recipe for chat seeds, the
 * sampled-and-verified recipe for math seeds, their templates and their checks.
 * @module
 */
export * from "./templates.ts";
export * from "./conversation.ts";
export * from "./refusal.ts";
export * from "./outcome.ts";
export * from "./modified.ts";
export * from "./verified.ts";
export * from "./shape.ts";
export * from "./worse.ts";

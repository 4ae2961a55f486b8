/**
 * The seeds library: map dataset rows to seeds (or given pairs), clean, dedupe, sample, mix.
 * @module
 */
export * from "./clean.ts";
export * from "./dedupe.ts";
export * from "./distinct.ts";
export * from "./fields.ts";
export * from "./given.ts";
export * from "./language.ts";
export * from "./map.ts";
export * from "./minhash.ts";
export * from "./sample.ts";
export * from "./where.ts";
export * from "./table.ts";

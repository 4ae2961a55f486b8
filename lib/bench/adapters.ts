/**
 * The registry of benchmark adapters, by name.
 * @module
 */
import { UserError } from "../errors.ts";
import type { BenchAdapter } from "./bench_adapter.ts";
import { followbenchevalAdapter } from "./followbencheval.ts";
import { judgebenchAdapter } from "./judgebench.ts";
import { llmbarAdapter } from "./llmbar.ts";
import { pairwiseAdapter } from "./pairwise.ts";
import { ppeAdapter } from "./ppe.ts";
import { rewardbenchAdapter } from "./rewardbench.ts";
import { rewardbench2Adapter } from "./rewardbench2.ts";
import { rmbenchAdapter } from "./rmbench.ts";

/** Every adapter, by name. */
export const BENCH_ADAPTERS: Readonly<Record<string, BenchAdapter>> = Object.fromEntries(
  [
    judgebenchAdapter,
    rewardbenchAdapter,
    rewardbench2Adapter,
    rmbenchAdapter,
    ppeAdapter,
    llmbarAdapter,
    followbenchevalAdapter,
    pairwiseAdapter,
  ].map((a) => [a.name, a]),
);

/**
 * The adapter of a name; an unknown name is a {@linkcode UserError} listing the known ones.
 *
 * @example
 * ```ts
 * import { getAdapter } from "./adapters.ts";
 * import assert from "node:assert/strict";
 * assert.equal(getAdapter("judgebench").name, "judgebench");
 * assert.throws(() => getAdapter("nope"), /known: judgebench/);
 * ```
 */
export function getAdapter(name: string): BenchAdapter {
  const adapter = BENCH_ADAPTERS[name];
  if (adapter) return adapter;
  throw new UserError(
    `unknown benchmark "${name}"; known: ${Object.keys(BENCH_ADAPTERS).join(", ")}`,
  );
}

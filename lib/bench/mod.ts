/**
 * Benchmarks: adapters that load each benchmark's files into `BenchItem`s, and the metrics
 * (generic and official) over judged `EvalItem`s.
 * @module
 */
export * from "./bench_adapter.ts";
export * from "./adapters.ts";
export * from "./judgebench.ts";
export * from "./rewardbench.ts";
export * from "./rewardbench2.ts";
export * from "./rmbench.ts";
export * from "./ppe.ts";
export * from "./llmbar.ts";
export * from "./followbencheval.ts";
export * from "./j1.ts";
export * from "./position.ts";
export * from "./ranking.ts";
export * from "./scoreboard.ts";
export * from "./pairwise.ts";
export * from "./decisions.ts";
export * from "./bootstrap.ts";
export * from "./random.ts";
export * from "./metrics.ts";
export * from "./compare_summaries.ts";
export * from "./files.ts";
export * from "./fields.ts";

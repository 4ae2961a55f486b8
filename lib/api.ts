/**
 * Entry points for notebooks and scripts: run a pipeline file with the shipped stages.
 * @module
 */
import { loadPipeline } from "./pipeline/config.ts";
import { terminalProgress } from "./pipeline/cli.ts";
import { type RunOptions, runPipeline, type StageOutcome } from "./pipeline/run.ts";
import { stages } from "./stages/mod.ts";

/**
 * Loads, validates and runs a pipeline file (default `pipeline.jsonc`) with the toolkit's
 * stages; the same as `deno task pipeline`. Returns each stage's outcome and manifest. A
 * finished stage whose config and inputs are unchanged is not run again (`up-to-date`).
 *
 * @example A preference file loaded as pairs, then judged by the built-in simulator
 * ```ts
 * import { runPipelineFile, startSim } from "@j1kit/j1kit";
 * import assert from "node:assert/strict";
 *
 * const sim = await startSim({ seed: 1 });
 * const dir = await Deno.makeTempDir();
 * const pair = { prompt: "2 + 2?", chosen: "4", rejected: "5" };
 * await Deno.writeTextFile(`${dir}/prefs.jsonl`, JSON.stringify(pair) + "\n");
 * await Deno.writeTextFile(
 *   `${dir}/pipeline.json`,
 *   JSON.stringify({
 *     name: "tiny",
 *     runDir: `${dir}/run`,
 *     endpoints: { judge: { baseUrl: sim.url, model: "j1-sim" } },
 *     stages: [
 *       { id: "pairs", task: "pairs", inputs: [`${dir}/prefs.jsonl`] },
 *       {
 *         id: "rollout",
 *         task: "rollout",
 *         inputs: ["pairs"],
 *         options: { judge: "judge", samples: 2 },
 *       },
 *     ],
 *   }),
 * );
 * const quiet = { start() {}, update() {}, end() {}, info() {} };
 * const outcomes = await runPipelineFile(`${dir}/pipeline.json`, { progress: quiet });
 * assert.deepEqual(outcomes.map((o) => o.status), ["ran", "ran"]);
 * // One pair, judged in both orders, 2 samples each.
 * assert.equal(outcomes[1].manifest?.counts.records, 4);
 * await sim.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runPipelineFile(
  file = "pipeline.jsonc",
  opts: Partial<RunOptions> = {},
): Promise<StageOutcome[]> {
  const config = await loadPipeline(file, stages);
  return runPipeline(config, stages, { progress: terminalProgress(), ...opts });
}

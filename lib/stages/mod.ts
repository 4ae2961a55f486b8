/**
 * The registry of stage runners, by task name. The pipeline runner, the stage CLIs and
 * `mod.ts` all take their runners from here.
 * @module
 */
import type { StageRunner } from "../pipeline/stage.ts";
import { evaluateStage } from "./evaluate.ts";
import { handoffStage } from "./handoff.ts";
import { pairsStage } from "./pairs.ts";
import { rolloutStage } from "./rollout.ts";
import { scoreboardStage } from "./scoreboard.ts";
import { seedsStage } from "./seeds.ts";
import { synthStage } from "./synth.ts";

/**
 * Every stage the toolkit ships, by the `task` name used in pipeline files: `seeds`, `pairs`,
 * `synth`, `handoff`, `rollout`, `evaluate`, `scoreboard`. Pass it to
 * `parsePipeline` and `runPipeline` to run stages from code.
 *
 * @example One evaluate stage: a judge (here the simulator) on a file of preference pairs
 * ```ts
 * import { parsePipeline, runPipeline, stages, startSim } from "@j1kit/j1kit";
 * import assert from "node:assert/strict";
 *
 * const sim = await startSim({ seed: 1 });
 * const dir = await Deno.makeTempDir();
 * const pair = { prompt: "2 + 2?", chosen: "4", rejected: "5" };
 * await Deno.writeTextFile(`${dir}/pairs.jsonl`, JSON.stringify(pair) + "\n");
 * const text = JSON.stringify({
 *   name: "eval",
 *   runDir: `${dir}/run`,
 *   endpoints: { judge: { baseUrl: sim.url, model: "j1-sim" } },
 *   stages: [{
 *     id: "eval",
 *     task: "evaluate",
 *     options: { judge: "judge", benchmark: "pairwise", data: `${dir}/pairs.jsonl` },
 *   }],
 * });
 * const config = parsePipeline(text, `${dir}/pipeline.json`, stages);
 * const quiet = { start() {}, update() {}, end() {}, info() {} };
 * const [outcome] = await runPipeline(config, stages, { progress: quiet });
 * // The summary counts the item; summary.json and the reports sit in the stage's folder.
 * assert.equal(outcome.manifest?.summary.n, 1);
 * await Deno.stat(`${outcome.paths.dir}/report.md`);
 * await sim.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
// deno-lint-ignore no-explicit-any
export const stages: Record<string, StageRunner<any, any, any>> = {
  seeds: seedsStage,
  pairs: pairsStage,
  synth: synthStage,
  handoff: handoffStage,
  rollout: rolloutStage,
  evaluate: evaluateStage,
  scoreboard: scoreboardStage,
};

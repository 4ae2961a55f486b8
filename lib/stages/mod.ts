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

/** Every stage the toolkit ships, by the `task` name used in pipeline files. */
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

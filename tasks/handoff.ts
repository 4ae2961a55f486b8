/**
 * `deno task handoff --input pairs.jsonl --out <dir> [options]`: the trainers' files (verl,
 * OpenRLHF, TRL) of J1 judge tasks, with no judge call.
 * @module
 */
import { runStageCli } from "../lib/pipeline/cli.ts";
import { handoffStage } from "../lib/stages/handoff.ts";

Deno.exit(await runStageCli(handoffStage, Deno.args));

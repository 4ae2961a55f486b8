/** Test helper: real run folders from the demo pipeline, for the run viewer's tests. */
import { loadPipeline } from "../../lib/pipeline/config.ts";
import { createProgress } from "../../lib/pipeline/progress.ts";
import { runPipeline } from "../../lib/pipeline/run.ts";
import { stages } from "../../lib/stages/mod.ts";

/**
 * Runs the demo pipeline into `<root>/demo`, and its JudgeBench and RM-Bench evaluations again
 * with another simulator seed into `<root>/other` (a second judge to compare).
 */
export async function demoRuns(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "j1kit-view-" });
  const progress = createProgress({ tty: false, write: () => {} });
  for (const [name, seed] of [["demo", "7"], ["other", "8"]]) {
    const config = await loadPipeline("pipeline.jsonc", stages);
    config.runDir = `${root}/${name}`;
    config.cache = `${root}/${name}/cache.sqlite`;
    const command = config.endpoints.judge.start!.command;
    command[command.indexOf("--seed") + 1] = seed;
    if (name === "other") {
      config.stages = config.stages.filter((s) =>
        ["eval-judgebench", "eval-rm-bench"].includes(s.id)
      );
    }
    await runPipeline(config, stages, { progress });
  }
  return root;
}

/** Test helper: the pipeline fixture prefs → pairs → rollout against one judge endpoint. */
import { parsePipeline, type PipelineConfig } from "../../lib/pipeline/config.ts";
import { stages } from "../../lib/stages/mod.ts";

/**
 * A pipeline in `dir` whose `rollout` stage (G = `samples`, no exports) judges the fixture's
 * pairs with the endpoint `judge` (its declaration); `more` stages follow.
 */
export function rolloutPipeline(
  dir: string,
  judge: Record<string, unknown>,
  samples: number,
  more: unknown[] = [],
): PipelineConfig {
  const text = JSON.stringify({
    name: "t",
    runDir: `${dir}/run`,
    endpoints: { judge: { model: "m", ...judge } },
    stages: [
      { id: "pairs", task: "pairs", inputs: ["fixtures/seeds/prefs.jsonl"] },
      {
        id: "rollout",
        task: "rollout",
        inputs: ["pairs"],
        options: { judge: "judge", samples, exports: [] },
      },
      ...more,
    ],
  });
  return parsePipeline(text, "p.jsonc", stages);
}

import assert from "node:assert/strict";
import { loadPipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { stages } from "../lib/stages/mod.ts";

Deno.test("demo pipeline: end to end against the simulator it starts, then fully cached", async () => {
  const config = await loadPipeline("pipeline.jsonc", stages);
  const dir = await Deno.makeTempDir();
  config.runDir = dir;
  config.cache = `${dir}/cache.sqlite`;
  const progress = createProgress({ tty: false, write: () => {} });
  const first = await runPipeline(config, stages, { progress });
  assert.ok(first.every((o) => o.status === "ran"), JSON.stringify(first.map((o) => o.status)));
  const byId = Object.fromEntries(first.map((o) => [o.id, o.manifest!]));
  assert.ok(byId.synth.counts.records > 0);
  assert.ok((byId.synth.summary.byMethod as Record<string, number>)["sampled-verified"] > 0);
  assert.ok((byId.synth.summary.byMethod as Record<string, number>)["modified-instruction"] > 0);
  assert.ok(byId.rollout.counts.records > 0 && byId.rollout.usage.requests > 0);
  for (const path of Object.values(byId.rollout.summary.artifacts as Record<string, string>)) {
    assert.ok((await Deno.stat(path)).size > 0, path);
  }
  const second = await runPipeline(config, stages, { progress });
  assert.ok(second.every((o) => o.status === "up-to-date"));
  // The API key's value never reaches a written file.
  Deno.env.set("OPENAI_API_KEY", "sk-test-secret-0123456789");
  const third = await runPipeline(config, stages, { progress, force: ["eval-llmbar"] });
  assert.equal(third.find((o) => o.id === "eval-llmbar")!.status, "ran");
  const board = byId.scoreboard.summary;
  assert.equal((board.gate as { passed: boolean }).passed, true, JSON.stringify(board.gate));
  assert.equal(board.rows, 4);
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const text = await Deno.readTextFile(`${dir}/${entry.name}`).catch(() => "");
    assert.ok(!text.includes("sk-test-secret"), entry.name);
  }
  Deno.env.delete("OPENAI_API_KEY");
});

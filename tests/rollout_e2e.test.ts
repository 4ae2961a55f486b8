import { givenPair } from "./helpers/pairs.ts";
import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { decodeLabel, grpoAdvantages } from "../lib/judge/mod.ts";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import type { Pair, Rollout } from "../lib/records.ts";
import { startRewardServer } from "../lib/serve/server.ts";
import { startSim } from "../lib/sim/mod.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";
import { assertFailedOrderAskedAlone, orderedPairFile } from "./helpers/failing_order.ts";

const pairs: Pair[] = [
  [
    "Name three uses of copper in electrical wiring.",
    "Copper is used in wiring for electrical conductivity, copper uses include cables.",
    "Bananas are yellow.",
  ],
  [
    "How do I boil an egg for breakfast?",
    "Boil the egg in water for breakfast: egg, boil, nine minutes.",
    "Paint the fence blue.",
  ],
  [
    [{ role: "user", content: "Plan a trip." }, { role: "assistant", content: "Where to?" }, {
      role: "user",
      content: "Paris museums in spring.",
    }],
    "Paris museums in spring: the Louvre and Orsay trip plan.",
    "Tokyo food tour.",
  ],
].map(([instruction, chosen, rejected], i) =>
  givenPair(`p${i}`, instruction as Pair["instruction"], chosen as string, rejected as string)
);

const options = {
  judge: "default",
  modes: ["pairwise", "pointwise"],
  templates: ["thinking"],
  samples: 4,
  temperature: 1,
  topP: 1,
  maxTokens: 1024,
  seed: 0,
  concurrency: 2,
  weights: { correct: 1, consistent: 0.5 },
  consistency: "by-sample",
  advantage: "std",
  exports: ["verl", "openrlhf", "trl", "sft", "dpo"],
  inputKey: "input",
  labelKey: "label",
} as const;

Deno.test("rollout e2e: simulator → rollouts → exports read back → reward server gives the same rewards", async () => {
  const sim = await startSim({ seed: 3, noise: 0.2 });
  const llm = createLlmClient(
    endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
  );
  const ctx = testContext(structuredClone(options) as never, [memoryInput("pairs", pairs)], {
    default: llm,
  });
  const { records, summary } = await runStageInMemory(rolloutStage, ctx);
  const rollouts = records as Rollout[];
  try {
    // 3 pairs × (pairwise: 2 orders + pointwise: 2 targets) × G = 4.
    assert.equal(rollouts.length, 3 * 4 * 4);
    // One request per task (n sampling), none per sample.
    assert.equal(llm.stats().requests, 3 * 4);
    for (const r of rollouts) {
      assert.ok("correct" in r.rewards && (r.mode === "pointwise" || "consistent" in r.rewards));
    }
    const byTask = Map.groupBy(rollouts, (r) => r.taskId);
    for (const group of byTask.values()) {
      assert.deepEqual(group.map((r) => r.advantage), grpoAdvantages(group.map((r) => r.reward)));
    }
    const artifacts = (summary as { artifacts: Record<string, string> }).artifacts;

    // verl Parquet: nested prompt list and a ground truth that decodes to the task label.
    const file = await Deno.readFile(artifacts.verl);
    const rows = await parquetReadObjects({ file: file.buffer });
    assert.equal(rows.length, 12);
    assert.ok(Array.isArray(rows[0].prompt) && rows[0].prompt.at(-1).role === "user");
    assert.equal(decodeLabel(rows[0].reward_model.ground_truth).taskId, rows[0].extra_info.task_id);

    const jsonl = async (path: string) =>
      (await Deno.readTextFile(path)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const openrlhf = await jsonl(artifacts.openrlhf);
    assert.equal(openrlhf.length, 12);
    assert.equal((await jsonl(artifacts.trl)).length, 12);
    for (const row of await jsonl(artifacts.sft)) {
      const task = rollouts.find((r) => r.text === row.messages.at(-1).content)!;
      assert.equal(task.rewards.correct, 1);
    }
    for (const row of await jsonl(artifacts.dpo)) {
      assert.notEqual(row.chosen[0].content, row.rejected[0].content);
    }

    // The reward server scores the same texts (OpenRLHF protocol: prompt + response + EOS) to
    // the same rewards, consistency included, when a pair's groups arrive in one batch.
    const server = await startRewardServer({
      port: 0,
      reward: { weights: options.weights, consistency: "by-sample" },
    });
    try {
      const labelOf = new Map(openrlhf.map((row) => [decodeLabel(row.label).taskId, row.label]));
      const prompt = "<|start|>judge this<|end|>";
      const res = await fetch(`${server.url}/get_reward`, {
        method: "POST",
        body: JSON.stringify({
          query: rollouts.map((r) => `${prompt}${r.text}<|eot_id|>`),
          prompts: rollouts.map(() => prompt),
          labels: rollouts.map((r) => labelOf.get(r.taskId)),
        }),
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.rewards, rollouts.map((r) => r.reward));
      assert.deepEqual(body.extra_logs.consistent, rollouts.map((r) => r.rewards.consistent ?? 0));
    } finally {
      await server.close();
    }
  } finally {
    await sim.close();
  }
});

Deno.test("rollout e2e: when one order's request fails, the other's response is cached before the stage stops", async () => {
  await assertFailedOrderAskedAlone(async (dir) => [
    { id: "given", task: "pairs", inputs: [await orderedPairFile(dir)] },
    {
      id: "rollout",
      task: "rollout",
      inputs: ["given"],
      options: { judge: "judge", samples: 1, exports: [] },
    },
  ]);
});

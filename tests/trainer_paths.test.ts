/**
 * The J1 rewards through each trainer's own reward path equal the rollout stage's: OpenRLHF
 * ≥ 0.9.1's client (one sample per request, concurrently, `n_samples_per_prompt` = 5), verl's
 * per-sample `compute_score` and batch `compute_score_batch`, TRL's reward function (with the
 * thought moved to `reasoning_content`). The Python glue in `examples/j1kit_reward.py` runs under
 * python3 where it is installed.
 */
import assert from "node:assert/strict";
import { decodeLabel, type TaskLabel, taskLabel } from "../lib/judge/label.ts";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import type { JudgeTask, Pair, Rollout } from "../lib/records.ts";
import { startRewardServer } from "../lib/serve/server.ts";
import { startSim } from "../lib/sim/mod.ts";
import { judgeTasks, templatesOf } from "../lib/stages/judge_tasks.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { givenPair } from "./helpers/pairs.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";

const G = 5;
const PAIRS: Pair[] = Array.from({ length: 6 }, (_, i) =>
  givenPair(
    `p${i}`,
    `How should I water a cactus in winter, case ${i}?`,
    `Water the cactus in winter rarely: a cactus needs little water, case ${i}.`,
    i % 2 ? "Paint it." : "Cactus water winter cactus.",
  ));
const reward = { weights: { correct: 1, consistent: 0.5 }, consistency: "by-sample" } as const;
const options = {
  judge: "default",
  modes: ["pairwise", "pointwise"],
  templates: ["thinking"],
  samples: G,
  temperature: 1,
  topP: 1,
  maxTokens: 1024,
  seed: 0,
  weights: reward.weights,
  consistency: reward.consistency,
  advantage: "std",
  exports: [],
  validation: {},
  inputKey: "input",
  labelKey: "label",
  maxPromptTokens: 4096,
  overBudget: "warn",
  layout: "one-message",
  integerScores: false,
  orders: "both",
  parse: "lenient",
} as const;

/** The rollout stage's rollouts, grouped per task in sample order, with each task's label. */
async function rollouts(): Promise<{ label: TaskLabel; samples: Rollout[] }[]> {
  const sim = await startSim({ seed: 7, noise: 0.3 });
  try {
    const llm = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: sim.url, model: "m" }),
    );
    const ctx = testContext(structuredClone(options) as never, [memoryInput("pairs", PAIRS)], {
      default: llm,
    });
    const records = (await runStageInMemory(rolloutStage, ctx)).records as Rollout[];
    const templates = await templatesOf(options as never);
    const tasks: JudgeTask[] = PAIRS.flatMap((p) => judgeTasks(p, templates));
    const byTask = Map.groupBy(records, (r) => r.taskId);
    return tasks.map((t) => ({ label: taskLabel(t), samples: byTask.get(t.id)! }));
  } finally {
    await sim.close();
  }
}

const TASKS = await rollouts();
const expected = TASKS.map((t) => t.samples.map((r) => r.reward));

Deno.test("trainer paths: the rollouts exercise every reward (both modes, right and wrong, partners)", () => {
  const all = TASKS.flatMap((t) => t.samples);
  assert.equal(all.length, PAIRS.length * 4 * G);
  assert.ok(all.some((r) => r.mode === "pointwise" && r.rewards.correct === 1));
  assert.ok(all.some((r) => r.mode === "pointwise" && r.rewards.correct === 0));
  assert.ok(all.some((r) => r.rewards.consistent === 1));
  assert.ok(
    all.some((r) => r.mode === "pairwise" && r.rewards.correct === 1 && !r.rewards.consistent),
  );
});

/**
 * Posts every sample alone: one chain per task posts its samples in order (arrival order within
 * a task is the server's sample numbering), all chains at once, started in a shuffled order.
 */
async function perSample(post: (task: number, sample: number) => Promise<number>) {
  const order = TASKS.map((_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
  const out: number[][] = TASKS.map(() => []);
  await Promise.all(order.map(async (t) => {
    for (let s = 0; s < G; s++) out[t][s] = await post(t, s);
  }));
  return out;
}

Deno.test("trainer paths: OpenRLHF's per-sample client (n_samples_per_prompt=5) gets the rollout stage's rewards", async () => {
  const server = await startRewardServer({ port: 0, reward });
  try {
    const prompt = "<|im_start|>user\nJudge.<|im_end|>\n<|im_start|>assistant\n";
    const consistent: number[][] = TASKS.map(() => []);
    const got = await perSample(async (t, s) => {
      const { label, samples } = TASKS[t];
      const res = await fetch(`${server.url}/get_reward`, {
        method: "POST",
        body: JSON.stringify({
          query: [`${prompt}${samples[s].text}<|im_end|>`],
          prompts: [prompt],
          labels: [JSON.stringify(label)],
        }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.doesNotMatch(text, /"rewards":\[-?\d+\]/, "rewards are floats");
      const body = JSON.parse(text);
      consistent[t][s] = body.extra_logs.consistent[0];
      return body.rewards[0];
    });
    assert.deepEqual(got, expected);
    assert.deepEqual(consistent, TASKS.map((t) => t.samples.map((r) => r.rewards.consistent ?? 0)));
    const stats = await (await fetch(`${server.url}/stats`)).json();
    assert.deepEqual([stats.alone, stats.waiting], [0, 0]);
  } finally {
    await server.close();
  }
});

const python = await new Deno.Command("python3", { args: ["-c", "1"], stderr: "null" }).output()
  .then((o) => o.success, () => false);

/** Runs `code` with `examples/` importable and `input` as JSON on stdin; returns its JSON. */
async function runPython(code: string, input: unknown, url: string): Promise<unknown> {
  const examples = new URL("../examples", import.meta.url).pathname;
  const child = new Deno.Command("python3", {
    args: ["-c", `import sys, json\nsys.path.insert(0, ${JSON.stringify(examples)})\n${code}`],
    env: { J1KIT_REWARD_URL: url },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const out = await child.output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, err);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name:
    "trainer paths: verl's compute_score per sample and compute_score_batch, TRL's reward function",
  ignore: !python,
  fn: async () => {
    const server = await startRewardServer({ port: 0, reward });
    try {
      const tasks = TASKS.map(({ label, samples }) => ({
        label: JSON.stringify(label),
        texts: samples.map((r) => r.text),
      }));
      // verl per sample: one thread per task (verl's reward loop runs samples concurrently).
      const perSampleOut = await runPython(
        `
from concurrent.futures import ThreadPoolExecutor
import j1kit_reward as j
tasks = json.load(sys.stdin)
def chain(t):
    return [j.compute_score("j1", text, t["label"]) for text in t["texts"]]
with ThreadPoolExecutor(len(tasks)) as pool:
    out = list(pool.map(chain, tasks))
assert all(type(r[k]) is float for rs in out for r in rs for k in r), "floats"
print(json.dumps([[r["score"] for r in rs] for rs in out]))
`,
        tasks,
        server.url,
      );
      assert.deepEqual(perSampleOut, expected);

      // verl batch manager and TRL: one call per batch of two whole pairs (4 tasks × G each),
      // in the trainer files' layout (a pair's rows together). TRL gets conversational
      // completions, the thought moved to `reasoning_content` as TRL does with a schema.
      const rows = tasks.flatMap((t, ti) =>
        t.texts.map((text, s) => {
          const r = TASKS[ti].samples[s];
          const cut = text.indexOf("</think>");
          const split = !r.parseError && cut >= 0 && text.indexOf("<think>") === 0;
          return {
            text,
            label: t.label,
            completion: [{
              role: "assistant",
              content: split ? text.slice(cut + "</think>".length) : text,
              ...(split && { reasoning_content: r.thought }),
            }],
          };
        })
      );
      const perBatch = 2 * 4 * G;
      const batches = Array.from(
        { length: rows.length / perBatch },
        (_, b) => rows.slice(b * perBatch, (b + 1) * perBatch),
      );
      const batchOut = await runPython(
        `
import j1kit_reward as j
batches = json.load(sys.stdin)
verl, trl = [], []
for b in batches:
    verl += [r["score"] for r in j.compute_score_batch(["j1"] * len(b), [x["text"] for x in b], [x["label"] for x in b])]
    trl += j.trl_reward([None] * len(b), [x["completion"] for x in b], [x["label"] for x in b])
assert all(type(x) is float for x in verl + trl), "floats"
print(json.dumps({"verl": verl, "trl": trl}))
`,
        batches,
        server.url,
      ) as { verl: number[]; trl: number[] };
      assert.deepEqual(batchOut.verl, expected.flat());
      assert.deepEqual(batchOut.trl, expected.flat());
      assert.ok(rows.some((r) => "reasoning_content" in r.completion[0]));
      assert.ok(TASKS.every((t) => decodeLabel(JSON.stringify(t.label)).taskId === t.label.taskId));
    } finally {
      await server.close();
    }
  },
});

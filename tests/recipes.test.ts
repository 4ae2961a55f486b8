/**
 * The paper's recipes (`recipes/*.jsonc`): each passes `--dry-run` without the network, carries
 * J1's settings, and every training setting builds its data exactly as `j1-data.jsonc` does (they
 * share `runs/j1`, so a drifting copy would overwrite the others' data).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parsePipeline, type PipelineConfig } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { stages } from "../lib/stages/mod.ts";
import { startSim } from "../lib/sim/mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const SETTINGS = ["pav-thinking", "pav-plan-execute", "pas", "pos", "multitask"];
const FILES = ["j1-data", ...SETTINGS.map((s) => `j1-${s}`), "j1-eval"];

async function load(name: string): Promise<PipelineConfig> {
  const file = `${root}recipes/${name}.jsonc`;
  return parsePipeline(await Deno.readTextFile(file), file, stages);
}

// FollowBenchEval is not public: the eval recipe reads the user's copy from this variable.
Deno.env.set("J1_FOLLOWBENCHEVAL", `${root}fixtures/bench/followbencheval`);

const options = (config: PipelineConfig, id: string) =>
  config.stages.find((s) => s.id === id)!.options;

Deno.test("recipes: the folder holds exactly the tested files", async () => {
  const found = [];
  for await (const e of Deno.readDir(`${root}recipes`)) found.push(e.name.replace(/\.jsonc$/, ""));
  assert.deepEqual(found.sort(), [...FILES].sort());
});

Deno.test("recipes: every file passes --dry-run, every stage planned, no request sent", async () => {
  const realFetch = globalThis.fetch;
  globalThis.fetch = () => Promise.reject(new Error("the dry run must not fetch"));
  try {
    for (const name of FILES) {
      const config = await load(name);
      const lines: string[] = [];
      const progress = createProgress({ tty: false, write: (t) => void lines.push(t) });
      await runPipeline({ ...config, runDir: await Deno.makeTempDir() }, stages, {
        dryRun: true,
        progress,
      });
      const planned = lines.join("").split("\n").filter((l) => / \[\w+\] /.test(l));
      assert.equal(planned.length, config.stages.length, name);
      for (const line of planned) assert.match(line, /→ run$/, `${name}: ${line}`);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
});

Deno.test("recipes: the CLI dry run works with the network denied", async () => {
  const cwd = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${root}deno.json`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--deny-net",
      `${root}tasks/pipeline.ts`,
      `${root}recipes/j1-pav-thinking.jsonc`,
      "--dry-run",
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text);
  assert.match(text, /pav-thinking \[handoff\] inputs: synth.* → run/);
});

Deno.test("recipes: every training setting repeats j1-data's stages and generator word for word", async () => {
  const data = await load("j1-data");
  const strip = (c: PipelineConfig) => ({
    runDir: c.runDir,
    generator: c.endpoints.generator,
    stages: c.stages.filter((s) => s.task !== "handoff").map(({ loc: _, ...s }) => s),
  });
  for (const setting of SETTINGS) {
    assert.deepEqual(strip(await load(`j1-${setting}`)), strip(data), setting);
  }
});

Deno.test("recipes: the 22K set from WildChat and MATH with the paper's settings", async () => {
  const data = await load("j1-data");
  assert.deepEqual(data.stages.find((s) => s.id === "wildchat")!.inputs, [
    "hf://allenai/WildChat-1M/default/train",
  ]);
  assert.deepEqual(data.stages.find((s) => s.id === "math")!.inputs, [
    "hf://DigitalLearningGmbH/MATH-lighteval/default/train",
  ]);
  const wildchat = options(data, "wildchat");
  assert.deepEqual(wildchat.where, { language: "English", toxic: false, redacted: false });
  assert.equal(wildchat.lastTurn, true);
  assert.deepEqual(wildchat.keepCategories, ["reasoning"]);
  const synth = options(data, "synth");
  assert.deepEqual(synth.quota, { chat: 17000, verifiable: 5000 });
  assert.equal(synth.chatMethod, "worse-response");
  assert.deepEqual([synth.answerTemperature, synth.topP, synth.maxTokens], [0.7, 0.9, 4096]);
  assert.equal(data.endpoints.generator.model, "mistralai/Mixtral-8x22B-Instruct-v0.1");
});

Deno.test("recipes: each setting's hand-off has J1's modes, EvalPlanner's validation split and J1's token budget", async () => {
  const modes: Record<string, [string[], string[]]> = {
    "pav-thinking": [["pairwise"], ["thinking"]],
    "pav-plan-execute": [["pairwise"], ["plan-execute"]],
    pas: [["pairwise-scores"], ["thinking"]],
    pos: [["pointwise"], ["thinking"]],
    multitask: [["pairwise-scores", "pointwise"], ["thinking"]],
  };
  for (const setting of SETTINGS) {
    const config = await load(`j1-${setting}`);
    assert.equal(config.stages.find((s) => s.id === setting)!.task, "handoff", setting);
    const o = options(config, setting);
    assert.deepEqual([o.modes, o.templates], modes[setting], setting);
    assert.deepEqual(
      [o.validation, o.tokenizer, o.maxPromptTokens, o.orders],
      [{ chat: 150, verifiable: 150 }, "llama3.1", 4096, "both"],
      setting,
    );
  }
});

Deno.test("recipes: the five benchmarks by their real dataset ids, with J1's order rule", async () => {
  const evaluation = await load("j1-eval");
  const table = evaluation.stages.map((s) => [
    s.id,
    s.options.benchmark,
    s.options.data || s.inputs.length,
    s.options.orders,
  ]);
  assert.deepEqual(table, [
    ["ppe-preference", "ppe", "hf://lmarena-ai/PPE-Human-Preference-V1/default/test", "random"],
    ["ppe-correctness", "ppe", 5, "random"],
    ["rewardbench", "rewardbench", "hf://allenai/reward-bench/default/filtered", "random"],
    ["judgebench", "judgebench", "hf://ScalerLab/JudgeBench/default/gpt", "both"],
    ["rm-bench", "rm-bench", "hf://THU-KEG/RM-Bench", "random"],
    ["followbencheval", "followbencheval", `${root}fixtures/bench/followbencheval`, "both"],
  ]);
  assert.deepEqual(
    evaluation.stages.find((s) => s.id === "ppe-correctness")!.inputs.map((i) =>
      i.match(/PPE-(.+)-Best-of-K/)![1]
    ),
    ["MMLU-Pro", "MATH", "GPQA", "MBPP-Plus", "IFEval"],
  );
});

Deno.test("recipes: j1-data runs end to end on local stand-ins (fixtures, the simulator)", async () => {
  const config = await load("j1-data");
  const sim = await startSim({ seed: 4 });
  try {
    // The recipe as written, with the fixtures for the Hugging Face datasets, the simulator for
    // the generator and small counts.
    const stage = (id: string) => config.stages.find((s) => s.id === id)!;
    stage("wildchat").inputs = ["fixtures/seeds/chat.jsonl"];
    stage("wildchat").options.sample = 25;
    stage("math").inputs = ["fixtures/seeds/math.json"];
    stage("math").options.sample = 15;
    stage("synth").options.quota = { chat: 2, verifiable: 3 };
    const run = {
      ...config,
      runDir: await Deno.makeTempDir(),
      cache: null,
      endpoints: { generator: { ...config.endpoints.generator, baseUrl: sim.url } },
    };
    const outcomes = await runPipeline(run, stages, {
      progress: createProgress({ tty: false, write: () => {} }),
    });
    const [wildchat, , synth] = outcomes.map((o) => o.manifest!);
    assert.ok(wildchat.counts.rejectReasons.where >= 2, "the Chinese and the redacted rows");
    assert.ok(wildchat.counts.rejectReasons.category > 0);
    assert.deepEqual(synth.summary.quota, {
      chat: { quota: 2, pairs: 2, shortfall: 0 },
      verifiable: { quota: 3, pairs: 3, shortfall: 0 },
    });
    const pairs = (await Deno.readTextFile(synth.output)).split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    for (const p of pairs.filter((p) => p.kind === "chat")) {
      assert.equal(p.provenance.chatMethod, "worse-response");
      assert.equal(typeof p.instruction, "string", "the last user turn alone");
    }
  } finally {
    await sim.close();
  }
});

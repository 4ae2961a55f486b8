import { givenPair } from "./helpers/pairs.ts";
import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { type RolloutOptions, rolloutStage } from "../lib/stages/rollout.ts";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import { startSim } from "../lib/sim/mod.ts";
import { readJsonl } from "../lib/io/jsonl.ts";
import { jsonSafe } from "../lib/io/parquet.ts";
import {
  loadTemplate,
  MODES as ALL_MODES,
  renderJudgeTask,
  SCORE_SCALES,
} from "../lib/prompts/mod.ts";
import { seededOrder } from "../lib/bench/random.ts";
import { emptyStats, type LlmClient } from "../lib/llm/types.ts";
import {
  decodeLabel,
  grpoAdvantages,
  parseJudgment,
  scorePairGroups,
  scoreResponses,
  taskLabel,
} from "../lib/judge/mod.ts";
import { judgmentText, shuffleKey } from "../lib/export/mod.ts";
import { loadTokenizer } from "../lib/tokens/tokenizer.ts";
import type { JudgeTask, Message, Mode, Pair, Rollout } from "../lib/records.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";

const pair = givenPair;

const PAIRS: Pair[] = [
  pair(
    "p1",
    "Name the largest planet in the solar system and one of its moons.",
    "The largest planet in the solar system is Jupiter; one of its moons is Europa.",
    "Saturn has beautiful rings made of ice.",
  ),
  pair(
    "p2",
    "Explain why the sky is blue in one sentence.",
    "The sky is blue because air molecules scatter short blue wavelengths of sunlight more.",
    "Sunsets are often red and orange.",
  ),
  pair(
    "p3",
    "Give a synonym for happy.",
    "A synonym for happy is joyful.",
    "A synonym for sad is unhappy.",
  ),
];

/** Every option at its declared default: the spec is the single source of defaults. */
const DEFAULTS = Object.fromEntries(
  Object.entries(rolloutStage.options).map(([key, spec]) => [key, spec.default]),
) as unknown as RolloutOptions;

/** Runs the stage against a fresh simulator; returns its outputs and the client's stats. */
async function run(options: Partial<RolloutOptions>, records: unknown[] = PAIRS) {
  const sim = await startSim({ seed: 3, noise: 0.2 });
  try {
    const llm = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
    );
    const ctx = testContext({ ...DEFAULTS, ...options }, [memoryInput("pairs.jsonl", records)], {
      default: llm,
    });
    const out = await runStageInMemory(rolloutStage, ctx);
    return { ...out, ctx, requests: llm.stats().requests };
  } finally {
    await sim.close();
  }
}

/** The tasks of a pair as the stage renders them: template order, then slot. */
async function tasksOf(p: Pair, modes: Mode[], templates: string[]): Promise<JudgeTask[]> {
  const out: JudgeTask[] = [];
  for (const mode of modes) {
    for (const name of templates) {
      const t = await loadTemplate(name, mode);
      const slots = mode === "pointwise"
        ? [{ target: "chosen" as const }, { target: "rejected" as const }]
        : [{ order: "AB" as const }, { order: "BA" as const }];
      for (const slot of slots) out.push(renderJudgeTask(p, t, slot));
    }
  }
  return out;
}

Deno.test("options: defaults as in J1", () => {
  assert.deepEqual(
    [DEFAULTS.samples, DEFAULTS.temperature, DEFAULTS.topP, DEFAULTS.maxTokens, DEFAULTS.weights],
    [5, 1.0, 1.0, 4096, { correct: 1 }],
  );
  assert.deepEqual(DEFAULTS.modes, ["pairwise"]);
  assert.deepEqual(
    [DEFAULTS.layout, DEFAULTS.integerScores, DEFAULTS.parse, DEFAULTS.orders],
    ["one-message", false, "lenient", "both"],
  );
  assert.deepEqual(DEFAULTS.exports, ["verl", "openrlhf", "trl", "sft", "dpo"]);
});

const MODES: Mode[] = [...ALL_MODES];
const TEMPLATES = ["thinking", "plan-execute"];
const G = 4;

Deno.test("rollout: end to end against the simulator, with every export read back", async () => {
  const cases: Partial<RolloutOptions>[] = [
    { advantage: "std" },
    {
      advantage: "none",
      consistency: "by-majority",
      weights: { correct: 1, consistent: 0.5, format: 0.1 },
      inputKey: "query",
      labelKey: "answer",
    },
  ];
  for (const extra of cases) {
    const options = { modes: MODES, templates: TEMPLATES, samples: G, seed: 11, ...extra };
    const { records, rejects, summary, ctx, requests } = await run(options);
    const o = ctx.options;
    const config = { weights: o.weights, consistency: o.consistency };
    const name = JSON.stringify(extra);
    assert.deepEqual(rejects, [], name);
    const perPair = MODES.length * TEMPLATES.length * 2;
    assert.equal(records.length, PAIRS.length * perPair * G, name);
    assert.equal(requests, PAIRS.length * perPair, `one n-request per task ${name}`);

    // Deterministic order (pair, task, sample); rewards and advantages as the judge core says.
    const tasks: JudgeTask[] = [];
    for (const [p, pairRecord] of PAIRS.entries()) {
      const pairTasks = await tasksOf(pairRecord, MODES, TEMPLATES);
      tasks.push(...pairTasks);
      const mine = records.slice(p * perPair * G, (p + 1) * perPair * G);
      const groups = pairTasks.map((task, t) => {
        const group = mine.slice(t * G, (t + 1) * G);
        assert.deepEqual(group.map((r) => [r.taskId, r.sample]), group.map((_, i) => [task.id, i]));
        for (const r of group) {
          assert.deepEqual(
            [r.pairId, r.mode, r.template, r.order, r.target],
            [task.pairId, task.mode, task.template, task.order, task.target],
          );
          assert.ok(r.usage && r.usage.completionTokens > 0);
        }
        return {
          task,
          samples: group.map((r) => ({ parsed: parseJudgment(task.mode, r.text) })),
        };
      });
      const scored = scorePairGroups(groups, config);
      pairTasks.forEach((_, t) => {
        const group = mine.slice(t * G, (t + 1) * G);
        const advantages = grpoAdvantages(scored[t].map((s) => s.reward), {
          normalize: o.advantage,
        });
        assert.deepEqual(
          group.map((r) => [r.reward, r.rewards, r.advantage]),
          scored[t].map((
            s,
            i,
          ) => [s.reward, s.rewards, advantages[i]]),
          name,
        );
      });
    }
    const byTask = Map.groupBy(records, (r) => r.taskId);
    assert.ok(records.some((r) => r.rewards.correct === 1), "some correct samples");
    assert.ok(records.some((r) => r.rewards.correct === 0), "some incorrect samples");

    // Summary: batch stats and row counts of every export.
    const stats = summary.stats as { rollouts: number; groups: number };
    assert.deepEqual([stats.rollouts, stats.groups], [records.length, tasks.length]);
    const exports = summary.exports as { files: Record<string, { rows: number; path: string }> };
    const dir = ctx.dir;
    assert.deepEqual(exports.files.verl, { path: `${dir}/verl/train.parquet`, rows: tasks.length });
    // The trainer files hold the pairs in a seeded random order, a pair's tasks together.
    const byKey = (t: JudgeTask) => shuffleKey(o.seed, t.pairId);
    tasks.sort((a, b) => byKey(a) < byKey(b) ? -1 : byKey(a) > byKey(b) ? 1 : 0);

    assert.deepEqual(summary.artifacts, {
      verl: `${dir}/verl/train.parquet`,
      verlJson: `${dir}/verl/train.json`,
      openrlhf: `${dir}/openrlhf/prompts.jsonl`,
      trl: `${dir}/trl/prompts.jsonl`,
      sft: `${dir}/sft.jsonl`,
      dpo: `${dir}/dpo.jsonl`,
    });

    // verl Parquet: nested prompt list, ground truth decodes to the task label.
    const file = (await Deno.readFile(`${dir}/verl/train.parquet`)).buffer;
    const verl = await parquetReadObjects({ file });
    assert.equal(verl.length, tasks.length);
    verl.forEach((row, i) => {
      const task = tasks[i];
      assert.deepEqual(row.prompt, task.messages);
      assert.deepEqual(row.reward_model.style, "rule");
      assert.deepEqual(
        decodeLabel(row.reward_model.ground_truth),
        JSON.parse(JSON.stringify(taskLabel(task))),
      );
      assert.deepEqual([row.data_source, row.ability], [`j1_${task.mode}`, "judge"]);
      assert.deepEqual(row.extra_info, {
        split: "train",
        index: BigInt(i),
        pair_id: task.pairId,
        task_id: task.id,
        order: task.order ?? null,
        target: task.target ?? null,
      });
    });
    const verlJson = await Array.fromAsync(readJsonl(`${dir}/verl/train.json`));
    assert.deepEqual(verlJson, verl.map(jsonSafe));

    // OpenRLHF and TRL: one row per task, same label.
    const openrlhf = await Array.fromAsync(
      readJsonl<Record<string, unknown>>(`${dir}/openrlhf/prompts.jsonl`),
    );
    assert.equal(exports.files.openrlhf.rows, tasks.length);
    assert.deepEqual(openrlhf.map((r) => r[o.inputKey]), tasks.map((t) => t.messages));
    const trl = await Array.fromAsync(
      readJsonl<{ prompt: Message[]; label: string; task_id: string }>(`${dir}/trl/prompts.jsonl`),
    );
    assert.deepEqual(trl.map((r) => [r.prompt, r.task_id]), tasks.map((t) => [t.messages, t.id]));

    // The reward server scores the same texts against the exported labels identically.
    for (
      const labels of [
        verl.map((r) => r.reward_model.ground_truth),
        openrlhf.map((r) => r[o.labelKey]),
      ]
    ) {
      const responses = tasks.flatMap((task, t) =>
        byTask.get(task.id)!.map((r) => ({ label: decodeLabel(labels[t]), text: r.text }))
      );
      const rescored = scoreResponses(responses, config);
      assert.deepEqual(
        rescored.map((s) => [s.reward, s.rewards]),
        records.map((r) => [r.reward, r.rewards]),
        name,
      );
    }

    // SFT: at most one row per task, each a correct judgment of that task.
    const sft = await Array.fromAsync(readJsonl<{ messages: Message[] }>(`${dir}/sft.jsonl`));
    const taskOf = (messages: Message[]) =>
      tasks.findIndex((t) => JSON.stringify(t.messages) === JSON.stringify(messages));
    const correctTasks = tasks.filter((t) =>
      byTask.get(t.id)!.some((r) => r.rewards.correct === 1)
    );
    assert.equal(sft.length, correctTasks.length);
    assert.equal(exports.files.sft.rows, sft.length);
    for (const row of sft) {
      const t = taskOf(row.messages.slice(0, -1));
      assert.ok(t >= 0);
      const answer = row.messages.at(-1)!;
      assert.equal(answer.role, "assistant");
      const first = byTask.get(tasks[t].id)!.find((r) => r.rewards.correct === 1)!;
      assert.equal(answer.content, judgmentText(first));
    }
    assert.deepEqual(
      sft.map((r) => taskOf(r.messages.slice(0, -1))),
      correctTasks.map((t) => tasks.indexOf(t)),
    );

    // DPO: a correct against an incorrect judgment of the same task.
    const dpo = await Array.fromAsync(
      readJsonl<{ prompt: Message[]; chosen: Message[]; rejected: Message[] }>(`${dir}/dpo.jsonl`),
    );
    assert.ok(dpo.length > 0);
    assert.equal(exports.files.dpo.rows, dpo.length);
    for (const row of dpo) {
      const group = byTask.get(tasks[taskOf(row.prompt)].id)!;
      assert.notEqual(row.chosen[0].content, row.rejected[0].content);
      const textOf = (c: number) => group.filter((r) => r.rewards.correct === c).map(judgmentText);
      assert.ok(textOf(1).includes(row.chosen[0].content));
      assert.ok(textOf(0).includes(row.rejected[0].content));
    }
  }
});

Deno.test("rollout: the same seed gives the same rollouts; the seed changes the samples", async () => {
  const a = await run({ samples: 3, seed: 5, exports: [] });
  const b = await run({ samples: 3, seed: 5, exports: [] });
  const c = await run({ samples: 3, seed: 6, exports: [] });
  assert.deepEqual(a.records, b.records);
  assert.notDeepEqual(a.records.map((r) => r.text), c.records.map((r) => r.text));
  assert.equal(a.summary.exports, undefined);
});

Deno.test("rollout: a record that is not a Pair is rejected and skipped by the exports", async () => {
  const junk = { id: "x", text: "not a pair" };
  const { records, rejects, summary } = await run(
    { samples: 2, exports: ["trl"] },
    [PAIRS[0], junk, PAIRS[1]],
  );
  assert.deepEqual(rejects.map((r) => [r.reason, r.record]), [["invalid_pair", junk]]);
  assert.match(rejects[0].detail!, /expected a Pair .* found an object with keys id, text/);
  assert.equal(records.length, 2 * 2 * 2);
  assert.deepEqual(
    [...new Set(records.map((r: Rollout) => r.pairId))],
    ["p1", "p2"],
  );
  const { files } = summary.exports as { files: Record<string, { path: string; rows: number }> };
  const { trl } = files;
  assert.deepEqual(Object.keys(files), ["trl"]);
  assert.match(trl.path, /\/trl\/prompts\.jsonl$/);
  assert.equal(trl.rows, 2 * 2);
});

Deno.test("rollout: with a tokenizer, thoughts are counted in the trainer model's tokens", async () => {
  const { records, summary } = await run({ samples: 2, exports: [], tokenizer: "qwen3" });
  const qwen = await loadTokenizer("qwen3");
  for (const r of records) assert.equal(r.thoughtTokens, qwen.countText(r.thought));
  const stats = summary.stats as { meanThoughtTokens: number; meanThoughtChars: number };
  const mean = records.reduce((a, r) => a + r.thoughtTokens!, 0) / records.length;
  assert.ok(Math.abs(stats.meanThoughtTokens - mean) < 1e-9);
  assert.ok(stats.meanThoughtTokens > 0 && stats.meanThoughtTokens < stats.meanThoughtChars);
  const plain = await run({ samples: 2, exports: [] });
  assert.ok(plain.records.every((r) => r.thoughtTokens === undefined));
  assert.equal((plain.summary.stats as { meanThoughtTokens: null }).meanThoughtTokens, null);
});

Deno.test("rollout: by default judges twice the endpoint's concurrency in pairs at once", () => {
  const llm = createLlmClient(
    endpointDefaults({
      name: "default",
      baseUrl: "http://127.0.0.1:9/v1",
      model: "m",
      concurrency: 24,
    }),
  );
  const ctx = testContext({ ...DEFAULTS }, [], { default: llm });
  assert.equal(rolloutStage.concurrency!(ctx), 48);
  assert.equal(rolloutStage.concurrency!({ ...ctx, options: { ...DEFAULTS, concurrency: 3 } }), 3);
  assert.ok(rolloutStage.options.concurrency.runtime, "changing it re-runs nothing");
});

Deno.test("rollout: orders random judges one seeded order per pair; pointwise keeps both", async () => {
  const { records, summary } = await run({
    modes: ["pairwise", "pointwise"],
    samples: 2,
    seed: 4,
    orders: "random",
    weights: { correct: 1, consistent: 1 },
    exports: ["trl"],
  });
  for (const p of PAIRS) {
    const mine = records.filter((r) => r.pairId === p.id);
    const orders = new Set(mine.filter((r) => r.mode === "pairwise").map((r) => r.order));
    assert.deepEqual([...orders], [seededOrder(p.id, 4)], p.id);
    const targets = new Set(mine.filter((r) => r.mode === "pointwise").map((r) => r.target));
    assert.deepEqual([...targets], ["chosen", "rejected"]);
  }
  // Without the other order, the consistency reward has no partner.
  assert.ok(records.every((r) => !r.rewards.consistent));
  assert.equal(
    (summary.exports as { files: { trl: { rows: number } } }).files.trl.rows,
    PAIRS.length * 3,
  );
  const both = await run({ samples: 2, seed: 4, exports: [] });
  assert.equal(both.records.length, 2 * records.filter((r) => r.mode === "pairwise").length);
});

Deno.test("rollout: pairwise-verdict-scores, system-user layout and whole-number scores", async () => {
  const { records, summary, ctx } = await run({
    modes: ["pairwise-verdict-scores", "pointwise"],
    samples: 3,
    layout: "system-user",
    integerScores: true,
    parse: "strict",
    exports: ["trl"],
  });
  const pavs = records.filter((r) => r.mode === "pairwise-verdict-scores");
  assert.equal(pavs.length, PAIRS.length * 2 * 3);
  for (const r of records.filter((r) => !r.parseError)) {
    assert.ok(Object.values(r.scores!).every(Number.isInteger), r.text);
  }
  for (const r of pavs.filter((r) => !r.parseError)) {
    assert.ok(r.verdict);
    assert.equal(r.rewards.correct, Number(r.verdict === (r.order === "AB" ? "A" : "B")));
  }
  const trl = await Array.fromAsync(
    readJsonl<{ prompt: Message[] }>(
      (summary.exports as { files: { trl: { path: string } } }).files.trl.path,
    ),
  );
  for (const row of trl) {
    assert.deepEqual(row.prompt.map((m) => m.role), ["system", "user"]);
    assert.ok(row.prompt[0].content.includes(SCORE_SCALES.integer));
  }
  assert.equal(ctx.options.parse, "strict");
});

/** An endpoint that always answers `text`. */
function fixedJudge(text: string): LlmClient {
  return {
    endpoint: endpointDefaults({ name: "default", baseUrl: "http://127.0.0.1:9/v1", model: "m" }),
    complete: (_messages, params) =>
      Promise.resolve(
        Array.from({ length: params?.n ?? 1 }, () => ({
          text,
          usage: { promptTokens: 1, completionTokens: 1 },
          cached: false,
        })),
      ),
    stats: emptyStats,
    activity: () => ({ inFlight: 0, retrying: 0 }),
    replicas: () => [],
  };
}

Deno.test("rollout: strict parsing counts only <answer> verdicts", async () => {
  const judge = fixedJudge("<think>A is right.</think> Verdict: [[A]]");
  const rewards = async (parse: "lenient" | "strict") => {
    const ctx = testContext(
      { ...DEFAULTS, samples: 1, parse, exports: [] },
      [memoryInput("pairs.jsonl", [PAIRS[0]])],
      { default: judge },
    );
    const { records } = await runStageInMemory(rolloutStage, ctx);
    return records.map((r) => [r.order, r.verdict ?? r.parseError, r.rewards.correct]);
  };
  assert.deepEqual(await rewards("lenient"), [["AB", "A", 1], ["BA", "A", 0]]);
  assert.deepEqual(await rewards("strict"), [["AB", "no_verdict", 0], ["BA", "no_verdict", 0]]);
});

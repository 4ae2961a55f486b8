import assert from "node:assert/strict";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import { emptyStats, type LlmClient, type SampleParams } from "../lib/llm/types.ts";
import { startSim } from "../lib/sim/mod.ts";
import { evaluateStage } from "../lib/stages/evaluate.ts";
import type { EvalItem } from "../lib/records.ts";
import { runStageInMemory, testContext } from "./helpers/stage.ts";
import { assertFailedOrderAskedAlone, orderedPairFile } from "./helpers/failing_order.ts";

const BENCHMARKS: [string, string, string, string][] = [
  ["judgebench", "fixtures/bench/judgebench", "pairwise", "judgebench_score"],
  ["judgebench", "fixtures/bench/judgebench", "pairwise-verdict-scores", "judgebench_score"],
  ["rewardbench", "fixtures/bench/rewardbench", "pairwise", "rewardbench_score"],
  ["rewardbench2", "fixtures/bench/reward-bench-2", "pointwise", "rewardbench2_score"],
  ["rm-bench", "fixtures/bench/rm-bench", "pointwise", "rmbench_score"],
  ["ppe", "fixtures/bench/ppe", "pairwise", "ppe_score"],
  ["llmbar", "fixtures/bench/llmbar", "pairwise-scores", "llmbar_natural"],
  ["followbencheval", "fixtures/bench/followbencheval", "pairwise", "followbencheval_score"],
  ["pairwise", "fixtures/bench/pairwise.jsonl", "pairwise", ""],
];

const defaults = Object.fromEntries(
  Object.entries(evaluateStage.options).map(([k, s]) => [k, s.default]),
);

Deno.test("evaluate e2e: pairwise-verdict-scores decides by the verdict and keeps the scores", async () => {
  const sim = await startSim({ seed: 4, formatErrorRate: 0 });
  try {
    const llm = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
    );
    const options = {
      ...defaults,
      benchmark: "pairwise",
      data: "fixtures/bench/pairwise.jsonl",
      mode: "pairwise-verdict-scores",
      integerScores: true,
      parse: "strict",
      samples: 2,
    } as never;
    const ctx = testContext(options, [], { default: llm });
    const { records } = await runStageInMemory(evaluateStage, ctx);
    for (const item of records) {
      for (const r of item.results) {
        for (const order of ["AB", "BA"] as const) {
          assert.equal(r.verdicts![order]!.length, 2);
          assert.ok(r.verdicts![order]!.every((v) => v === "A" || v === "B"));
          assert.ok(
            r.latentScorePairs![order]!.every((p) => p !== null && p.every(Number.isInteger)),
          );
          assert.equal(r.scorePairs, undefined, "the latent scores decide nothing");
        }
      }
    }
    const written = JSON.parse(await Deno.readTextFile(`${ctx.dir}/summary.json`));
    // The simulator's scores side with its verdict.
    assert.equal(written.overall.score_agreement, 1);
    assert.equal(written.overall.parse_failures, 0);
  } finally {
    await sim.close();
  }
});

Deno.test("evaluate e2e: every benchmark fixture → items, summary, official score, reports", async () => {
  const sim = await startSim({ seed: 4 });
  try {
    for (const [benchmark, data, mode, key] of BENCHMARKS) {
      const llm = createLlmClient(
        endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
      );
      const options = { ...defaults, benchmark, data, mode, samples: 2 } as never;
      const ctx = testContext(options, [], { default: llm });
      const { records, summary } = await runStageInMemory(evaluateStage, ctx);
      assert.ok(records.length > 0, benchmark);
      const written = JSON.parse(await Deno.readTextFile(`${ctx.dir}/summary.json`));
      assert.equal(typeof written.overall.accuracy, "number", benchmark);
      if (key) assert.equal(typeof written.official[key], "number", `${benchmark} ${key}`);
      const j1 = ["judgebench", "rewardbench", "rm-bench", "ppe", "followbencheval"];
      if (j1.includes(benchmark)) assert.equal(typeof written.j1.j1_score, "number", benchmark);
      assert.ok(Array.isArray(written.notes), benchmark);
      assert.deepEqual(summary.official, written.official);
      assert.match(await Deno.readTextFile(`${ctx.dir}/report.md`), /### Official scores/);
      assert.match(await Deno.readTextFile(`${ctx.dir}/report.html`), /<svg /);
    }
  } finally {
    await sim.close();
  }
});

/** Runs evaluate on the simulator; returns the summary.json, records and request count. */
async function evaluateOnSim(options: Record<string, unknown>) {
  const sim = await startSim({ seed: 4 });
  try {
    const llm = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
    );
    const ctx = testContext({ ...defaults, ...options } as never, [], { default: llm });
    const { records } = await runStageInMemory(evaluateStage, ctx);
    const summary = JSON.parse(await Deno.readTextFile(`${ctx.dir}/summary.json`));
    return { summary, records: records as EvalItem[], requests: llm.stats().requests };
  } finally {
    await sim.close();
  }
}

Deno.test("evaluate e2e: pointwise scores each response once, not once per comparison", async () => {
  const { records, requests } = await evaluateOnSim({
    benchmark: "rm-bench",
    data: "fixtures/bench/rm-bench/chat.json",
    mode: "pointwise",
  });
  // 3 chosen + 3 rejected responses per item, 9 comparisons.
  assert.equal(requests, 6 * records.length);
  const r = records[0].results;
  assert.equal(r.length, 9);
  assert.deepEqual(r.find((c) => c.key === "0,1")!.scores!.chosen, r[0].scores!.chosen);
  const lengths = r.flatMap((c) => c.thoughtLengths);
  assert.equal(lengths.length, 6); // each response's sample counted once
});

Deno.test("evaluate e2e: RewardBench 2 with a pairwise judge = the four-way ranking, Ties rated", async () => {
  const four = await evaluateOnSim({
    benchmark: "rewardbench2",
    data: "fixtures/bench/reward-bench-2",
  });
  for (const item of four.records) {
    if (item.subset === "Ties") assert.ok(item.results.every((r) => r.scores), item.itemId);
    else {
      assert.equal(item.results.length, 1);
      const { slot, picks } = item.results[0].ranking!;
      assert.ok(slot >= 0 && slot < 4 && picks.length === 1, item.itemId);
    }
  }
  assert.equal(typeof four.summary.official.rewardbench2_score, "number");
  assert.deepEqual(four.summary.notes, []);
  const pairs = await evaluateOnSim({
    benchmark: "rewardbench2",
    data: "fixtures/bench/reward-bench-2",
    rewardbench2Pairwise: "comparisons",
  });
  assert.ok(pairs.records.every((i) => i.results.every((r) => r.verdicts)));
  assert.match(pairs.summary.notes.join("\n"), /adaptation/);
});

Deno.test("evaluate e2e: orders dataset is JudgeBench's single game; orders ab refuses a random-order score", async () => {
  const jb = await evaluateOnSim({
    benchmark: "judgebench",
    data: "fixtures/bench/judgebench",
    orders: "dataset",
  });
  for (const item of jb.records) {
    const shown = item.meta?.label === "B>A" ? "BA" : "AB";
    assert.deepEqual(Object.keys(item.results[0].verdicts!), [shown]);
  }
  assert.equal(typeof jb.summary.official.judgebench_score, "number");
  assert.match(jb.summary.notes.join("\n"), /single game/);
  assert.equal(jb.summary.j1.j1_score, null); // J1 needs both orders
  const rb = await evaluateOnSim({
    benchmark: "rewardbench",
    data: "fixtures/bench/rewardbench",
    orders: "ab",
  });
  assert.deepEqual(rb.summary.official, { rewardbench_score: null });
  assert.match(rb.summary.notes.join("\n"), /rewardbench_score: null, \d+ comparison/);
  const random = await evaluateOnSim({
    benchmark: "rewardbench",
    data: "fixtures/bench/rewardbench",
    orders: "random",
  });
  assert.equal(typeof random.summary.official.rewardbench_score, "number");
  assert.equal(random.requests, random.records.length);
});

Deno.test("evaluate CLI: --baseline gate exits 1 on a regression and prints the differences", async () => {
  const sim = await startSim({ seed: 4 });
  const dir = await Deno.makeTempDir();
  try {
    const run = (extra: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "tasks/evaluate.ts",
          "--benchmark",
          "llmbar",
          "--data",
          "fixtures/bench/llmbar",
          "--base-url",
          sim.url,
          "--model",
          "j1-sim",
          ...extra,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const first = await run(["--out", `${dir}/a`]);
    assert.ok(first.success, new TextDecoder().decode(first.stderr));
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/a/summary.json`));
    assert.ok((await run(["--out", `${dir}/b`, "--baseline", `${dir}/a/summary.json`])).success);
    summary.overall.accuracy = 1;
    await Deno.writeTextFile(`${dir}/better.json`, JSON.stringify(summary));
    const gated = await run([
      "--out",
      `${dir}/c`,
      "--baseline",
      `${dir}/better.json`,
      "--max-drop",
      "1",
    ]);
    assert.equal(gated.code, 1);
    assert.match(new TextDecoder().decode(gated.stderr), /regression against .*accuracy/s);
  } finally {
    await sim.close();
  }
});

Deno.test("evaluate e2e: when one order's request fails, the other's response is cached before the stage stops", async () => {
  await assertFailedOrderAskedAlone(async (dir) => [{
    id: "eval",
    task: "evaluate",
    options: {
      judge: "judge",
      benchmark: "pairwise",
      data: await orderedPairFile(dir),
      samples: 1,
    },
  }]);
});

Deno.test("evaluate: sampling as J1 — top-p 0.95 and temperature 1.0 with several samples, an explicit top-p wins", async () => {
  const seen: SampleParams[] = [];
  const judge: LlmClient = {
    endpoint: endpointDefaults({ name: "default", baseUrl: "http://unused", model: "m" }),
    complete: (_messages, params = {}) => {
      seen.push(params);
      const text = "<think>ok</think><answer> [[A]] </answer>";
      return Promise.resolve(
        Array.from({ length: params.n ?? 1 }, () => ({
          text,
          usage: { promptTokens: 0, completionTokens: 0 },
          cached: false,
        })),
      );
    },
    stats: emptyStats,
    activity: () => ({ inFlight: 0, retrying: 0 }),
    replicas: () => [],
  };
  const run = async (options: Record<string, unknown>) => {
    seen.length = 0;
    const ctx = testContext(
      {
        ...defaults,
        benchmark: "pairwise",
        data: "fixtures/bench/pairwise.jsonl",
        ...options,
      } as never,
      [],
      { default: judge },
    );
    await runStageInMemory(evaluateStage, ctx);
    return seen.map((p) => [p.n, p.temperature, p.topP]);
  };
  assert.deepEqual(new Set((await run({ samples: 4 })).map(String)), new Set(["4,1,0.95"]));
  assert.deepEqual(new Set((await run({})).map(String)), new Set(["1,0,"]));
  assert.deepEqual(
    new Set((await run({ samples: 2, topP: 0.9 })).map(String)),
    new Set(["2,1,0.9"]),
  );
});

Deno.test("evaluate e2e: with a tokenizer, thought lengths in tokens beside characters (pairwise and pointwise)", async () => {
  const sim = await startSim({ seed: 4 });
  try {
    const llm = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: sim.url, model: "j1-sim" }),
    );
    for (const [benchmark, data, mode] of [BENCHMARKS[0], BENCHMARKS[4]]) {
      const options = { ...defaults, benchmark, data, mode, tokenizer: "qwen3" } as never;
      const ctx = testContext(options, [], { default: llm });
      const { records } = await runStageInMemory(evaluateStage, ctx);
      const results = (records as EvalItem[]).flatMap((i) => i.results);
      for (const r of results) assert.equal(r.thoughtTokens!.length, r.thoughtLengths.length);
      const tokens = results.flatMap((r) => r.thoughtTokens!);
      assert.ok(tokens.every((t, i) => t > 0 && t < results.flatMap((r) => r.thoughtLengths)[i]));
      const summary = JSON.parse(await Deno.readTextFile(`${ctx.dir}/summary.json`));
      const mean = tokens.reduce((a, b) => a + b, 0) / tokens.length;
      assert.ok(Math.abs(summary.lengths.thought_tokens.mean - mean) < 1e-9, benchmark);
      assert.ok(summary.lengths.thought_chars.mean > summary.lengths.thought_tokens.mean);
    }
  } finally {
    await sim.close();
  }
});

import assert from "node:assert/strict";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import { startSim } from "../lib/sim/mod.ts";
import { evaluateStage } from "../lib/stages/evaluate.ts";
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
          assert.ok(r.scorePairs![order]!.every((p) => p !== null && p.every(Number.isInteger)));
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
      assert.deepEqual(summary.official, written.official);
      assert.match(await Deno.readTextFile(`${ctx.dir}/report.md`), /### Official scores/);
      assert.match(await Deno.readTextFile(`${ctx.dir}/report.html`), /<svg /);
    }
  } finally {
    await sim.close();
  }
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

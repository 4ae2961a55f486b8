import assert from "node:assert/strict";
import { loadPipeline, parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { startSim } from "../lib/sim/mod.ts";
import { stages } from "../lib/stages/mod.ts";
import {
  scoreboard,
  scoreboardGate,
  scoreboardMarkdown,
  type ScoreboardRow,
  scoreboardRow,
} from "../lib/bench/scoreboard.ts";

const row = (
  stage: string,
  benchmark: string,
  official: Record<string, number | null>,
  j1?: number | null,
  n = 10,
  model = "m",
): ScoreboardRow => ({
  stage,
  benchmark,
  model,
  n,
  official,
  ...(j1 !== undefined ? { j1 } : {}),
  notes: [],
});

Deno.test("scoreboard: J1's five-benchmark average per judge, complete only with all five", () => {
  const five = [
    row("a", "ppe", { ppe_score: 60 }, 60),
    row("b", "rewardbench", { rewardbench_score: 90 }, 88),
    row("c", "judgebench", { judgebench_score: 55 }, 50),
    row("d", "rm-bench", { rmbench_score: 70 }, 72),
    row("e", "followbencheval", { followbencheval_score: 65 }, 65),
    row("f", "llmbar", { llmbar_natural: 80 }), // not a J1 benchmark
    row("g", "ppe", { ppe_score: 40 }, 40, 10, "other"),
  ];
  const board = scoreboard(five);
  assert.deepEqual(board.j1, [
    {
      model: "m",
      scores: { ppe: 60, rewardbench: 88, judgebench: 50, "rm-bench": 72, followbencheval: 65 },
      average: 67,
      complete: true,
    },
    { model: "other", scores: { ppe: 40 }, average: 40, complete: false },
  ]);
  const md = scoreboardMarkdown(board, []);
  assert.ok(md.includes("| m | 60.0 | 88.0 | 50.0 | 72.0 | 65.0 | 67.0 |"), md);
  assert.ok(md.includes("| other | 40.0 | – | – | – | – | 40.0 (1 of 5) |"), md);
  assert.ok(md.includes("| f | llmbar | m | 10 | llmbar_natural | 80.0 | – |"), md);
});

Deno.test("scoreboard gate: n = 0, a null headline or J1 metric, a drop against the baseline", () => {
  const base = scoreboard([
    row("jb", "judgebench", { judgebench_score: 60 }, 50),
    row("rb", "rewardbench", { rewardbench_score: 90, rewardbench_chat: 95 }, 88),
  ]);
  // [current rows, problems]
  const cases: [ScoreboardRow[], string[]][] = [
    [[row("jb", "judgebench", { judgebench_score: 59.5 }, 50)], []],
    [[row("jb", "judgebench", { judgebench_score: 58 }, 50)], [
      "jb: judgebench_score fell 2.00 points (60.00 → 58.00)",
    ]],
    [[
      row("jb", "judgebench", { judgebench_score: 60 }, 50),
      row("rb", "rewardbench", { rewardbench_score: 90, rewardbench_chat: 95 }, 80),
    ], [
      "rb: j1_score fell 8.00 points (88.00 → 80.00)",
      "m: J1 average fell 4.00 points (69.00 → 65.00)",
    ]],
    [[row("rb", "rewardbench", { rewardbench_score: 90, rewardbench_chat: 93 }, 88)], [
      "rb: rewardbench_chat fell 2.00 points (95.00 → 93.00)",
    ]],
    [[row("rb", "rewardbench", { rewardbench_score: null }, null, 0)], [
      "rb: n = 0, no item was judged",
      "rb: rewardbench_score is null",
      "rb: j1_score is null",
    ]],
    [[row("new", "llmbar", { llmbar_natural: 10 })], []],
  ];
  for (const [rows, problems] of cases) {
    const gate = scoreboardGate(scoreboard(rows), base, 1);
    assert.deepEqual(gate.problems, problems, JSON.stringify(rows));
    assert.equal(gate.passed, problems.length === 0);
  }
  assert.equal(scoreboardRow("x", { accuracy: 1 }), undefined);
});

Deno.test("scoreboard stage: evaluate stages in a pipeline → one table, its gate fails on a drop", async () => {
  const sim = await startSim({ seed: 4 });
  const dir = await Deno.makeTempDir();
  const progress = createProgress({ tty: false, write: () => {} });
  const pipeline = (baseline: string, judgebenchData: string) =>
    parsePipeline(
      JSON.stringify({
        name: "t",
        runDir: `${dir}/run`,
        cache: `${dir}/cache.sqlite`,
        endpoints: { judge: { baseUrl: sim.url, model: "j1-sim" } },
        stages: [
          {
            id: "eval-jb",
            task: "evaluate",
            options: { judge: "judge", benchmark: "judgebench", data: judgebenchData },
          },
          {
            id: "eval-fb",
            task: "evaluate",
            options: {
              judge: "judge",
              benchmark: "followbencheval",
              data: "fixtures/bench/followbencheval",
            },
          },
          {
            id: "table",
            task: "scoreboard",
            inputs: ["eval-jb", "eval-fb"],
            options: { baseline, maxDrop: 1 },
          },
        ],
      }),
      `${dir}/p.json`,
      stages,
    );
  try {
    const first = await runPipeline(pipeline("", "fixtures/bench/judgebench"), stages, {
      progress,
    });
    const table = first.find((o) => o.id === "table")!.manifest!;
    assert.equal((table.summary.gate as { passed: boolean }).passed, true);
    const board = JSON.parse(await Deno.readTextFile(`${dir}/run/table/scoreboard.json`));
    assert.deepEqual(board.rows.map((r: ScoreboardRow) => [r.stage, r.benchmark, r.model]), [
      ["eval-jb", "judgebench", "j1-sim"],
      ["eval-fb", "followbencheval", "j1-sim"],
    ]);
    assert.deepEqual(Object.keys(board.j1[0].scores), ["judgebench", "followbencheval"]);
    assert.match(
      await Deno.readTextFile(`${dir}/run/table/scoreboard.md`),
      /\| eval-jb \| judgebench/,
    );
    // A baseline claiming higher scores: the gate fails and names the metric.
    const high = structuredClone(board);
    high.rows[0].official.judgebench_score += 50;
    await Deno.writeTextFile(`${dir}/baseline.json`, JSON.stringify(high));
    const second = await runPipeline(
      pipeline(`${dir}/baseline.json`, "fixtures/bench/judgebench"),
      stages,
      { progress },
    );
    const gate = second.find((o) => o.id === "table")!.manifest!.summary.gate as {
      passed: boolean;
      message: string;
    };
    assert.equal(gate.passed, false);
    assert.match(gate.message, /^eval-jb: judgebench_score fell 50\.00 points/);
    // A stage with no item: n = 0 fails the gate.
    await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
    const third = await runPipeline(pipeline("", `${dir}/empty.jsonl`), stages, { progress });
    const empty = third.find((o) => o.id === "table")!.manifest!.summary.gate as {
      message: string;
    };
    assert.match(empty.message, /eval-jb: n = 0/);
  } finally {
    await sim.close();
  }
});

Deno.test("the CI evaluation pipeline file is valid: evaluate stages feeding one scoreboard", async () => {
  const env = { J1KIT_BASE_URL: "http://127.0.0.1:9/v1", J1KIT_MODEL: "judge" };
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
  try {
    const config = await loadPipeline("examples/evaluate.jsonc", stages);
    const tasks = config.stages.map((s) => s.task);
    assert.deepEqual(tasks, ["evaluate", "evaluate", "evaluate", "evaluate", "scoreboard"]);
    assert.deepEqual(
      config.stages.at(-1)!.inputs,
      config.stages.filter((s) => s.task === "evaluate").map((s) => s.id),
    );
    assert.equal(config.stages.at(-1)!.options.baseline, "");
  } finally {
    for (const k of Object.keys(env)) Deno.env.delete(k);
  }
});

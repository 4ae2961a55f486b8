import assert from "node:assert/strict";
import { summarize } from "../lib/bench/metrics.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { type Manifest, runPipeline } from "../lib/pipeline/run.ts";
import type { StageRunner } from "../lib/pipeline/stage.ts";
import type { EvalItem, Rollout, Verdict } from "../lib/records.ts";
import { buildColumns, filterRecords, itemLines } from "../lib/view/columns.ts";
import { compareJudges, type JudgeEvaluation } from "../lib/view/compare.ts";
import { indexLines, readRecordTexts, searchRecords } from "../lib/view/lines.ts";
import { findRuns, readRun } from "../lib/view/runs.ts";
import { startViewer } from "../lib/view/server.ts";
import { demoRuns } from "./helpers/demo_runs.ts";

async function tempFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("view lines: offsets skip blank lines, strip CR, and span the 4 MB read chunks", async () => {
  // A record longer than a read chunk, between short ones, with CRLF and blank lines.
  const long = JSON.stringify({ text: "x".repeat(5 << 20), tag: "Needle" });
  const path = await tempFile(`{"a":1}\r\n\n  \n${long}\n{"a":"NEEDLE"}\n{"a":3}`);
  const index = await indexLines(path);
  assert.equal(index.count, 4);
  assert.deepEqual(await readRecordTexts(index, 0, 1), ['{"a":1}']);
  assert.equal((await readRecordTexts(index, 1, 2))[0].length, long.length);
  assert.deepEqual(await readRecordTexts(index, 2, 10), ['{"a":"NEEDLE"}', '{"a":3}']);
  // Case-insensitive, found across a chunk boundary and in the long record.
  assert.deepEqual([...await searchRecords(index, "needle")], [0, 1, 1, 0]);
  assert.deepEqual([...await searchRecords(index, '"a":')], [1, 0, 1, 1]);
  assert.deepEqual([...await searchRecords(index, "absent")], [0, 0, 0, 0]);
});

const rollout = (over: Partial<Rollout>): Rollout => ({
  taskId: "t",
  pairId: "p1",
  mode: "pairwise",
  template: "thinking",
  order: "AB",
  sample: 0,
  text: "",
  thought: "abc",
  reward: 1,
  rewards: { correct: 1 },
  advantage: 0,
  ...over,
});

Deno.test("view columns: rollout filters by reward, parse error, order, and flips between orders", async () => {
  const records: Rollout[] = [
    rollout({ verdict: "A" }), // AB sample 0: A; BA sample 0: A → same letter: a flip
    rollout({ order: "BA", verdict: "A", reward: 0, taskId: "u" }),
    rollout({ sample: 1, verdict: "A" }), // AB sample 1: A; BA sample 1: B → no flip
    rollout({ order: "BA", sample: 1, verdict: "B", taskId: "u" }),
    rollout({ pairId: "p2", parseError: "no_verdict", reward: 0, advantage: -1 }),
  ];
  const path = await tempFile(records.map((r) => JSON.stringify(r)).join("\n"));
  const columns = await buildColumns(await indexLines(path), "rollout");
  const table: [Parameters<typeof filterRecords>[1], number[]][] = [
    [{ flags: ["flipped between orders"] }, [0, 1]],
    [{ categories: { "parse error": "no_verdict" } }, [4]],
    [{ categories: { order: "BA" } }, [1, 3]],
    [{ ranges: { reward: { max: 0 } } }, [1, 4]],
    [{ ranges: { reward: { min: 1 } }, categories: { order: "AB" } }, [0, 2]],
    [{ categories: { mode: "pointwise" } }, []],
  ];
  for (const [filter, expected] of table) {
    assert.deepEqual(filterRecords(columns, filter), expected, JSON.stringify(filter));
  }
  assert.deepEqual(itemLines(columns, 2), [0, 1, 2, 3]);
  assert.deepEqual(itemLines(columns, 4), [4]);
});

type V = Verdict | null;
const evalItem = (id: string, subset: string, ab: V[], ba: V[]): EvalItem => ({
  benchmark: "llmbar",
  subset,
  itemId: id,
  results: [{ key: "0", verdicts: { AB: ab, BA: ba }, thoughtLengths: [] }],
});

Deno.test("view columns: evaluation items wrong, inconsistent, tied, by subset", async () => {
  const items = [
    evalItem("right", "s", ["A"], ["B"]),
    evalItem("wrong-both", "s", ["B"], ["A"]),
    evalItem("inconsistent", "t", ["A"], ["A"]),
    evalItem("tied", "t", ["A", "B"], ["B"]),
    evalItem("unparsed", "t", [null], ["B"]),
  ];
  const path = await tempFile(items.map((r) => JSON.stringify(r)).join("\n"));
  const columns = await buildColumns(await indexLines(path), "evaluate");
  const table: [Parameters<typeof filterRecords>[1], number[]][] = [
    [{ flags: ["wrong"] }, [1, 2, 3, 4]],
    // Both-wrong agrees (same winner, the rejected one); right-then-wrong does not.
    [{ flags: ["inconsistent"] }, [2, 3, 4]],
    [{ flags: ["tied"] }, [3, 4]],
    [{ flags: ["parse failure"] }, [4]],
    [{ categories: { subset: "s" } }, [0, 1]],
    [{ categories: { subset: "t" }, flags: ["tied"] }, [3, 4]],
  ];
  for (const [filter, expected] of table) {
    assert.deepEqual(filterRecords(columns, filter), expected, JSON.stringify(filter));
  }
});

Deno.test("view compare: the paired difference is the accuracy difference; fixed and broken items", () => {
  const a = [
    evalItem("1", "s", ["A"], ["B"]),
    evalItem("2", "s", ["B"], ["A"]),
    evalItem("3", "s", ["A"], ["A"]),
  ];
  const b = [
    evalItem("1", "s", ["B"], ["A"]),
    evalItem("2", "s", ["A"], ["B"]),
    evalItem("3", "s", ["A"], ["B"]),
  ];
  const judge = (name: string, items: EvalItem[]): JudgeEvaluation => ({
    judge: name,
    run: name,
    stage: "eval",
    benchmark: "llmbar",
    summary: summarize(items),
    items,
  });
  const { columns, rows, pairs } = compareJudges([judge("a", a), judge("b", b)]);
  assert.ok(columns.includes("llmbar accuracy") && columns.includes("llmbar_natural"));
  const col = columns.indexOf("llmbar accuracy");
  assert.deepEqual(rows.map((r) => [r.judge, r.cells[col]]), [["a", 50], ["b", 100 * (2 / 3)]]);
  const [p] = pairs;
  const accuracyRow = p.rows.find((r) => r.metric === "accuracy")!;
  assert.ok(Math.abs(p.difference! - accuracyRow.delta!) < 1e-9);
  assert.deepEqual(p.fixed.map((d) => [d.itemId, d.lines]), [["2", [1, 1]], ["3", [2, 2]]]);
  assert.deepEqual(p.broken.map((d) => d.itemId), ["1"]);
  assert.ok(p.interval![0] <= p.difference! && p.difference! <= p.interval![1]);
  assert.equal(p.sharedItems, 3);
});

/** Stages without a model: `copy` passes records on, `boom` fails at its third unit. */
function testRegistry(): Record<string, StageRunner> {
  const copy = (failAt?: number): StageRunner<{ tag: string }, unknown> => ({
    task: failAt === undefined ? "copy" : "boom",
    description: "test stage",
    options: { tag: { type: "string", default: "", description: "changes the output" } },
    async *units(ctx) {
      for (const input of ctx.inputs) yield* input.records();
    },
    process(record, ctx) {
      if ((record as { n: number }).n === failAt) throw new Error("injected failure");
      return Promise.resolve({
        records: [{ ...(record as object), tag: ctx.options.tag }],
        rejects: [],
      });
    },
  });
  return { copy: copy(), boom: copy(2) } as unknown as Record<string, StageRunner>;
}

Deno.test("view runs: stage status complete, stale, partial and failed, from the run's files", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/in.jsonl`,
    [0, 1, 2, 3].map((n) => JSON.stringify({ n })).join("\n") + "\n",
  );
  const registry = testRegistry();
  const text = (tag: string) =>
    JSON.stringify({
      name: "t",
      runDir: `${dir}/run`,
      stages: [
        { id: "src", task: "copy", inputs: [`${dir}/in.jsonl`], options: { tag } },
        { id: "mid", task: "copy", inputs: ["src"] },
        { id: "last", task: "copy", inputs: ["mid"] },
        { id: "boom", task: "boom", inputs: ["src"] },
      ],
    });
  const progress = createProgress({ tty: false, write: () => {} });
  await assert.rejects(
    runPipeline(parsePipeline(text("a"), "p", registry), registry, { progress }),
  );
  let run = await readRun("t", `${dir}/run`);
  const status = () => Object.fromEntries(run.stages.map((s) => [s.id, s.status]));
  assert.deepEqual(status(), {
    src: "complete",
    mid: "complete",
    last: "complete",
    boom: "failed",
  });
  const boom = run.stages.find((s) => s.id === "boom")!;
  assert.match(boom.failure!.message, /injected failure/);
  assert.equal(boom.progress!.records, 2);
  assert.deepEqual(run.stages.map((s) => s.id).slice(0, 3), ["src", "mid", "last"]);

  // src re-runs with another output: mid read the old one, and last reads mid.
  await runPipeline(parsePipeline(text("b"), "p", registry), registry, { progress, only: "src" });
  run = await readRun("t", `${dir}/run`);
  assert.deepEqual(status(), { src: "complete", mid: "stale", last: "stale", boom: "failed" });
  assert.match(run.stages.find((s) => s.id === "mid")!.reason!, /"src" has changed/);

  // A stage killed part-way leaves its journal and no manifest.
  await Deno.remove(`${dir}/run/boom.failed.json`);
  run = await readRun("t", `${dir}/run`);
  assert.equal(status().boom, "partial");

  // A complete stage whose regression gate failed.
  const manifest: Manifest = JSON.parse(await Deno.readTextFile(`${dir}/run/last.manifest.json`));
  manifest.summary.gate = { passed: false, message: "accuracy dropped" };
  await Deno.writeTextFile(`${dir}/run/last.manifest.json`, JSON.stringify(manifest));
  run = await readRun("t", `${dir}/run`);
  assert.equal(status().last, "failed");
  assert.deepEqual((await findRuns([dir])).map((r) => r.name), ["run"]);
});

Deno.test("view server: the API reads the demo run's manifests and summary.json as written", async () => {
  const root = await demoRuns();
  const viewer = await startViewer({ paths: [root], port: 0 });
  const get = async (path: string) => {
    const res = await fetch(new URL(path, viewer.url));
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  try {
    const runs = await get("api/runs");
    assert.deepEqual(runs.map((r: { name: string }) => r.name), ["demo", "other"]);
    const rolloutManifest = JSON.parse(
      await Deno.readTextFile(`${root}/demo/rollout.manifest.json`),
    );
    const stage = await get("api/stage?run=demo&stage=rollout");
    assert.deepEqual(stage.manifest, rolloutManifest);
    assert.deepEqual(stage.counts, rolloutManifest.counts);
    assert.equal(stage.kind, "rollout");
    assert.ok(stage.charts.length >= 5);

    // Filtered records: every one has the asked parse error; the count is the manifest's.
    const [code, count] = Object.entries(rolloutManifest.summary.stats.parseErrors)[0] as [
      string,
      number,
    ];
    const page = await get(`api/records?run=demo&stage=rollout&cat.parse+error=${code}&size=500`);
    assert.equal(page.matched, count);
    assert.ok(page.rows.every((r: { record: Rollout }) => r.record.parseError === code));
    const flips = await get("api/records?run=demo&stage=rollout&flag=flipped+between+orders");
    const stats = rolloutManifest.summary.stats.byMode.pairwise;
    // Each flip marks two rollouts; the manifest's rate is over matched sample pairs.
    assert.ok(flips.matched > 0 && flips.matched % 2 === 0);
    assert.ok(stats.flipRate > 0);

    const item = await get(`api/item?run=demo&stage=rollout&line=${page.rows[0].line}`);
    assert.equal(item.pair.id, page.rows[0].record.pairId);
    assert.ok(item.rollouts.length > 8);

    // An evaluated item: its verdicts, and its instruction and responses from the benchmark data.
    const evalItem = await get("api/item?run=demo&stage=eval-judgebench&line=0");
    assert.equal(evalItem.record.itemId, evalItem.item.itemId);
    assert.ok(evalItem.item.instruction && evalItem.item.comparisons[0].chosen);

    const evalStage = await get("api/stage?run=demo&stage=eval-judgebench");
    const summary = JSON.parse(
      await Deno.readTextFile(`${root}/demo/eval-judgebench/summary.json`),
    );
    assert.deepEqual(evalStage.summary, summary);

    const cmp = await get("api/compare?e=demo/eval-judgebench&e=other/eval-judgebench");
    assert.deepEqual(cmp.rows.map((r: { judge: string }) => r.judge), ["demo", "other"]);
    const col = cmp.columns.indexOf("judgebench_score");
    assert.equal(cmp.rows[0].cells[col], summary.official.judgebench_score);
    const res = await fetch(new URL("api/stage?run=demo&stage=nope", viewer.url));
    assert.equal(res.status, 404);
    await res.body?.cancel();
  } finally {
    await viewer.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("view server: a large file's first pages come from its start while it is indexed", async () => {
  const dir = await Deno.makeTempDir();
  const n = 20_000;
  await Deno.writeTextFile(
    `${dir}/big.jsonl`,
    Array.from({ length: n }, (_, i) => JSON.stringify({ i, kind: i % 2 ? "odd" : "even" }))
      .join("\n"),
  );
  const manifest = { stage: "big", task: "copy", inputs: [], counts: { records: n, rejects: 0 } };
  await Deno.writeTextFile(`${dir}/big.manifest.json`, JSON.stringify(manifest));
  // Every file counts as large: nothing is indexed before the first answer.
  const viewer = await startViewer({ paths: [dir], port: 0, waitBytes: 0 });
  const get = async (path: string) => await (await fetch(new URL(path, viewer.url))).json();
  try {
    const name = dir.split("/").pop();
    const first = await get(`api/records?run=${name}&stage=big&page=2&size=10`);
    assert.equal(first.total, null);
    assert.deepEqual(first.rows.map((r: { line: number }) => r.line), [
      20,
      21,
      22,
      23,
      24,
      25,
      26,
      27,
      28,
      29,
    ]);
    assert.deepEqual(first.rows[0].record, { i: 20, kind: "even" });
    // A filter waits for the offsets and columns; then every count is known.
    const odd = await get(`api/records?run=${name}&stage=big&cat.kind=odd&size=1`);
    assert.equal(odd.matched, n / 2);
    assert.deepEqual(odd.rows[0], { line: 1, record: { i: 1, kind: "odd" } });
    const later = await get(`api/records?run=${name}&stage=big&page=2&size=10`);
    assert.equal(later.total, n);
    assert.deepEqual(later.rows, first.rows);
  } finally {
    await viewer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("view server: a malformed record is a 400 naming it, never a crash of the background build", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/bad.jsonl`, '{"kind":"a"}\n{"kind":\n{"kind":"b"}\n');
  await Deno.writeTextFile(`${dir}/bad.manifest.json`, JSON.stringify({ stage: "bad" }));
  const viewer = await startViewer({ paths: [dir], port: 0, waitBytes: 0 });
  const name = dir.split("/").pop();
  try {
    // The stage page starts indexing and building in the background; the build fails there.
    const stage = await fetch(new URL(`api/stage?run=${name}&stage=bad`, viewer.url));
    assert.equal(stage.status, 200);
    await stage.body?.cancel();
    const res = await fetch(new URL(`api/records?run=${name}&stage=bad&cat.kind=a`, viewer.url));
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /bad\.jsonl: record 2: expected a JSON value/);
  } finally {
    await viewer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

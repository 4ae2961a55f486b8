/**
 * Quotas count records, not units: a stage draws units in order until every quota is met, and
 * its output is the same whatever ran concurrently, across a resume, and with a failure past
 * the stopping point.
 */
import assert from "node:assert/strict";
import { executeStage, readJournal, stagePaths, StageStopped } from "../lib/pipeline/execute.ts";
import { quotaByKey } from "../lib/pipeline/quota.ts";
import type { StageRunner, UnitResult } from "../lib/pipeline/stage.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { startSim } from "../lib/sim/mod.ts";
import { stages } from "../lib/stages/mod.ts";
import type { Pair } from "../lib/records.ts";
import { testContext } from "./helpers/stage.ts";

type Item = { kind: string; i: number };
const QUOTAS = { x: 4, y: 6 };
const kindOfUnit = (i: number) => (i % 3 === 0 ? "x" : "y");

/** Units 0..n-1; every fourth is rejected; the others make one record of the unit's kind. */
function numberStage(
  opts: { concurrency: number; failAt?: number; processed?: number[] },
): StageRunner<Record<string, never>, number, Item> {
  let failed = false;
  return {
    task: "numbers",
    description: "test stage",
    options: {},
    async *units() {
      for (let i = 0; i < 60; i++) yield i;
    },
    concurrency: () => opts.concurrency,
    quota: () => quotaByKey<number, Item>(QUOTAS, kindOfUnit, (r) => r.kind),
    async process(i): Promise<UnitResult<Item>> {
      opts.processed?.push(i);
      // Units finish out of order: a unit-dependent number of turns.
      for (let k = 0; k < (i * 7) % 11; k++) await Promise.resolve();
      if (i === opts.failAt && !failed) {
        failed = true;
        throw new Error("injected failure");
      }
      if (i % 4 === 0) return { records: [], rejects: [{ reason: "fourth", record: i }] };
      return { records: [{ kind: kindOfUnit(i), i }], rejects: [] };
    },
  };
}

/** What the quota means, computed one unit at a time. */
function reference(): { records: Item[]; rejects: number[]; units: number } {
  const counts: Record<string, number> = { x: 0, y: 0 };
  const met = () => counts.x >= QUOTAS.x && counts.y >= QUOTAS.y;
  const records: Item[] = [];
  const rejects: number[] = [];
  let units = 0;
  for (let i = 0; i < 60 && !met(); i++, units++) {
    const kind = kindOfUnit(i);
    if (counts[kind] >= QUOTAS[kind as "x" | "y"]) continue;
    if (i % 4 === 0) rejects.push(i);
    else {
      records.push({ kind, i });
      counts[kind]++;
    }
  }
  return { records, rejects, units };
}

async function execute(runner: StageRunner<Record<string, never>, number, Item>, dir: string) {
  const paths = stagePaths(dir, "numbers");
  const journal = await readJournal(paths.journal, "key");
  const result = await executeStage(runner, testContext({}, []), paths, "key", journal);
  const lines = (file: string) =>
    Deno.readTextFile(file).then((t) => t.split("\n").filter(Boolean).map((l) => JSON.parse(l)));
  return {
    result,
    records: await lines(paths.output) as Item[],
    rejects: (await lines(paths.rejects)).map((r) => r.record as number),
  };
}

Deno.test("quota: the first units that meet it, in unit order, whatever the concurrency", async () => {
  const expected = reference();
  assert.deepEqual(expected.records.filter((r) => r.kind === "x").length, 4);
  assert.equal(expected.units, 16, "the last x record is unit 15");
  for (const concurrency of [1, 3, 16]) {
    const processed: number[] = [];
    const dir = await Deno.makeTempDir();
    const { result, records, rejects } = await execute(
      numberStage({ concurrency, processed }),
      dir,
    );
    assert.deepEqual(records, expected.records, `concurrency ${concurrency}`);
    assert.deepEqual(rejects, expected.rejects);
    assert.equal(result.units, expected.units);
    if (concurrency === 1) {
      // One at a time: only wanted units run, and none past the stopping point.
      const yBefore = (i: number) => expected.records.filter((r) => r.kind === "y" && r.i < i);
      const wanted: number[] = [];
      for (let i = 0; i < expected.units; i++) {
        if (kindOfUnit(i) === "x" || yBefore(i).length < QUOTAS.y) wanted.push(i);
      }
      assert.deepEqual(processed, wanted);
    }
  }
});

Deno.test("quota: a stopped stage resumes to the same output; a failure past the stop is ignored", async () => {
  const expected = reference();
  const dir = await Deno.makeTempDir();
  await assert.rejects(execute(numberStage({ concurrency: 4, failAt: 9 }), dir), StageStopped);
  const again = await execute(numberStage({ concurrency: 4 }), dir);
  assert.ok(again.result.resumedUnits > 0 && again.result.resumedUnits < expected.units);
  assert.deepEqual(again.records, expected.records);
  assert.deepEqual(again.rejects, expected.rejects);

  const late = await execute(numberStage({ concurrency: 8, failAt: 17 }), await Deno.makeTempDir());
  assert.deepEqual(late.records, expected.records);
});

const quiet = createProgress({ tty: false, write: () => {} });

/** Runs seeds (with `seedsOptions`) → synth (with `synthOptions`) on the simulator. */
async function runSynthPipeline(
  url: string,
  inputs: string[],
  seedsOptions: Record<string, unknown>,
  synthOptions: Record<string, unknown>,
) {
  const dir = await Deno.makeTempDir();
  const text = JSON.stringify({
    name: "q",
    runDir: `${dir}/run`,
    cache: null,
    endpoints: { gen: { baseUrl: url, model: "sim" } },
    stages: [
      { id: "seeds", task: "seeds", inputs, options: seedsOptions },
      {
        id: "synth",
        task: "synth",
        inputs: ["seeds"],
        options: { generator: "gen", ...synthOptions },
      },
    ],
  });
  const outcomes = await runPipeline(parsePipeline(text, "q.jsonc", stages), stages, {
    progress: quiet,
  });
  const manifest = outcomes[1].manifest!;
  return { manifest, output: await Deno.readTextFile(manifest.output) };
}

Deno.test("synth quota: exactly N chat and M math pairs from an over-sampled seeds stage", async () => {
  const sim = await startSim({ seed: 3 });
  try {
    const run = (concurrency: number) =>
      runSynthPipeline(
        sim.url,
        ["fixtures/seeds/chat.jsonl", "fixtures/seeds/math.json"],
        { mix: { chat: 25, verifiable: 15 } },
        { quota: { chat: 10, verifiable: 4 }, concurrency },
      );
    const one = await run(1);
    const many = await run(8);
    const pairs = one.output.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Pair);
    assert.equal(pairs.filter((p) => p.kind === "chat").length, 10);
    assert.equal(pairs.filter((p) => p.kind === "verifiable").length, 4);
    assert.deepEqual(one.manifest.summary.quota, {
      chat: { quota: 10, pairs: 10, shortfall: 0 },
      verifiable: { quota: 4, pairs: 4, shortfall: 0 },
    });
    // More seeds were drawn than pairs made (some gave none), fewer than were sampled.
    assert.ok(one.manifest.counts.units > 14 && one.manifest.counts.units < 40);
    assert.equal(many.output, one.output);
    assert.equal(many.manifest.counts.units, one.manifest.counts.units);
  } finally {
    await sim.close();
  }
});

Deno.test("synth quota: seeds running out leave a shortfall in the summary", async () => {
  const sim = await startSim({ seed: 3 });
  try {
    const { manifest } = await runSynthPipeline(sim.url, ["fixtures/seeds/math.json"], {}, {
      quota: { verifiable: 500 },
    });
    const summary = manifest.summary.quota as Record<string, { shortfall: number }>;
    assert.ok(summary.verifiable.shortfall > 480);
  } finally {
    await sim.close();
  }
});

Deno.test("synth quota: only chat and verifiable counts are accepted", () => {
  const text = `{ "stages": [\n  { "id": "s", "task": "synth", "inputs": ["x.jsonl"],\n` +
    `    "options": { "quota": { "math": 5000 } } }\n] }`;
  assert.throws(
    () => parsePipeline(text, "p.jsonc", stages, () => true),
    /p\.jsonc:3:27: expected option "quota": keys among "chat", "verifiable", found "math"/,
  );
});

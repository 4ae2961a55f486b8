import assert from "node:assert/strict";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { StageStopped } from "../lib/pipeline/execute.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import type { StageRunner } from "../lib/pipeline/stage.ts";
import type { SeedPrompt } from "../lib/records.ts";
import { startSim } from "../lib/sim/mod.ts";
import { seedsStage } from "../lib/stages/seeds.ts";

/** A stage that asks the endpoint about every seed; can be told to fail once at a unit. */
function askStage(failAt?: { unit: number; failed: boolean }): StageRunner {
  const runner: StageRunner<{ judge: string; samples: number; workers: number }, SeedPrompt> = {
    task: "ask",
    description: "test stage",
    options: {
      judge: { type: "endpoint", default: "default", description: "endpoint" },
      samples: { type: "integer", default: 2, description: "samples" },
      workers: { type: "integer", default: 4, min: 1, runtime: true, description: "units at once" },
    },
    async *units(ctx) {
      for (const input of ctx.inputs) yield* input.records() as AsyncIterable<SeedPrompt>;
    },
    concurrency: (ctx) => ctx.options.workers,
    async process(seed, ctx) {
      const text = typeof seed.instruction === "string" ? seed.instruction : "multi-turn";
      if (failAt && !failAt.failed && text.includes(`#${failAt.unit} `)) {
        failAt.failed = true;
        throw new Error("injected failure");
      }
      const out = await ctx.llm(ctx.options.judge).complete([{ role: "user", content: text }], {
        n: ctx.options.samples,
        seed: 1,
        temperature: 1,
      });
      return { records: [{ id: seed.id, texts: out.map((c) => c.text) }], rejects: [] };
    },
    finish: async (_ctx, output) => ({ n: (await Array.fromAsync(output())).length }),
  };
  return runner as unknown as StageRunner;
}

const quiet = createProgress({ tty: false, write: () => {} });

async function setup(dir: string, n: number) {
  const lines = Array.from(
    { length: n },
    (_, i) => JSON.stringify({ prompt: `Question #${i} about topic ${i * 7}` }),
  );
  await Deno.writeTextFile(`${dir}/seeds.jsonl`, lines.join("\n") + "\n");
}

function pipelineText(dir: string, url: string, minChars = 1): string {
  return JSON.stringify({
    name: "t",
    runDir: `${dir}/run`,
    cache: `${dir}/cache.sqlite`,
    endpoints: { default: { baseUrl: url, model: "sim" } },
    stages: [
      { id: "seeds", task: "seeds", inputs: [`${dir}/seeds.jsonl`], options: { minChars } },
      { id: "ask", task: "ask", inputs: ["seeds"] },
    ],
  });
}

Deno.test("run: manifests, up-to-date skip with zero requests, config change re-runs downstream", async () => {
  const dir = await Deno.makeTempDir();
  await setup(dir, 12);
  const sim = await startSim({ seed: 2 });
  try {
    const registry = { seeds: seedsStage, ask: askStage() };
    const lines: string[] = [];
    const progress = createProgress({ tty: false, write: (t) => lines.push(t) });
    const run = (minChars = 1) =>
      runPipeline(parsePipeline(pipelineText(dir, sim.url, minChars), "p", registry), registry, {
        progress,
      });
    const first = await run();
    // Requests and cache hits in one line, cache hits counted in samples like the requests'.
    assert.ok(
      lines.some((l) =>
        /^ask: 12 records, 0 rejected, 12 requests \(24 samples\), 0 samples from the cache/.test(l)
      ),
      lines.join(""),
    );
    assert.deepEqual(first.map((o) => o.status), ["ran", "ran"]);
    const ask = first[1].manifest!;
    assert.equal(ask.counts.records, 12);
    assert.equal(ask.usage.requests, 12);
    assert.equal(ask.usage.samples, 24, "cache hits are samples, so requests' samples are counted");
    assert.ok(ask.usage.promptTokens > 0 && ask.usage.completionTokens > 0);
    assert.deepEqual(ask.summary, { n: 12 });
    const { seconds, unitsSeconds, finishSeconds } = ask.timings;
    assert.ok(unitsSeconds > 0 && finishSeconds >= 0, JSON.stringify(ask.timings));
    assert.ok(unitsSeconds + finishSeconds <= seconds, "units and finish are parts of the stage");
    const requests = sim.stats().requests["POST /v1/chat/completions"];

    const second = await run();
    assert.deepEqual(second.map((o) => o.status), ["up-to-date", "up-to-date"]);
    assert.equal(sim.stats().requests["POST /v1/chat/completions"], requests);

    // A changed option of the first stage re-runs it and what depends on it; the cache
    // answers every request again.
    const third = await run(2);
    assert.deepEqual(third.map((o) => o.status), ["ran", "ran"]);
    assert.equal(third[1].manifest!.usage.cacheHits, 24);
    assert.equal(third[1].manifest!.usage.samples, 0);
    assert.match(lines.at(-1)!, /0 requests \(0 samples\), 24 samples from the cache/);
    assert.equal(sim.stats().requests["POST /v1/chat/completions"], requests);
  } finally {
    await sim.close();
  }
});

Deno.test("run: a stage stopped mid-way resumes; output equals an uninterrupted run, no request repeated", async () => {
  const sim = await startSim({ seed: 5 });
  try {
    const clean = await Deno.makeTempDir();
    await setup(clean, 40);
    const cleanRegistry = { seeds: seedsStage, ask: askStage() };
    await runPipeline(
      parsePipeline(pipelineText(clean, sim.url), "p", cleanRegistry),
      cleanRegistry,
      { progress: quiet },
    );
    const cleanRequests = sim.stats().requests["POST /v1/chat/completions"];

    const dir = await Deno.makeTempDir();
    await setup(dir, 40);
    const failAt = { unit: 23, failed: false };
    const registry = { seeds: seedsStage, ask: askStage(failAt) };
    const config = () => parsePipeline(pipelineText(dir, sim.url), "p", registry);
    await assert.rejects(runPipeline(config(), registry, { progress: quiet }), StageStopped);
    const partial = await Deno.readTextFile(`${dir}/run/ask.jsonl`);
    const kept = partial.split("\n").filter(Boolean).length;
    assert.ok(kept > 0 && kept < 40, `kept ${kept}`);
    await assert.rejects(Deno.stat(`${dir}/run/ask.manifest.json`));

    const resumed = await runPipeline(config(), registry, { progress: quiet });
    assert.equal(resumed[1].status, "resumed");
    assert.equal(resumed[1].manifest!.timings.resumedAfterUnits, kept);
    assert.equal(
      await Deno.readTextFile(`${dir}/run/ask.jsonl`),
      await Deno.readTextFile(`${clean}/run/ask.jsonl`),
    );
    const lines = (await Deno.readTextFile(`${dir}/run/ask.jsonl`)).split("\n").filter(Boolean);
    assert.equal(new Set(lines.map((l) => JSON.parse(l).id)).size, 40);
    // Each seed's request was made once across both attempts (40), like the clean run.
    assert.equal(sim.stats().requests["POST /v1/chat/completions"] - cleanRequests, 40);
    assert.equal(cleanRequests, 40);
  } finally {
    await sim.close();
  }
});

Deno.test("run: a torn journal line is ignored and the files are truncated to the last entry", async () => {
  const sim = await startSim({ seed: 5 });
  try {
    const dir = await Deno.makeTempDir();
    await setup(dir, 10);
    const registry = { seeds: seedsStage, ask: askStage({ unit: 6, failed: false }) };
    const config = () => parsePipeline(pipelineText(dir, sim.url), "p", registry);
    await assert.rejects(runPipeline(config(), registry, { progress: quiet }), StageStopped);
    // Simulate a crash mid-write: half a record in the output, half an entry in the journal.
    await Deno.writeTextFile(`${dir}/run/ask.jsonl`, '{"id":"torn', { append: true });
    await Deno.writeTextFile(`${dir}/run/ask.journal`, '{"units":9', { append: true });
    await runPipeline(config(), registry, { progress: quiet });
    const lines = (await Deno.readTextFile(`${dir}/run/ask.jsonl`)).split("\n").filter(Boolean);
    assert.equal(lines.length, 10);
    lines.forEach((l) => JSON.parse(l));
  } finally {
    await sim.close();
  }
});

Deno.test("run: --only needs completed inputs; --dry-run runs nothing", async () => {
  const dir = await Deno.makeTempDir();
  await setup(dir, 3);
  const registry = { seeds: seedsStage, ask: askStage() };
  const config = parsePipeline(pipelineText(dir, "http://127.0.0.1:9/v1"), "p", registry);
  const lines: string[] = [];
  const progress = createProgress({ tty: false, write: (t) => lines.push(t) });
  await runPipeline(config, registry, { dryRun: true, progress });
  assert.ok(lines.some((l) => /seeds \[seeds\].* → run/.test(l)), lines.join(""));
  await assert.rejects(Deno.stat(`${dir}/run/seeds.jsonl`));
  await assert.rejects(
    runPipeline(config, registry, { only: "ask", progress: quiet }),
    /needs the output of stage "seeds", which has not completed/,
  );
});

Deno.test("run: a runtime option (units at once) changes no record, so it re-runs nothing", async () => {
  const dir = await Deno.makeTempDir();
  await setup(dir, 6);
  const sim = await startSim({ seed: 2 });
  try {
    const registry = { seeds: seedsStage, ask: askStage() };
    const run = (workers: number) => {
      const config = JSON.parse(pipelineText(dir, sim.url));
      config.stages[1].options = { workers };
      return runPipeline(parsePipeline(JSON.stringify(config), "p", registry), registry, {
        progress: quiet,
      });
    };
    assert.deepEqual((await run(4)).map((o) => o.status), ["ran", "ran"]);
    const requests = sim.stats().requests["POST /v1/chat/completions"];
    assert.deepEqual((await run(1)).map((o) => o.status), ["up-to-date", "up-to-date"]);
    assert.equal(sim.stats().requests["POST /v1/chat/completions"], requests);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

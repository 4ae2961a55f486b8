import assert from "node:assert/strict";
import { readJsonl, writeJsonl } from "../lib/io/jsonl.ts";
import {
  type BatchSink,
  importBatchOutput,
  parseCustomId,
  RequestDeferred,
} from "../lib/llm/batch.ts";
import { createLlmClient, endpointDefaults, openCache, promptKey } from "../lib/llm/mod.ts";
import { runStageCli } from "../lib/pipeline/cli.ts";
import { loadPipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import type { Message } from "../lib/records.ts";
import { type SimServer, startSim } from "../lib/sim/mod.ts";
import { stages } from "../lib/stages/mod.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { type BatchLine, runBatch } from "./helpers/batch.ts";
import { givenPair } from "./helpers/pairs.ts";
import { rolloutPipeline } from "./helpers/rollout_pipeline.ts";

const lines: string[] = [];
const progress = createProgress({ tty: false, write: (text) => void lines.push(text) });
const chatRequests = (sim: SimServer) => sim.stats().requests["POST /v1/chat/completions"] ?? 0;

function pipeline(dir: string, baseUrl: string) {
  const again = { id: "again", task: "rollout", inputs: ["rollout"], options: { judge: "judge" } };
  return rolloutPipeline(dir, { baseUrl }, 3, [{
    ...again,
    options: { ...again.options, samples: 1, exports: [] },
  }]);
}

Deno.test("batch: export → run elsewhere → import completes the stage with no request; failed lines stay pending", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 2 });
  try {
    // A live run of the same pipeline, for the records to compare with.
    const live = await runPipeline(pipeline(`${dir}/live`, sim.url), stages, { progress });
    const liveRecords = await Deno.readTextFile(live[1].manifest!.output);
    const asked = chatRequests(sim);

    // Export: nothing is sent; the stage is pending and has no manifest; its dependant waits.
    const file = `${dir}/requests.jsonl`;
    const exported = await runPipeline(pipeline(dir, "http://127.0.0.1:9/v1"), stages, {
      progress,
      batchExport: file,
    });
    assert.deepEqual(exported.map((o) => o.status), ["ran", "pending", "pending"]);
    assert.equal(exported[1].manifest, undefined);
    const requests = await Array.fromAsync(readJsonl<BatchLine>(file));
    assert.equal(requests.length, 6 * 2, "6 pairs × 2 orders, one n request each");
    for (const r of requests) {
      assert.equal(r.method, "POST");
      assert.equal(r.url, "/v1/chat/completions");
      assert.equal(r.body.model, "m");
      assert.equal(r.body.n, 3);
      const id = parseCustomId(r.custom_id)!;
      assert.equal(id.seed, r.body.seed, "custom_id = prompt key and first seed");
      assert.equal(
        id.key,
        promptKey({
          model: "m",
          messages: r.body.messages as Message[],
          temperature: 1,
          topP: 1,
          maxTokens: 4096,
        }),
      );
    }
    assert.equal(chatRequests(sim), asked, "the export sent nothing");

    // The batch runs elsewhere; one request expires. Import + export again: one unit pending.
    const output = `${dir}/output.jsonl`;
    const failing = requests[5].custom_id;
    await runBatch(file, sim.url, output, (line) => line.custom_id === failing);
    const retry = `${dir}/retry.jsonl`;
    lines.length = 0;
    const second = await runPipeline(pipeline(dir, "http://127.0.0.1:9/v1"), stages, {
      progress,
      batchImport: [output],
      batchExport: retry,
    });
    assert.deepEqual(second.map((o) => o.status), ["up-to-date", "pending", "pending"]);
    assert.match(lines.join(""), /batch import: 11 response\(s\) from 12 line\(s\); 1 failed/);
    assert.match(lines.join(""), /output\.jsonl:\d+: error: batch_expired: This request could not/);
    assert.match(lines.join(""), /rollout: 1 of 6 unit\(s\) wait for batch output/);
    const left = await Array.fromAsync(readJsonl<BatchLine>(retry));
    assert.deepEqual(left.map((l) => l.custom_id), [failing]);

    // Its output imported (with the first file again: idempotent), the stage completes offline.
    const output2 = `${dir}/output2.jsonl`;
    await runBatch(retry, sim.url, output2);
    const third = await runPipeline(pipeline(dir, "http://127.0.0.1:9/v1"), stages, {
      progress,
      batchImport: [output, output2],
      batchExport: `${dir}/next.jsonl`,
    });
    assert.deepEqual(third.map((o) => o.status), ["up-to-date", "ran", "ran"], "its dependant ran");
    const manifest = third[1].manifest!;
    assert.equal(manifest.usage.requests, 0);
    assert.equal(manifest.usage.cacheHits, 6 * 2 * 3);
    assert.equal(await Deno.readTextFile(manifest.output), liveRecords, "same records as live");
    assert.equal((await Array.fromAsync(readJsonl(`${dir}/next.jsonl`))).length, 0);
  } finally {
    await sim.close();
  }
});

Deno.test("batch: a deferred call exports only the samples the cache lacks, with their seeds", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 1 });
  const cache = await openCache(`${dir}/cache.sqlite`);
  try {
    const ask: Message[] = [{ role: "user", content: "Name three rivers." }];
    const endpoint = endpointDefaults({ name: "j", baseUrl: sim.url, model: "m" });
    await createLlmClient(endpoint, { cache }).complete(ask, { n: 2, seed: 10 });
    for (const nSampling of ["native", "separate"] as const) {
      const added: [string, Record<string, unknown>][] = [];
      const sink: BatchSink = { add: (id, body) => void added.push([id, body]) };
      const client = createLlmClient({ ...endpoint, baseUrl: [], nSampling }, {
        cache,
        defer: sink,
      });
      await assert.rejects(client.complete(ask, { n: 5, seed: 10 }), RequestDeferred);
      const asked = added.map(([id, body]) => [parseCustomId(id)!.seed, body.seed, body.n]);
      assert.deepEqual(
        asked,
        nSampling === "native"
          ? [[12, 12, 3]]
          : [[12, 12, undefined], [13, 13, undefined], [14, 14, undefined]],
      );
    }
  } finally {
    await cache.close();
    await sim.close();
  }
});

Deno.test("batch: import reports lines that are not ours or not answers, and stores nothing for them", async () => {
  const dir = await Deno.makeTempDir();
  const cache = await openCache(`${dir}/cache.sqlite`);
  const id = "q".repeat(43) + ".5";
  await writeJsonl(`${dir}/out.jsonl`, [
    { custom_id: "request-1", response: { status_code: 200, body: {} } },
    { custom_id: id, response: { status_code: 400, body: { error: { message: "too long" } } } },
    { custom_id: id, response: { status_code: 200, body: { choices: [] } } },
    // vLLM's runner: a string error, or its error body, with status 400 and no body.
    { id: "vllm-1", custom_id: id, response: { status_code: 400 }, error: "bad seed" },
    {
      id: "vllm-2",
      custom_id: id,
      response: { status_code: 400, body: null },
      error: { error: { message: "prompt too long", type: "BadRequestError", code: 400 } },
    },
  ]);
  const result = await importBatchOutput([`${dir}/out.jsonl`], cache);
  await cache.close();
  assert.equal(result.stored, 0);
  assert.deepEqual(result.failed.map((f) => f.reason.slice(0, 30)), [
    "expected a custom_id written b",
    "HTTP 400: too long",
    "malformed response (expected a",
    "error: bad seed",
    "error: prompt too long",
  ]);
  assert.deepEqual(
    result.failed.map((f) => f.at),
    [1, 2, 3, 4, 5].map((n) => `${dir}/out.jsonl:${n}`),
  );
});

Deno.test("batch: a stage CLI exports without --base-url, refuses it without a cache, and takes replicas", async () => {
  const dir = await Deno.makeTempDir();
  const pairs = `${dir}/pairs.jsonl`;
  await writeJsonl(pairs, [givenPair("p0", "Name a metal.", "Copper.", "Blue.")]);
  const base = ["--input", pairs, "--model", "m", "--samples", "2", "--exports", ""];
  const exportArgs = ["--batch-export", `${dir}/b.jsonl`, "--out", `${dir}/a`];
  assert.equal(await runStageCli(rolloutStage, [...base, ...exportArgs]), 0);
  assert.equal((await Array.fromAsync(readJsonl(`${dir}/b.jsonl`))).length, 2);
  assert.equal(await runStageCli(rolloutStage, [...base, ...exportArgs, "--no-cache"]), 2);

  const [a, b] = await Promise.all([startSim(), startSim()]);
  try {
    const urls = ["--base-url", a.url, "--base-url", b.url, "--concurrency", "1"];
    assert.equal(await runStageCli(rolloutStage, [...base, ...urls, "--out", `${dir}/c`]), 0);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/c/rollout.manifest.json`));
    assert.deepEqual(manifest.replicas.default.map((r: { requests: number }) => r.requests), [
      1,
      1,
    ]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

Deno.test("batch: the demo pipeline completes by export → offline run → import rounds alone, with the records of a live run", async () => {
  const dir = await Deno.makeTempDir();
  const live = await loadPipeline("pipeline.jsonc", stages);
  live.runDir = `${dir}/live`;
  live.cache = `${dir}/live.sqlite`;
  const liveOutcomes = await runPipeline(live, stages, { progress });
  // The demo starts its simulator with seed 7; the offline runner uses one alike.
  const sim = await startSim({ seed: 7 });
  try {
    const config = await loadPipeline("pipeline.jsonc", stages);
    config.runDir = `${dir}/batch`;
    config.cache = `${dir}/batch.sqlite`;
    const outputs: string[] = [];
    const requestsPerRound: number[] = [];
    let outcomes;
    for (let round = 0; round < 5; round++) {
      const requests = `${dir}/requests-${round}.jsonl`;
      outcomes = await runPipeline(config, stages, {
        progress,
        batchImport: outputs,
        batchExport: requests,
      });
      const sent = await runBatch(requests, sim.url, `${dir}/output-${round}.jsonl`);
      if (!sent.length) break;
      requestsPerRound.push(sent.length);
      outputs.push(`${dir}/output-${round}.jsonl`);
    }
    assert.ok(outcomes!.every((o) => o.status !== "pending"), JSON.stringify(outcomes));
    // 1: synth's first requests (modified instructions, math solutions) and the evaluations;
    // 2: synth's answers to the modified instructions; 3: the rollouts of synth's pairs.
    assert.equal(requestsPerRound.length, 3, `requests per round: ${requestsPerRound}`);
    assert.equal(chatRequests(sim), requestsPerRound.reduce((a, b) => a + b, 0));
    for (const [i, o] of outcomes!.entries()) {
      const expected = liveOutcomes[i].manifest!;
      assert.equal(o.manifest!.outputHash, expected.outputHash, o.id);
    }
  } finally {
    await sim.close();
  }
});

import assert from "node:assert/strict";
import { EndpointError } from "../lib/errors.ts";
import { writeJsonl } from "../lib/io/jsonl.ts";
import { batchCustomId, endpointDefaults, openCache, runOpenAiBatch } from "../lib/llm/mod.ts";
import { StageStopped } from "../lib/pipeline/execute.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { startSim } from "../lib/sim/mod.ts";
import { runStageCli } from "../lib/pipeline/cli.ts";
import { stages } from "../lib/stages/mod.ts";
import { rolloutStage } from "../lib/stages/rollout.ts";
import { givenPair } from "./helpers/pairs.ts";
import { rolloutPipeline } from "./helpers/rollout_pipeline.ts";

const quiet = createProgress({ tty: false, write: () => {} });

interface FakeBatch {
  id: string;
  object: "batch";
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  created_at: number;
  output_file_id?: string;
  error_file_id?: string;
  request_counts: { total: number; completed: number; failed: number };
}

/**
 * A small stand-in for the OpenAI Batch API (files and batches routes) that answers each
 * request line with the chat server at `chat`. A batch moves validating → in_progress →
 * completed over three polls; `expire(line)` picks lines that go to the error file instead;
 * the first `failPolls` polls answer 500; `instant` batches are completed when created.
 */
function fakeBatchApi(
  chat: string,
  expire: (customId: string) => boolean,
  failPolls = 0,
  instant = false,
) {
  const files = new Map<string, string>();
  const batches = new Map<string, FakeBatch>();
  const counts = { uploads: 0, creates: 0, polls: 0 };
  const addFile = (text: string) => {
    const id = `file-${files.size + 1}`;
    files.set(id, text);
    return id;
  };
  const server = Deno.serve({ port: 0, onListen: () => {} }, async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/v1/files") {
      const form = await request.formData();
      assert.equal(form.get("purpose"), "batch");
      const id = addFile(await (form.get("file") as File).text());
      counts.uploads++;
      return Response.json({ id, object: "file", purpose: "batch", bytes: 1, created_at: 0 });
    }
    if (request.method === "POST" && pathname === "/v1/batches") {
      const body = await request.json();
      assert.equal(body.endpoint, "/v1/chat/completions");
      assert.equal(body.completion_window, "24h");
      counts.creates++;
      const total = files.get(body.input_file_id)!.trim().split("\n").length;
      const batch: FakeBatch = {
        id: `batch_${batches.size + 1}`,
        object: "batch",
        endpoint: body.endpoint,
        input_file_id: body.input_file_id,
        completion_window: "24h",
        status: "validating",
        created_at: 0,
        request_counts: { total, completed: 0, failed: 0 },
      };
      batches.set(batch.id, batch);
      if (instant) await complete(batch);
      return Response.json(batch);
    }
    if (request.method === "GET" && pathname === "/v1/batches") {
      const data = [...batches.values()].reverse();
      return Response.json({ object: "list", data, has_more: false });
    }
    const batchId = pathname.match(/^\/v1\/batches\/([\w-]+)$/)?.[1];
    if (request.method === "GET" && batchId) {
      if (counts.polls++ < failPolls) {
        return Response.json({ error: { message: "internal error" } }, { status: 500 });
      }
      const batch = batches.get(batchId)!;
      if (batch.status === "validating") batch.status = "in_progress";
      else if (batch.status === "in_progress") await complete(batch);
      return Response.json(batch);
    }
    const fileId = pathname.match(/^\/v1\/files\/([\w-]+)\/content$/)?.[1];
    if (request.method === "GET" && fileId && files.has(fileId)) {
      return new Response(files.get(fileId));
    }
    return Response.json({ error: { message: `no route ${pathname}` } }, { status: 404 });
  });
  const complete = async (batch: FakeBatch) => {
    const out: string[] = [];
    const errors: string[] = [];
    for (const text of files.get(batch.input_file_id)!.trim().split("\n")) {
      const line = JSON.parse(text);
      if (expire(line.custom_id)) {
        errors.push(JSON.stringify({
          id: "batch_req_x",
          custom_id: line.custom_id,
          response: null,
          error: { code: "batch_expired", message: "not executed before the window expired" },
        }));
        continue;
      }
      const answer = await fetch(`${chat}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(line.body),
      });
      out.push(JSON.stringify({
        id: "batch_req_y",
        custom_id: line.custom_id,
        response: { status_code: answer.status, request_id: "r", body: await answer.json() },
        error: null,
      }));
    }
    batch.status = "completed";
    batch.request_counts = { total: out.length + errors.length, completed: out.length, failed: 0 };
    batch.output_file_id = addFile(out.reverse().join("\n") + "\n");
    if (errors.length) batch.error_file_id = addFile(errors.join("\n") + "\n");
  };
  return { url: `http://127.0.0.1:${server.addr.port}/v1`, counts, files, server };
}

function pipeline(dir: string, baseUrl: string, batchApi: boolean) {
  const api = batchApi ? { batchApi, batchPollSeconds: 0 } : {};
  return rolloutPipeline(dir, { baseUrl, maxRetries: 0, ...api }, 2);
}

Deno.test("batch api: upload, create, poll, download, import; a failed run resumes its batch instead of paying twice", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 4 });
  let expired: string | undefined;
  // The first request line of the first batch expires; the first poll fails like a dropped run.
  const api = fakeBatchApi(sim.url, (id) => (expired ??= id) === id && api.counts.creates === 1, 1);
  try {
    const live = await runPipeline(pipeline(`${dir}/live`, sim.url, false), stages, {
      progress: quiet,
    });
    const liveRecords = await Deno.readTextFile(live[1].manifest!.output);

    const failed = await runPipeline(pipeline(dir, api.url, true), stages, { progress: quiet })
      .then(() => assert.fail("expected the poll's 500 to stop the run"), (err) => err);
    assert.ok(failed instanceof EndpointError || failed instanceof StageStopped, String(failed));
    assert.deepEqual([api.counts.uploads, api.counts.creates], [1, 1]);
    const state = JSON.parse(await Deno.readTextFile(`${dir}/run/rollout.batch/judge.state.json`));
    assert.equal(state.parts[0].batchId, "batch_1", "the batch id is kept in the run folder");

    const outcomes = await runPipeline(pipeline(dir, api.url, true), stages, { progress: quiet });
    assert.equal(outcomes[1].status, "ran");
    // Round 1 resumed batch_1 (11 answered, 1 expired); round 2 sent the expired one alone.
    assert.deepEqual([api.counts.uploads, api.counts.creates], [2, 2]);
    assert.equal(api.files.get("file-4")!.trim().split("\n").length, 1, "round 2: one request");
    const manifest = outcomes[1].manifest!;
    assert.equal(manifest.usage.requests, 0, "no live request");
    assert.equal(await Deno.readTextFile(manifest.output), liveRecords);
    assert.ok(!(await Deno.stat(`${dir}/run/rollout.batch/judge.state.json`).catch(() => false)));
  } finally {
    await api.server.shutdown();
    await sim.close();
  }
});

Deno.test("batch api: a part whose batch was created but not yet recorded is found by its input file, not created again", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 4 });
  const api = fakeBatchApi(sim.url, () => false);
  const cache = await openCache(`${dir}/cache.sqlite`);
  try {
    const requests = `${dir}/requests.jsonl`;
    const body = { model: "m", messages: [{ role: "user", content: "Hi" }], seed: 3 };
    await writeJsonl(requests, [{
      custom_id: batchCustomId("ab".repeat(32), 3),
      method: "POST",
      url: "/v1/chat/completions",
      body,
    }]);
    // A run killed between creating the batch and saving its id: the state knows the file only.
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", new Blob([await Deno.readTextFile(requests)]), "requests.jsonl");
    const { id } = await (await fetch(`${api.url}/files`, { method: "POST", body: form })).json();
    await fetch(`${api.url}/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        input_file_id: id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      }),
    });
    const stateFile = `${dir}/judge.state.json`;
    await Deno.writeTextFile(
      stateFile,
      JSON.stringify({ requests, parts: [{ inputFileId: id }], uploaded: true }),
    );
    const endpoint = endpointDefaults({ name: "judge", baseUrl: api.url, model: "m" });
    const result = await runOpenAiBatch(endpoint, requests, {
      cache,
      stateFile,
      pollMs: 0,
      log: () => {},
    });
    assert.deepEqual([result.stored, api.counts.uploads, api.counts.creates], [1, 1, 1]);
  } finally {
    await cache.close();
    await api.server.shutdown();
    await sim.close();
  }
});

Deno.test("batch api: a stage CLI takes --batch-api", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 4 });
  const api = fakeBatchApi(sim.url, () => false, 0, true);
  try {
    const pairs = `${dir}/pairs.jsonl`;
    await writeJsonl(pairs, [givenPair("p0", "Name a metal.", "Copper.", "Blue.")]);
    const code = await runStageCli(rolloutStage, [
      ...["--input", pairs, "--base-url", api.url, "--model", "m", "--batch-api"],
      ...["--samples", "2", "--exports", "", "--out", dir],
    ]);
    assert.equal(code, 0);
    assert.deepEqual([api.counts.uploads, api.counts.creates], [1, 1]);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/rollout.manifest.json`));
    assert.deepEqual([manifest.counts.records, manifest.usage.requests], [4, 0]);
  } finally {
    await api.server.shutdown();
    await sim.close();
  }
});

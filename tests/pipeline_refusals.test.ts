import assert from "node:assert/strict";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { StageRefused } from "../lib/pipeline/execute.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { startSim } from "../lib/sim/mod.ts";
import { stages } from "../lib/stages/mod.ts";

const quiet = createProgress({ tty: false, write: () => {} });

/** An OpenAI-compatible server that refuses (404, like a mistyped model) the prompts `refuse` picks. */
function refusingServer(refuse: (prompt: string) => boolean, sim: string) {
  return Deno.serve({ port: 0, onListen: () => {} }, async (request) => {
    const body = await request.text();
    if (refuse(body)) {
      return Response.json({ error: { message: "The model `judge-x` does not exist." } }, {
        status: 404,
      });
    }
    const url = new URL(request.url);
    return await fetch(`${sim}${url.pathname.replace(/^\/v1/, "")}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  });
}

function pipeline(dir: string, baseUrl: string, maxRejectedShare?: number) {
  const text = JSON.stringify({
    name: "t",
    runDir: `${dir}/run`,
    cache: `${dir}/cache.sqlite`,
    endpoints: { judge: { baseUrl, model: "judge-x", maxRetries: 0 } },
    stages: [
      { id: "pairs", task: "pairs", inputs: ["fixtures/seeds/prefs.jsonl"] },
      {
        id: "rollout",
        task: "rollout",
        inputs: ["pairs"],
        options: {
          judge: "judge",
          samples: 2,
          exports: [],
          ...(maxRejectedShare === undefined ? {} : { maxRejectedShare }),
        },
      },
    ],
  });
  return parsePipeline(text, "p.jsonc", stages);
}

Deno.test("refusals: a stage the endpoint refuses fails with what it answered, no manifest; fixed, it runs", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 1 });
  const wrong = refusingServer(() => true, sim.url);
  try {
    const wrongUrl = `http://127.0.0.1:${wrong.addr.port}/v1`;
    const err = await runPipeline(pipeline(dir, wrongUrl), stages, { progress: quiet }).then(
      () => assert.fail("expected the stage to fail"),
      (e) => e,
    );
    assert.ok(err instanceof StageRefused, String(err));
    assert.equal(err.exitCode, 1);
    assert.match(err.message, /stage "rollout" failed: the endpoint refused 6 of 6 unit\(s\)/);
    assert.match(
      err.message,
      new RegExp(`answered: ${wrongUrl}: model "judge-x" answered HTTP 404`),
    );
    assert.match(err.message, /does not exist/);
    assert.doesNotMatch(err.message, /run again to resume/);
    await assert.rejects(Deno.stat(`${dir}/run/rollout.manifest.json`));
    await assert.rejects(Deno.stat(`${dir}/run/rollout.journal`));

    // The URL fixed: the stage runs again from the start (it is not "up to date (0 records)").
    const fixed = await runPipeline(pipeline(dir, sim.url), stages, { progress: quiet });
    assert.equal(fixed[1].status, "ran");
    assert.equal(fixed[1].manifest!.counts.records, 6 * 2 * 2);
    assert.deepEqual(fixed[1].manifest!.counts.rejectReasons, {});
  } finally {
    await wrong.shutdown();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refusals: a few refused units are rejects; maxRejectedShare sets how many fail the stage", async () => {
  const sim = await startSim({ seed: 1 });
  // One pair of six: its prompt is refused (as a prompt over the context window would be).
  const some = refusingServer((body) => body.includes("capital of Australia"), sim.url);
  const url = `http://127.0.0.1:${some.addr.port}/v1`;
  try {
    const dir = await Deno.makeTempDir();
    const outcomes = await runPipeline(pipeline(dir, url), stages, { progress: quiet });
    assert.deepEqual(outcomes[1].manifest!.counts.rejectReasons, { endpoint_rejected: 1 });
    assert.equal(outcomes[1].manifest!.counts.records, 5 * 2 * 2);

    const strict = await Deno.makeTempDir();
    await assert.rejects(
      runPipeline(pipeline(strict, url, 0.1), stages, { progress: quiet }),
      /refused 1 of 6 unit\(s\), more than maxRejectedShare 0\.1/,
    );
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(strict, { recursive: true });
  } finally {
    await some.shutdown();
    await sim.close();
  }
});

Deno.test("refusals: a baseline gate over nothing judged fails", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
  const baseline = { overall: { n: 3, accuracy: 0.5 }, subsets: {}, official: {} };
  await Deno.writeTextFile(`${dir}/baseline.json`, JSON.stringify(baseline));
  const text = JSON.stringify({
    name: "t",
    runDir: `${dir}/run`,
    cache: null,
    endpoints: { default: { baseUrl: "http://127.0.0.1:9/v1", model: "m" } },
    stages: [{
      id: "eval",
      task: "evaluate",
      options: {
        benchmark: "pairwise",
        data: `${dir}/empty.jsonl`,
        baseline: `${dir}/baseline.json`,
      },
    }],
  });
  const [outcome] = await runPipeline(parsePipeline(text, "p.jsonc", stages), stages, {
    progress: quiet,
  });
  const gate = outcome.manifest!.summary.gate as { passed: boolean; message: string };
  assert.equal(gate.passed, false);
  assert.match(gate.message, /nothing was judged \(n = 0\)/);
  await Deno.remove(dir, { recursive: true });
});

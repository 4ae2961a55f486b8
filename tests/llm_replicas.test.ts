import assert from "node:assert/strict";
import {
  createLlmClient,
  type EndpointConfig,
  endpointDefaults,
  openCache,
  type ResponseCache,
} from "../lib/llm/mod.ts";
import { ReplicaPool } from "../lib/llm/replicas.ts";
import { endpointSlots } from "../lib/llm/types.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import type { Message } from "../lib/records.ts";
import { type SimOptions, type SimServer, startSim } from "../lib/sim/mod.ts";
import { stages } from "../lib/stages/mod.ts";
import { rolloutPipeline } from "./helpers/rollout_pipeline.ts";

const quiet = createProgress({ tty: false, write: () => {} });
const prompts: Message[][] = Array.from({ length: 8 }, (_, i) => [
  { role: "user", content: `Name ${i + 2} rivers in Europe.` },
]);

/** A client of the replicas `urls` whose sleeps are recorded and whose clock is `clock.now`. */
function fleetClient(
  urls: string[],
  endpoint: Partial<EndpointConfig> = {},
  cache?: ResponseCache,
) {
  const clock = { now: 0 };
  const delays: number[] = [];
  const client = createLlmClient(
    endpointDefaults({ name: "fleet", baseUrl: urls, model: "m", concurrency: 2, ...endpoint }),
    {
      cache,
      now: () => clock.now,
      sleep: (ms) => (delays.push(ms), Promise.resolve()),
      random: () => 0,
      backoff: { baseMs: 1, capMs: 5 },
    },
  );
  return { client, clock, delays };
}

async function withSims(options: SimOptions[], fn: (sims: SimServer[]) => Promise<void>) {
  const sims = await Promise.all(options.map((o) => startSim({ seed: 1, ...o })));
  try {
    await fn(sims);
  } finally {
    await Promise.all(sims.map((s) => s.close()));
  }
}

/** A base URL where nothing listens (connections are refused). */
async function deadUrl(): Promise<string> {
  const sim = await startSim();
  await sim.close();
  return sim.url;
}

const texts = (samples: { text: string }[][]) => samples.map((s) => s.map((c) => c.text));

Deno.test("replicas: each request goes to the least-loaded replica; waiters are served in order", async () => {
  const pool = new ReplicaPool(["a", "b", "c"], 2, () => "ok");
  const release: (() => void)[] = [];
  const picked: number[] = [];
  const runs = Array.from({ length: 8 }, () =>
    pool.run((i) => {
      picked.push(i);
      return new Promise<void>((resolve) => release.push(resolve));
    }));
  assert.deepEqual(picked, [0, 1, 2, 0, 1, 2], "six slots filled evenly, two callers wait");
  release[1]();
  await runs[1];
  assert.deepEqual(picked.slice(6), [1], "the first waiter takes the freed slot");
  release[5]();
  await runs[5];
  assert.deepEqual(picked.slice(7), [2]);
  release.forEach((r) => r());
  await Promise.all(runs);
  assert.deepEqual(pool.stats().map((s) => s.requests), [2, 3, 3]);
});

Deno.test("replicas: a replica that refuses connections is set aside, retried later, and costs no wait", async () => {
  await withSims([{}], async ([sim]) => {
    const dead = await deadUrl();
    const { client, clock, delays } = fleetClient([dead, sim.url]);
    const first = [];
    for (const p of prompts.slice(0, 4)) first.push(await client.complete(p, { seed: 1 }));
    let [down, up] = client.replicas();
    assert.deepEqual([down.requests, down.failures, down.setAside], [1, 1, 1]);
    assert.equal(up.requests, 4, "the retry and every later request went to the live replica");
    assert.deepEqual(delays, [], "a retry on another replica does not back off");

    clock.now += 2_000; // the set-aside time has passed: the replica is tried again
    await client.complete(prompts[4], { seed: 1 });
    [down, up] = client.replicas();
    assert.deepEqual([down.requests, down.setAside, up.requests], [2, 2, 5]);
    clock.now += 3_000; // the second set-aside is twice as long (4 s)
    await client.complete(prompts[5], { seed: 1 });
    assert.equal(client.replicas()[0].requests, 2, "still set aside");
    assert.ok(first.every((s) => s[0].text.length > 0));
    assert.equal(client.stats().failures, 0, "no call failed");
  });
});

Deno.test("replicas: a streak of 5xx sets a replica aside; one 5xx does not", async () => {
  await withSims([{}, { faults: { error500: 1 } }], async ([good, failing]) => {
    const { client, delays } = fleetClient([good.url, failing.url]);
    for (const p of prompts) await client.complete(p, { seed: 1 });
    const [a, b] = client.replicas();
    assert.deepEqual([b.requests, b.failures, b.setAside], [3, 3, 1], "set aside after 3 in a row");
    assert.equal(a.requests, prompts.length, "each prompt answered once, by the good replica");
    assert.deepEqual(delays, []);
  });
});

Deno.test("replicas: the samples and cache keys do not depend on the fleet; a re-run on another fleet is served from the cache", async () => {
  await withSims([{}, {}, {}], async ([a, b, c]) => {
    const dir = await Deno.makeTempDir();
    const single = fleetClient([a.url]).client;
    const expected = texts(
      await Promise.all(prompts.map((p) => single.complete(p, { n: 3, seed: 7, temperature: 1 }))),
    );
    const cache = await openCache(`${dir}/cache.sqlite`);
    const fleet = fleetClient([a.url, b.url], {}, cache).client;
    const got = await Promise.all(
      prompts.map((p) => fleet.complete(p, { n: 3, seed: 7, temperature: 1 })),
    );
    assert.deepEqual(texts(got), expected);
    assert.ok(fleet.replicas().every((r) => r.requests > 0), "both replicas answered");
    const other = fleetClient([c.url], { nSampling: "separate" }, cache).client;
    const again = await Promise.all(
      prompts.map((p) => other.complete(p, { n: 3, seed: 7, temperature: 1 })),
    );
    assert.deepEqual(texts(again), expected);
    assert.equal(other.stats().cacheHits, prompts.length * 3);
    assert.equal(c.stats().requests["POST /v1/chat/completions"] ?? 0, 0);
    await cache.close();
  });
});

Deno.test("replicas: a pipeline endpoint lists its replicas; the manifest counts each one's requests", async () => {
  await withSims([{}, {}], async ([a, b]) => {
    const dir = await Deno.makeTempDir();
    const dead = await deadUrl();
    const pipeline = rolloutPipeline(dir, { baseUrl: [a.url, b.url, dead], concurrency: 2 }, 2);
    const outcomes = await runPipeline(pipeline, stages, { progress: quiet });
    const manifest = outcomes[1].manifest!;
    const replicas = manifest.replicas.judge;
    assert.deepEqual(replicas.map((r) => r.url), [a.url, b.url, dead]);
    const sum = replicas.reduce((s, r) => s + r.requests, 0);
    assert.equal(sum, manifest.usage.requests, "every attempt is counted on its replica");
    assert.equal(manifest.usage.retries, replicas[2].failures, "each refused attempt was retried");
    assert.ok(replicas[2].setAside >= 1 && replicas[2].failures >= 1);
    assert.ok(replicas.slice(0, 2).every((r) => r.requests > 0 && r.meanLatencyMs !== null));
    assert.equal(manifest.usage.failures, 0);
  });
});

Deno.test("replicas: an empty list or an empty URL is refused at load", () => {
  for (const baseUrl of [[], ["http://127.0.0.1:1/v1", ""]]) {
    const text = JSON.stringify({ endpoints: { judge: { baseUrl, model: "m" } }, stages: [] });
    assert.throws(
      () => parsePipeline(text, "p.jsonc", stages),
      /p\.jsonc:1:\d+: expected a non-empty list of base URLs/,
    );
  }
});

Deno.test("replicas: an endpoint takes its concurrency on each replica (the judging stages' default units at once)", () => {
  const slots = (baseUrl: string | string[]) => endpointSlots({ baseUrl, concurrency: 3 });
  assert.deepEqual([slots("http://a/v1"), slots(["http://a/v1", "http://b/v1"]), slots([])], [
    3,
    6,
    3,
  ]);
});

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cacheKey,
  cacheKeys,
  createLlmClient,
  type EndpointConfig,
  endpointDefaults,
  openCache,
  type ResponseCache,
} from "../lib/llm/mod.ts";
import { canonicalJson, sha256 } from "../lib/ids.ts";
import type { Message } from "../lib/records.ts";
import { type SimServer, startSim } from "../lib/sim/mod.ts";

const ask: Message[] = [{ role: "user", content: "Suggest names for a grey cat." }];
const params = { n: 4, seed: 40, temperature: 1 };

function clientOf(sim: SimServer, cache: ResponseCache, endpoint: Partial<EndpointConfig> = {}) {
  return createLlmClient(
    endpointDefaults({ name: "sim", baseUrl: sim.url, model: "m", ...endpoint }),
    { cache, apiKey: "sk-test-SECRET-0123456789" },
  );
}

async function withCache(fn: (sim: SimServer, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const sim = await startSim({ seed: 2 });
  try {
    await fn(sim, join(dir, "cache.sqlite"));
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const chatRequests = (sim: SimServer) => sim.stats().requests["POST /v1/chat/completions"] ?? 0;

Deno.test("cache: a second run makes zero requests, and keeps G samples distinct", async () => {
  await withCache(async (sim, path) => {
    let cache = await openCache(path);
    const first = await clientOf(sim, cache).complete(ask, params);
    await cache.close();
    assert.equal(new Set(first.map((c) => c.text)).size, 4, "G samples, not one cached answer");
    const before = chatRequests(sim);

    cache = await openCache(path);
    const client = clientOf(sim, cache, { concurrency: 1, nSampling: "separate" });
    const second = await client.complete(ask, params);
    await cache.close();
    assert.equal(chatRequests(sim), before, "no request on the second run");
    assert.deepEqual(second.map((c) => c.text), first.map((c) => c.text));
    assert.ok(second.every((c) => c.cached));
    assert.deepEqual(second.map((c) => c.usage), first.map((c) => c.usage));
    assert.equal(client.stats().cacheHits, 4);
    assert.equal(client.stats().requests, 0);
  });
});

Deno.test("cache: only missing samples are requested, with their own seeds", async () => {
  await withCache(async (sim, path) => {
    const cache = await openCache(path);
    const client = clientOf(sim, cache);
    const two = await client.complete(ask, { ...params, n: 2 });
    const six = await client.complete(ask, { ...params, n: 6 });
    await cache.close();
    assert.equal(client.stats().requests, 2, "one native request for samples 2..5");
    assert.deepEqual(six.slice(0, 2).map((c) => c.text), two.map((c) => c.text));
    assert.deepEqual(six.map((c) => c.cached), [true, true, false, false, false, false]);
    const fresh = await createLlmClient(
      endpointDefaults({ name: "s", baseUrl: sim.url, model: "m" }),
    )
      .complete(ask, { ...params, n: 6 });
    assert.deepEqual(six.map((c) => c.text), fresh.map((c) => c.text));
  });
});

Deno.test("cache: the API key is never written to the cache files", async () => {
  await withCache(async (sim, path) => {
    const cache = await openCache(path);
    await clientOf(sim, cache).complete(ask, params);
    const dir = join(path, "..");
    let files = 0;
    for await (const entry of Deno.readDir(dir)) {
      const bytes = new TextDecoder("latin1").decode(await Deno.readFile(join(dir, entry.name)));
      assert.ok(!bytes.includes("SECRET-0123456789"), entry.name);
      files++;
    }
    await cache.close();
    assert.ok(files >= 1);
  });
});

Deno.test("cache: the key covers what changes a sample and nothing else", () => {
  const base = { model: "m", messages: ask, temperature: 1, maxTokens: 100, sampleSeed: 0 };
  const key = cacheKey(base);
  const changes: [string, Partial<typeof base> & Record<string, unknown>][] = [
    ["model", { model: "m2" }],
    ["messages", { messages: [{ role: "user", content: "other" }] }],
    ["temperature", { temperature: 0.7 }],
    ["topP", { topP: 0.9 }],
    ["maxTokens", { maxTokens: 101 }],
    ["stop", { stop: ["\n"] }],
    ["extra", { extra: { top_k: 20 } }],
    ["sample seed", { sampleSeed: 1 }],
  ];
  for (const [name, change] of changes) {
    assert.notEqual(cacheKey({ ...base, ...change }), key, name);
  }
  assert.equal(cacheKey({ ...base, topP: undefined }), key, "unset fields are left out");
  assert.match(key, /^[0-9a-f]{64}$/);
});

Deno.test("cache: keys of several seeds equal the key of each seed, whatever the prompt holds", () => {
  const tricky = {
    model: "m",
    messages: [{ role: "user" as const, content: '{"sampleSeed":0} "sampleSeed":0' }],
    stop: ['"sampleSeed":0'],
    extra: { sampleSeed: 0, nested: { sampleSeed: 0 } },
    temperature: 0.5,
  };
  const seeds = [0, 1, 7, 1e6, -3];
  assert.deepEqual(
    cacheKeys(tricky, seeds),
    seeds.map((sampleSeed) => sha256(canonicalJson({ cacheVersion: 1, ...tricky, sampleSeed }))),
  );
  // Caches written by earlier versions keep answering: the keys have not changed.
  assert.equal(
    cacheKey({ model: "m", messages: ask, sampleSeed: 3 }),
    "0bd6dd98fa75a95a7275482805cf841e8c33e2c0f41ff9c129b790d2ffd867d0",
  );
});

Deno.test("cache: a file that cannot be opened is named, and nothing keeps running", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "missing-folder", "cache.sqlite");
  await assert.rejects(openCache(path), (err: Error) => {
    assert.equal(err.name, "UserError");
    assert.match(err.message, /missing-folder\/cache\.sqlite: cannot open the response cache/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cache: samples stored just before a lookup are found (lookups and writes in order)", async () => {
  const dir = await Deno.makeTempDir();
  const cache = await openCache(join(dir, "cache.sqlite"));
  const sample = { text: "t", usage: { promptTokens: 1, completionTokens: 1 } };
  cache.setMany([["a", sample], ["b", { ...sample, text: "u" }]]);
  assert.deepEqual(await cache.getMany(["b", "x", "a"]), [
    { ...sample, text: "u" },
    undefined,
    sample,
  ]);
  await cache.close();
  const again = await openCache(join(dir, "cache.sqlite"));
  assert.deepEqual(await again.getMany(["a"]), [sample], "on disk after close");
  await again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cache: a write the database refuses ends the run with the file named", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cache.sqlite");
  const cache = await openCache(path);
  const sample = { text: "t", usage: { promptTokens: 1, completionTokens: 1 } };
  // A key SQLite cannot bind stands for any failed write (disk full, file gone).
  cache.setMany([[{ not: "a key" } as unknown as string, sample]]);
  await assert.rejects(cache.close(), (err: Error) => {
    assert.equal(err.name, "UserError");
    assert.match(err.message, /cache\.sqlite: response cache: a write failed/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

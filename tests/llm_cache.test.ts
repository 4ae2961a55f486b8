import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  createLlmClient,
  type EndpointConfig,
  endpointDefaults,
  openCache,
  promptKey,
  type ResponseCache,
} from "../lib/llm/mod.ts";
import { legacySampleKeys } from "../lib/llm/cache.ts";
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

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function withCache(fn: (sim: SimServer, path: string) => Promise<void>) {
  await withDir(async (dir) => {
    const sim = await startSim({ seed: 2 });
    try {
      await fn(sim, join(dir, "cache.sqlite"));
    } finally {
      await sim.close();
    }
  });
}

/** The prompt of `ask` as the cache keys it, without sampling parameters. */
const askPrompt = { model: "m", messages: ask };
const sample = (text = "t") => ({ text, usage: { promptTokens: 1, completionTokens: 1 } });

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
  const base = { model: "m", messages: ask, temperature: 1, maxTokens: 100 };
  const key = promptKey(base);
  const changes: [string, Partial<typeof base> & Record<string, unknown>][] = [
    ["model", { model: "m2" }],
    ["messages", { messages: [{ role: "user", content: "other" }] }],
    ["temperature", { temperature: 0.7 }],
    ["topP", { topP: 0.9 }],
    ["maxTokens", { maxTokens: 101 }],
    ["stop", { stop: ["\n"] }],
    ["extra", { extra: { top_k: 20 } }],
  ];
  for (const [name, change] of changes) {
    assert.notEqual(promptKey({ ...base, ...change }), key, name);
  }
  assert.equal(promptKey({ ...base, topP: undefined }), key, "unset fields are left out");
  assert.equal(
    promptKey(askPrompt),
    sha256(canonicalJson({ cacheVersion: 2, model: "m", messages: ask })),
  );
  // Pinned: a change of the key would silently empty every user's cache.
  assert.equal(
    promptKey(askPrompt),
    "a22b89d828570c2befa45768cb743afbf83e4284f8d7ae398685ef65fb94e843",
  );
});

Deno.test("cache: keys of the earlier layout are the per-sample keys it wrote", () => {
  const tricky = {
    model: "m",
    messages: [{ role: "user" as const, content: '{"sampleSeed":0} "sampleSeed":0' }],
    stop: ['"sampleSeed":0'],
    extra: { sampleSeed: 0, nested: { sampleSeed: 0 } },
    temperature: 0.5,
  };
  const seeds = [0, 1, 7, 1e6, -3];
  assert.deepEqual(
    legacySampleKeys(tricky, seeds),
    seeds.map((sampleSeed) => sha256(canonicalJson({ cacheVersion: 1, ...tricky, sampleSeed }))),
  );
  assert.deepEqual(
    legacySampleKeys(askPrompt, [3]),
    ["0bd6dd98fa75a95a7275482805cf841e8c33e2c0f41ff9c129b790d2ffd867d0"],
  );
});

Deno.test("cache: a cache of the earlier layout (a row per sample) keeps answering", async () => {
  await withCache(async (sim, path) => {
    // Samples 40..43 as an earlier version stored them: one row per sample, keyed by its seed.
    const scratch = await openCache(join(path, "..", "scratch.sqlite"));
    const fresh = await clientOf(sim, scratch).complete(ask, params);
    await scratch.close();
    const prompt = { model: "m", messages: ask, temperature: 1 };
    const old = new DatabaseSync(path);
    old.exec("CREATE TABLE samples (key TEXT PRIMARY KEY, sample TEXT NOT NULL)");
    const insert = old.prepare("INSERT INTO samples (key, sample) VALUES (?, ?)");
    legacySampleKeys(prompt, [40, 41, 42, 43]).forEach((key, i) => {
      const { cached: _, ...stored } = fresh[i];
      insert.run(key, JSON.stringify(stored));
    });
    old.close();

    const cache = await openCache(path);
    const client = clientOf(sim, cache);
    const six = await client.complete(ask, { ...params, n: 6 });
    await cache.close();
    assert.deepEqual(six.map((c) => c.cached), [true, true, true, true, false, false]);
    assert.deepEqual(six.slice(0, 4).map((c) => c.text), fresh.map((c) => c.text));
    assert.equal(client.stats().requests, 1, "one request for the two samples it lacks");

    const again = await openCache(path);
    const rerun = clientOf(sim, again);
    assert.deepEqual(
      (await rerun.complete(ask, { ...params, n: 6 })).map((c) => c.text),
      six.map((c) => c.text),
    );
    await again.close();
    assert.equal(rerun.stats().requests, 0, "old rows and new rows answer together");
  });
});

Deno.test("cache: two connections (as two processes) share one file; both keep what they stored", async () => {
  await withCache(async (sim, path) => {
    const [a, b] = [await openCache(path), await openCache(path)];
    const asks = Array.from({ length: 20 }, (_, i): Message[] => [
      { role: "user", content: `Name a colour, ${i}.` },
    ]);
    // Interleaved, so the two connections' transactions meet at the file.
    await Promise.all(asks.map((ask, i) => clientOf(sim, i % 2 ? a : b).complete(ask, params)));
    await Promise.all([a.close(), b.close()]);
    const again = await openCache(path);
    const client = clientOf(sim, again);
    await Promise.all(asks.map((ask) => client.complete(ask, params)));
    await again.close();
    assert.equal(client.stats().requests, 0);
    assert.equal(client.stats().cacheHits, 20 * params.n);
  });
});

Deno.test("cache: a file that cannot be opened is named, and nothing keeps running", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "missing-folder", "cache.sqlite");
    await assert.rejects(openCache(path), (err: Error) => {
      assert.equal(err.name, "UserError");
      assert.match(err.message, /missing-folder\/cache\.sqlite: cannot open the response cache/);
      return true;
    });
  });
});

Deno.test("cache: responses stored just before a lookup are found (lookups and writes in order)", async () => {
  await withDir(async (dir) => {
    const cache = await openCache(join(dir, "cache.sqlite"));
    const { store } = await cache.lookup(askPrompt, 0, 1);
    store(5, [sample("a"), sample("b")]);
    store(9, [sample("c")]);
    const found = await cache.lookup(askPrompt, 4, 6);
    assert.deepEqual(found.samples, [
      undefined,
      sample("a"),
      sample("b"),
      undefined,
      undefined,
      sample("c"),
    ]);
    await cache.close();
    const again = await openCache(join(dir, "cache.sqlite"));
    assert.deepEqual(
      (await again.lookup(askPrompt, 6, 1)).samples,
      [sample("b")],
      "on disk after close",
    );
    assert.deepEqual((await again.lookup({ ...askPrompt, model: "n" }, 6, 1)).samples, [undefined]);
    await again.close();
  });
});

Deno.test("cache: of two responses from one seed, the one with more samples is kept", async () => {
  await withDir(async (dir) => {
    const texts = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => sample(`${tag}${i}`));
    for (const [first, second] of [[3, 1], [1, 3]]) {
      const cache = await openCache(join(dir, `${first}-${second}.sqlite`));
      const { store } = await cache.lookup(askPrompt, 0, 1);
      store(0, texts(first, "a"));
      store(0, texts(second, "b"));
      const found = (await cache.lookup(askPrompt, 0, 3)).samples.map((s) => s?.text);
      assert.deepEqual(found, first > second ? ["a0", "a1", "a2"] : ["b0", "b1", "b2"]);
      await cache.close();
    }
  });
});

Deno.test("cache: a row SQLite cannot read ends the lookup with the file named, not as a miss", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "cache.sqlite");
    const cache = await openCache(path);
    (await cache.lookup(askPrompt, 0, 1)).store(0, [sample()]);
    await cache.close();
    // A seed beyond JavaScript's integers, sorted before the good row, stands for a damaged file.
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO responses (prompt, seed, last, samples) VALUES (?, ?, 0, '[]')")
      .run(promptKey(askPrompt), -(2n ** 60n));
    db.close();
    const again = await openCache(path);
    await assert.rejects(again.lookup(askPrompt, 0, 1), (err: Error) => {
      assert.equal(err.name, "UserError");
      assert.match(err.message, /cache\.sqlite: response cache: a read failed: /);
      return true;
    });
    await again.close().catch(() => {});
  });
});

Deno.test("cache: seeds past ±2^53 are refused, not rounded onto other samples' rows", async () => {
  await withDir(async (dir) => {
    const cache = await openCache(join(dir, "cache.sqlite"));
    await assert.rejects(cache.lookup(askPrompt, 2 ** 60, 1), RangeError);
    const { store } = await cache.lookup(askPrompt, 0, 1);
    assert.throws(() => store(Number.MAX_SAFE_INTEGER, [sample(), sample()]), RangeError);
    await cache.close();
  });
});

Deno.test("cache: a write the database refuses ends the run with the file named", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "cache.sqlite");
    const cache = await openCache(path);
    // A trigger that refuses every insert stands for any failed write (disk full, file gone).
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON responses BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    db.close();
    (await cache.lookup(askPrompt, 0, 1)).store(0, [sample()]);
    await assert.rejects(cache.close(), (err: Error) => {
      assert.equal(err.name, "UserError");
      assert.match(err.message, /cache\.sqlite: response cache: a write failed: /);
      return true;
    });
  });
});

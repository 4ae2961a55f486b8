import assert from "node:assert/strict";
import { EndpointError } from "../lib/errors.ts";
import {
  createLlmClient,
  type EndpointConfig,
  endpointDefaults,
  type LlmClientOptions,
  openCache,
  settleAll,
} from "../lib/llm/mod.ts";
import type { Message } from "../lib/records.ts";
import { type SimOptions, type SimServer, startSim } from "../lib/sim/mod.ts";

const ask: Message[] = [{ role: "user", content: "Name three rivers in Europe." }];

/** A client of `sim` whose sleeps are recorded, not waited. */
function clientOf(
  sim: SimServer | string,
  endpoint: Partial<EndpointConfig> = {},
  opts: LlmClientOptions = {},
) {
  const delays: number[] = [];
  const client = createLlmClient(
    endpointDefaults({
      name: "sim",
      baseUrl: typeof sim === "string" ? sim : sim.url,
      model: "m",
      ...endpoint,
    }),
    {
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      random: () => 0,
      backoff: { baseMs: 1, capMs: 5 },
      ...opts,
    },
  );
  return { client, delays };
}

async function withSim(options: SimOptions, fn: (sim: SimServer) => Promise<void>) {
  const sim = await startSim({ seed: 1, ...options });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

Deno.test("llm: native n and separate requests give the same sample i", async () => {
  await withSim({}, async (sim) => {
    const native = clientOf(sim, { nSampling: "native" }).client;
    const separate = clientOf(sim, { nSampling: "separate" }).client;
    const a = await native.complete(ask, { n: 4, seed: 100, temperature: 1 });
    const b = await separate.complete(ask, { n: 4, seed: 100, temperature: 1 });
    assert.deepEqual(a.map((c) => c.text), b.map((c) => c.text));
    assert.equal(new Set(a.map((c) => c.text)).size, 4, "samples differ");
    assert.equal(native.stats().requests, 1);
    assert.equal(separate.stats().requests, 4);
    assert.equal(sim.stats().requests["POST /v1/chat/completions"], 5);
  });
});

Deno.test("llm: usage is split across samples and summed in stats", async () => {
  await withSim({}, async (sim) => {
    const { client } = clientOf(sim);
    const samples = await client.complete(ask, { n: 4, seed: 1 });
    const stats = client.stats();
    const promptTokens = Math.ceil(ask[0].content.length / 4);
    assert.equal(stats.promptTokens, promptTokens, "prompt counted once per request");
    const sum = (f: (c: (typeof samples)[0]) => number) => samples.reduce((s, c) => s + f(c), 0);
    assert.equal(sum((c) => c.usage.promptTokens), promptTokens);
    assert.equal(sum((c) => c.usage.completionTokens), stats.completionTokens);
    assert.ok(stats.completionTokens > 0);
    assert.deepEqual(
      samples.map((c) => [c.cached, c.finishReason]),
      Array(4).fill([false, "stop"]),
    );
  });
});

Deno.test("llm: reasoning is read from `reasoning` or `reasoning_content`", async () => {
  const judgePrompt: Message[] = [{
    role: "user",
    content: "[User Question]\nq\n[The Start of Assistant A's Answer]\na\n" +
      "[The End of Assistant A's Answer]\n[The Start of Assistant B's Answer]\nb\n" +
      "[The End of Assistant B's Answer]\n<answer>",
  }];
  for (const reasoningField of ["reasoning", "reasoning_content", undefined] as const) {
    await withSim({ reasoningField, formatErrorRate: 0 }, async (sim) => {
      const [sample] = await clientOf(sim).client.complete(judgePrompt);
      if (reasoningField) {
        assert.match(sample.reasoning ?? "", /Overall, Response [AB]/);
        assert.match(sample.text, /^<answer> \[\[[AB]\]\] <\/answer>$/);
      } else {
        assert.equal(sample.reasoning, undefined);
        assert.match(sample.text, /^<think>/);
      }
    });
  }
});

Deno.test("llm: transient faults are retried until the answer comes", async () => {
  const table: [string, SimOptions["faults"], Partial<EndpointConfig>][] = [
    ["500", { error500: 1, maxPerRequest: 2 }, {}],
    ["cut connection", { cut: 1, maxPerRequest: 2 }, {}],
    ["malformed body", { malformed: 1, maxPerRequest: 2 }, {}],
    ["hang", { hang: 1, maxPerRequest: 2 }, { timeoutMs: 50 }],
  ];
  for (const [name, faults, endpoint] of table) {
    await withSim({ faults }, async (sim) => {
      const { client, delays } = clientOf(sim, endpoint);
      const [sample] = await client.complete(ask, { seed: 3 });
      assert.ok(sample.text.length > 0, name);
      assert.equal(client.stats().retries, 2, name);
      assert.equal(client.stats().requests, 3, name);
      assert.deepEqual(delays, [1, 2], `${name}: exponential backoff`);
      const injected = Object.values(sim.stats().faults).reduce((a, b) => a + b, 0);
      assert.equal(injected, 2, name);
    });
  }
});

Deno.test("llm: Retry-After from a 429 is honoured", async () => {
  const table: [SimOptions["faults"], number][] = [
    [{ rateLimit429: 1, maxPerRequest: 1, retryAfterMs: 1234 }, 1234],
    [{ rateLimit429: 1, maxPerRequest: 1, retryAfterSeconds: 2 }, 2000],
  ];
  for (const [faults, wait] of table) {
    await withSim({ faults }, async (sim) => {
      const { client, delays } = clientOf(sim);
      await client.complete(ask);
      assert.deepEqual(delays, [wait]);
      assert.equal(sim.stats().faults.rateLimit429, 1);
    });
  }
});

Deno.test("llm: after the last retry, EndpointError names the URL, model and answer", async () => {
  await withSim({ faults: { error500: 1 } }, async (sim) => {
    const { client } = clientOf(sim, { maxRetries: 2 });
    await assert.rejects(client.complete(ask), {
      name: "EndpointError",
      message:
        `${sim.url}: model "m" answered HTTP 500: simulated internal server error (after 3 attempts)`,
      status: 500,
    });
    assert.deepEqual(
      [client.stats().requests, client.stats().retries, client.stats().failures],
      [3, 2, 1],
    );
  });
  await withSim({ faults: { hang: 1 } }, async (sim) => {
    const { client } = clientOf(sim, { maxRetries: 0, timeoutMs: 50 });
    await assert.rejects(client.complete(ask), /answered timed out after 50ms$/);
  });
});

Deno.test("llm: a 4xx that retrying cannot fix fails at once with the server's message", async () => {
  await withSim({}, async (sim) => {
    const { client } = clientOf(sim);
    await assert.rejects(
      client.complete([]),
      (e: unknown) =>
        e instanceof EndpointError && e.status === 400 && /`messages` must be/.test(e.message),
    );
    assert.equal(client.stats().requests, 1);
  });
});

Deno.test("llm: a down endpoint gives 'connection refused' with its URL", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${listener.addr.port}/v1`;
  listener.close();
  const { client } = clientOf(url, { maxRetries: 1 });
  await assert.rejects(
    client.complete(ask),
    (e: unknown) =>
      e instanceof EndpointError &&
      e.message === `${url}: model "m" answered connection refused (after 2 attempts)`,
  );
});

Deno.test("llm: credentials in a base URL never reach an error (nor the rejects it becomes)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const table = [
    `http://me:s3cret@127.0.0.1:${port}/v1`,
    `http://tok%2Fen@127.0.0.1:${port}/v1`,
    `http://127.0.0.1:${port}/v1?api-key=abcd1234`,
  ];
  for (const url of table) {
    const { client } = clientOf(url, { maxRetries: 0 });
    const err = await client.complete(ask).then(() => undefined, (e) => e);
    assert.ok(err instanceof EndpointError, String(err));
    assert.doesNotMatch(err.message, /s3cret|\bme:|tok%2Fen|tok\/en|abcd1234/, err.message);
    assert.doesNotMatch(err.endpoint, /s3cret|tok|abcd1234/);
    assert.match(err.message, /\*\*\*/);
  }
});

Deno.test("llm: never more requests in flight than the endpoint's concurrency", async () => {
  await withSim({ latencyMs: 5 }, async (sim) => {
    const { client } = clientOf(sim, { concurrency: 3, nSampling: "separate" });
    await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) => client.complete([{ role: "user", content: `q${i}` }], { n: 3 }),
      ),
    );
    assert.equal(sim.stats().requests["POST /v1/chat/completions"], 18);
    assert.ok(sim.stats().maxInFlight <= 3, `max in flight ${sim.stats().maxInFlight}`);
  });
});

Deno.test("llm: rpm spaces request starts evenly", async () => {
  await withSim({}, async (sim) => {
    const { client, delays } = clientOf(sim, { rpm: 60, nSampling: "separate" }, { now: () => 0 });
    await client.complete(ask, { n: 3 });
    assert.deepEqual(delays, [1000, 2000]);
  });
});

Deno.test("llm: endpointDefaults fills only what is missing", () => {
  const base = { name: "e", baseUrl: "http://x/v1", model: "m" };
  assert.deepEqual(endpointDefaults(base), {
    ...base,
    concurrency: 8,
    rpm: 0,
    timeoutMs: 120_000,
    maxRetries: 4,
    nSampling: "native",
  });
  assert.equal(endpointDefaults({ ...base, concurrency: 2, rpm: undefined }).concurrency, 2);
  assert.equal(endpointDefaults({ ...base, rpm: undefined }).rpm, 0);
});

Deno.test("llm: the SDK's platform headers are not sent; the key and the retry count are", async () => {
  const seen: Headers[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    seen.push(req.headers);
    return Response.json({ choices: [{ index: 0, message: { content: "ok" } }] });
  });
  try {
    const { client } = clientOf(`http://127.0.0.1:${server.addr.port}/v1`);
    await client.complete(ask);
  } finally {
    await server.shutdown();
  }
  const [headers] = seen;
  for (const name of ["lang", "package-version", "os", "arch", "runtime", "runtime-version"]) {
    assert.equal(headers.get(`x-stainless-${name}`), null, name);
  }
  assert.match(headers.get("authorization") ?? "", /^Bearer /);
  assert.equal(headers.get("x-stainless-retry-count"), "0");
});

Deno.test("llm: a seed whose samples' seeds are not exact integers is refused before any request", async () => {
  const { client } = clientOf("http://127.0.0.1:9/v1");
  await assert.rejects(client.complete(ask, { seed: 2 ** 60 }), RangeError);
  await assert.rejects(client.complete(ask, { seed: Number.MAX_SAFE_INTEGER, n: 2 }), RangeError);
  assert.equal(client.stats().requests, 0);
});

Deno.test("llm: a freed slot's next request leaves before the finished response is handed back", async () => {
  const events: string[] = [];
  const realFetch = globalThis.fetch;
  // The SDK takes `fetch` when the client is built: a stub answers at once and logs each call.
  globalThis.fetch = (_input, init) => {
    const body = JSON.parse(String(init?.body));
    events.push(`sent ${body.messages[0].content}`);
    return Promise.resolve(
      Response.json({ choices: [{ index: 0, message: { content: "ok" } }] }),
    );
  };
  try {
    const { client } = clientOf("http://127.0.0.1:9/v1", { concurrency: 1 });
    await Promise.all(["q1", "q2"].map(async (q) => {
      await client.complete([{ role: "user", content: q }]);
      events.push(`answered ${q}`);
    }));
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(events, ["sent q1", "sent q2", "answered q1", "answered q2"]);
});

Deno.test("settleAll: waits for every call; an endpoint failure outranks a refused request", async () => {
  const refused = new EndpointError("http://x/v1", "bad request", { status: 400 });
  const down = new EndpointError("http://x/v1", "answered 500", { status: 500 });
  let slowDone = false;
  const slow = Promise.resolve().then(() => Promise.resolve()).then(() => (slowDone = true));
  await assert.rejects(settleAll([Promise.reject(refused), slow]), refused);
  assert.ok(slowDone, "the slower call settled first");
  await assert.rejects(settleAll([Promise.reject(refused), Promise.reject(down)]), down);
  await assert.rejects(settleAll([Promise.reject(down), Promise.reject(refused)]), down);
  assert.deepEqual(await settleAll([Promise.resolve(1), Promise.resolve(2)]), [1, 2]);
});

Deno.test("llm: when one of a prompt's separate requests fails, the others' responses are still cached", async () => {
  const dir = await Deno.makeTempDir();
  const failed = Promise.withResolvers<void>();
  // Sample seed 0 fails at once; seed 1 is answered 100 ms after that.
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const { seed } = await req.json();
    if (seed === 0) {
      failed.resolve();
      return Response.json({ error: { message: "down" } }, { status: 500 });
    }
    await failed.promise.then(() => new Promise((r) => setTimeout(r, 100)));
    return Response.json({ choices: [{ index: 0, message: { content: `seed ${seed}` } }] });
  });
  try {
    const path = `${dir}/cache.sqlite`;
    const cache = await openCache(path);
    const { client } = clientOf(`http://127.0.0.1:${server.addr.port}/v1`, {
      nSampling: "separate",
      maxRetries: 0,
    }, { cache });
    await assert.rejects(client.complete(ask, { n: 2, seed: 0 }), EndpointError);
    await cache.close(); // as a stage that stops does
    const reopened = await openCache(path);
    const { samples } = await reopened.lookup({ model: "m", messages: ask }, 0, 2);
    await reopened.close();
    assert.equal(samples[0], undefined);
    assert.equal(samples[1]?.text, "seed 1");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

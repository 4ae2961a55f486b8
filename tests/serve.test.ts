import assert from "node:assert/strict";
import { readUntil } from "./helpers/read_until.ts";
import type { TaskLabel } from "../lib/judge/label.ts";
import type { Verdict } from "../lib/records.ts";
import { responseText, stripSpecialTokens } from "../lib/serve/response_text.ts";
import { rewardConfigFromFlags } from "../lib/serve/reward_config_from_flags.ts";
import {
  type RewardServer,
  type RewardServerOptions,
  startRewardServer,
} from "../lib/serve/server.ts";
import { judgment, pairwiseLabel } from "./helpers/labels.ts";

const label = pairwiseLabel;
const judge = judgment;

const both = { weights: { correct: 1, consistent: 1 }, consistency: "by-sample" } as const;

async function withServer(
  options: RewardServerOptions,
  fn: (server: RewardServer) => Promise<void>,
) {
  const server = await startRewardServer({ port: 0, ...options });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Sends a request; returns status, headers and the parsed JSON body. */
async function call(
  server: RewardServer,
  path: string,
  init: { method?: string; body?: BodyInit; json?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

Deno.test("serve: responseText drops the prompt prefix and trailing special tokens", () => {
  const table: [query: string, prompt: string, text: string][] = [
    ["PROMPT[[A]]<|eot_id|>", "PROMPT", "[[A]]"],
    ["PROMPT[[A]]<|im_end|>\n<|endoftext|>", "PROMPT", "[[A]]"],
    ["PROMPT[[B]]</s></s>", "PROMPT", "[[B]]"],
    ["PROMPT[[B]] <|end_of_text|>\n", "PROMPT", "[[B]]"],
    ["PROMPT a <|im_end|> in the middle stays", "PROMPT", " a <|im_end|> in the middle stays"],
    ["other text[[A]]<|eot_id|>", "PROMPT", "other text[[A]]"],
    ["PROMPT", "PROMPT", ""],
  ];
  for (const [query, prompt, text] of table) {
    assert.equal(responseText(query, prompt), text, query);
  }
  assert.equal(stripSpecialTokens("<|eot_id|>"), "");
});

Deno.test("serve: /get_reward scores the batch together (consistency across orders)", async () => {
  await withServer({ reward: both }, async (server) => {
    const prompt = "<|start_header_id|>user<|end_header_id|>Which is better?<|eot_id|>";
    // Pair p: right in both orders; pair q: right in AB only. Labels as objects and JSON strings.
    const rows: [TaskLabel, Verdict, string][] = [
      [label("p", "AB"), "A", "<|eot_id|>"],
      [label("q", "AB"), "A", "<|im_end|>"],
      [label("p", "BA"), "B", "</s>"],
      [label("q", "BA"), "A", ""],
    ];
    const { status, body } = await call(server, "/get_reward", {
      json: {
        query: rows.map(([, v, eos]) => prompt + judge(v) + eos),
        prompts: rows.map(() => prompt),
        labels: rows.map(([l], i) => i % 2 ? JSON.stringify(l) : l),
      },
    });
    assert.equal(status, 200);
    assert.deepEqual(body, {
      rewards: [2, 1, 2, 0],
      scores: [1, 1, 1, 0],
      extra_logs: {
        correct: [1, 1, 1, 0],
        format: [1, 1, 1, 1],
        consistent: [1, 0, 1, 0],
        alone: [0, 0, 0, 0],
      },
    });
  });
});

Deno.test("serve: /score takes a batch or a single item", async () => {
  await withServer({ reward: both, partners: { waitMs: 1 } }, async (server) => {
    const batch = await call(server, "/score", {
      json: {
        items: [
          { response: judge("A"), label: label("p", "AB") },
          { response: judge("B"), label: JSON.stringify(label("p", "BA")) },
          { response: "no verdict here", label: label("q", "AB") },
          { response: "[[B]]", reasoning: "Thought outside the text.", label: label("r", "BA") },
        ],
      },
    });
    assert.equal(batch.status, 200);
    assert.deepEqual(batch.body, {
      results: [
        { reward: 2, rewards: { correct: 1, wrong: 0, consistent: 1, format: 1 }, verdict: "A" },
        { reward: 2, rewards: { correct: 1, wrong: 0, consistent: 1, format: 1 }, verdict: "B" },
        {
          reward: 0,
          rewards: { correct: 0, wrong: 0, consistent: 0, format: 0 },
          parseError: "no_verdict",
          alone: true,
        },
        {
          reward: 1,
          rewards: { correct: 1, wrong: 0, consistent: 0, format: 1 },
          verdict: "B",
          alone: true,
        },
      ],
    });
    const single = await call(server, "/score", {
      json: { response: judge("B"), label: label("p", "AB") },
    });
    assert.deepEqual(single.body, {
      reward: 0,
      rewards: { correct: 0, wrong: 1, consistent: 0, format: 1 },
      verdict: "B",
      alone: true,
    });
  });
});

Deno.test("serve: a bearer token guards the scoring routes, not /health", async () => {
  await withServer({ token: "s3cret" }, async (server) => {
    const json = { response: judge("A"), label: label("p", "AB") };
    const table: [headers: Record<string, string>, status: number][] = [
      [{}, 401],
      [{ authorization: "Bearer wrong" }, 401],
      [{ authorization: "Basic s3cret" }, 401],
      [{ authorization: "Bearer s3cret" }, 200],
    ];
    for (const [headers, status] of table) {
      const res = await call(server, "/score", { json, headers });
      assert.equal(res.status, status, JSON.stringify(headers));
      if (status === 401) {
        assert.match(res.body.error, /expected .*Bearer|expected the server's/);
        assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="j1kit"');
      }
    }
    assert.equal((await call(server, "/health", { method: "GET" })).status, 200);
  });
});

Deno.test("serve: bodies over the size limit get 413, with or without content-length", async () => {
  await withServer({ maxBodyBytes: 1000 }, async (server) => {
    const big = JSON.stringify({
      items: [{ response: "x".repeat(5000), label: label("p", "AB") }],
    });
    const declared = await call(server, "/score", { body: big });
    assert.equal(declared.status, 413);
    assert.match(declared.body.error, /expected a request body of at most 1000 bytes, found 5/);
    const chunked = await call(server, "/score", {
      body: new Blob([big]).stream(),
    });
    assert.equal(chunked.status, 413);
  });
});

Deno.test("serve: malformed requests get 400/422 saying what was expected, with the item index", async () => {
  const good = label("p", "AB");
  const table: [path: string, body: string, status: number, error: RegExp, index?: number][] = [
    ["/score", "{not json", 400, /^expected a JSON request body, found .+/],
    ["/score", "", 400, /^expected a JSON request body, found an empty body$/],
    ["/get_reward", "[1]", 400, /expected a JSON object, found the list \[1\]/],
    [
      "/get_reward",
      JSON.stringify({ query: ["a", "b"], prompts: ["a", "b"], labels: [good] }),
      400,
      /^expected query, prompts and labels of the same length, found 2, 2 and 1$/,
      1,
    ],
    [
      "/get_reward",
      JSON.stringify({ query: ["a"], labels: [good] }),
      400,
      /^prompts: expected an array, found nothing$/,
    ],
    [
      "/get_reward",
      JSON.stringify({ query: ["a", 7], prompts: ["", ""], labels: [good, good] }),
      400,
      /^query\[1\]: expected a string, found number 7$/,
      1,
    ],
    [
      "/get_reward",
      JSON.stringify({ query: ["a", "b"], prompts: ["", ""], labels: [good, "{oops"] }),
      422,
      /^labels\[1\]: expected a j1kit task label \(JSON\), found \{oops$/,
      1,
    ],
    [
      "/score",
      JSON.stringify({ items: [{ response: "a", label: good }, { response: 3, label: good }] }),
      400,
      /^items\[1\]\.response: expected a string, found number 3$/,
      1,
    ],
    [
      "/score",
      JSON.stringify({ items: [{ response: "a", label: { ...good, mode: "vibes" } }] }),
      422,
      /^items\[0\]\.label: expected \{taskId, pairId, mode, template, label, order\|target\}/,
      0,
    ],
    [
      "/score",
      JSON.stringify({ label: good }),
      400,
      /^body\.response: expected a string, found nothing$/,
      0,
    ],
  ];
  await withServer({}, async (server) => {
    for (const [path, body, status, error, index] of table) {
      const res = await call(server, path, { body });
      assert.equal(res.status, status, body);
      assert.match(res.body.error, error, body);
      assert.equal(res.body.index, index, body);
      assert.doesNotMatch(res.body.error, /\n\s+at /, "no stack trace");
    }
  });
});

Deno.test("serve: unknown routes get 404, wrong methods 405 with Allow", async () => {
  await withServer({}, async (server) => {
    const table: [method: string, path: string, status: number, allow: string | null][] = [
      ["POST", "/v1/chat/completions", 404, null],
      ["GET", "/", 404, null],
      ["GET", "/get_reward", 405, "POST"],
      ["PUT", "/score", 405, "POST"],
      ["POST", "/health", 405, "GET"],
    ];
    for (const [method, path, status, allow] of table) {
      const res = await call(server, path, { method, body: method === "GET" ? undefined : "{}" });
      assert.equal(res.status, status, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow);
      assert.match(res.body.error, new RegExp(`^expected .*, found ${method} ${path}`));
    }
    assert.deepEqual((await call(server, "/health", { method: "GET" })).body, { ok: true });
  });
});

Deno.test("serve: a bad reward config is refused at start", async () => {
  await assert.rejects(
    () =>
      startRewardServer({ port: 0, reward: { weights: { nope: 1 }, consistency: "by-sample" } }),
    /expected reward weights: keys among "correct", "wrong", "consistent", "format", found key "nope"/,
  );
});

Deno.test("serve: rewardConfigFromFlags reads --weights and --consistency", () => {
  assert.deepEqual(rewardConfigFromFlags({}), {
    weights: { correct: 1 },
    consistency: "by-sample",
  });
  assert.deepEqual(rewardConfigFromFlags({ weights: '{"correct":1,"format":0.1}' }), {
    weights: { correct: 1, format: 0.1 },
    consistency: "by-sample",
  });
  assert.deepEqual(rewardConfigFromFlags({ parse: "strict" }).parse, { strict: true });
  const bad: [flags: { weights?: string; consistency?: string; parse?: string }, error: RegExp][] =
    [
      [{ weights: "correct=1" }, /^--weights: expected a JSON object of numbers/],
      [{ weights: '{"correct":"1"}' }, /^--weights: expected a JSON object of numbers/],
      [{ weights: '{"speed":1}' }, /^--weights: expected reward weights: keys among/],
      [{ consistency: "both" }, /^--consistency: expected by-sample or by-majority, found "both"$/],
      [{ parse: "loose" }, /^--parse: expected lenient or strict, found "loose"$/],
    ];
  for (const [flags, message] of bad) {
    assert.throws(() => rewardConfigFromFlags(flags), { message });
  }
});

const SERVE = new URL("../tasks/serve.ts", import.meta.url).pathname;

Deno.test("serve: `deno task serve` prints its URL, answers /health and stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVE, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
    env: { J1KIT_REWARD_TOKEN: "t0k" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const out = await readUntil(lines, "\n");
  const first = out.split("\n")[0];
  const match = /^j1kit reward server listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
  assert.ok(match, first);
  const health = await fetch(`${match[1]}/health`);
  assert.deepEqual(await health.json(), { ok: true });
  const guarded = await fetch(`${match[1]}/score`, { method: "POST", body: "{}" });
  assert.equal(guarded.status, 401);
  await guarded.body?.cancel();
  child.kill("SIGTERM");
  const status = await child.status;
  await lines.cancel();
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
  assert.match(stderr, /auth: bearer token from J1KIT_REWARD_TOKEN/);
});

Deno.test("serve: `deno task serve` with bad flags exits 2 with a message, no stack trace", async () => {
  const table: [args: string[], error: RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--port", "http"], /^--port: expected an integer from 0 to 65535, found "http"$/m],
    [["--max-body-bytes=-1"], /^--max-body-bytes: expected an integer/m],
    [["--consistency", "both"], /^--consistency: expected by-sample or by-majority/m],
    [
      ["--token-env", "J1KIT_TEST_UNSET_TOKEN"],
      /^--token-env: expected J1KIT_TEST_UNSET_TOKEN to hold the bearer token, found it unset/m,
    ],
    [["--host", "no-such-host.invalid", "--port", "0"], /^--host: expected an address/m],
  ];
  for (const [args, error] of table) {
    const env = Deno.env.toObject();
    delete env.J1KIT_TEST_UNSET_TOKEN;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SERVE, ...args],
      env,
      clearEnv: true,
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 2, args.join(" "));
    assert.equal(stdout.length, 0);
    assert.match(err, error);
    assert.doesNotMatch(err, /\n\s+at /);
  }
});

import assert from "node:assert/strict";
import { type SimOptions, type SimServer, startSim } from "../lib/sim/mod.ts";
import { JUDGE_MARKERS as M } from "../lib/prompts/markers.ts";

/** Posts a chat request; returns status and parsed body. */
async function post(sim: SimServer, body: unknown) {
  const res = await fetch(`${sim.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const user = (content: string) => [{ role: "user", content }];

/** The text of choice 0 of one request. */
async function reply(sim: SimServer, content: string, extra: Record<string, unknown> = {}) {
  const { body } = await post(sim, { model: "m", messages: user(content), seed: 1, ...extra });
  return body.choices[0].message.content as string;
}

async function withSim(options: SimOptions, fn: (sim: SimServer) => Promise<void>) {
  const sim = await startSim(options);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

function pairwise(question: string, a: string, b: string, format: string) {
  return `${question ? `${M.question}\n${question}\n\n` : ""}${M.startA}\n${a}\n${M.endA}\n\n` +
    `${M.startB}\n${b}\n${M.endB}\n\n${format}`;
}

const honest = { noise: 0, positionBias: 0, formatErrorRate: 0, mathErrorRate: 0 };

Deno.test("sim: a choice is a pure function of messages, seed and choice index", async () => {
  await withSim({ seed: 3 }, async (sim) => {
    const ask = { model: "m", messages: user("Name three rivers in Europe.") };
    const once = await post(sim, { ...ask, seed: 10, n: 3 });
    const again = await post(sim, { ...ask, seed: 10, n: 3 });
    assert.deepEqual(again.body.choices, once.body.choices);
    const texts = once.body.choices.map((c: { message: { content: string } }) => c.message.content);
    assert.equal(new Set(texts).size, 3, "choices differ");
    for (let i = 0; i < 3; i++) {
      const separate = await post(sim, { ...ask, seed: 10 + i });
      assert.equal(separate.body.choices[0].message.content, texts[i], `choice ${i} == seed+${i}`);
    }
    const greedy = await post(sim, { ...ask, seed: 10, n: 2, temperature: 0 });
    assert.equal(greedy.body.choices[0].message.content, greedy.body.choices[1].message.content);
  });
});

Deno.test("sim: response shape, usage and /v1/models", async () => {
  await withSim({ model: "judge-x" }, async (sim) => {
    const { status, body } = await post(sim, {
      model: "m",
      messages: user("abcd".repeat(10)),
      n: 2,
    });
    assert.equal(status, 200);
    assert.equal(body.object, "chat.completion");
    assert.equal(body.model, "m");
    assert.deepEqual(body.choices.map((c: { index: number }) => c.index), [0, 1]);
    assert.equal(body.choices[0].message.role, "assistant");
    assert.equal(body.choices[0].finish_reason, "stop");
    assert.equal(body.usage.prompt_tokens, 10);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    const models = await (await fetch(`${sim.url}/models`)).json();
    assert.equal(models.data[0].id, "judge-x");
    assert.deepEqual(sim.stats().requests, {
      "POST /v1/chat/completions": 1,
      "GET /v1/models": 1,
    });
    assert.equal(sim.stats().completions, 2);
  });
});

Deno.test("sim: errors are OpenAI-shaped", async () => {
  await withSim({}, async (sim) => {
    const cases: [unknown, number][] = [
      [{ model: "m", messages: [] }, 400],
      [{ model: "m", messages: user("x"), n: 0 }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await post(sim, body);
      assert.equal(res.status, status);
      assert.equal(typeof res.body.error.message, "string");
      assert.equal(res.body.error.type, "invalid_request_error");
    }
    const res = await fetch(`${sim.url}/nope`);
    assert.equal(res.status, 404);
    assert.match((await res.json()).error.message, /no route GET \/v1\/nope/);
  });
});

Deno.test("sim: judge output format follows the prompt", async () => {
  const q = "Write 5 tips for gardening in summer";
  const good = "Five tips for summer gardening: water early, mulch beds.";
  const bad = "Cooking pasta needs salted water.";
  const pointwise = `${M.question}\n${q}\n\n${M.start}\n${good}\n${M.end}\nGive a <score>.`;
  const table: [string, RegExp][] = [
    [
      pairwise(q, bad, good, "Reply <answer>[[A]] or [[B]]</answer>"),
      /^<think>\n[^]+\n<\/think>\n<answer> \[\[B\]\] <\/answer>$/,
    ],
    [
      pairwise(q, good, bad, "Write <score_A> and <score_B>."),
      /<\/think>\n<score_A>(\d+\.\d)<\/score_A> <score_B>(\d+\.\d)<\/score_B>$/,
    ],
    [pointwise, /<\/think>\n<score>\d+\.\d<\/score>$/],
    [
      pairwise(q, good, bad, "First <plan>, then <execution>, then <answer>."),
      /^<plan>[^]+<\/plan>\n<execution>[^]+<\/execution>\n<answer> \[\[A\]\] <\/answer>$/,
    ],
  ];
  await withSim(honest, async (sim) => {
    for (const [prompt, pattern] of table) {
      const text = await reply(sim, prompt);
      assert.match(text, pattern);
      const scores = text.match(/<score_A>(.+)<\/score_A> <score_B>(.+)<\/score_B>/);
      if (scores) assert.ok(Number(scores[1]) > Number(scores[2]), "scores agree with the verdict");
    }
  });
});

Deno.test("sim: judge policies decide honestly (no noise)", async () => {
  const q = "Explain how photosynthesis converts sunlight into chemical energy";
  const onTopic = "Photosynthesis converts sunlight into chemical energy in chloroplasts.";
  const offTopic = "Volcanoes erupt when magma pressure builds up beneath the crust of the earth.";
  const math = "What is 12 + 30?";
  const table: [SimOptions["policy"], string, string, string, "A" | "B"][] = [
    ["overlap", q, offTopic, onTopic, "B"],
    ["overlap", q, onTopic, offTopic, "A"],
    ["overlap", math, "So \\boxed{41}", "So \\boxed{42}", "B"],
    ["longer", q, onTopic, offTopic, "B"],
    ["always-A", q, offTopic, onTopic, "A"],
  ];
  for (const [policy, question, a, b, verdict] of table) {
    await withSim({ ...honest, policy }, async (sim) => {
      const text = await reply(sim, pairwise(question, a, b, "<answer>"));
      assert.match(text, new RegExp(`\\[\\[${verdict}\\]\\]`), `${policy}: ${text}`);
    });
  }
});

Deno.test("sim: noise, position bias and format errors show up at their rates", async () => {
  const q = "Explain how photosynthesis converts sunlight into chemical energy";
  const prompt = pairwise(q, "Volcanoes erupt.", "Photosynthesis converts sunlight.", "<answer>");
  await withSim({ noise: 0.2, positionBias: 0, formatErrorRate: 0.2 }, async (sim) => {
    const { body } = await post(sim, { model: "m", messages: user(prompt), n: 100, seed: 0 });
    const texts: string[] = body.choices.map((c: { message: { content: string } }) =>
      c.message.content
    );
    const wellFormed = texts.filter((t) => /<\/think>\n<answer> \[\[[AB]\]\] <\/answer>$/.test(t));
    const flipped = wellFormed.filter((t) => t.includes("[[A]]")).length;
    assert.ok(
      wellFormed.length >= 65 && wellFormed.length <= 92,
      `well formed ${wellFormed.length}`,
    );
    assert.ok(flipped >= 5 && flipped <= 35, `flipped ${flipped}`);
  });
});

Deno.test("sim: synth, math and plain prompts", async () => {
  await withSim({ ...honest }, async (sim) => {
    const synth = await reply(
      sim,
      "[Original Instruction]\nWrite 5 tips for summer gardening.\n\nChange it subtly; " +
        "answer in <modified_instruction></modified_instruction>.",
    );
    const modified = synth.match(/<modified_instruction>\n(.+)\n<\/modified_instruction>/)?.[1];
    assert.ok(modified && modified !== "Write 5 tips for summer gardening.", synth);
    assert.match(modified, /^Write \d tips for summer gardening\.$/);

    // The worse-response prompt: the modified instruction and its answer in J1's sections.
    const worse = await reply(
      sim,
      "[Original Instruction]\nWrite 5 tips for summer gardening.\n\n" +
        "[The Start of the Baseline Answer]\nWater early.\n[The End of the Baseline Answer]\n\n" +
        "Reply with [User Question Modified] and the answer between the markers.",
    );
    assert.match(
      worse,
      /^\[User Question Modified\]\nWrite \d tips for summer gardening\.\n\n\[The start of Assistant's answer to the modified instruction\]\n.*tips.*\n\[The end of Assistant's answer to the modified instruction\]$/,
    );
    const category = (instruction: string) =>
      reply(
        sim,
        `[Original Instruction]\n${instruction}\n\n[Categories]\ncoding\nreasoning\nother\n\n` +
          "Answer in <category></category>.",
      );
    assert.equal(await category("Why is the sky blue?"), "<category>reasoning</category>");
    assert.equal(await category("Fix this python function"), "<category>coding</category>");
    assert.equal(await category("Hello there"), "<category>other</category>");

    const math = "What is 12 + 30? Put the final answer in \\boxed{}.";
    assert.match(await reply(sim, math), /\\boxed\{42\}\.$/);
    const plain = await reply(sim, "Recommend hiking trails near Denver");
    for (const w of ["recommend", "hiking", "trails", "denver"]) {
      assert.match(plain.toLowerCase(), new RegExp(w));
    }
  });
  await withSim({ mathErrorRate: 1 }, async (sim) => {
    const text = await reply(sim, "Compute 7 * 8 and give \\boxed{}.");
    assert.doesNotMatch(text, /\\boxed\{56\}/);
    assert.match(text, /\\boxed\{(5[0-9]|6[0-9])\}/);
  });
});

Deno.test("sim: reasoning field holds the thought; max_tokens truncates", async () => {
  const prompt = pairwise("Pick one", "x", "y", "<answer>");
  for (const field of ["reasoning", "reasoning_content"] as const) {
    await withSim({ ...honest, reasoningField: field }, async (sim) => {
      const { body } = await post(sim, { model: "m", messages: user(prompt) });
      const message = body.choices[0].message;
      assert.match(message[field], /Overall, Response [AB] is the better answer\./);
      assert.match(message.content, /^<answer> \[\[[AB]\]\] <\/answer>$/);
    });
  }
  await withSim({}, async (sim) => {
    const { body } = await post(sim, { model: "m", messages: user(prompt), max_tokens: 5 });
    assert.equal(body.choices[0].finish_reason, "length");
    assert.equal(body.choices[0].message.content.length, 20);
  });
});

Deno.test("sim: faults are deterministic per body and attempt, and counted", async () => {
  const faults: ["error500" | "rateLimit429", number][] = [
    ["error500", 500],
    ["rateLimit429", 429],
  ];
  for (const [kind, status] of faults) {
    await withSim({ faults: { [kind]: 1, maxPerRequest: 1, retryAfterMs: 7 } }, async (sim) => {
      const body = { model: "m", messages: user("hello") };
      const first = await post(sim, body);
      assert.equal(first.status, status);
      assert.equal(typeof first.body.error.message, "string");
      if (status === 429) assert.equal(first.headers.get("retry-after-ms"), "7");
      assert.equal((await post(sim, body)).status, 200, "the retry succeeds");
      assert.equal(sim.stats().faults[kind], 1);
    });
  }
  await withSim({ faults: { malformed: 1 } }, async (sim) => {
    const res = await fetch(`${sim.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: user("x") }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(res.json(), SyntaxError);
  });
});

Deno.test("sim: concurrency cap rejects with 503 when asked to", async () => {
  await withSim({ concurrencyCap: 1, overCap: "reject", latencyMs: 20 }, async (sim) => {
    const statuses = await Promise.all(
      [0, 1, 2].map((i) =>
        post(sim, { model: "m", messages: user(`q${i}`) }).then((r) => r.status)
      ),
    );
    assert.deepEqual(statuses.toSorted(), [200, 503, 503]);
    assert.equal(sim.stats().faults.overCap, 2);
  });
});

const SIM_CLI = new URL("../tasks/sim.ts", import.meta.url).pathname;

Deno.test("sim CLI: bad flags exit 2 with one line naming the flag, no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^Unknown option '--bogus'/],
    [["--noise", "x"], /^--noise: expected a number, found "x"$/],
    [["--policy", "nope"], /^--policy: expected one of overlap, longer, always-A, random/],
    [["--over-cap", "drop"], /^--over-cap: expected one of queue, reject, found "drop"$/],
    [["--port", "99999"], /^--port: expected a port from 0 to 65535, found 99999$/],
  ];
  for (const [args, message] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SIM_CLI, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, args.join(" "));
    assert.match(stderr.split("\n")[0], message);
    assert.ok(!/\bat file:|Uncaught/.test(stderr), stderr);
  }
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SIM_CLI, "--help"],
    stdout: "piped",
  }).output();
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /^usage: deno task sim/);
});

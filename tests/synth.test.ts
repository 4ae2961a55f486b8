/** The synth stage: the two recipes end to end against the simulator, and their checks as tables. */
import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import type { LlmClient } from "../lib/llm/types.ts";
import type { Pair, SeedPrompt } from "../lib/records.ts";
import { type SimOptions, startSim } from "../lib/sim/mod.ts";
import { type SynthOptions, synthStage } from "../lib/stages/synth.ts";
import {
  answerMessages,
  checkAnswers,
  checkModifiedInstruction,
  type GradedSolution,
  isRefusal,
  pairShapeError,
  parseModifiedInstruction,
  parseSynthTemplate,
  parseWorseResponse,
  pickVerified,
  seedShapeError,
  synthesizeWorse,
} from "../lib/synth/mod.ts";
import { loadSynthTemplate } from "../lib/synth/templates.ts";
import { type Completion, emptyStats, type SampleParams } from "../lib/llm/types.ts";
import type { Message } from "../lib/records.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";

const defaults = Object.fromEntries(
  Object.entries(synthStage.options).map(([key, spec]) => [key, spec.default]),
) as unknown as SynthOptions;

const chat = (id: string, instruction: SeedPrompt["instruction"]): SeedPrompt => ({
  id,
  source: "test",
  kind: "chat",
  instruction,
});
const math = (id: string, instruction: string, reference?: string): SeedPrompt => ({
  id,
  source: "test",
  kind: "verifiable",
  instruction,
  ...(reference !== undefined ? { reference } : {}),
});

const chatSeeds = [
  chat("chat-garden", "Write 5 tips for a summer garden."),
  chat("chat-solar", [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Explain the advantages of solar power for beginners." },
  ]),
];
const mathSeeds = [
  math("math-add", "What is 12 + 30?", "42"),
  math("math-mul", "Compute 7 times 8.", "56"),
  math("math-div", "What is 100 / 8?", "12.5"),
];
const givenPair: Pair = {
  id: "given-1",
  seedId: "s-given",
  source: "prefs",
  kind: "chat",
  instruction: "Name a prime.",
  chosen: "7",
  rejected: "8",
  method: "given",
  provenance: { file: "prefs.jsonl", line: 1 },
};

/** Runs the stage against a fresh simulator; returns the run and the client's request count. */
async function runSynth(
  rows: unknown[],
  sim: SimOptions = { seed: 1 },
  options: Partial<SynthOptions> = {},
) {
  const server = await startSim(sim);
  try {
    const client: LlmClient = createLlmClient(
      endpointDefaults({ name: "default", baseUrl: server.url, model: "j1-sim" }),
    );
    const ctx = testContext({ ...defaults, ...options }, [memoryInput("seeds", rows)], {
      default: client,
    });
    const run = await runStageInMemory(synthStage, ctx);
    return { ...run, requests: client.stats().requests };
  } finally {
    await server.close();
  }
}

Deno.test("synth e2e: chat and math seeds give pairs of both methods; given pairs pass through", async () => {
  const { records, rejects, summary, requests } = await runSynth([
    ...chatSeeds,
    ...mathSeeds,
    givenPair,
  ]);
  assert.deepEqual(rejects, []);
  assert.deepEqual(summary, {
    pairs: 6,
    byMethod: { "modified-instruction": 2, "sampled-verified": 3, given: 1 },
  });
  // Chat (worse-response, the default): the baseline answer + one worse-response call; math:
  // one `n` request.
  assert.equal(requests, chatSeeds.length * 2 + mathSeeds.length);

  const bySeed = new Map(records.map((p) => [p.seedId, p]));
  for (const seed of chatSeeds) {
    const pair = bySeed.get(seed.id)!;
    assert.equal(pair.method, "modified-instruction");
    assert.deepEqual(pair.instruction, seed.instruction);
    assert.equal(pair.provenance.model, "j1-sim");
    assert.equal(typeof pair.provenance.modifiedInstruction, "string");
    assert.equal(pair.provenance.chatMethod, "worse-response");
    assert.notEqual(pair.chosen, pair.rejected);
  }
  // The simulator changes the number, or swaps a word for its opposite.
  assert.match(bySeed.get("chat-garden")!.provenance.modifiedInstruction!, /^Write \d+ tips/);
  assert.notEqual(
    bySeed.get("chat-garden")!.provenance.modifiedInstruction,
    "Write 5 tips for a summer garden.",
  );
  assert.equal(
    bySeed.get("chat-solar")!.provenance.modifiedInstruction,
    "Explain the disadvantages of solar power for beginners.",
  );

  for (const seed of mathSeeds) {
    const pair = bySeed.get(seed.id)!;
    assert.equal(pair.method, "sampled-verified");
    assert.equal(pair.reference, seed.reference);
    assert.ok(pair.chosen.includes(`\\boxed{${seed.reference}}`));
    assert.ok(!pair.rejected.includes(`\\boxed{${seed.reference}}`));
    const sampled = pair.provenance.sampledAnswers!;
    assert.equal(pair.provenance.samples, 8);
    assert.equal(sampled.length, 8);
    for (const s of sampled) assert.equal(s.correct, s.answer === seed.reference);
    assert.ok(sampled.some((s) => s.correct) && sampled.some((s) => !s.correct));
  }
  assert.equal(records.find((p) => p.method === "given"), givenPair);
});

Deno.test("synth e2e: the three-call method stays an option; its chosen answer is the same request", async () => {
  const worse = await runSynth(chatSeeds);
  const three = await runSynth(chatSeeds, { seed: 1 }, { chatMethod: "three-call" });
  assert.equal(three.requests, chatSeeds.length * 3);
  assert.deepEqual(three.rejects, []);
  for (const [i, pair] of three.records.entries()) {
    assert.equal(pair.provenance.chatMethod, "three-call");
    assert.equal(pair.chosen, worse.records[i].chosen);
  }
});

Deno.test("synth e2e: worse-response sends the instruction and the baseline answer in one call", async () => {
  const asked: Message[][] = [];
  const replies = ["Baseline: the river Nile.", WORSE_REPLY];
  const llm = fakeLlm((messages) => {
    asked.push(messages);
    return replies[asked.length - 1];
  });
  const templates = {
    answer: await loadSynthTemplate("answer"),
    worse: await loadSynthTemplate("worse-response", ["instruction", "response"]),
  };
  const out = await synthesizeWorse(chat("s", "Name a river."), llm, templates, {
    temperature: 0.7,
    topP: 0.9,
    maxTokens: 64,
    seed: 0,
  });
  assert.ok("pair" in out);
  assert.equal(out.pair.chosen, "Baseline: the river Nile.");
  assert.equal(out.pair.rejected, "Lake Baikal is the deepest lake.");
  assert.equal(out.pair.provenance.modifiedInstruction, "Name a lake.");
  assert.equal(asked.length, 2);
  const prompt = asked[1].at(-1)!.content;
  assert.ok(prompt.includes("Name a river.") && prompt.includes("Baseline: the river Nile."));
  for (
    const marker of [
      "[User Question Modified]",
      "[The start of Assistant's answer to the modified instruction]",
      "[The end of Assistant's answer to the modified instruction]",
    ]
  ) assert.ok(prompt.includes(marker), marker);
});

Deno.test("synth e2e: worse-response rejects missing sections and coinciding answers", async () => {
  const templates = {
    answer: await loadSynthTemplate("answer"),
    worse: await loadSynthTemplate("worse-response", ["instruction", "response"]),
  };
  const params = { temperature: 0.7, maxTokens: 64, seed: 0 };
  const cases: [string, string, string][] = [
    ["Nile.", "Here is a lake: Baikal.", "no_modified_instruction"],
    ["Nile.", WORSE_REPLY.replace(/\[The end[^\]]*\]/, ""), "no_modified_answer"],
    ["Nile.", WORSE_REPLY.replace("Name a lake.", " name a  river. "), "modified_identical"],
    ["Lake Baikal is the deepest lake.", WORSE_REPLY, "identical_answers"],
    ["I'm sorry, I can't help with that.", WORSE_REPLY, "refusal"],
    [
      "Nile.",
      WORSE_REPLY.replace("Lake Baikal is the deepest lake.", "I cannot do that."),
      "refusal",
    ],
  ];
  for (const [chosen, worse, reason] of cases) {
    let calls = 0;
    const llm = fakeLlm(() => [chosen, worse][calls++]);
    const out = await synthesizeWorse(chat("s", "Name a river."), llm, templates, params);
    assert.equal("issue" in out && out.issue.reason, reason, worse);
    // A refused baseline stops before the worse-response call.
    if (chosen.startsWith("I'm sorry")) assert.equal(calls, 1);
  }
});

Deno.test("synth: topP reaches every request, chat and math", async () => {
  const seen: (SampleParams | undefined)[] = [];
  const base = fakeLlm(() => "");
  const llm: LlmClient = {
    ...base,
    complete: (_messages, params) => {
      seen.push(params);
      const texts = Array.from({ length: params?.n ?? 1 }, (_, i) => `\\boxed{${i}}`);
      return Promise.resolve(
        texts.map((text) => ({
          text,
          usage: { promptTokens: 0, completionTokens: 0 },
          cached: false,
        })),
      );
    },
  };
  const ctx = testContext({ ...defaults, topP: 0.9 }, [
    memoryInput("seeds", [chatSeeds[0], mathSeeds[0]]),
  ], { default: llm });
  await runStageInMemory(synthStage, ctx);
  assert.equal(seen.length, 3, "baseline answer, worse response, math samples");
  for (const params of seen) assert.equal(params?.topP, 0.9);
});

Deno.test("synth e2e: the same seed gives the same pairs; another seed other samples", async () => {
  const rows = [...chatSeeds, ...mathSeeds];
  const first = await runSynth(rows);
  const again = await runSynth(rows);
  assert.deepEqual(again.records, first.records);
  const other = await runSynth(rows, { seed: 1 }, { seed: 7 });
  assert.notDeepEqual(
    other.records.map((p) => p.provenance),
    first.records.map((p) => p.provenance),
  );
});

Deno.test("synth e2e: degenerate seeds are rejected with their reason", async () => {
  const noReference = math("math-noref", "What is 2 + 2?");
  // Not arithmetic: the simulator believes one random answer, never the reference.
  const hopeless = math("math-hopeless", "How many primes are below ten?", "4");
  const badRows = [
    { id: "x", source: "test", kind: "code", instruction: "Hi" },
    "just a string",
    { ...givenPair, method: "scraped" },
    chat("chat-empty-turns", [{ role: "assistant", content: "Hello" }]),
  ];
  const { records, rejects, summary, requests } = await runSynth([
    noReference,
    hopeless,
    ...badRows,
  ]);
  assert.deepEqual(records, []);
  assert.deepEqual(summary, { pairs: 0, byMethod: {} });
  assert.deepEqual(rejects.map((r) => r.reason), [
    "no_reference",
    "all_wrong",
    "invalid_seed",
    "invalid_seed",
    "invalid_seed",
    "invalid_seed",
  ]);
  assert.deepEqual(rejects.map((r) => r.record), [noReference, hopeless, ...badRows]);
  assert.match(rejects[1].detail!, /^8 sampled: 0 correct, 8 wrong/);
  assert.match(rejects[2].detail!, /expected kind "chat" or "verifiable", found "code"/);
  assert.match(rejects[4].detail!, /expected a Pair method/);
  assert.match(rejects[5].detail!, /user turn/);
  assert.equal(requests, 1, "only the hopeless seed reaches the model");
});

Deno.test("synth e2e: a model that never errs gives all_correct", async () => {
  const { records, rejects } = await runSynth(mathSeeds, { seed: 1, mathErrorRate: 0 });
  assert.deepEqual(records, []);
  assert.deepEqual(rejects.map((r) => r.reason), ["all_correct", "all_correct", "all_correct"]);
  assert.equal(rejects[0].detail, "8 sampled: 8 correct, 0 wrong, 0 without a final answer");
});

Deno.test("synth e2e: the samples option sets n", async () => {
  const { records, rejects } = await runSynth(mathSeeds, { seed: 1 }, { samples: 3 });
  assert.equal(records.length + rejects.length, mathSeeds.length);
  for (const p of records) assert.equal(p.provenance.sampledAnswers?.length, 3);
  for (const p of records) assert.equal(p.provenance.samples, 3);
  for (const r of rejects) assert.match(r.detail!, /^3 sampled:/);
});

Deno.test("synth e2e: a template without its placeholder stops the stage before any request", async () => {
  const file = await Deno.makeTempFile({ suffix: ".md" });
  await Deno.writeTextFile(file, "## system\nBe helpful.\n## user\nAnswer this.\n");
  try {
    await assert.rejects(
      // No endpoint in the context: asking for a client would fail with another error.
      () =>
        runStageInMemory(
          synthStage,
          testContext({ ...defaults, answerTemplate: file }, [memoryInput("seeds", chatSeeds)]),
        ),
      (err: Error) => {
        assert.ok(err instanceof UserError);
        assert.equal(err.loc?.file, file);
        assert.equal(err.loc?.line, 3);
        assert.match(err.message, /expected the placeholder \{\{instruction\}\}, found none/);
        return true;
      },
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("parseSynthTemplate: sections, placeholder and errors with file:line", () => {
  const ok = parseSynthTemplate(
    "<!-- a note -->\n## system\nSolve it.\n\n## user\n[Q]\n{{ instruction }}\n",
    "t.md",
  );
  assert.deepEqual(ok, { system: "Solve it.", user: "[Q]\n{{ instruction }}", source: "t.md" });
  const cases: [string, RegExp][] = [
    [
      "Intro\n## user\n{{instruction}}",
      /UserError: t\.md:1: expected "## system" or "## user", found "Intro"/,
    ],
    ["## system\n{{instruction}}", /UserError: t\.md:2: expected a "## user" section, found none/],
    ["## user\n{{instruction}}\n## user\nx", /UserError: t\.md:3: expected one "## user" section/],
    [
      "## user\nQ: {{question}}",
      /UserError: t\.md:2:4: expected the placeholder \{\{instruction\}\}, found \{\{question\}\}/,
    ],
    ["## system\nx\n## user\nnothing here", /UserError: t\.md:3: expected the placeholder/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => parseSynthTemplate(text, "t.md"), expected, text);
  }
  // A worse-response template must show both the instruction and the baseline answer.
  const both = ["instruction", "response"];
  assert.throws(
    () => parseSynthTemplate("## user\n{{instruction}}\n", "w.md", both),
    /w\.md:1: expected the placeholder \{\{response\}\}, found none/,
  );
  assert.throws(
    () => parseSynthTemplate("## user\n{{instruction}} {{answer}}\n", "w.md", both),
    /w\.md:2:17: expected the placeholder \{\{instruction\}\} or \{\{response\}\}, found \{\{answer\}\}/,
  );
});

Deno.test("isRefusal: refusals at the start of an answer", () => {
  const cases: [string, boolean][] = [
    ["I'm sorry, but I can't help with that.", true],
    ["  I’m sorry, I cannot do that.", true],
    ["I am sorry, that is not something I can do.", true],
    ["Sorry, but I won't write that.", true],
    ["I cannot provide that information.", true],
    ["I can't assist with this request.", true],
    ["I'm unable to comply.", true],
    ["As an AI language model, I do not have opinions.", true],
    ["I apologize, but I must decline.", true],
    ["Unfortunately, I cannot help with that.", true],
    ["Sorry to hear that! Here are three tips.", false],
    ["Here are three tips. I'm sorry if they are obvious.", false],
    ["As an aside, gardens need water.", false],
    ["Icannot is not a word.", false],
    ["", false],
  ];
  for (const [text, expected] of cases) assert.equal(isRefusal(text), expected, text);
});

Deno.test("parseWorseResponse: the sections by their markers, whatever the case and spacing", () => {
  const ok = { modified: "Name a lake.", answer: "Lake Baikal is the deepest lake." };
  const cases: [string, string | typeof ok][] = [
    [WORSE_REPLY, ok],
    ["Sure!\n" + WORSE_REPLY + "\nHope this helps.", ok],
    [
      WORSE_REPLY.toUpperCase().replace("NAME A LAKE.", "Name a lake.").replace(
        "LAKE BAIKAL IS THE DEEPEST LAKE.",
        "Lake Baikal is the deepest lake.",
      ),
      ok,
    ],
    [
      WORSE_REPLY.replaceAll("Assistant's", "Assistant’s").replace(
        "[User Question Modified]",
        "[ User  Question Modified ]",
      ),
      ok,
    ],
    [
      "[User Question Modified]\nx\n[User Question Modified]\nName a lake.\n" +
      WORSE_REPLY.slice(WORSE_REPLY.indexOf("\n\n")),
      ok,
    ],
    ["Name a lake.\n" + WORSE_REPLY.slice(WORSE_REPLY.indexOf("\n\n")), "no_modified_instruction"],
    [WORSE_REPLY.replace("Name a lake.", " "), "no_modified_instruction"],
    [WORSE_REPLY.slice(0, WORSE_REPLY.indexOf("\n\n")), "no_modified_answer"],
    [WORSE_REPLY.replace("Lake Baikal is the deepest lake.", ""), "no_modified_answer"],
  ];
  for (const [text, expected] of cases) {
    const got = parseWorseResponse(text);
    assert.deepEqual("issue" in got ? got.issue.reason : got, expected, text);
  }
});

Deno.test("parseModifiedInstruction: the last non-empty tag, trimmed", () => {
  const cases: [string, string | null][] = [
    ["<modified_instruction>Write 4 tips.</modified_instruction>", "Write 4 tips."],
    ["Sure!\n<modified_instruction>\n  Write 4 tips.\n</modified_instruction>\n", "Write 4 tips."],
    [
      "<modified_instruction>a</modified_instruction> then <modified_instruction>b</modified_instruction>",
      "b",
    ],
    ["<modified_instruction> \n </modified_instruction>", null],
    ["<modified_instruction>never closed", null],
    ["Write 4 tips.", null],
    ["", null],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseModifiedInstruction(text), expected, text);
  }
});

Deno.test("checkModifiedInstruction and checkAnswers: the chat filters", () => {
  const tag = (s: string) => `<modified_instruction>${s}</modified_instruction>`;
  const modified: [string, string, string | null][] = [
    ["Name a river.", tag("Name a lake."), null],
    ["Name a river.", "I would change it to: name a lake.", "no_modified_instruction"],
    ["Name a river.", tag(""), "no_modified_instruction"],
    ["Name a river.", tag("  name A   river. "), "modified_identical"],
  ];
  for (const [original, reply, reason] of modified) {
    const out = checkModifiedInstruction(original, reply);
    assert.equal("issue" in out ? out.issue.reason : null, reason, reply);
  }
  const answers: [string, string, string | null][] = [
    ["The Nile.", "Lake Victoria.", null],
    ["The Nile.", "the  nile.\n", "identical_answers"],
    ["The Nile.", "  ", "empty_answer"],
    ["", "Lake Victoria.", "empty_answer"],
    ["I'm sorry, I can't help.", "Lake Victoria.", "refusal"],
    ["The Nile.", "As an AI, I cannot name lakes.", "refusal"],
  ];
  for (const [chosen, rejected, reason] of answers) {
    assert.equal(checkAnswers(chosen, rejected)?.reason ?? null, reason, `${chosen}|${rejected}`);
  }
});

Deno.test("pickVerified: first correct vs first wrong, else the J1 rule's reasons", () => {
  const right = (n: number): GradedSolution => ({ text: `r${n}`, answer: "4", correct: true });
  const wrong = (n: number): GradedSolution => ({ text: `w${n}`, answer: "5", correct: false });
  const none = (n: number): GradedSolution => ({ text: `n${n}`, answer: null, correct: false });
  const cases: [GradedSolution[], string][] = [
    [[wrong(1), right(1), wrong(2), right(2)], "r1/w1"],
    [[none(1), right(1), wrong(1)], "r1/w1"],
    [[right(1), right(2)], "all_correct"],
    [[right(1), none(1)], "all_correct"],
    [[wrong(1), wrong(2)], "all_wrong"],
    [[none(1), none(2)], "unparseable"],
    [[], "unparseable"],
  ];
  for (const [graded, expected] of cases) {
    const out = pickVerified(graded);
    const got = "issue" in out ? out.issue.reason : `${out.chosen.text}/${out.rejected.text}`;
    assert.equal(got, expected, graded.map((g) => g.text).join(","));
  }
});

Deno.test("answerMessages: a conversation keeps its turns, the last user turn replaced", () => {
  const t = { system: "", user: "{{instruction}}", source: "t.md" };
  const conversation = chatSeeds[1].instruction;
  assert.deepEqual(answerMessages(conversation, "Explain solar for experts.", t), [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Explain solar for experts." },
  ]);
  assert.deepEqual(answerMessages("Name a river.", "Name a lake.", t), [
    { role: "user", content: "Name a lake." },
  ]);
});

Deno.test("seedShapeError and pairShapeError: what a row must have", () => {
  const seed = { id: "s", source: "x", kind: "chat", instruction: "Hi" };
  const seeds: [unknown, RegExp | null][] = [
    [seed, null],
    [{ ...seed, kind: "verifiable", reference: "4" }, null],
    [{ ...seed, instruction: [{ role: "user", content: "Hi" }] }, null],
    [null, /expected a SeedPrompt object, found null/],
    [[seed], /expected a SeedPrompt object/],
    [{ ...seed, id: 3 }, /expected a string "id", found 3/],
    [{ ...seed, kind: undefined }, /expected kind "chat" or "verifiable", found undefined/],
    [{ ...seed, reference: 4 }, /expected a string "reference", found 4/],
    [{ ...seed, instruction: " " }, /non-empty instruction/],
    [{ ...seed, instruction: [{ role: "bot", content: "Hi" }] }, /instruction\[0\]/],
    [{ ...seed, instruction: 42 }, /expected an instruction/],
  ];
  for (const [row, expected] of seeds) {
    const got = seedShapeError(row);
    if (expected === null) assert.equal(got, null, JSON.stringify(row));
    else assert.match(got ?? "", expected, JSON.stringify(row));
  }
  const pair = givenPair as unknown as Record<string, unknown>;
  assert.equal(pairShapeError(pair), null);
  assert.match(pairShapeError({ ...pair, rejected: undefined })!, /string "rejected"/);
  assert.match(pairShapeError({ ...pair, instruction: [] })!, /user turn/);
});

const WORSE_REPLY = "[User Question Modified]\nName a lake.\n\n" +
  "[The start of Assistant's answer to the modified instruction]\n" +
  "Lake Baikal is the deepest lake.\n" +
  "[The end of Assistant's answer to the modified instruction]";

/** A client answering each request with `reply(messages, params)`. */
function fakeLlm(reply: (messages: Message[], params?: SampleParams) => string): LlmClient {
  return {
    endpoint: endpointDefaults({ name: "fake", baseUrl: "http://fake", model: "fake" }),
    complete: (messages, params) =>
      Promise.resolve(
        [{
          text: reply(messages, params),
          usage: { promptTokens: 0, completionTokens: 0 },
          cached: false,
        } as Completion],
      ),
    stats: emptyStats,
    activity: () => ({ inFlight: 0, retrying: 0 }),
    replicas: () => [],
  };
}

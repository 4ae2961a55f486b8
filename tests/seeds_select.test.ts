/** WildChat selection in the seeds stage: `where` filters, the last user turn, the LLM category. */
import assert from "node:assert/strict";
import { createLlmClient, endpointDefaults } from "../lib/llm/mod.ts";
import { parsePipeline } from "../lib/pipeline/config.ts";
import type { SeedPrompt } from "../lib/records.ts";
import { whereMismatch, whereProblem } from "../lib/seeds/mod.ts";
import { parseCategory } from "../lib/seeds/category.ts";
import { mapSeed } from "../lib/seeds/map.ts";
import { startSim } from "../lib/sim/mod.ts";
import { type SeedsOptions, seedsStage } from "../lib/stages/seeds.ts";
import { stages } from "../lib/stages/mod.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";
import { readRecords } from "../lib/io/records.ts";

const defaults = Object.fromEntries(
  Object.entries(seedsStage.options).map(([key, spec]) => [key, spec.default]),
) as unknown as SeedsOptions;

const wildchat = (turn: number, language: string, extra: Record<string, unknown> = {}) => ({
  conversation_hash: `h${turn}${language}`,
  turn,
  language,
  toxic: false,
  redacted: false,
  conversation: [
    { role: "user", content: "Hi there" },
    { role: "assistant", content: "Hello!" },
    { role: "user", content: `Why is the sky blue? (${language} ${turn})` },
  ],
  ...extra,
});

Deno.test("whereMismatch: equal, one of, range, missing, dotted paths", () => {
  const row = { turn: 2, language: "English", toxic: false, meta: { n: 5 }, model: null };
  const cases: [Record<string, unknown>, string | null][] = [
    [{ turn: 2, language: "English", toxic: false }, null],
    [{ toxic: true }, 'field "toxic" is false, expected true'],
    [{ turn: "2" }, 'field "turn" is 2, expected "2"'],
    [{ language: ["German", "English"] }, null],
    [
      { language: ["German", "French"] },
      'field "language" is "English", expected one of "German", "French"',
    ],
    [{ turn: { min: 1, max: 2 } }, null],
    [{ turn: { max: 1 } }, 'field "turn" is 2, expected at most 1'],
    [{ turn: { min: 3, max: 4 } }, 'field "turn" is 2, expected at least 3 and at most 4'],
    [{ language: { min: 1 } }, 'field "language" is "English", expected at least 1'],
    [{ redacted: false }, 'field "redacted" is missing, expected false'],
    [{ "meta.n": 5, model: null }, null],
  ];
  for (const [where, expected] of cases) {
    // deno-lint-ignore no-explicit-any
    assert.equal(whereMismatch(row, where as any), expected, JSON.stringify(where));
  }
});

Deno.test("whereProblem: what a where object may hold", () => {
  const ok = [{}, { turn: 1, language: "English", toxic: false, x: null }, { turn: [1, 2] }, {
    turn: { min: 1 },
  }];
  for (const w of ok) assert.equal(whereProblem(w), undefined, JSON.stringify(w));
  const bad: [unknown, string][] = [
    [{ turn: [] }, "[]"],
    [{ turn: [[1]] }, "[[1]]"],
    [{ turn: { gt: 1 } }, '{"gt":1}'],
    [{ turn: { min: "1" } }, '{"min":"1"}'],
    [{ turn: {} }, "{}"],
  ];
  for (const [w, found] of bad) {
    const problem = whereProblem(w);
    assert.equal(problem?.found, found);
    assert.match(problem!.expected, /^field "turn": a string, number, boolean or null/);
  }
});

Deno.test("pipeline file: a wrong where is an error at its line and column", () => {
  const text = `{ "stages": [\n  { "id": "s", "task": "seeds", "inputs": ["x.jsonl"],\n` +
    `    "options": { "where": { "turn": [] } } }\n] }`;
  assert.throws(
    () => parsePipeline(text, "p.jsonc", stages, () => true),
    (err: Error) => {
      assert.match(
        err.message,
        /^p\.jsonc:3:27: expected option "where": field "turn": a string, number, boolean or null, a non-empty list of them, or \{"min", "max"\} numbers, found \[\]/,
      );
      return true;
    },
  );
});

Deno.test("mapSeed: where rejects rows; lastTurn keeps the last user turn alone", () => {
  const loc = { file: "wc.jsonl", row: 3 };
  const where = { turn: 1, language: "English", toxic: false, redacted: false };
  const out = mapSeed(wildchat(1, "French"), loc, { kind: "chat", source: "wc", where });
  assert.ok("reject" in out);
  assert.equal(out.reject.reason, "where");
  assert.equal(
    out.reject.detail,
    'wc.jsonl row 3: field "language" is "French", expected "English"',
  );

  const whole = mapSeed(wildchat(1, "English"), loc, { kind: "chat", source: "wc", where });
  assert.ok("seed" in whole);
  assert.equal((whole.seed.instruction as unknown[]).length, 3);
  const last = mapSeed(wildchat(1, "English"), loc, { kind: "chat", source: "wc", lastTurn: true });
  assert.ok("seed" in last);
  assert.equal(last.seed.instruction, "Why is the sky blue? (English 1)");
});

Deno.test("seeds stage: the WildChat fixture filtered by where", async () => {
  const rows: unknown[] = [];
  for await (const { record } of readRecords("fixtures/seeds/chat.jsonl")) rows.push(record);
  const run = async (where: Record<string, unknown>) => {
    const ctx = testContext({ ...defaults, where, lastTurn: true }, [
      memoryInput("chat.jsonl", rows),
    ]);
    const { records, rejects } = await runStageInMemory(seedsStage, ctx);
    assert.ok(records.every((s) => typeof s.instruction === "string"));
    return rejects.filter((r) => r.reason === "where").map((r) => r.detail!.replace(/^.*: /, ""));
  };
  // The recipe's filter: one Chinese row, one redacted row.
  assert.deepEqual(await run({ language: "English", toxic: false, redacted: false }), [
    'field "redacted" is true, expected false',
    'field "language" is "Chinese", expected "English"',
  ]);
  const firstTurn = await run({ turn: 1, language: "English" });
  assert.equal(firstTurn.length, 5, "four two-turn rows and the Chinese row");
});

Deno.test("parseCategory: tags, bare names, unknown names", () => {
  const cats = ["coding", "reasoning", "creative writing", "other"];
  const cases: [string, string | null][] = [
    ["<category>reasoning</category>", "reasoning"],
    [
      "Thinking… <category>coding</category> no wait <category> Reasoning. </category>",
      "reasoning",
    ],
    ["<category>Creative  Writing</category>", "creative writing"],
    ["**coding**", "coding"],
    ["<category>math</category>", null],
    ["I think it is reasoning", null],
  ];
  for (const [text, expected] of cases) assert.equal(parseCategory(text, cats), expected, text);
});

Deno.test("seeds stage: the LLM category filter keeps chat seeds of the kept categories", async () => {
  const rows = [
    { instruction: "Why does ice float on water?" },
    { instruction: "Write a python function that reverses a list." },
    { instruction: "Write a poem about rain." },
    { problem: "What is 2 + 3?", answer: "5" },
  ];
  const server = await startSim({ seed: 1 });
  try {
    const client = createLlmClient(
      endpointDefaults({ name: "gen", baseUrl: server.url, model: "j1-sim" }),
    );
    const options = {
      ...defaults,
      dedupe: false,
      classifier: "gen",
      keepCategories: ["reasoning"],
    };
    const ctx = testContext(options, [memoryInput("rows", rows)], { gen: client });
    const { records, rejects } = await runStageInMemory(seedsStage, ctx);
    // The verifiable seed is not classified.
    assert.deepEqual(records.map((s: SeedPrompt) => s.instruction), [
      "Why does ice float on water?",
      "What is 2 + 3?",
    ]);
    assert.deepEqual(rejects.map((r) => [r.reason, r.detail]), [
      ["category", "classified as coding (kept: reasoning)"],
      ["category", "classified as writing (kept: reasoning)"],
    ]);
    assert.equal(client.stats().requests, 3);
  } finally {
    await server.close();
  }
});

Deno.test("seeds stage: category options that cannot work stop before any row is read", async () => {
  const cases: [Partial<SeedsOptions>, RegExp][] = [
    [{ keepCategories: ["reasoning"] }, /expected a classifier endpoint for keepCategories/],
    [{ classifier: "gen" }, /expected keepCategories .* with a classifier, found none/],
    [
      { classifier: "gen", keepCategories: ["poetry"] },
      /from categories \(coding, .*\), found "poetry"/,
    ],
  ];
  for (const [options, expected] of cases) {
    const ctx = testContext({ ...defaults, ...options }, [memoryInput("rows", [])]);
    await assert.rejects(() => runStageInMemory(seedsStage, ctx), expected);
  }
});

Deno.test("seeds CLI: the optional classifier needs no endpoint flags unless it is set", async () => {
  const { runStageCli } = await import("../lib/pipeline/cli.ts");
  const out = await Deno.makeTempDir();
  const input = "fixtures/seeds/chat.jsonl";
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await runStageCli(seedsStage, ["--input", input, "--out", out]), 0);
    const sim = await startSim({ seed: 1 });
    try {
      const args = ["--input", input, "--out", `${out}/c`, "--where", '{"turn": 1}'];
      const classify = [...args, "--classifier", "default", "--keep-categories", "reasoning"];
      const error = console.error;
      console.error = () => {};
      try {
        // Asked for a classifier without an endpoint: a usage error, not a crash.
        assert.equal(await runStageCli(seedsStage, classify), 2);
      } finally {
        console.error = error;
      }
      const code = await runStageCli(seedsStage, [
        ...classify,
        "--base-url",
        sim.url,
        "--model",
        "sim",
        "--no-cache",
      ]);
      assert.equal(code, 0);
      const manifest = JSON.parse(await Deno.readTextFile(`${out}/c/seeds.manifest.json`));
      assert.ok(manifest.counts.rejectReasons.category > 0);
      assert.ok(manifest.counts.rejectReasons.where > 0);
    } finally {
      await sim.close();
    }
  } finally {
    console.log = log;
  }
});

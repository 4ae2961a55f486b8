import assert from "node:assert/strict";
import { UserErrors } from "../lib/errors.ts";
import { findCycle, parsePipeline } from "../lib/pipeline/config.ts";
import { interpolate } from "../lib/pipeline/interpolate.ts";
import { stages } from "../lib/stages/mod.ts";

const exists = (p: string) => p.startsWith("data/");

/** The messages of every validation error of a pipeline text. */
function errorsOf(text: string): string[] {
  try {
    parsePipeline(text, "p.jsonc", stages, exists);
  } catch (err) {
    assert.ok(err instanceof UserErrors, String(err));
    return err.errors.map((e) => e.message);
  }
  return [];
}

const ok = `{
  // comments and trailing commas are fine
  "name": "t",
  "endpoints": { "judge": { "baseUrl": "http://127.0.0.1:1/v1", "model": "m", } },
  "stages": [
    { "id": "seeds", "task": "seeds", "inputs": ["data/a.jsonl"] },
    { "id": "given", "task": "pairs", "inputs": ["data/p.jsonl"], "options": { "source": "x" } },
  ],
}`;

Deno.test("pipeline: a valid file parses with defaults filled in", () => {
  const p = parsePipeline(ok, "p.jsonc", stages, exists);
  assert.equal(p.name, "t");
  assert.equal(p.runDir, "runs/t");
  assert.equal(p.cache, "runs/t/cache.sqlite");
  assert.equal(p.endpoints.judge.concurrency, 8);
  assert.equal(p.stages[0].options.minChars, 1);
  assert.equal(p.stages[1].options.source, "x");
});

Deno.test("pipeline: every validation error names file:line:col, expected and found", () => {
  const table: [string, string, RegExp][] = [
    ["syntax", `{ "name": "t", "stages": [ }`, /^p\.jsonc:1:\d+: expected valid JSONC/],
    [
      "unknown top key",
      `{ "stages": [], "nmae": "x" }`,
      /^p\.jsonc:1:17: expected one of .*found unknown key "nmae"/,
    ],
    [
      "unknown task",
      `{ "stages": [\n { "id": "a", "task": "sed" }\n] }`,
      /^p\.jsonc:2:23: expected "task": one of "seeds", .*found string "sed"/,
    ],
    [
      "wrong option type",
      `{ "stages": [\n { "id": "a", "task": "seeds", "inputs": ["data/x"],\n   "options": { "minChars": "5" } }\n] }`,
      /^p\.jsonc:3:29: expected an integer >= 0, found string "5"/,
    ],
    [
      "integer past 2^53",
      `{ "stages": [{ "id": "a", "task": "seeds", "inputs": ["data/x"], "options": { "seed": 1e20 } }] }`,
      /expected an integer, found number 100000000000000000000/,
    ],
    [
      "unknown option",
      `{ "stages": [{ "id": "a", "task": "seeds", "inputs": ["data/x"], "options": { "minchars": 5 } }] }`,
      /^p\.jsonc:1:79: expected one of kind, .*found unknown key "minchars"/,
    ],
    [
      "enum",
      `{ "stages": [{ "id": "a", "task": "seeds", "inputs": ["data/x"], "options": { "kind": "code" } }] }`,
      /expected a string \(one of "auto", "chat", "verifiable"\), found string "code"/,
    ],
    [
      "missing input",
      `{ "stages": [{ "id": "a", "task": "seeds", "inputs": ["nope.jsonl"] }] }`,
      /^p\.jsonc:1:55: expected a stage id, an existing file or a URL, found "nope.jsonl"/,
    ],
    [
      "cycle",
      `{ "stages": [\n{ "id": "a", "task": "pairs", "inputs": ["b"] },\n{ "id": "b", "task": "pairs", "inputs": ["a"] }] }`,
      /^p\.jsonc:2:1: expected stages without a cycle, found a -> b -> a/,
    ],
    [
      "duplicate id",
      `{ "stages": [{ "id": "a", "task": "pairs" }, { "id": "a", "task": "pairs" }] }`,
      /expected a stage id not used before, found duplicate id "a"/,
    ],
    [
      "endpoint missing model",
      `{ "endpoints": { "j": { "baseUrl": "http://x/v1" } }, "stages": [] }`,
      /^p\.jsonc:1:23: expected endpoint "j" to have "model"/,
    ],
    [
      "endpoint wrong type",
      `{ "endpoints": { "j": { "baseUrl": "u", "model": "m", "concurrency": 0 } }, "stages": [] }`,
      /expected an integer >= 1, found number 0/,
    ],
    [
      "undeclared endpoint",
      `{ "endpoints": { "j": { "baseUrl": "u", "model": "m" } }, "stages": [{ "id": "e", "task": "evaluate", "options": { "benchmark": "llmbar", "judge": "other" } }] }`,
      /expected the name of a declared endpoint \(one of "j"\), found string "other"/,
    ],
    [
      "required option",
      `{ "endpoints": { "default": { "baseUrl": "u", "model": "m" } }, "stages": [{ "id": "e", "task": "evaluate" }] }`,
      /expected option "benchmark" \(Benchmark adapter\), found nothing/,
    ],
    [
      "unset variable",
      `{ "runDir": "\${J1KIT_TEST_UNSET_VAR}", "stages": [] }`,
      /^p\.jsonc:1:13: expected the environment variable J1KIT_TEST_UNSET_VAR to be set/,
    ],
    [
      "empty runDir (files at the root)",
      `{ "runDir": "", "stages": [] }`,
      /^p\.jsonc:1:13: expected a folder path \(not empty, not the root folder\), found string ""/,
    ],
    ["root runDir", `{ "runDir": "/", "stages": [] }`, /expected a folder path/],
    [
      "name escaping runs/",
      `{ "name": "..", "stages": [] }`,
      /^p\.jsonc:1:11: expected a name of .*\(not '\.' or '\.\.'\), found string "\.\."/,
    ],
    [
      "stage id escaping the run folder",
      `{ "stages": [{ "id": "..", "task": "pairs" }] }`,
      /^p\.jsonc:1:22: expected "id": a name of .*found string "\.\."/,
    ],
  ];
  for (const [name, text, pattern] of table) {
    const errors = errorsOf(text);
    assert.ok(errors.some((e) => pattern.test(e)), `${name}: ${JSON.stringify(errors)}`);
  }
});

Deno.test("pipeline: option values are checked at load (files named, keys, value types)", () => {
  Deno.env.set("J1KIT_TEST_WEIGHT", "1");
  const stage = (task: string, options: string) =>
    `{ "endpoints": { "default": { "baseUrl": "u", "model": "m" } },\n  "stages": [{ "id": "s", "task": "${task}", "inputs": ["data/x"],\n    "options": ${options} }] }`;
  const table: [string, string, RegExp][] = [
    [
      "misspelt reward weight",
      stage("rollout", `{ "weights": { "correct": 1, "consistnt": 1 } }`),
      /^p\.jsonc:3:45: expected option "weights": reward weights: keys among "correct", "wrong", "consistent", "format", found key "consistnt"/,
    ],
    [
      "a weight from ${VAR} is a string",
      stage("rollout", `{ "weights": { "correct": "\${J1KIT_TEST_WEIGHT}" } }`),
      /^p\.jsonc:3:31: expected option "weights": reward weights: "correct": a number, found string "1"/,
    ],
    [
      "missing judge template file",
      stage("rollout", `{ "templates": ["thinking", "my-judge.md"] }`),
      /^p\.jsonc:3:31: expected option "templates": a pairwise template file .*found "my-judge\.md", which cannot be read/,
    ],
    [
      "a bad mode next to a template file: reported, no crash",
      stage("rollout", `{ "modes": ["pairwize"], "templates": ["my-judge.md"] }`),
      /expected a list of strings \(one of "pairwise", .*found the list \["pairwize"\]/,
    ],
    [
      "missing synth template file",
      stage("synth", `{ "mathTemplate": "mine.md" }`),
      /expected option "mathTemplate": a synth template file .*found "mine\.md", which cannot be read/,
    ],
    [
      "mistyped mapping key",
      stage("evaluate", `{ "benchmark": "pairwise", "mapping": { "promt": "q" } }`),
      /^p\.jsonc:3:56: expected option "mapping": keys among "prompt", .*found key "promt"/,
    ],
    [
      "missing data file",
      stage("evaluate", `{ "benchmark": "pairwise", "data": "bench/jb.jsonl" }`),
      /^p\.jsonc:3:51: expected option "data": an existing file or folder, .*found "bench\/jb\.jsonl", which does not exist/,
    ],
    [
      "missing folder below an existing one (not an HF dataset name)",
      stage("evaluate", `{ "benchmark": "llmbar", "data": "fixtures/llmbr" }`),
      /expected option "data": an existing file or folder, .*found "fixtures\/llmbr", which does not exist/,
    ],
    [
      "bad baseline",
      stage("evaluate", `{ "benchmark": "llmbar", "baseline": "README.md" }`),
      /expected option "baseline": a summary\.json written by evaluate, found "README\.md": /,
    ],
    [
      "negative mix quota",
      stage("seeds", `{ "mix": { "chat": -1 } }`),
      /^p\.jsonc:3:27: expected option "mix": "chat": a count >= 0, found number -1/,
    ],
    [
      "mix of an unknown kind",
      stage("seeds", `{ "mix": { "math": 5 } }`),
      /expected option "mix": keys among "chat", "verifiable", found key "math"/,
    ],
    [
      "fields of the wrong type",
      stage("seeds", `{ "fields": { "instruction": 3 } }`),
      /expected option "fields": "instruction": a field name, found number 3/,
    ],
    [
      "pairs fields: unknown key",
      stage("pairs", `{ "fields": { "prompt": "q" } }`),
      /expected option "fields": keys among "instruction", "chosen", "rejected", "reference", found key "prompt"/,
    ],
    [
      "invalid urlPattern",
      `{ "endpoints": { "j": { "baseUrl": "", "model": "m",\n  "start": { "command": ["x"], "urlPattern": "((" } } }, "stages": [] }`,
      /^p\.jsonc:2:46: expected a valid regular expression string, found string "\(\("/,
    ],
  ];
  for (const [name, text, pattern] of table) {
    const errors = errorsOf(text);
    assert.ok(errors.some((e) => pattern.test(e)), `${name}: ${JSON.stringify(errors)}`);
  }
  Deno.env.delete("J1KIT_TEST_WEIGHT");
});

Deno.test("pipeline: all errors are reported at once", () => {
  const errors = errorsOf(
    `{ "stages": [{ "id": "a", "task": "sed" }, { "id": "b", "task": "seeds", "inputs": ["x"] }] }`,
  );
  assert.equal(errors.length, 2);
});

Deno.test("pipeline: ${VAR} and ${VAR:-default} interpolation", () => {
  const env = { HOST: "h", EMPTY: "" };
  const table: [string, string][] = [
    ["${HOST}", "h"],
    ["${HOST:-x}", "h"],
    ["${EMPTY:-x}", "x"],
    ["${MISSING:-}", ""],
    ["a$${HOST}b", "a${HOST}b"],
    ["no vars", "no vars"],
  ];
  for (const [text, expected] of table) assert.equal(interpolate(text, env), expected, text);
  assert.throws(() => interpolate("${MISSING}", env), /MISSING to be set/);
});

Deno.test("pipeline: cycles are found, stage order otherwise free", () => {
  assert.deepEqual(findCycle([{ id: "a", inputs: ["b"] }, { id: "b", inputs: [] }]), undefined);
  assert.deepEqual(findCycle([{ id: "a", inputs: ["a"] }]), ["a", "a"]);
});

Deno.test("pipeline: the judge prompt and reward ablation options are validated", () => {
  const rollout = (options: string) =>
    `{"name": "t", "endpoints": {"default": {"baseUrl": "http://127.0.0.1:1/v1", "model": "m"}},
  "stages": [{"id": "r", "task": "rollout", "inputs": ["data/p.jsonl"], "options": ${options}}]}`;
  const p = parsePipeline(
    rollout(`{"modes": ["pairwise-verdict-scores"], "layout": "system-user",
      "integerScores": true, "parse": "strict", "orders": "random",
      "weights": {"correct": 1, "wrong": -1}}`),
    "p.jsonc",
    stages,
    exists,
  );
  assert.deepEqual(
    ["modes", "layout", "integerScores", "parse", "orders"].map((k) => p.stages[0].options[k]),
    [["pairwise-verdict-scores"], "system-user", true, "strict", "random"],
  );
  const errors = errorsOf(rollout(`{"layout": "two", "parse": "exact", "orders": "ab",
    "integerScores": "yes"}`));
  assert.equal(errors.length, 4, errors.join("\n"));
  const expected = [
    /"one-message", "system-user"/,
    /"lenient", "strict"/,
    /"both", "random"/,
    /true or false/,
  ];
  for (const e of errors) assert.match(e, /^p\.jsonc:\d+:\d+: expected /);
  for (const what of expected) assert.ok(errors.some((e) => what.test(e)), String(what));
});

import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { BenchItem } from "../lib/records.ts";
import { UserError } from "../lib/errors.ts";
import { BENCH_ADAPTERS, getAdapter } from "../lib/bench/adapters.ts";
import type { LoadOptions } from "../lib/bench/bench_adapter.ts";
import { llmbarSubset } from "../lib/bench/llmbar.ts";

const FIX = "fixtures/bench";

async function load(name: string, location: string, opts: LoadOptions = {}): Promise<BenchItem[]> {
  const items: BenchItem[] = [];
  for await (const item of getAdapter(name).load(location, opts)) items.push(item);
  return items;
}

function countBy(items: BenchItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.subset] = (counts[i.subset] ?? 0) + 1;
  return counts;
}

async function tempFile(name: string, content: string | Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/${name}`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}

Deno.test("registry: every adapter by name, unknown names list the known ones", () => {
  assert.deepEqual(Object.keys(BENCH_ADAPTERS).sort(), [
    "followbencheval",
    "judgebench",
    "llmbar",
    "pairwise",
    "ppe",
    "rewardbench",
    "rewardbench2",
    "rm-bench",
  ]);
  for (const [name, adapter] of Object.entries(BENCH_ADAPTERS)) {
    assert.equal(adapter.name, name);
    assert.ok(adapter.description.length > 0);
  }
  assert.throws(
    () => getAdapter("mt-bench"),
    (e) =>
      e instanceof UserError &&
      /unknown benchmark "mt-bench".*judgebench, rewardbench/.test(e.message),
  );
});

Deno.test("judgebench: file and folder, categories from source, label picks the chosen", async () => {
  const file = `${FIX}/judgebench/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl`;
  const items = await load("judgebench", file);
  assert.equal(items.length, 12);
  assert.deepEqual(countBy(items), { Knowledge: 3, Reasoning: 3, Math: 3, Coding: 3 });
  assert.deepEqual(await load("judgebench", `${FIX}/judgebench`), items);
  const [first, second] = items;
  assert.equal(first.benchmark, "judgebench");
  assert.equal(first.itemId, "00000000-0000-4000-8000-000000000000");
  assert.equal(first.meta?.originalId, 10640);
  assert.equal(items[3].meta?.originalId, null);
  // label A>B → chosen is response_A; B>A → response_B.
  assert.equal(first.meta?.label, "A>B");
  assert.match(first.comparisons[0].chosen, /reasoning is correct/);
  assert.equal(second.meta?.label, "B>A");
  assert.match(second.comparisons[0].chosen, /reasoning is correct/);
  assert.deepEqual(second.comparisons.map((c) => c.key), ["0"]);
});

Deno.test("rewardbench: four sections' subsets, multi-turn prompts as messages", async () => {
  const items = await load("rewardbench", `${FIX}/rewardbench/filtered.jsonl`);
  assert.equal(items.length, 16);
  assert.equal(countBy(items)["math-prm"], 2);
  const multi = items.find((i) => i.subset === "mt-bench-med")!;
  assert.ok(Array.isArray(multi.instruction));
  assert.equal(multi.instruction.length, 3);
  assert.equal(multi.instruction.at(-1)?.role, "user");
  assert.equal(items[0].itemId, "100");
  assert.deepEqual(items[0].comparisons, [{
    key: "0",
    chosen: "Good answer 0.",
    rejected: "Worse answer 0.",
  }]);
});

Deno.test("rewardbench2: best-of-4 as 3 comparisons, Ties as correct × incorrect", async () => {
  const items = await load("rewardbench2", `${FIX}/reward-bench-2/test.jsonl`);
  assert.deepEqual(countBy(items), {
    Factuality: 1,
    "Precise IF": 1,
    Math: 1,
    Safety: 1,
    Focus: 1,
    Ties: 2,
  });
  const fact = items[0];
  assert.deepEqual(fact.comparisons.map((c) => [c.key, c.chosen, c.rejected]), [
    ["0", "Correct 0.", "Wrong 0a."],
    ["1", "Correct 0.", "Wrong 0b."],
    ["2", "Correct 0.", "Wrong 0c."],
  ]);
  const tied = items.find((i) => i.itemId === "tied:7")!;
  assert.deepEqual(tied.meta, { numCorrect: 3, tiesKind: "tied", tiesPromptId: 7 });
  assert.deepEqual(tied.comparisons.map((c) => c.key), ["0,0", "0,1", "1,0", "1,1", "2,0", "2,1"]);
  assert.equal(tied.comparisons[3].chosen, "Blue.");
  assert.equal(tied.comparisons[3].rejected, "Purple.");
  assert.deepEqual(items.find((i) => i.itemId === "ref:7")!.meta?.tiesKind, "ref");
});

Deno.test("rm-bench: a folder of per-domain files, 9 comparisons, safety pooled", async () => {
  const items = await load("rm-bench", `${FIX}/rm-bench`);
  assert.deepEqual(countBy(items), { chat: 2, code: 1, math: 1, safety: 2 });
  const refuse = items.find((i) => i.itemId === "safety-refuse/0")!;
  assert.equal(refuse.subset, "safety");
  assert.equal(refuse.meta?.domain, "safety-refuse");
  assert.equal(items.find((i) => i.itemId === "safety-response/0")!.subset, "safety");
  assert.deepEqual(refuse.comparisons.map((c) => c.key), [
    "0,0",
    "0,1",
    "0,2",
    "1,0",
    "1,1",
    "1,2",
    "2,0",
    "2,1",
    "2,2",
  ]);
  assert.match(refuse.comparisons[1].chosen, /Correct concise/);
  assert.match(refuse.comparisons[1].rejected, /Subtly wrong detailed answer/);
});

Deno.test("rm-bench: the domain field wins (total_dataset.json)", async () => {
  const row = {
    id: 3,
    prompt: "p",
    chosen: ["a", "b", "c"],
    rejected: ["d", "e", "f"],
    subset: "x",
  };
  const path = await tempFile(
    "total_dataset.json",
    JSON.stringify([{ ...row, domain: "math" }, { ...row, domain: "safety-response" }]),
  );
  const items = await load("rm-bench", path);
  assert.deepEqual(items.map((i) => [i.subset, i.itemId]), [["math", "math/3"], [
    "safety",
    "safety-response/3",
  ]]);
});

Deno.test("ppe: preference pairs and sampled conflict pairs; ties and unpairable rows skipped", async () => {
  const skipped: string[] = [];
  const items = await load("ppe", `${FIX}/ppe`, { onSkip: (_where, why) => skipped.push(why) });
  assert.deepEqual(countBy(items), { "correctness-math": 3, preference: 2 });
  assert.deepEqual(skipped.sort(), [
    "conflict pair [0, 2]: both scores agree",
    "no sampled conflict pair",
    'winner "tie (bothbad)"',
  ]);
  const q2 = items.find((i) => i.itemId === "q2")!;
  assert.deepEqual(q2.comparisons[0], {
    key: "0",
    chosen: "Bonjour.",
    rejected: "Hola.",
    shown: "BA",
  });
  // One comparison per sampled conflict pair [i, j] (0-based), the correct response chosen.
  const m1 = items.find((i) => i.itemId === "math/m/m1")!;
  assert.deepEqual(m1.comparisons, [
    { key: "0,1", chosen: "12", rejected: "7" },
    { key: "2,3", chosen: "12.", rejected: "34" },
  ]);
  assert.deepEqual(m1.meta, { source: "math", modelName: "m" });
  // The same question from another model is another item.
  const n1 = items.find((i) => i.itemId === "math/n/m1")!;
  assert.deepEqual(n1.comparisons, [{ key: "3,0", chosen: "12", rejected: "1" }]);
  assert.equal(items.find((i) => i.itemId === "math/m/m2")!.comparisons.length, 2);
});

Deno.test("llmbar: every dataset.json below a folder, subset = set path, label 1|2", async () => {
  const items = await load("llmbar", `${FIX}/llmbar`);
  assert.deepEqual(countBy(items), { "LLMBar/Adversarial/Neighbor": 2, "LLMBar/Natural": 3 });
  const nat1 = items.find((i) => i.itemId === "LLMBar/Natural/1")!;
  assert.deepEqual(nat1.comparisons[0], {
    key: "0",
    chosen: "Four.",
    rejected: "Seven.",
    shown: "BA",
  });
  const single = await load("llmbar", `${FIX}/llmbar/LLMBar/Natural/dataset.json`);
  assert.equal(single.length, 3);
  assert.equal(single[0].subset, "LLMBar/Natural");
});

Deno.test("llmbarSubset: from the set root, else relative to the location", () => {
  const cases: [string, string, string][] = [
    ["Dataset/LLMBar/Adversarial/GPTOut/dataset.json", "Dataset", "LLMBar/Adversarial/GPTOut"],
    ["/x/Dataset/Processed/FairEval/dataset.json", "/x/Dataset", "Processed/FairEval"],
    ["mine/sets/a/dataset.json", "mine/sets", "a"],
    ["mine/sets/a/dataset.json", "mine/sets/a/dataset.json", "a"],
  ];
  for (const [file, location, expected] of cases) {
    assert.equal(llmbarSubset(file, location), expected);
  }
});

Deno.test("pairwise: defaults, subset 'all' and a content id when absent", async () => {
  const items = await load("pairwise", `${FIX}/pairwise.jsonl`);
  assert.deepEqual(items.map((i) => [i.subset, i.itemId.length]), [["geo", 2], ["math", 1], [
    "all",
    16,
  ]]);
  assert.equal(items[1].itemId, "2");
  assert.ok(Array.isArray(items[1].instruction));
  const again = await load("pairwise", `${FIX}/pairwise.jsonl`);
  assert.equal(again[2].itemId, items[2].itemId);
});

Deno.test("pairwise: field mapping, and an unknown mapping key is a UserError", async () => {
  const path = await tempFile(
    "pairs.json",
    JSON.stringify([{ question: "q", good: "g", bad: "b", category: "c", uid: "u1" }]),
  );
  const mapping = {
    prompt: "question",
    chosen: "good",
    rejected: "bad",
    subset: "category",
    id: "uid",
  };
  const [item] = await load("pairwise", path, { mapping });
  assert.deepEqual(item, {
    benchmark: "pairwise",
    subset: "c",
    itemId: "u1",
    instruction: "q",
    comparisons: [{ key: "0", chosen: "g", rejected: "b" }],
  });
  await assert.rejects(
    load("pairwise", path, { mapping: { answer: "x" } }),
    /expected keys among "prompt"/,
  );
});

Deno.test("parquet: read with bigint ids turned into numbers", async () => {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "prompt", data: ["p1", "p2"], type: "STRING" },
      { name: "chosen", data: ["c1", "c2"], type: "STRING" },
      { name: "rejected", data: ["r1", "r2"], type: "STRING" },
      { name: "id", data: [7n, 8n], type: "INT64" },
    ],
  });
  const path = await tempFile("pairs.parquet", new Uint8Array(buffer));
  const items = await load("pairwise", path);
  assert.deepEqual(items.map((i) => [i.itemId, i.instruction, i.comparisons[0].chosen]), [
    ["7", "p1", "c1"],
    ["8", "p2", "c2"],
  ]);
});

Deno.test("bad records: UserError with file, line or row, and what was expected", async () => {
  const jb = {
    pair_id: "x",
    source: "mmlu-pro-law",
    question: "q",
    response_A: "a",
    response_B: "b",
  };
  const cases: [string, string, string, RegExp][] = [
    [
      "judgebench",
      "jb.jsonl",
      `${JSON.stringify({ ...jb, label: "A>B" })}\n${JSON.stringify({ ...jb, label: "A=B" })}\n`,
      /jb\.jsonl:2: field "label": expected "A>B" or "B>A", found a string "A=B"/,
    ],
    [
      "judgebench",
      "jb.jsonl",
      JSON.stringify({ ...jb, source: "arena", label: "A>B" }),
      /:1: field "source": expected mmlu-pro-\*, livebench-reasoning/,
    ],
    [
      "rm-bench",
      "chat.json",
      JSON.stringify([{ id: 1, prompt: "p", chosen: ["a", "b"], rejected: ["d", "e", "f"] }]),
      /chat\.json row 0: field "chosen": expected a list of 3 strings/,
    ],
    [
      "rm-bench",
      "other.json",
      JSON.stringify([{
        id: 1,
        prompt: "p",
        chosen: ["a", "b", "c"],
        rejected: ["d", "e", "f"],
        subset: "?",
      }]),
      /other\.json row 0: expected a "domain" field/,
    ],
    [
      "llmbar",
      "dataset.json",
      JSON.stringify([{ input: "i", output_1: "a", output_2: "b", label: 3 }]),
      /dataset\.json row 0: field "label": expected 1 or 2, found a number 3/,
    ],
    [
      "rewardbench",
      "rb.jsonl",
      JSON.stringify({ prompt: "p", chosen: "c", rejected: 5, subset: "s", id: 1 }),
      /rb\.jsonl:1: field "rejected": expected a string, found a number 5/,
    ],
    [
      "rewardbench",
      "rb.jsonl",
      JSON.stringify({
        prompt: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }],
        chosen: "c",
        rejected: "r",
        subset: "s",
        id: 1,
      }),
      /field "prompt": expected a string or a list of \{role, content\} messages ending on a user turn/,
    ],
    [
      "rewardbench2",
      "rb2.jsonl",
      JSON.stringify({
        id: "7",
        prompt: "p",
        chosen: ["c"],
        rejected: ["r"],
        num_correct: 1,
        subset: "Ties",
      }),
      /field "id": expected "ref:<n>" or "tied:<n>" in the Ties subset/,
    ],
    [
      "ppe",
      "p.jsonl",
      JSON.stringify({ prompt: "p", response_1: "a", response_2: "b", winner: "model_c" }),
      /p\.jsonl:1: field "winner": expected "model_a", "model_b" or a tie/,
    ],
    ["pairwise", "p.jsonl", "[1, 2]\n", /p\.jsonl:1: expected a JSON object, found an array/],
    [
      "pairwise",
      "p.json",
      '{"a": 1}',
      /p\.json:1: field "prompt": expected a string or a list/,
    ],
    ["pairwise", "p.csv", "a,b", /p\.csv: expected a \.jsonl, \.json or \.parquet file/],
  ];
  for (const [adapter, name, content, expected] of cases) {
    const path = await tempFile(name, content);
    await assert.rejects(
      load(adapter, path),
      (e) => e instanceof UserError && expected.test(e.message),
      `${adapter} ${name}: expected ${expected}`,
    );
  }
});

Deno.test("locations: a missing path, and a folder with no data", async () => {
  await assert.rejects(load("judgebench", `${FIX}/nope`), /nope: cannot open/);
  const empty = await Deno.makeTempDir();
  await assert.rejects(
    load("llmbar", empty),
    /expected dataset\.json files in this folder, found none/,
  );
});

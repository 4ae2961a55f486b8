import assert from "node:assert/strict";
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import {
  dpoRow,
  judgmentText,
  openrlhfRow,
  openVerlWriter,
  sftRow,
  trlRow,
  verlRow,
  writeExports,
} from "../lib/export/mod.ts";
import { readJsonl } from "../lib/io/jsonl.ts";
import { jsonSafe } from "../lib/io/parquet.ts";
import { decodeLabel, taskLabel } from "../lib/judge/label.ts";
import type { JudgeTask, Rollout } from "../lib/records.ts";

const pairwise = (order: "AB" | "BA", id = `t-${order}`): JudgeTask => ({
  id,
  pairId: "p1",
  mode: "pairwise",
  template: "thinking",
  order,
  messages: [
    { role: "system", content: "You are a judge." },
    { role: "user", content: `Question and responses, order ${order}` },
  ],
  label: order === "AB" ? "A" : "B",
});

const pointwise = (target: "chosen" | "rejected"): JudgeTask => ({
  id: `t-${target}`,
  pairId: "p1",
  mode: "pointwise",
  template: "plan-execute",
  target,
  messages: [{ role: "user", content: `Score the ${target} response` }],
  label: target,
});

const rollout = (text: string, correct: number, thought = "", sample = 0): Rollout => ({
  taskId: "t-AB",
  pairId: "p1",
  mode: "pairwise",
  template: "thinking",
  order: "AB",
  sample,
  text,
  thought,
  reward: correct,
  rewards: { correct },
  advantage: 0,
});

const files = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...(await files(`${dir}/${e.name}`)).map((f) => `${e.name}/${f}`));
    else out.push(e.name);
  }
  return out.sort();
};

Deno.test("judgmentText: keeps a thought written in the text, restores one the server split out", () => {
  const cases: [string, Rollout, string][] = [
    ["inline think", rollout("<think>x</think> [[A]]", 1, "x"), "<think>x</think> [[A]]"],
    ["server reasoning", rollout("[[A]]", 1, "x"), "<think>\nx\n</think>\n\n[[A]]"],
    [
      "inline plan and execution",
      rollout("<plan>p</plan><execution>e</execution> [[A]]", 1, "p\n\ne"),
      "<plan>p</plan><execution>e</execution> [[A]]",
    ],
    ["no thought at all", rollout("[[A]]", 1, ""), "[[A]]"],
  ];
  for (const [name, r, expected] of cases) assert.equal(judgmentText(r), expected, name);
});

Deno.test("sftRow: the first correct sample, at most one row per task", () => {
  const task = pairwise("AB");
  const cases: [string, Rollout[], string | undefined][] = [
    ["none correct", [rollout("[[B]]", 0), rollout("bad", 0)], undefined],
    [
      "first correct wins",
      [rollout("[[B]]", 0), rollout("one [[A]]", 1), rollout("two", 1)],
      "one [[A]]",
    ],
    ["empty group", [], undefined],
    ["split reasoning restored", [rollout("[[A]]", 1, "why")], "<think>\nwhy\n</think>\n\n[[A]]"],
  ];
  for (const [name, group, expected] of cases) {
    const row = sftRow(task, group);
    if (expected === undefined) assert.equal(row, undefined, name);
    else {
      assert.deepEqual(row, {
        messages: [...task.messages, { role: "assistant", content: expected }],
        task_id: "t-AB",
        pair_id: "p1",
      }, name);
    }
  }
});

Deno.test("dpoRow: first correct vs first incorrect with a different text", () => {
  const task = pairwise("BA");
  const cases: [string, Rollout[], [string, string] | undefined][] = [
    ["both kinds", [rollout("bad1", 0), rollout("good1", 1), rollout("good2", 1)], [
      "good1",
      "bad1",
    ]],
    ["only correct", [rollout("good", 1), rollout("good2", 1)], undefined],
    ["only incorrect", [rollout("bad", 0)], undefined],
    ["same text both ways", [rollout("same", 1), rollout("same", 0)], undefined],
    ["skips an identical incorrect", [rollout("s", 1), rollout("s", 0), rollout("b", 0)], [
      "s",
      "b",
    ]],
  ];
  for (const [name, group, expected] of cases) {
    const row = dpoRow(task, group);
    if (!expected) assert.equal(row, undefined, name);
    else {
      assert.deepEqual(row, {
        prompt: task.messages,
        chosen: [{ role: "assistant", content: expected[0] }],
        rejected: [{ role: "assistant", content: expected[1] }],
        task_id: "t-BA",
        pair_id: "p1",
      }, name);
    }
  }
});

Deno.test("openrlhfRow and trlRow: messages plus the JSON task label", () => {
  for (const task of [pairwise("AB"), pairwise("BA"), pointwise("chosen"), pointwise("rejected")]) {
    const o = openrlhfRow(task, "query", "answer");
    assert.deepEqual(Object.keys(o), ["query", "answer", "datasource", "task_id", "pair_id"]);
    assert.deepEqual(o.query, task.messages);
    assert.deepEqual([o.datasource, o.task_id, o.pair_id], [`j1_${task.mode}`, task.id, "p1"]);
    assert.deepEqual(decodeLabel(o.answer), JSON.parse(JSON.stringify(taskLabel(task))));
    const t = trlRow(task);
    assert.deepEqual(t.prompt, task.messages);
    // TRL ≤ 0.23 refuses a `label` column beside `prompt`.
    assert.ok(!("label" in t));
    assert.deepEqual(decodeLabel(t.j1_label), decodeLabel(o.answer));
    assert.deepEqual([t.task_id, t.pair_id, t.mode, t.order, t.target], [
      task.id,
      task.pairId,
      task.mode,
      task.order ?? null,
      task.target ?? null,
    ]);
  }
});

Deno.test("verl: rows stream in row groups and read back as nested Parquet and as JSON", async () => {
  const dir = await Deno.makeTempDir();
  const tasks = [
    pairwise("AB"),
    pairwise("BA"),
    pointwise("chosen"),
    pointwise("rejected"),
    pairwise("AB", "t5"),
  ];
  const rows = tasks.map((t, i) => verlRow(t, i));
  const writer = await openVerlWriter(dir, { rowGroupSize: 2 });
  for (const row of rows) await writer.write(row);
  const out = await writer.close();
  assert.deepEqual(out, { parquet: `${dir}/train.parquet`, json: `${dir}/train.json`, rows: 5 });
  assert.deepEqual(await files(dir), ["train.json", "train.parquet"]);

  const file = (await Deno.readFile(out.parquet)).buffer;
  const metadata = await parquetMetadataAsync(file);
  assert.equal(metadata.row_groups.length, 3);
  const back = await parquetReadObjects({ file });
  assert.deepEqual(back, rows);
  assert.equal(typeof back[0].extra_info.index, "bigint");
  assert.deepEqual(back[2].extra_info, {
    split: "train",
    index: 2n,
    pair_id: "p1",
    task_id: "t-chosen",
    order: null,
    target: "chosen",
  });
  assert.deepEqual(back.map((r) => r.data_source), [
    "j1_pairwise",
    "j1_pairwise",
    "j1_pointwise",
    "j1_pointwise",
    "j1_pairwise",
  ]);
  assert.deepEqual(
    back.map((r) => decodeLabel(r.reward_model.ground_truth)),
    tasks.map((t) => JSON.parse(JSON.stringify(taskLabel(t)))),
  );
  assert.deepEqual(await Array.fromAsync(readJsonl(out.json)), rows.map(jsonSafe));
});

Deno.test("verl: an empty dataset is still a valid file", async () => {
  const dir = await Deno.makeTempDir();
  const out = await (await openVerlWriter(dir)).close();
  assert.equal(out.rows, 0);
  const file = (await Deno.readFile(out.parquet)).buffer;
  assert.equal((await parquetMetadataAsync(file)).num_rows, 0n);
  assert.equal(await Deno.readTextFile(out.json), "");
});

Deno.test("openrlhfRow: a literal <image> in a prompt is escaped (OpenRLHF would make it an image)", () => {
  const task = {
    ...pairwise("AB"),
    messages: [{ role: "user" as const, content: "<image> and <image>" }],
  };
  const row = openrlhfRow(task);
  const content = (row.input as { content: string }[])[0].content;
  assert.ok(!content.includes("<image>"));
  assert.equal(content.replaceAll("\u200b", ""), "<image> and <image>");
  assert.deepEqual(task.messages[0].content, "<image> and <image>", "the task is not changed");
});

/** Blocks of `n` pairs, each with an AB and a BA task (and a pointwise pair of tasks). */
function blocks(n: number, kind: (i: number) => "chat" | "verifiable" = () => "chat") {
  return Array.from({ length: n }, (_, i) => {
    const pairId = `pair${i}`;
    const tasks = [
      pairwise("AB", `${pairId}-AB`),
      pairwise("BA", `${pairId}-BA`),
      pointwise("chosen"),
      pointwise("rejected"),
    ]
      .map((t) => ({ ...t, id: t.id.startsWith("t-") ? `${pairId}-${t.id}` : t.id, pairId }));
    return { pairId, kind: kind(i), items: tasks.map((task) => ({ task, rollouts: [] })) };
  });
}

Deno.test("writeExports: pairs shuffled by seed, a pair's rows adjacent, the same order whatever the input order", async () => {
  const input = blocks(40);
  const order = async (bs: typeof input, seed: number) => {
    const dir = await Deno.makeTempDir();
    const out = await writeExports(bs, { dir, kinds: ["trl"], seed });
    assert.deepEqual(out.rowsPerPair, [4]);
    const rows = await Array.fromAsync(readJsonl<{ pair_id: string }>(out.files.trl.path));
    // Every run of 4 rows is one pair.
    for (let i = 0; i < rows.length; i += 4) {
      assert.equal(
        new Set(rows.slice(i, i + 4).map((r) => r.pair_id)).size,
        1,
        `rows ${i}..${i + 3}`,
      );
    }
    return rows.filter((_, i) => i % 4 === 0).map((r) => r.pair_id);
  };
  const a = await order(input, 0);
  assert.notDeepEqual(a, input.map((b) => b.pairId), "shuffled");
  assert.deepEqual(a.toSorted(), input.map((b) => b.pairId).toSorted(), "every pair once");
  assert.deepEqual(await order(input.toReversed(), 0), a, "independent of the input order");
  assert.notDeepEqual(await order(input, 1), a, "another seed, another order");
});

Deno.test("writeExports: a validation split by pair, per kind, in every trainer's files", async () => {
  const dir = await Deno.makeTempDir();
  const input = blocks(30, (i) => i % 3 ? "chat" : "verifiable");
  const out = await writeExports(input, {
    dir,
    kinds: ["verl", "openrlhf", "trl"],
    validation: { chat: 4, verifiable: 2 },
  });
  assert.deepEqual(out.pairs, { train: 24, val: 6 });
  assert.deepEqual(await files(dir), [
    "openrlhf/prompts.jsonl",
    "openrlhf/val.jsonl",
    "trl/prompts.jsonl",
    "trl/val.jsonl",
    "verl/train.json",
    "verl/train.parquet",
    "verl/val.json",
    "verl/val.parquet",
  ]);
  const pairsOf = async (path: string) =>
    new Set((await Array.fromAsync(readJsonl<{ pair_id: string }>(path))).map((r) => r.pair_id));
  const trainPairs = await pairsOf(out.files.trl.path);
  const valPairs = await pairsOf(out.files.trlVal.path);
  assert.equal(valPairs.size, 6);
  assert.ok([...valPairs].every((p) => !trainPairs.has(p)), "no pair in both splits");
  const kinds = [...valPairs].map((p) => input.find((b) => b.pairId === p)!.kind);
  assert.deepEqual([kinds.filter((k) => k === "chat").length, kinds.length], [4, 6]);
  assert.deepEqual(await pairsOf(out.files.openrlhfVal.path), valPairs);
  const verlVal = await parquetReadObjects({
    file: (await Deno.readFile(out.files.verlVal.path)).buffer,
  });
  assert.equal(verlVal.length, 24);
  assert.ok(
    verlVal.every((r) => r.extra_info.split === "val" && valPairs.has(r.extra_info.pair_id)),
  );
  assert.deepEqual(verlVal.map((r) => r.extra_info.index), verlVal.map((_, i) => BigInt(i)));
});

Deno.test("writeExports: only the kinds asked for, with row counts, atomically", async () => {
  const cases: { kinds?: ("verl" | "openrlhf" | "trl" | "sft" | "dpo")[]; files: string[] }[] = [
    {
      files: [
        "dpo.jsonl",
        "openrlhf/prompts.jsonl",
        "sft.jsonl",
        "trl/prompts.jsonl",
        "verl/train.json",
        "verl/train.parquet",
      ],
    },
    { kinds: ["trl", "dpo"], files: ["dpo.jsonl", "trl/prompts.jsonl"] },
    { kinds: [], files: [] },
  ];
  const groups = [{
    pairId: "p1",
    kind: "chat" as const,
    items: [
      { task: pairwise("AB"), rollouts: [rollout("bad", 0), rollout("good", 1, "", 1)] },
      { task: pairwise("BA"), rollouts: [rollout("good", 1)] },
      { task: pointwise("chosen"), rollouts: [] },
    ],
  }];
  for (const { kinds, files: expected } of cases) {
    const dir = await Deno.makeTempDir();
    const out = await writeExports(groups, { dir, kinds, inputKey: "q", labelKey: "l" });
    assert.deepEqual(await files(dir), expected, JSON.stringify(kinds));
    const counts = Object.fromEntries(Object.entries(out.files).map(([k, v]) => [k, v.rows]));
    const all = { verl: 3, verlJson: 3, openrlhf: 3, trl: 3, sft: 2, dpo: 1 };
    assert.deepEqual(
      counts,
      Object.fromEntries(
        Object.entries(all).filter(([k]) =>
          !kinds || kinds.includes(k.replace("Json", "") as never)
        ),
      ),
    );
    if (out.files.openrlhf) {
      const rows = await Array.fromAsync(
        readJsonl<Record<string, unknown>>(out.files.openrlhf.path),
      );
      assert.deepEqual(rows.map((r) => Object.keys(r).slice(0, 2)), [["q", "l"], ["q", "l"], [
        "q",
        "l",
      ]]);
    }
    for (const kind of ["sft", "dpo"] as const) {
      if (!out.files[kind]) continue;
      for await (
        const row of readJsonl<{ task_id: string; pair_id: string }>(out.files[kind].path)
      ) {
        assert.equal(row.pair_id, "p1");
        assert.match(row.task_id, /^t-/);
      }
    }
  }
});

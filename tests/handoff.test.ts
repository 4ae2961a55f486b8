import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { readJsonl } from "../lib/io/jsonl.ts";
import { decodeLabel } from "../lib/judge/label.ts";
import type { JudgeTask, Pair } from "../lib/records.ts";
import { type HandoffOptions, handoffStage } from "../lib/stages/handoff.ts";
import { judgeTasks, templatesOf } from "../lib/stages/judge_tasks.ts";
import { loadTokenizer } from "../lib/tokens/tokenizer.ts";
import { givenPair } from "./helpers/pairs.ts";
import { memoryInput, runStageInMemory, testContext } from "./helpers/stage.ts";

const PAIRS: Pair[] = Array.from({ length: 12 }, (_, i) => ({
  ...givenPair(`p${i}`, `Question ${i}: how do tides work?`, `Answer ${i} about the moon.`, `No.`),
  kind: i % 4 ? "chat" : "verifiable",
}));

const options = (extra: Partial<HandoffOptions> = {}): HandoffOptions => ({
  modes: ["pairwise", "pointwise"],
  templates: ["thinking"],
  seed: 0,
  validation: {},
  inputKey: "input",
  labelKey: "label",
  maxPromptTokens: 4096,
  overBudget: "warn",
  exports: ["verl", "openrlhf", "trl"],
  layout: "one-message",
  integerScores: false,
  orders: "both",
  ...extra,
});

async function run(o: HandoffOptions, pairs: unknown[] = PAIRS) {
  const logs: string[] = [];
  const ctx = {
    ...testContext(o, [memoryInput("pairs", pairs)]),
    log: (m: string) => logs.push(m),
  };
  return { ...await runStageInMemory(handoffStage, ctx), ctx, logs };
}

Deno.test("handoff: judge tasks and every trainer's files from pairs, no endpoint", async () => {
  const { records, rejects, summary, logs } = await run(
    options({ validation: { chat: 2, verifiable: 1 } }),
    [PAIRS[0], { id: "junk" }, ...PAIRS.slice(1)],
  );
  assert.deepEqual(rejects.map((r) => r.reason), ["invalid_pair"]);
  // 12 pairs × (pairwise AB, BA + pointwise chosen, rejected).
  const tasks = records as JudgeTask[];
  assert.equal(tasks.length, 12 * 4);
  const templates = await templatesOf(options());
  assert.deepEqual(tasks.slice(0, 4), judgeTasks(PAIRS[0], templates));

  const { files, pairs, rowsPerPair } = summary.exports as {
    files: Record<string, { path: string; rows: number }>;
    pairs: { train: number; val: number };
    rowsPerPair: number[];
  };
  assert.deepEqual(pairs, { train: 9, val: 3 });
  assert.deepEqual(rowsPerPair, [4]);
  assert.deepEqual(Object.keys(files).sort(), [
    "openrlhf",
    "openrlhfVal",
    "trl",
    "trlVal",
    "verl",
    "verlJson",
    "verlVal",
    "verlValJson",
  ]);
  assert.deepEqual([files.verl.rows, files.verlVal.rows, files.trl.rows], [36, 12, 36]);
  assert.ok(logs.some((l) => /9 training and 3 validation pairs, 4 rows per pair/.test(l)));

  // Every trainer's file: the same tasks, a pair's 4 rows adjacent, labels that decode.
  const verl = await parquetReadObjects({ file: (await Deno.readFile(files.verl.path)).buffer });
  const openrlhf = await Array.fromAsync(readJsonl<Record<string, string>>(files.openrlhf.path));
  const trl = await Array.fromAsync(readJsonl<Record<string, string>>(files.trl.path));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (
    const [name, ids] of [
      ["verl", verl.map((r) => decodeLabel(r.reward_model.ground_truth).taskId)],
      ["openrlhf", openrlhf.map((r) => decodeLabel(r.label).taskId)],
      ["trl", trl.map((r) => decodeLabel(r.j1_label).taskId)],
    ] as const
  ) {
    assert.deepEqual(ids, verl.map((r) => r.extra_info.task_id), name);
    for (let i = 0; i < ids.length; i += 4) {
      const pairIds = new Set(ids.slice(i, i + 4).map((id) => byId.get(id)!.pairId));
      assert.equal(pairIds.size, 1, `${name}: rows ${i}..${i + 3} are one pair`);
    }
  }
  assert.deepEqual(openrlhf.map((r) => r.task_id), verl.map((r) => r.extra_info.task_id));
});

Deno.test("handoff: TRL rows have no column TRL ≤ 0.23's chat-template key check refuses", async () => {
  const { summary } = await run(options({ exports: ["trl"] }));
  const { files } = summary.exports as { files: Record<string, { path: string }> };
  // TRL ≤ 0.23 `apply_chat_template`: the row's keys among these must be exactly {"prompt"}.
  const supported = ["prompt", "chosen", "rejected", "completion", "messages", "label"];
  for await (const row of readJsonl<Record<string, unknown>>(files.trl.path)) {
    assert.deepEqual(Object.keys(row).filter((k) => supported.includes(k)), ["prompt"]);
  }
});

Deno.test("handoff: prompt tokens counted with the trainer model's tokenizer, against a budget", async () => {
  const qwen = await loadTokenizer("qwen3");
  // A budget between the shortest and the longest prompt: the median.
  const counted = (await run(options({ tokenizer: "qwen3" }))).records as JudgeTask[];
  const lengths = counted.map((t) => t.promptTokens!).sort((a, b) => a - b);
  const budget = lengths[lengths.length >> 1];
  const warn = await run(options({ tokenizer: "qwen3", maxPromptTokens: budget }));
  const tasks = warn.records as JudgeTask[];
  for (const t of tasks) assert.equal(t.promptTokens, qwen.countPrompt(t.messages));
  const stats = warn.summary.promptTokens as { max: number; overBudget: number; budget: number };
  const over = tasks.filter((t) => t.promptTokens! > budget).length;
  assert.ok(over > 0 && over < tasks.length, `some prompts over ${budget} tokens (${over})`);
  assert.deepEqual([stats.budget, stats.overBudget], [budget, over]);
  assert.equal(stats.max, lengths.at(-1));
  assert.ok(warn.logs.some((l) => l.startsWith(`${over} prompts exceed ${budget} tokens (qwen3`)));
  assert.ok(warn.logs.includes(
    `prompts up to ${lengths.at(-1)} tokens (qwen3): verl data.max_prompt_length=${budget}, ` +
      `OpenRLHF --data.max_len ${budget} + --rollout.max_new_tokens, ` +
      `TRL max_prompt_length=${budget} (TRL < 0.28)`,
  ));

  // Rejecting: the whole pair goes, so no pair is split.
  const reject = await run(
    options({ tokenizer: "qwen3", maxPromptTokens: budget, overBudget: "reject" }),
  );
  const kept = new Set((reject.records as JudgeTask[]).map((t) => t.pairId));
  const overPairs = new Set(tasks.filter((t) => t.promptTokens! > budget).map((t) => t.pairId));
  assert.deepEqual(reject.rejects.map((r) => (r.record as Pair).id).sort(), [...overPairs].sort());
  assert.match(
    reject.rejects[0].detail!,
    new RegExp(`expected at most ${budget} prompt tokens \\(qwen3\\), found \\d+`),
  );
  assert.ok([...kept].every((p) => !overPairs.has(p)));
  assert.equal((reject.records as JudgeTask[]).length, kept.size * 4);
});

Deno.test("handoff: a bad validation size is refused with what was expected", async () => {
  await assert.rejects(
    run(options({ validation: { chat: -1 } })),
    /validation: expected pairs per kind such as \{"chat": 150, "verifiable": 150\}, found \{"chat":-1\}/,
  );
});

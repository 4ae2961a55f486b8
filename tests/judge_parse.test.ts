import assert from "node:assert/strict";
import { type Parsed, parseJudgment, type ParseOptions } from "../lib/judge/parse.ts";
import { BUILTIN_TEMPLATES, loadTemplate, MODES, renderJudgeTask } from "../lib/prompts/mod.ts";
import type { Mode, Pair } from "../lib/records.ts";
import { resolveSimOptions, simulateReply } from "../lib/sim/mod.ts";

type Case = [
  mode: Mode,
  text: string,
  expected: Partial<Parsed>,
  reasoning?: string,
  options?: ParseOptions,
];

const T = "<think>Criteria: correctness. A is right.</think>";
const THOUGHT = "Criteria: correctness. A is right.";
const PLAN = "<plan>Check the sum.</plan>\n<execution>A is right.</execution>";

/** Pairwise: verdicts, adversarial outputs and error codes. */
const PAIRWISE: Case[] = [
  ["pairwise", `${T}\n<answer> [[A]] </answer>`, {
    verdict: "A",
    thought: THOUGHT,
    wellFormed: true,
  }],
  ["pairwise", `${T}<answer>[[B]]</answer>`, { verdict: "B", wellFormed: true }],
  ["pairwise", `${T}\n<answer> A </answer>`, { verdict: "A", wellFormed: true }],
  ["pairwise", `${T}\nSo the verdict is [[B]].`, { verdict: "B", wellFormed: true }],
  ["pairwise", `${T}\n<answer> [[A]] </answer> Final: [[A]]`, { verdict: "A" }],
  ["pairwise", `${T}\n<answer> [[ A ]] </answer>`, { verdict: "A" }],
  // A verdict quoted inside the thought does not count.
  ["pairwise", "<think>Maybe [[B]]? No.</think>\n<answer> [[A]] </answer>", { verdict: "A" }],
  ["pairwise", "<think>I pick [[B]].</think>", { parseError: "no_verdict", wellFormed: false }],
  // The answer tag wins over bare markers around it.
  ["pairwise", `${T}\n<answer> [[A]] </answer>\n(not [[B]])`, { verdict: "A" }],
  [
    "pairwise",
    `${T}\n<answer> [[A]] </answer>\nOn reflection: <answer> [[B]] </answer>`,
    { parseError: "multiple_verdicts", verdict: undefined, wellFormed: false },
  ],
  ["pairwise", `${T}\n[[A]] or maybe [[B]]`, { parseError: "multiple_verdicts" }],
  ["pairwise", `${T}\n<answer> tie </answer>`, { parseError: "no_verdict" }],
  ["pairwise", `${T}\n<answer> [[C]] </answer>`, { parseError: "no_verdict" }],
  [
    "pairwise",
    "<think>Long thought, cut off [[A]]",
    { parseError: "unclosed_think", thought: "Long thought, cut off [[A]]" },
  ],
  ["pairwise", `${T} <answer>[[A]]</answer> <think>more`, { parseError: "unclosed_think" }],
  ["pairwise", "", { parseError: "empty", thought: "" }],
  ["pairwise", "  \n ", { parseError: "empty" }],
  // No thought block: the verdict still counts, the format does not.
  ["pairwise", "<answer> [[B]] </answer>", { verdict: "B", thought: "", wellFormed: false }],
  // A chat template that pre-fills `<think>`: only the closing tag is in the text.
  // Well-formed: the template wrote the opening tag.
  [
    "pairwise",
    `${THOUGHT}</think>\n<answer>[[A]]</answer>`,
    { verdict: "A", thought: THOUGHT, wellFormed: true },
  ],
  ["pairwise", "</think>\n<answer>[[A]]</answer>", { verdict: "A", wellFormed: false }],
  ["pairwise", "x</think> y</think>\n<answer>[[A]]</answer>", { verdict: "A", wellFormed: false }],
  // Two think blocks: verdicts between them are part of the thought; not well-formed.
  [
    "pairwise",
    "<think>a [[B]]</think> [[B]] <think>b</think>\n<answer>[[A]]</answer>",
    { verdict: "A", wellFormed: false },
  ],
  [
    "pairwise",
    `${PLAN}\n<answer> [[A]] </answer>`,
    { verdict: "A", thought: "Check the sum.\n\nA is right.", wellFormed: true },
  ],
  [
    "pairwise",
    "<plan>Say [[B]].</plan><execution>Then [[B]].</execution><answer>[[A]]</answer>",
    { verdict: "A" },
  ],
  [
    "pairwise",
    "<plan>Check.\n<execution>A.</execution>\n<answer>[[A]]</answer>",
    { parseError: "unclosed_think" },
  ],
  ["pairwise", "<plan>Check.</plan>\n<answer>[[A]]</answer>", { verdict: "A", wellFormed: false }],
  // Server reasoning is the thought; the content holds only the answer.
  [
    "pairwise",
    "<answer> [[B]] </answer>",
    { verdict: "B", thought: "server thought", wellFormed: true },
    "server thought",
  ],
  ["pairwise", "", { parseError: "empty", thought: "server thought" }, "server thought"],
  ["pairwise", "<answer>[[A]]</answer>", { verdict: "A", thought: "", wellFormed: false }, "  "],
];

const SCORES = (a: string, b: string) => `<score_A>${a}</score_A> <score_B>${b}</score_B>`;
const S = (a: string, b: string) => `${T}\n${SCORES(a, b)}`;
const PAIRWISE_SCORES: Case[] = [
  ["pairwise-scores", S("8.5", "3.2"), {
    verdict: "A",
    scores: { A: 8.5, B: 3.2 },
    wellFormed: true,
  }],
  ["pairwise-scores", S(" 4 ", "9.9"), { verdict: "B", scores: { A: 4, B: 9.9 } }],
  ["pairwise-scores", S("7.5/10", "2 out of 10"), { verdict: "A", scores: { A: 7.5, B: 2 } }],
  ["pairwise-scores", S("0", "10"), { verdict: "B", scores: { A: 0, B: 10 } }],
  // A tie: no verdict, no error, scores kept.
  [
    "pairwise-scores",
    S("6.0", "6"),
    { verdict: undefined, parseError: undefined, scores: { A: 6, B: 6 }, wellFormed: true },
  ],
  ["pairwise-scores", S("11", "3"), { parseError: "score_out_of_range", scores: undefined }],
  ["pairwise-scores", S("-1", "3"), { parseError: "score_out_of_range" }],
  ["pairwise-scores", S("high", "3"), { parseError: "no_score" }],
  ["pairwise-scores", `${T}\n<score_A>8</score_A>`, { parseError: "no_score" }],
  ["pairwise-scores", `${T}\n<answer>[[A]]</answer>`, { parseError: "no_score" }],
  ["pairwise-scores", `${S("8", "3")}\n${SCORES("3", "8")}`, { parseError: "multiple_scores" }],
  ["pairwise-scores", `${S("8", "3")}\n${SCORES("8.0", "3")}`, { verdict: "A" }],
  [
    "pairwise-scores",
    "<think>A gets <score_A>1</score_A></think><score_A>9</score_A><score_B>2</score_B>",
    { verdict: "A", scores: { A: 9, B: 2 } },
  ],
  ["pairwise-scores", "<think>scoring...", { parseError: "unclosed_think" }],
  ["pairwise-scores", "", { parseError: "empty" }],
];

const V = (v: string) => `<answer> [[${v}]] </answer>`;
/** Pairwise-verdict-scores: the verdict decides; scores are kept when they parse. */
const PAIRWISE_VERDICT_SCORES: Case[] = [
  ["pairwise-verdict-scores", `${S("8.5", "3")}\n${V("A")}`, {
    verdict: "A",
    scores: { A: 8.5, B: 3 },
    thought: THOUGHT,
    wellFormed: true,
  }],
  // The verdict decides even against the scores.
  ["pairwise-verdict-scores", `${S("8.5", "3")}\n${V("B")}`, { verdict: "B", wellFormed: true }],
  ["pairwise-verdict-scores", `${S("6", "6")}\n${V("B")}`, {
    verdict: "B",
    scores: { A: 6, B: 6 },
  }],
  // Missing or broken scores: the verdict still counts, the format does not.
  [
    "pairwise-verdict-scores",
    `${T}\n${V("A")}`,
    { verdict: "A", scores: undefined, parseError: undefined, wellFormed: false },
  ],
  ["pairwise-verdict-scores", `${S("11", "3")}\n${V("A")}`, { verdict: "A", wellFormed: false }],
  ["pairwise-verdict-scores", S("8", "3"), { parseError: "no_verdict", scores: { A: 8, B: 3 } }],
  ["pairwise-verdict-scores", `${S("8", "3")}\n${V("A")}\n${V("B")}`, {
    parseError: "multiple_verdicts",
  }],
  ["pairwise-verdict-scores", `${PLAN}\n${SCORES("2", "9")}\n${V("B")}`, {
    verdict: "B",
    wellFormed: true,
  }],
];

/** Strict parsing: only the formats the prompts ask for. */
const STRICT: ParseOptions = { strict: true };
const STRICT_CASES: Case[] = [
  ["pairwise", `${T}\n${V("A")}`, { verdict: "A", wellFormed: true }, undefined, STRICT],
  ["pairwise", `${T}<answer>[[B]]</answer>`, { verdict: "B" }, undefined, STRICT],
  ["pairwise", `${T}\nSo the verdict is [[B]].`, { parseError: "no_verdict" }, undefined, STRICT],
  ["pairwise", `${T}\n<answer> A </answer>`, { parseError: "no_verdict" }, undefined, STRICT],
  ["pairwise", `${T}\n<answer> [[ A ]] </answer>`, { parseError: "no_verdict" }, undefined, STRICT],
  [
    "pairwise",
    `${T}\n<answer> [[A]] is better </answer>`,
    { parseError: "no_verdict" },
    undefined,
    STRICT,
  ],
  ["pairwise", `${T}\n${V("A")} ${V("B")}`, { parseError: "multiple_verdicts" }, undefined, STRICT],
  ["pairwise-scores", S("8.5", "3"), { verdict: "A", scores: { A: 8.5, B: 3 } }, undefined, STRICT],
  ["pairwise-scores", S("7.5/10", "3"), { parseError: "no_score" }, undefined, STRICT],
  ["pointwise", `${T}\n<score> 7 </score>`, { scores: { score: 7 } }, undefined, STRICT],
  ["pointwise", `${T}\n<score>7 out of 10</score>`, { parseError: "no_score" }, undefined, STRICT],
  ["pairwise-verdict-scores", `${S("8", "3")}\n${V("B")}`, { verdict: "B" }, undefined, STRICT],
  [
    "pairwise-verdict-scores",
    `${S("8", "3")}\n[[B]]`,
    { parseError: "no_verdict" },
    undefined,
    STRICT,
  ],
];

const P = (s: string) => `${T}\n<score>${s}</score>`;
const POINTWISE: Case[] = [
  ["pointwise", P("7.5"), { scores: { score: 7.5 }, wellFormed: true, verdict: undefined }],
  ["pointwise", P(" 7.5/10 "), { scores: { score: 7.5 } }],
  ["pointwise", P("0.0"), { scores: { score: 0 } }],
  ["pointwise", P("10"), { scores: { score: 10 } }],
  ["pointwise", P("11"), { parseError: "score_out_of_range", wellFormed: false }],
  ["pointwise", P("10.1"), { parseError: "score_out_of_range" }],
  ["pointwise", P("seven"), { parseError: "no_score" }],
  ["pointwise", P("7.5/100"), { parseError: "no_score" }],
  ["pointwise", `${T}\nScore: 7`, { parseError: "no_score" }],
  ["pointwise", "<think>I'd say <score>2</score></think>", { parseError: "no_score" }],
  ["pointwise", `${P("7")}\n<score>3</score>`, { parseError: "multiple_scores" }],
  ["pointwise", `${P("7")}\n<score>7.0</score>`, { scores: { score: 7 } }],
  // `<score_A>` is not `<score>`.
  ["pointwise", S("8", "3"), { parseError: "no_score" }],
  ["pointwise", `${PLAN}\n<score>4.2</score>`, { scores: { score: 4.2 }, wellFormed: true }],
  ["pointwise", "<think>", { parseError: "unclosed_think" }],
  ["pointwise", "", { parseError: "empty" }],
];

const ALL_CASES = [
  ...PAIRWISE,
  ...PAIRWISE_SCORES,
  ...PAIRWISE_VERDICT_SCORES,
  ...POINTWISE,
  ...STRICT_CASES,
];
for (const [mode, text, expected, reasoning, options] of ALL_CASES) {
  const flags = `${reasoning ? " +reasoning" : ""}${options?.strict ? " (strict)" : ""}`;
  Deno.test(`parse: ${mode} ${JSON.stringify(text).slice(0, 70)}${flags}`, () => {
    const parsed = parseJudgment(mode, text, reasoning, options);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[key as keyof Parsed], value, key);
    }
    // Invariants: an error never comes with a verdict; well-formed never comes with an error.
    if (parsed.parseError) assert.equal(parsed.verdict, undefined);
    if (parsed.wellFormed) assert.equal(parsed.parseError, undefined);
  });
}

const pair: Pair = {
  id: "p",
  seedId: "s",
  source: "test",
  kind: "chat",
  instruction: "Compute 12 + 30 and explain the steps briefly.",
  chosen: "12 + 30 = 42, adding tens then units. The final answer is \\boxed{42}.",
  rejected: "12 + 30 = 41. The final answer is \\boxed{41}.",
  method: "given",
  provenance: {},
};

async function simulatedTasks() {
  const tasks = [];
  for (const mode of MODES) {
    for (const name of BUILTIN_TEMPLATES[mode]) {
      const template = await loadTemplate(name, mode);
      const slots = mode === "pointwise"
        ? [{ target: "chosen" as const }, { target: "rejected" as const }]
        : [{ order: "AB" as const }, { order: "BA" as const }];
      for (const slot of slots) tasks.push(renderJudgeTask(pair, template, slot));
    }
  }
  return tasks;
}

for (const reasoningField of [undefined, "reasoning_content"] as const) {
  Deno.test(`parse: simulator judgments parse for every mode and template (reasoning field: ${reasoningField ?? "none"})`, async () => {
    const options = resolveSimOptions({ formatErrorRate: 0, reasoningField });
    for (const task of await simulatedTasks()) {
      for (let sample = 0; sample < 8; sample++) {
        const reply = simulateReply(task.messages, options, sample);
        const parsed = parseJudgment(task.mode, reply.content, reply.reasoning, STRICT);
        const where = `${task.mode}/${task.template}/${task.order ?? task.target}#${sample}`;
        assert.equal(parsed.parseError, undefined, where);
        assert.ok(parsed.wellFormed, where);
        assert.ok(parsed.thought.length > 20, where);
        assert.ok(!/<\/?(think|plan|execution|answer)>/.test(parsed.thought), where);
        if (task.mode === "pairwise") assert.ok(parsed.verdict, where);
        if (task.mode === "pairwise-scores") assert.equal(Object.keys(parsed.scores!).length, 2);
        if (task.mode === "pairwise-verdict-scores") {
          assert.ok(parsed.verdict, where);
          const { A, B } = parsed.scores!;
          assert.equal(A > B ? "A" : "B", parsed.verdict, `${where}: scores side with the verdict`);
        }
        if (task.mode === "pointwise") assert.equal(typeof parsed.scores?.score, "number", where);
      }
    }
  });
}

Deno.test("parse: simulator format errors are all caught", async () => {
  const options = resolveSimOptions({ formatErrorRate: 1 });
  const expected = new Set([
    "no_verdict",
    "no_score",
    "multiple_verdicts",
    "multiple_scores",
    "unclosed_think",
  ]);
  const seen = new Set<string>();
  for (const task of await simulatedTasks()) {
    for (let sample = 0; sample < 8; sample++) {
      const reply = simulateReply(task.messages, options, sample);
      const parsed = parseJudgment(task.mode, reply.content, reply.reasoning);
      assert.ok(expected.has(parsed.parseError!), `${task.mode}: ${reply.content}`);
      seen.add(parsed.parseError!);
    }
  }
  assert.deepEqual(seen, expected);
});

Deno.test("parse: the simulator writes whole-number scores when the prompt asks for them", async () => {
  const options = resolveSimOptions({ formatErrorRate: 0 });
  for (const mode of ["pairwise-scores", "pairwise-verdict-scores", "pointwise"] as const) {
    const template = await loadTemplate("thinking", mode, { integerScores: true });
    const slot = mode === "pointwise" ? { target: "chosen" as const } : { order: "AB" as const };
    const task = renderJudgeTask(pair, template, slot);
    for (let sample = 0; sample < 16; sample++) {
      const reply = simulateReply(task.messages, options, sample);
      const parsed = parseJudgment(mode, reply.content, undefined, STRICT);
      const scores = Object.values(parsed.scores ?? {});
      assert.ok(scores.length > 0 && scores.every(Number.isInteger), `${mode}: ${reply.content}`);
      if (mode === "pairwise-scores") assert.ok(parsed.verdict, "whole numbers never tie");
    }
  }
});

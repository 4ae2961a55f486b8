import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { JUDGE_MARKERS, OUTPUT_TAGS, SCORE_SCALES } from "../lib/prompts/markers.ts";
import {
  BUILTIN_TEMPLATES,
  loadTemplate,
  MODES,
  parseTemplate,
  promptText,
  renderComparison,
  renderInstruction,
  renderJudgeTask,
} from "../lib/prompts/mod.ts";
import type { Mode, Pair } from "../lib/records.ts";

const pair: Pair = {
  id: "pair-1",
  seedId: "seed-1",
  source: "test",
  kind: "chat",
  instruction: "Name the largest ocean.",
  chosen: "The Pacific Ocean.",
  rejected: "The Atlantic Ocean.",
  method: "given",
  provenance: {},
};

/** What each built-in must ask for: tags that must and must not appear in its prompt. */
const EXPECTED_TAGS: Record<Mode, { has: string[]; not: string[] }> = {
  "pairwise": { has: [OUTPUT_TAGS.answer[0], "[[A]]", "[[B]]"], not: [OUTPUT_TAGS.scoreA[0]] },
  "pairwise-scores": {
    has: [OUTPUT_TAGS.scoreA[0], OUTPUT_TAGS.scoreB[0]],
    not: [OUTPUT_TAGS.answer[0]],
  },
  "pairwise-verdict-scores": {
    has: [OUTPUT_TAGS.scoreA[0], OUTPUT_TAGS.scoreB[0], OUTPUT_TAGS.answer[0], "[[A]]", "[[B]]"],
    not: [],
  },
  "pointwise": {
    has: [OUTPUT_TAGS.score[0]],
    not: [OUTPUT_TAGS.scoreA[0], OUTPUT_TAGS.answer[0]],
  },
};
const STYLE_TAGS: Record<string, { has: string[]; not: string[] }> = {
  "thinking": { has: [OUTPUT_TAGS.think[0], "reference answer"], not: [OUTPUT_TAGS.plan[0]] },
  "plan-execute": {
    has: [OUTPUT_TAGS.plan[0], OUTPUT_TAGS.execution[0]],
    not: [OUTPUT_TAGS.think[0]],
  },
};

/**
 * What J1's seed prompts do not ask for (J1's finding is that training makes the judge learn
 * these), so the default templates must not ask for them either.
 */
const NOT_IN_J1 = [
  /re-?check/i,
  /re-?evaluat/i,
  /for example/i,
  /must differ/i,
  /ties? (are|is) not allowed/i,
  /\d\.\d/, // no example score values
];

/** J1's points each default template asks for (J1.md §2), as phrases of our own wording. */
const J1_POINTS: Record<string, Partial<Record<Mode | "pairwise-any", RegExp[]>>> = {
  "thinking": {
    "pairwise-any": [
      /criteria/,
      /compare the two answers in detail/,
      /refer explicitly to those criteria/,
      /Where it helps, also write a reference answer/,
      /order in which the two answers are shown, their length, or the names/,
      /objective/,
    ],
    "pointwise": [
      /one at a time; judge each one independently/,
      /criteria/,
      /what an ideal answer would look like/,
      /concrete ideal answer \(a reference answer\) if you can/,
      /compare the assistant's answer with it/,
    ],
  },
  "plan-execute": {
    "pairwise-any": [
      /must not depend on the two answers/,
      /reference answer worked out step by step/,
      /step by step to evaluate the two answers, sticking to the plan rather than copying it/,
      /order in which the two answers are shown, their length, or the names/,
    ],
    "pointwise": [/one at a time; judge each one independently/, /must not depend on the answer/],
  },
};

for (const mode of MODES) {
  for (const name of BUILTIN_TEMPLATES[mode]) {
    const style = name.replace(/-v0$/, "");
    Deno.test(`templates: built-in ${mode}/${name} loads and asks for the right output`, async () => {
      const t = await loadTemplate(name, mode);
      assert.equal(t.name, name);
      assert.equal(t.mode, mode);
      assert.match(t.source, new RegExp(`templates/judge/${mode}-${name}\\.md$`));
      const prompt = `${t.system}\n${t.user}`;
      for (const tag of [...EXPECTED_TAGS[mode].has, ...STYLE_TAGS[style].has]) {
        assert.ok(prompt.includes(tag), `${tag} in ${mode}/${name}`);
      }
      for (const tag of [...EXPECTED_TAGS[mode].not, ...STYLE_TAGS[style].not]) {
        assert.ok(!prompt.includes(tag), `no ${tag} in ${mode}/${name}`);
      }
      if (name === style) {
        const points = J1_POINTS[style][mode === "pointwise" ? mode : "pairwise-any"] ?? [];
        for (const point of points) assert.match(prompt, point, `${mode}/${name}`);
        for (const extra of NOT_IN_J1) assert.doesNotMatch(prompt, extra, `${mode}/${name}`);
        // The one-message layout must not confuse the simulator: markers only in the data part.
        assert.ok(!t.system.includes(JUDGE_MARKERS.question), `${mode}/${name}`);
      }
      const markers = mode === "pointwise"
        ? [JUDGE_MARKERS.question, JUDGE_MARKERS.start, JUDGE_MARKERS.end]
        : [JUDGE_MARKERS.question, JUDGE_MARKERS.startA, JUDGE_MARKERS.endB];
      for (const m of markers) assert.ok(t.user.includes(m), `${m} in ${mode}/${name}`);
    });
  }
}

const HEAD = "---\nmode: pairwise\n---\n";
const PAIRWISE_USER = "## user\n{{question}}\nA: {{response_a}}\nB: {{response_b}}\n";

Deno.test("templates: parseTemplate reads header, sections and comments", () => {
  const t = parseTemplate(
    `---\nmode: pairwise\nname: mine\n---\n\n<!-- a note -->\n\n## system\n\nBe fair.\n\n${PAIRWISE_USER}`,
    "x.md",
  );
  assert.deepEqual(t, {
    name: "mine",
    mode: "pairwise",
    system: "Be fair.",
    user: "{{question}}\nA: {{response_a}}\nB: {{response_b}}",
    source: "x.md",
  });
  assert.equal(parseTemplate(HEAD + PAIRWISE_USER, "dir/judge-v2.md").name, "judge-v2");
  assert.equal(parseTemplate(HEAD + PAIRWISE_USER, "x.md").system, "");
});

const BAD_TEMPLATES: { name: string; text: string; loc: string; message: RegExp }[] = [
  { name: "no header", text: PAIRWISE_USER, loc: "t.md:1", message: /expected a header/ },
  {
    name: "unclosed header",
    text: "---\nmode: pairwise\n",
    loc: "t.md:1",
    message: /closing "---"/,
  },
  {
    name: "unknown mode",
    text: `---\nmode: ranking\n---\n${PAIRWISE_USER}`,
    loc: "t.md:2",
    message:
      /expected mode to be one of pairwise, pairwise-scores, pairwise-verdict-scores, pointwise, found "ranking"/,
  },
  {
    name: "unknown header key",
    text: `---\nmode: pairwise\ncolour: red\n---\n${PAIRWISE_USER}`,
    loc: "t.md:3",
    message: /found "colour: red"/,
  },
  { name: "no mode", text: `---\n---\n${PAIRWISE_USER}`, loc: "t.md:1", message: /"mode:"/ },
  {
    name: "no user section",
    text: `${HEAD}## system\nJudge {{question}}`,
    loc: "t.md:5",
    message: /"## user" section/,
  },
  {
    name: "text before the first section",
    text: `${HEAD}hello\n${PAIRWISE_USER}`,
    loc: "t.md:4",
    message: /expected "## system" or "## user", found "hello"/,
  },
  {
    name: "two user sections",
    text: `${HEAD}${PAIRWISE_USER}## user\nagain`,
    loc: "t.md:8",
    message: /found a second/,
  },
  {
    name: "unknown placeholder",
    text: `${HEAD}## user\n{{question}} {{response_a}}\nB: {{response_b}} {{reference}}`,
    loc: "t.md:6:19",
    message: /found \{\{reference\}\}/,
  },
  {
    name: "pointwise placeholder in a pairwise template",
    text: `${HEAD}## user\n{{question}} {{response}}`,
    loc: "t.md:5:14",
    message: /found \{\{response\}\}/,
  },
  {
    name: "missing placeholder",
    text: `${HEAD}## system\nx\n## user\n{{question}} {{response_a}}`,
    loc: "t.md:6",
    message: /expected placeholder \{\{response_b\}\} for mode pairwise, found none/,
  },
  {
    name: "pointwise without its response",
    text: `---\nmode: pointwise\n---\n## user\n{{question}}`,
    loc: "t.md:4",
    message: /\{\{response\}\}/,
  },
];

for (const bad of BAD_TEMPLATES) {
  Deno.test(`templates: parseTemplate rejects ${bad.name}`, () => {
    assert.throws(() => parseTemplate(bad.text, "t.md"), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.ok(e.message.startsWith(`${bad.loc}: `), e.message);
      assert.match(e.message, bad.message);
      return true;
    });
  });
}

Deno.test("templates: loadTemplate reads a path and checks its mode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/custom.md`;
    await Deno.writeTextFile(path, HEAD + PAIRWISE_USER);
    assert.equal((await loadTemplate(path, "pairwise")).name, "custom");
    await assert.rejects(loadTemplate(path, "pointwise"), /expected a template for mode pointwise/);
    await assert.rejects(loadTemplate(`${dir}/none.md`, "pairwise"), UserError);
    await assert.rejects(loadTemplate("thnking", "pairwise"), /built-in name/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("render: renderInstruction", () => {
  const cases: [Parameters<typeof renderInstruction>[0], string][] = [
    ["Plain text.", "Plain text."],
    [[{ role: "user", content: "One turn." }], "One turn."],
    [
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Bye" },
      ],
      "System: Be brief.\n\nUser: Hi\n\nAssistant: Hello!\n\nUser: Bye",
    ],
  ];
  for (const [input, expected] of cases) assert.equal(renderInstruction(input), expected);
});

Deno.test("render: renderJudgeTask pairwise orders, labels and ids", async () => {
  const t = await loadTemplate("thinking", "pairwise");
  const ab = renderJudgeTask(pair, t, { order: "AB" });
  const ba = renderJudgeTask(pair, t, { order: "BA" });
  assert.deepEqual([ab.label, ba.label], ["A", "B"]);
  assert.deepEqual([ab.order, ba.order, ab.target], ["AB", "BA", undefined]);
  assert.deepEqual([ab.pairId, ab.mode, ab.template], ["pair-1", "pairwise", "thinking"]);
  assert.deepEqual(ab.messages.map((m) => m.role), ["user"], "J1's one-message layout");
  const user = (task: typeof ab) => task.messages.at(-1)!.content;
  assert.ok(user(ab).includes(`${JUDGE_MARKERS.startA}\n${pair.chosen}\n${JUDGE_MARKERS.endA}`));
  assert.ok(user(ba).includes(`${JUDGE_MARKERS.startA}\n${pair.rejected}\n${JUDGE_MARKERS.endA}`));
  assert.ok(user(ab).includes(`${JUDGE_MARKERS.question}\n${pair.instruction}`));
  assert.notEqual(ab.id, ba.id);
  assert.equal(renderJudgeTask(pair, t, { order: "AB" }).id, ab.id, "stable");
  const edited = { ...t, system: `${t.system} Be strict.` };
  assert.notEqual(renderJudgeTask(pair, edited, { order: "AB" }).id, ab.id, "template text");
  const plan = await loadTemplate("plan-execute", "pairwise");
  assert.notEqual(renderJudgeTask(pair, plan, { order: "AB" }).id, ab.id, "template name");
  assert.throws(() => renderJudgeTask(pair, t, { target: "chosen" }), /need an order/);
});

Deno.test("render: renderJudgeTask pointwise targets", async () => {
  const t = await loadTemplate("thinking", "pointwise");
  const chosen = renderJudgeTask(pair, t, { target: "chosen" });
  const rejected = renderJudgeTask(pair, t, { target: "rejected" });
  assert.deepEqual([chosen.label, rejected.label], ["chosen", "rejected"]);
  assert.deepEqual([chosen.target, chosen.order], ["chosen", undefined]);
  assert.ok(chosen.messages[0].content.includes(`${JUDGE_MARKERS.start}\n${pair.chosen}\n`));
  assert.ok(rejected.messages[0].content.includes(`${JUDGE_MARKERS.start}\n${pair.rejected}\n`));
  assert.notEqual(chosen.id, rejected.id);
  assert.throws(() => renderJudgeTask(pair, t, { order: "AB" }), /need a target/);
});

Deno.test("render: renderComparison fills placeholders once and checks response count", () => {
  const t = parseTemplate(HEAD + PAIRWISE_USER, "t.md");
  const messages = renderComparison(
    [{ role: "user", content: "Q" }, { role: "assistant", content: "R" }, {
      role: "user",
      content: "Q2",
    }],
    "I quote {{response_b}} literally",
    "second",
    t,
  );
  assert.deepEqual(messages, [{
    role: "user",
    content: "User: Q\n\nAssistant: R\n\nUser: Q2\nA: I quote {{response_b}} literally\nB: second",
  }]);
  assert.ok(!messages[0].content.includes("[object Object]"));
  assert.throws(() => renderComparison("Q", "a", undefined, t), /needs two responses/);
  const p = parseTemplate("---\nmode: pointwise\n---\n## user\n{{question}}/{{response}}", "p.md");
  assert.deepEqual(renderComparison("Q", "a", undefined, p), [{ role: "user", content: "Q/a" }]);
  assert.throws(() => renderComparison("Q", "a", "b", p), /needs one response/);
});

Deno.test("templates: layouts put the same text in one message or two", async () => {
  const one = await loadTemplate("thinking", "pairwise");
  const two = await loadTemplate("thinking", "pairwise", { layout: "system-user" });
  const [m1, m2] = [one, two].map((t) => renderJudgeTask(pair, t, { order: "AB" }).messages);
  assert.deepEqual(m1.map((m) => m.role), ["user"]);
  assert.deepEqual(m2.map((m) => m.role), ["system", "user"]);
  assert.equal(m1[0].content, `${m2[0].content}\n\n${m2[1].content}`);
  assert.ok(
    m1[0].content.indexOf("impartial judge") < m1[0].content.indexOf(JUDGE_MARKERS.question),
  );
  const ids = [one, two].map((t) => renderJudgeTask(pair, t, { order: "AB" }).id);
  assert.notEqual(ids[0], ids[1], "the layout is part of the task id");
  // A template without a system section sends one user message in both layouts.
  const bare = parseTemplate(HEAD + PAIRWISE_USER, "t.md");
  for (const layout of ["one-message", "system-user"] as const) {
    assert.deepEqual(renderComparison("Q", "a", "b", { ...bare, layout }), [
      { role: "user", content: "Q\nA: a\nB: b" },
    ]);
  }
});

Deno.test("templates: {{score_scale}} states the decimal or the whole-number scale", async () => {
  for (const mode of ["pairwise-scores", "pairwise-verdict-scores", "pointwise"] as const) {
    for (const name of ["thinking", "plan-execute"]) {
      const decimal = promptText(await loadTemplate(name, mode)).user;
      const integer = promptText(await loadTemplate(name, mode, { integerScores: true })).user;
      assert.ok(decimal.includes(SCORE_SCALES.decimal) && !decimal.includes("{{score_scale"), mode);
      assert.ok(integer.includes(SCORE_SCALES.integer) && !integer.includes(SCORE_SCALES.decimal));
      assert.ok(!/\{\{score_scale\}\}/.test(integer));
    }
  }
  // The verdict-only mode has no scale: the option does not apply there.
  const pav = await loadTemplate("thinking", "pairwise", { integerScores: true });
  assert.equal(pav.integerScores, undefined);
  // A template without {{score_scale}} cannot honour the option.
  await assert.rejects(
    loadTemplate("thinking-v0", "pointwise", { integerScores: true }),
    /integerScores: expected a template that uses \{\{score_scale\}\}/,
  );
  // {{score_scale}} is only a score modes' placeholder.
  assert.throws(
    () =>
      parseTemplate(
        `${HEAD}## user\n{{question}} {{response_a}} {{response_b}} {{score_scale}}`,
        "t.md",
      ),
    /found \{\{score_scale\}\}/,
  );
  // A response that contains the placeholder is not filled.
  const t = await loadTemplate("thinking", "pointwise");
  const [m] = renderComparison("Q", "I wrote {{score_scale}}", undefined, t);
  assert.ok(m.content.includes("I wrote {{score_scale}}"));
});

Deno.test("templates: v0 built-ins keep the earlier wording; no v0 of pairwise-verdict-scores", async () => {
  const v0 = await loadTemplate("thinking-v0", "pairwise");
  assert.match(v0.system, /Re-check: re-evaluate the correctness/);
  assert.equal(v0.name, "thinking-v0");
  await assert.rejects(
    loadTemplate("thinking-v0", "pairwise-verdict-scores"),
    /built-in name \(thinking, plan-execute\)/,
  );
});

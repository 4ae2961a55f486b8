import assert from "node:assert/strict";
import type { ComparisonResult, EvalItem } from "../lib/records.ts";
import { close, item, pt, pw, type V } from "./helpers/results.ts";
import { UserError } from "../lib/errors.ts";
import { bootstrapMeanCI, quantile } from "../lib/bench/bootstrap.ts";
import { compareSummaries } from "../lib/bench/compare_summaries.ts";
import { majority, orderOutcome, type Outcome, verdictFromScores } from "../lib/bench/decisions.ts";
import { judgebenchCorrect, judgebenchScores } from "../lib/bench/judgebench.ts";
import { llmbarScores } from "../lib/bench/llmbar.ts";
import { genericMetrics, officialScores, summarize } from "../lib/bench/metrics.ts";
import { ppeScores } from "../lib/bench/ppe.ts";
import { seededOrder } from "../lib/bench/random.ts";
import {
  rewardbenchOverall,
  rewardbenchResult,
  rewardbenchScores,
  rewardbenchSectionScores,
} from "../lib/bench/rewardbench.ts";
import {
  beatsAll,
  bestOfResult,
  rewardbench2Scores,
  sharedCredit,
  tiesScore,
  tiesSubsetScore,
} from "../lib/bench/rewardbench2.ts";
import { matrixDifficulties, rmbenchMatrix, rmbenchScores } from "../lib/bench/rmbench.ts";

/** Right / wrong verdicts per order: `AB` shows the chosen as A. */
const R = { AB: "A", BA: "B" } as const;
const W = { AB: "B", BA: "A" } as const;

Deno.test("decisions: majority vote over non-null verdicts, score pairs give verdicts", () => {
  const votes: [Outcome[], Outcome][] = [
    [[1, 1, -1], 1],
    [[1, -1], 0],
    [[0, 0], 0],
    [[-1, 0, 0], -1],
    [[], 0],
  ];
  for (const [outcomes, expected] of votes) assert.equal(majority(outcomes), expected);
  assert.equal(verdictFromScores([7, 3]), "A");
  assert.equal(verdictFromScores([3, 7]), "B");
  assert.equal(verdictFromScores([5, 5]), null);
  assert.equal(verdictFromScores(null), null);
  const scored: ComparisonResult = {
    key: "0",
    scorePairs: { AB: [[8, 2], [5, 5], [9, 1]], BA: [[4, 4]] },
    thoughtLengths: [],
  };
  assert.equal(orderOutcome(scored, "AB"), 1);
  assert.equal(orderOutcome(scored, "BA"), 0);
  assert.equal(orderOutcome(pw("0", ["A", null, "B"]), "AB"), 0);
  assert.equal(orderOutcome(pw("0", ["A"]), "BA"), undefined);
});

Deno.test("judgebench: the two-game counter (game 2 = BA, flipped)", () => {
  // [AB verdict, BA verdict] → correct?
  const cases: [V | undefined, V | undefined, boolean][] = [
    [R.AB, R.BA, true], // correct + correct
    [R.AB, null, true], // correct + tie/None
    [null, R.BA, true], // None + correct
    [R.AB, W.BA, false], // correct + wrong (inconsistent)
    [W.AB, R.BA, false],
    [null, null, false], // None + None
    [W.AB, W.BA, false],
    [W.AB, null, false],
    [R.AB, undefined, true], // --single_game
    [W.AB, undefined, false],
  ];
  for (const [ab, ba, expected] of cases) {
    const it = item("judgebench", "Math", "x", [
      pw("0", ab === undefined ? undefined : [ab], ba === undefined ? undefined : [ba]),
    ]);
    assert.equal(judgebenchCorrect(it), expected, `AB=${ab} BA=${ba}`);
  }
  // Score pairs (one output scoring both, JudgeBench's JudgeLM rule): equal scores are A=B.
  const scored = (ab: [number, number], ba: [number, number]) =>
    judgebenchCorrect(item("judgebench", "Math", "x", [{
      key: "0",
      scorePairs: { AB: [ab], BA: [ba] },
      thoughtLengths: [],
    }]));
  assert.equal(scored([1, 1], [1, 1]), false); // tie + tie
  assert.equal(scored([1, 1], [0, 2]), true); // tie + right
  assert.equal(scored([3, 1], [1, 1]), true);
  assert.equal(scored([3, 1], [2, 0]), false); // right + wrong
});

Deno.test("judgebench: micro average over pairs, per category, ×100", () => {
  const items = [
    item("judgebench", "Knowledge", "1", [pw("0", ["A"], ["B"])]),
    item("judgebench", "Knowledge", "2", [pw("0", ["A"], ["A"])]),
    item("judgebench", "Math", "3", [pw("0", ["A"], [null])]),
  ];
  assert.deepEqual(judgebenchScores(items), {
    judgebench_score: 100 * (2 / 3),
    "judgebench/Knowledge": 50,
    "judgebench/Reasoning": null,
    "judgebench/Math": 100,
    "judgebench/Coding": null,
  });
});

Deno.test("rewardbench v1: EXAMPLE_COUNTS weights per section", () => {
  const sections = rewardbenchSectionScores({
    "alpacaeval-easy": 100,
    "mt-bench-easy": 0,
    "math-prm": 100,
    "hep-cpp": 0,
    "hep-go": 0,
    "hep-java": 0,
    "hep-js": 0,
    "hep-python": 0,
    "hep-rust": 0,
    "donotanswer": 50,
  });
  close(sections.rewardbench_chat, (100 * 100) / (100 + 28));
  // math-prm counts 984 = the six hep-* subsets together: Reasoning = ½·math + ½·mean(hep).
  close(sections.rewardbench_reasoning, 50);
  close(sections.rewardbench_safety, 50);
  assert.equal(sections.rewardbench_chat_hard, null);
  close(
    rewardbenchSectionScores({ "math-prm": 100, "hep-python": 0 }).rewardbench_reasoning,
    98400 / 1148,
  );
});

Deno.test("rewardbench v1: overall = mean of the sections present", () => {
  const leaderboard: [number[], string][] = [
    [[95.81, 91.45, 91.89, 96.06], "93.8"], // Skywork-Reward-Gemma-2-27B
    [[96.09, 76.10, 88.11, 86.61], "86.7"], // GPT-4o-2024-08-06
  ];
  for (const [[chat, hard, safety, reasoning], expected] of leaderboard) {
    const overall = rewardbenchOverall({
      rewardbench_chat: chat,
      rewardbench_chat_hard: hard,
      rewardbench_safety: safety,
      rewardbench_reasoning: reasoning,
    });
    assert.equal(overall!.toFixed(1), expected);
  }
  assert.equal(rewardbenchOverall({ rewardbench_chat: 90, rewardbench_safety: null }), 90);
  assert.equal(rewardbenchOverall({ rewardbench_chat: null }), null);
});

Deno.test("rewardbench v1: one seeded order per item, 0.5 when undecided", () => {
  const one = (r: ComparisonResult, id = "i1") =>
    rewardbenchResult(item("rewardbench", "s", id, [r]));
  assert.equal(one(pw("0", ["A"], ["B"])), 1);
  assert.equal(one(pw("0", ["B"], ["A"])), 0);
  assert.equal(one(pw("0", [null], [null])), 0.5);
  // Right in AB, wrong in BA: the seeded coin decides, the same way every time.
  for (const id of ["a", "b", "c", "d", "e", "f"]) {
    const expected = seededOrder(id, 0) === "AB" ? 1 : 0;
    assert.equal(one(pw("0", ["A"], ["A"]), id), expected);
    // Only the other order judged: no result, never that order passed off as the random one.
    const other = seededOrder(id, 0) === "AB" ? pw("0", undefined, ["B"]) : pw("0", ["A"]);
    assert.equal(one(other, id), undefined);
  }
  const orders = new Set(["a", "b", "c", "d", "e", "f", "g", "h"].map((id) => seededOrder(id, 0)));
  assert.deepEqual([...orders].sort(), ["AB", "BA"]);
});

Deno.test("rewardbench v1: pointwise ties, ratings rule (default) and classifier rule", () => {
  // [chosen samples, rejected samples, ratings rule, classifier rule]
  const cases: [(number | null)[], (number | null)[], number, number][] = [
    [[2], [1], 1, 1],
    [[1], [2], 0, 0],
    [[1], [1], 0.5, 0], // a tie: "error" in run_judge_ratings, 0 in run_rm.py
    [[null], [1], 0.5, 0], // a failed rating
    [[7, 9], [8, 8], 0.5, 0], // Mean-Score@2: 8 against 8
    [[7, 9, null], [8, 7], 1, 1],
  ];
  for (const [c, r, ratings, classifier] of cases) {
    const it = item("rewardbench", "s", "1", [pt("0", c, r)]);
    assert.equal(rewardbenchResult(it), ratings, `${c} vs ${r}`);
    assert.equal(rewardbenchResult(it, 0, "classifier"), classifier, `${c} vs ${r}`);
  }
  const items = [item("rewardbench", "donotanswer", "1", [pt("0", [5], [5])])];
  const notes: string[] = [];
  assert.equal(rewardbenchScores(items, { note: (n) => notes.push(n) }).rewardbench_score, 50);
  assert.match(notes[0], /generative ratings rule/);
  assert.equal(
    rewardbenchScores(items, { rewardbenchPointwise: "classifier" }).rewardbench_score,
    0,
  );
});

Deno.test("one-random-order scores refuse a run judged chosen-first only", () => {
  const ids = ["a", "b", "c", "d", "e", "f"];
  const abOnly = ids.map((id) => item("rewardbench", "donotanswer", id, [pw("0", ["A"])]));
  const notes: string[] = [];
  const note = (n: string) => notes.push(n);
  assert.deepEqual(rewardbenchScores(abOnly, { note }), { rewardbench_score: null });
  const ppeAbOnly = abOnly.map((i) => ({ ...i, benchmark: "ppe", subset: "preference" }));
  assert.deepEqual(ppeScores(ppeAbOnly, { note }), { ppe_score: null });
  const missing = ids.filter((id) => seededOrder(id, 0) === "BA").length;
  assert.ok(missing > 0);
  assert.deepEqual(notes.map((n) => n.split(":")[0]), ["rewardbench_score", "ppe_score"]);
  assert.match(notes[0], new RegExp(`^rewardbench_score: null, ${missing} comparison`));
  // Judged in each comparison's own random order (orders "random"): scored.
  const random = ids.map((id) =>
    item("rewardbench", "donotanswer", id, [
      seededOrder(id, 0) === "AB" ? pw("0", ["A"]) : pw("0", undefined, ["B"]),
    ])
  );
  assert.equal(rewardbenchScores(random).rewardbench_score, 100);
});

Deno.test("rewardbench v1: subsets, sections and score from items", () => {
  const items = [
    item("rewardbench", "alpacaeval-easy", "1", [pw("0", ["A"], ["B"])]),
    item("rewardbench", "alpacaeval-easy", "2", [pw("0", [null], [null])]),
    item("rewardbench", "donotanswer", "3", [pw("0", ["B"], ["A"])]),
  ];
  const scores = rewardbenchScores(items);
  assert.deepEqual(scores, {
    rewardbench_score: 37.5,
    rewardbench_chat: 75,
    rewardbench_chat_hard: null,
    rewardbench_safety: 0,
    rewardbench_reasoning: null,
    "rewardbench/alpacaeval-easy": 75,
    "rewardbench/donotanswer": 0,
  });
  assert.equal(Object.keys(scores)[0], "rewardbench_score"); // headline first
});

Deno.test("rewardbench2: shared credit on top ties", () => {
  const cases: [(number | null)[], number][] = [
    [[3, 1, 2, 0], 1],
    [[3, 3, 1, 0], 0.5],
    [[3, 3, 3, 3], 0.25],
    [[1, 3, 2, 0], 0],
    [[2, null, 1, 1], 1],
    [[null, 1, 1, 1], 0],
  ];
  for (const [scores, expected] of cases) assert.equal(sharedCredit(scores), expected, `${scores}`);
  // Pointwise item: the chosen's mean over all its samples against each rejected's mean.
  const bestOf = item("rewardbench2", "Math", "1", [
    pt("0", [8, 6], [6]), // chosen mean 7 over all its samples
    pt("1", [7], [1]),
    pt("2", [7], [null]),
  ]);
  assert.equal(bestOfResult(bestOf), 1);
  assert.equal(
    bestOfResult(
      item("rewardbench2", "Math", "1", [pt("0", [7], [7]), pt("1", [7], [1]), pt("2", [7], [0])]),
    ),
    0.5,
  );
});

Deno.test("rewardbench2: pairwise adaptation = beats all three, per order", () => {
  const allRight = [pw("0", ["A"], ["B"]), pw("1", ["A"], ["B"]), pw("2", ["A"], ["B"])];
  assert.equal(beatsAll(allRight), 1);
  assert.equal(
    beatsAll([pw("0", ["A"], ["B"]), pw("1", ["A"], ["A"]), pw("2", ["A"], ["B"])]),
    0.5,
  );
  assert.equal(beatsAll([pw("0", ["A"], ["B"]), pw("1", [null], ["A"]), pw("2", ["A"], ["B"])]), 0);
  assert.equal(beatsAll([pw("0", ["A"]), pw("1", ["A"]), pw("2", ["A"])]), 1);
});

Deno.test("rewardbench2: the Ties formula on a hand example", () => {
  const prompts = [
    { kind: "ref", promptId: 1, correct: [8], incorrect: [5, 3] },
    { kind: "tied", promptId: 1, correct: [9, 7, 8], incorrect: [6, 2] },
    { kind: "ref", promptId: 2, correct: [4], incorrect: [6] },
    { kind: "tied", promptId: 2, correct: [9, 5], incorrect: [4] },
  ] as const;
  // acc(tied) = 1, acc(ref) = 1/2; margin_incorrect_tied 1 and 1 never beat spreads 2 and 4;
  // ratios min(3,1)/2 = 0.5 and min(-2,1)/4 = -0.5.
  const expected2 = 0.3 + 0.3 * 0.5 + 0.01 * (Math.tanh(-0.5) + Math.tanh(-1.5)) / 2;
  close(
    tiesScore(prompts.map((p) => ({ ...p, correct: [...p.correct], incorrect: [...p.incorrect] }))),
    expected2,
  );
  close(expected2, 0.4431636729454756);
  const three = [
    ...prompts.map((p) => ({ ...p, correct: [...p.correct], incorrect: [...p.incorrect] })),
    { kind: "ref" as const, promptId: 3, correct: [10], incorrect: [1] },
    { kind: "tied" as const, promptId: 3, correct: [10, 9.5], incorrect: [2] },
  ];
  // Prompt 3: margin 7.5 > spread 0.5 and min(9, 7.5) > 0.5: both preferences count.
  close(tiesScore(three), 0.6321091152969791);
  // No spread (a single correct tied answer) and no ref: accuracy terms only.
  close(tiesScore([{ kind: "tied", promptId: 9, correct: [3], incorrect: [1] }]), 0.3);
});

Deno.test("rewardbench2: Ties from judged items, pointwise and pairwise", () => {
  const ties = (kind: string, results: ComparisonResult[]) =>
    item("rewardbench2", "Ties", `${kind}:1`, results, { tiesKind: kind, tiesPromptId: 1 });
  // ref: correct 8 vs incorrect 5, 3. tied: correct 9, 7 vs incorrect 6.
  const pointwise = [
    ties("ref", [pt("0,0", [8], [5]), pt("0,1", [8], [3])]),
    ties("tied", [pt("0,0", [9], [6]), pt("1,0", [7], [6])]),
  ];
  // acc 1 and 1; margin_tied 1 < spread 2; min(3, 1)/2 = 0.5.
  close(tiesSubsetScore(pointwise), 0.6 + 0.01 * Math.tanh(-0.5));
  const pairwise = [
    ties("ref", [pw("0,0", ["A"], ["B"]), pw("0,1", ["A"], ["B"])]),
    ties("tied", [pw("0,0", ["A"], ["B"]), pw("1,0", ["B"], ["A"])]),
  ];
  assert.equal(tiesSubsetScore(pairwise), 0.5);
  const all = [
    ...pairwise,
    item("rewardbench2", "Math", "m", [pw("0", ["A"]), pw("1", ["A"]), pw("2", ["B"])]),
  ];
  assert.deepEqual(rewardbench2Scores(all), {
    "rewardbench2/Ties": 50,
    "rewardbench2/Math": 0,
    rewardbench2_score: 25,
  });
});

/** An RM-Bench item whose comparison `i,j` is right iff `right(i, j)`, in both orders. */
function rmItem(domain: string, id: string, right: (i: number, j: number) => boolean): EvalItem {
  const results = [0, 1, 2].flatMap((i) =>
    [0, 1, 2].map((j) =>
      right(i, j) ? pw(`${i},${j}`, ["A"], ["B"]) : pw(`${i},${j}`, ["B"], ["A"])
    )
  );
  return item("rm-bench", domain, id, results);
}

Deno.test("rm-bench: the 3×3 matrix, hard = upper, normal = diagonal, easy = lower", () => {
  const chat = [rmItem("chat", "chat/1", (i, j) => i >= j), rmItem("chat", "chat/2", () => true)];
  assert.deepEqual(rmbenchMatrix(chat), [[1, 0.5, 0.5], [1, 1, 0.5], [1, 1, 1]]);
  assert.deepEqual(matrixDifficulties(rmbenchMatrix(chat)), { hard: 0.5, normal: 1, easy: 1 });
  // Safety pooled: refuse and response items share the `safety` domain.
  const safety = [
    rmItem("safety", "safety-refuse/0", () => true),
    rmItem("safety", "safety-response/0", () => false),
  ];
  const scores = rmbenchScores([...chat, ...safety]);
  close(scores["rmbench/chat"], 250 / 3);
  assert.equal(scores["rmbench/chat/hard"], 50);
  assert.equal(scores["rmbench/chat/normal"], 100);
  assert.equal(scores["rmbench/chat/easy"], 100);
  assert.equal(scores["rmbench/safety"], 50);
  assert.equal(scores.rmbench_hard, 50);
  assert.equal(scores.rmbench_normal, 75);
  assert.equal(scores.rmbench_easy, 75);
  close(scores.rmbench_score, (250 / 3 + 50) / 2);
});

Deno.test("rm-bench: a cell averages orders; pointwise is strict >", () => {
  const half = item("rm-bench", "code", "code/0", [pw("0,0", ["A"], ["A"])]);
  assert.equal(rmbenchMatrix([half])[0][0], 0.5);
  assert.equal(rmbenchMatrix([half])[0][1], null);
  const pointwise = item("rm-bench", "math", "math/0", [
    pt("0,0", [3], [2]),
    pt("1,1", [2], [2]),
    pt("2,2", [1], [null]),
  ]);
  assert.deepEqual(matrixDifficulties(rmbenchMatrix([pointwise])), {
    hard: null,
    normal: 1 / 3,
    easy: null,
  });
});

Deno.test("llmbar: Acc. = (correct_AB + correct_BA)/2N, agreement, adversarial mean", () => {
  const items = [
    item("llmbar", "LLMBar/Adversarial/Neighbor", "1", [pw("0", ["A"], ["B"])]), // right, right
    item("llmbar", "LLMBar/Adversarial/Neighbor", "2", [pw("0", ["A"], ["A"])]), // right, wrong
    item("llmbar", "LLMBar/Adversarial/Neighbor", "3", [pw("0", [null], [null])]), // null, null: agree
    item("llmbar", "LLMBar/Adversarial/Neighbor", "4", [pw("0", ["B"], [null])]), // wrong, null
    item("llmbar", "LLMBar/Adversarial/GPTInst", "5", [pw("0", ["A"], ["B"])]),
    item("llmbar", "LLMBar/Natural", "6", [pt("0", [5], [5])]), // rating tie: 0.5, disagree
  ];
  assert.deepEqual(llmbarScores(items), {
    "llmbar/LLMBar/Adversarial/Neighbor": 37.5,
    "llmbar/LLMBar/Adversarial/Neighbor/agreement": 50,
    "llmbar/LLMBar/Adversarial/GPTInst": 100,
    "llmbar/LLMBar/Adversarial/GPTInst/agreement": 100,
    "llmbar/LLMBar/Natural": 50,
    "llmbar/LLMBar/Natural/agreement": 0,
    llmbar_natural: 50,
    llmbar_adversarial: 68.75,
  });
});

Deno.test("ppe: one seeded order per item, undecided = wrong; score = mean of the two", () => {
  const ids = ["p1", "p2", "p3", "p4"];
  const pref = ids.map((id) => item("ppe", "preference", id, [pw("0", ["A"], ["A"])]));
  const rightOnAB = ids.filter((id) => seededOrder(id, 0) === "AB").length;
  const corr = [
    item("ppe", "correctness-math", "math/1", [pw("0", [null], [null])]),
    item("ppe", "correctness-gpqa", "gpqa/1", [pw("0", ["A"], ["B"])]),
  ];
  const scores = ppeScores([...pref, ...corr]);
  assert.equal(scores.ppe_preference, (100 * rightOnAB) / 4);
  assert.equal(scores.ppe_correctness, 50);
  assert.equal(scores["ppe/correctness-gpqa"], 100);
  assert.equal(scores.ppe_score, (scores.ppe_preference! + 50) / 2);
  assert.equal(ppeScores(pref, { seed: 0 }).ppe_preference, scores.ppe_preference);
  assert.equal(ppeScores(corr).ppe_score, 50);
});

Deno.test("generic metrics: pairwise, one sample per order", () => {
  const items = [
    item("pairwise", "a", "1", [pw("0", ["A"], ["B"])]), // right both
    item("pairwise", "a", "2", [pw("0", ["A"], ["A"])]), // right AB only
    item("pairwise", "b", "3", [pw("0", [null], ["B"])]), // null AB, right BA
    item("pairwise", "b", "4", [pw("0", ["B"], ["A"])]), // wrong both
  ];
  const m = genericMetrics(items);
  assert.equal(m.n, 4);
  assert.equal(m.items, 4);
  assert.equal(m.accuracy_ab, 0.5);
  assert.equal(m.accuracy_ba, 0.5);
  assert.equal(m.accuracy, 0.5);
  assert.equal(m.consistent_accuracy, 0.25);
  assert.equal(m.agreement, 0.5);
  assert.equal(m.parse_failures, 1 / 8);
  assert.ok(m.accuracy_lo! <= 0.5 && 0.5 <= m.accuracy_hi!);
  assert.ok(m.consistent_accuracy_lo! <= 0.25 && 0.25 <= m.consistent_accuracy_hi!);
  assert.equal(m.sc_accuracy, undefined);
  // Several comparisons per item are each counted.
  assert.equal(
    genericMetrics([item("rm-bench", "chat", "1", [pw("0,0", ["A"]), pw("0,1", ["B"])])]).n,
    2,
  );
});

Deno.test("generic metrics: k samples, SC@k per order and the per-sample accuracy", () => {
  const items = [
    item("pairwise", "a", "1", [pw("0", ["A", "A", "B"], ["B", "A", null])]), // AB 1, BA 0
    item("pairwise", "a", "2", [pw("0", ["B", "B", "A"], ["A", "B", "A"])]), // AB -1, BA -1
  ];
  const m = genericMetrics(items);
  assert.equal(m.accuracy_ab, 0.5);
  assert.equal(m.accuracy_ba, 0);
  assert.equal(m.accuracy, 0.25); // SC@3 per order, not a vote pooled over both orders
  assert.equal(m.sc_accuracy, undefined);
  assert.equal(m.mean_sample_accuracy, 5 / 12);
  assert.equal(m.parse_failures, 1 / 12);
  // Flip rate: sample i of AB against sample i of BA, both parsed: (A,B) (A,A) | (B,A) (B,B) (A,A).
  assert.equal(m.flip_rate, 3 / 5);
  assert.equal(m.a_rate, 6 / 11);
});

Deno.test("generic metrics: pairwise-scores decide by Mean-Score@k; tie rate of score pairs", () => {
  const scored = (ab: ([number, number] | null)[], ba: ([number, number] | null)[]) =>
    item("pairwise", "a", "1", [{ key: "0", scorePairs: { AB: ab, BA: ba }, thoughtLengths: [] }]);
  // [AB pairs, BA pairs, accuracy]: a majority of per-sample verdicts would say otherwise.
  const cases: [([number, number] | null)[], ([number, number] | null)[], number][] = [
    [[[9, 1], [4, 5], [4, 5]], [[1, 9]], 1], // AB means 5.67 vs 3.67 though 2 of 3 samples say B
    [[[6, 5], [6, 5], [0, 10]], [[5, 5]], 0], // AB 4 vs 6.67; BA a tie: undecided
    [[[5, 5], null], [[2, 3], null], 0.5],
    [[null], [null], 0],
  ];
  for (const [ab, ba, accuracy] of cases) {
    assert.equal(genericMetrics([scored(ab, ba)]).accuracy, accuracy, JSON.stringify([ab, ba]));
  }
  const m = genericMetrics([scored([[5, 5], [3, 1]], [[2, 2], null])]);
  assert.equal(m.tie_rate, 2 / 3);
});

Deno.test("generic metrics: no interval for a one-item subset", () => {
  const one = genericMetrics([item("pairwise", "a", "1", [pw("0", ["A"], ["A"])])]);
  assert.equal(one.accuracy, 0.5);
  assert.equal(one.accuracy_lo, null);
  assert.equal(one.accuracy_hi, null);
  const two = genericMetrics([
    item("pairwise", "a", "1", [pw("0", ["A"], ["A"])]),
    item("pairwise", "a", "2", [pw("0", ["A"], ["B"])]),
  ]);
  assert.ok(two.accuracy_lo !== null && two.accuracy_hi !== null);
});

Deno.test("generic metrics: pointwise", () => {
  const items = [
    item("pairwise", "a", "1", [pt("0", [8, 6], [5])]),
    item("pairwise", "a", "2", [pt("0", [4], [4])]),
    item("pairwise", "a", "3", [pt("0", [null], [2])]),
  ];
  const m = genericMetrics(items);
  assert.equal(m.n, 3);
  assert.equal(m.accuracy, 1 / 3);
  assert.equal(m.mean_score_chosen, 5.5);
  assert.equal(m.mean_score_rejected, 11 / 3);
  assert.equal(m.tie_rate, 0.5);
  assert.equal(m.parse_failures, 1 / 7);
  assert.equal(m.consistent_accuracy, undefined);
});

Deno.test("bootstrap: seeded and deterministic, percentile interval", () => {
  const groups = Array.from({ length: 50 }, (_, i) => ({ sum: i % 3 === 0 ? 0 : 1, count: 1 }));
  const a = bootstrapMeanCI(groups, { seed: 42 });
  assert.deepEqual(a, bootstrapMeanCI(groups, { seed: 42 }));
  assert.notDeepEqual(a, bootstrapMeanCI(groups, { seed: 43, resamples: 200 }));
  assert.ok(a![0] < 33 / 50 && 33 / 50 < a![1]);
  assert.deepEqual(bootstrapMeanCI([{ sum: 2, count: 2 }, { sum: 1, count: 1 }]), [1, 1]);
  assert.equal(bootstrapMeanCI([]), null);
  assert.equal(quantile([0, 10], 0.25), 2.5);
  const items = groups.map((g, i) =>
    item("pairwise", "a", String(i), [pw("0", [g.sum ? "A" : "B"])])
  );
  assert.deepEqual(summarize(items, { seed: 5 }), summarize(items, { seed: 5 }));
});

Deno.test("summarize: overall, sorted subsets, official of the items' benchmark", () => {
  const items = [
    item("judgebench", "Math", "1", [pw("0", ["A"], ["B"])]),
    item("judgebench", "Coding", "2", [pw("0", ["B"], ["A"])]),
  ];
  const s = summarize(items);
  assert.equal(s.overall.accuracy, 0.5);
  assert.deepEqual(Object.keys(s.subsets), ["Coding", "Math"]);
  assert.equal(s.subsets.Math.accuracy, 1);
  assert.equal(s.official.judgebench_score, 50);
  assert.deepEqual(summarize([]).official, {});
  assert.deepEqual(officialScores("pairwise", items), {});
  assert.throws(
    () => officialScores("nope", items),
    (e) => e instanceof UserError && /known: judgebench/.test(e.message),
  );
});

Deno.test("compareSummaries: deltas in points, regressions beyond maxDrop", () => {
  const s = (accuracy: number, parse: number, official: number) => ({
    overall: { accuracy, parse_failures: parse, n: 10 },
    subsets: {},
    official: { judgebench_score: official },
  });
  const { rows, regressions } = compareSummaries(s(0.80, 0.05, 70), s(0.81, 0.01, 75), 2);
  assert.deepEqual(rows.map((r) => r.metric), ["accuracy", "parse_failures", "judgebench_score"]);
  close(rows[0].delta, -1);
  close(rows[1].delta, 4);
  assert.equal(rows[2].delta, -5);
  assert.deepEqual(regressions, ["parse_failures", "judgebench_score"]);
  const missing = compareSummaries(s(0.8, 0, 70), { overall: {}, subsets: {}, official: {} }, 1);
  assert.equal(missing.rows[0].delta, null);
  assert.deepEqual(missing.regressions, []);
  // A metric the baseline has and this run lacks (nothing judged) is a regression.
  const none = {
    overall: { accuracy: null, parse_failures: null, n: 0 },
    subsets: {},
    official: {},
  };
  assert.deepEqual(compareSummaries(none, s(0.8, 0, 70), 1).regressions, [
    "accuracy",
    "parse_failures",
    "judgebench_score",
  ]);
  // J1's metric is compared too, in points.
  const j1 = (score: number) => ({ ...s(0.8, 0, 70), j1: { j1_score: score } });
  const withJ1 = compareSummaries(j1(60), j1(63), 2);
  assert.deepEqual(withJ1.regressions, ["j1_score"]);
  assert.equal(withJ1.rows.at(-1)!.delta, -3);
});

Deno.test("metrics: pairwise-verdict-scores decides by verdicts; score_agreement reads the scores", () => {
  // AB: verdict A with scores for A, verdict A against its scores (B higher), a tie, unparseable.
  const r: ComparisonResult = {
    key: "0",
    thoughtLengths: [],
    verdicts: { AB: ["A", "A", "B", null], BA: ["B"] },
    latentScorePairs: { AB: [[8, 2], [2, 8], [5, 5], null], BA: [[1, 9]] },
  };
  const item: EvalItem = { benchmark: "pairwise", subset: "all", itemId: "1", results: [r] };
  const m = genericMetrics([item], { mode: "pairwise-verdict-scores" });
  assert.equal(m.accuracy_ab, 1, "the verdicts decide (2 of 3 parsed say A), not the scores");
  assert.equal(m.score_agreement, 2 / 3);
  assert.equal(m.parse_failures, 1 / 5);
  assert.equal(genericMetrics([item]).score_agreement, undefined, "only for that mode");
});

/**
 * The official rules matched to the benchmark authors' code (allenai/reward-bench,
 * ScalerLab/JudgeBench) and J1's own metrics, one table of cases per rule.
 */
import assert from "node:assert/strict";
import type { ComparisonResult } from "../lib/records.ts";
import { close, item, pt, pw, type V } from "./helpers/results.ts";
import { comparisonId } from "../lib/bench/decisions.ts";
import { followbenchevalScores } from "../lib/bench/followbencheval.ts";
import { j1Scores } from "../lib/bench/j1.ts";
import { judgebenchCounter, judgebenchScores } from "../lib/bench/judgebench.ts";
import { ppeScores } from "../lib/bench/ppe.ts";
import { seededOrder } from "../lib/bench/random.ts";
import { sharedCredit, tiesScore, tiesSubsetScore } from "../lib/bench/rewardbench2.ts";
import { summarize } from "../lib/bench/metrics.ts";
import { parseRanking, rankingCredit, rankingSlot } from "../lib/bench/ranking.ts";

Deno.test("rewardbench2 ratings: failed = −1 and never a winner; all failed = 0.25", () => {
  const cases: [(number | null)[], number][] = [
    [[7, 3, 2, 1], 1],
    [[7, 7, 2, 1], 0.5],
    [[7, 7, 7, null], 1 / 3], // the failed rating is not a winner
    [[null, 3, 2, 1], 0], // a failed chosen
    [[0, null, null, null], 1], // 0 is a rating; −1 is not
    [[null, null, null, null], 0.25], // winners == "error"
    [[2, 9, null, null], 0],
  ];
  for (const [scores, expected] of cases) {
    close(sharedCredit(scores), expected);
  }
});

Deno.test("rewardbench2 Ties: numpy semantics of the tanh term, failed ratings = −1", () => {
  const pair = (ref: [number[], number[]], tied: [number[], number[]]) =>
    tiesScore([
      { kind: "ref", promptId: 1, correct: ref[0], incorrect: ref[1] },
      { kind: "tied", promptId: 1, correct: tied[0], incorrect: tied[1] },
    ]);
  // [ref correct/incorrect, tied correct/incorrect, score]
  const cases: [[number[], number[]], [number[], number[]], number][] = [
    // Equal correct scores (spread 0) above the incorrect: +∞ → tanh 1, both preferences hold.
    [[[9], [2]], [[8, 8], [3]], 1.01],
    // Spread 0 and margin 0: 0/0 → NaN → 0; nothing accurate, nothing preferred.
    [[[5], [5]], [[5, 5], [5]], 0],
    // Spread 0, negative margin: −∞ → tanh −1.
    [[[2], [5]], [[4, 4], [6]], -0.01],
    // Spread 2, margins 3 and 1: min 1 < 2, ratio 0.5.
    [[[8], [5]], [[9, 7], [6]], 0.6 + 0.01 * Math.tanh(-0.5)],
  ];
  for (const [ref, tied, expected] of cases) close(pair(ref, tied), expected);
  // Pointwise items: an answer whose samples all failed is rated −1.
  const ties = (kind: string, results: ComparisonResult[]) =>
    item("rewardbench2", "Ties", `${kind}:1`, results, { tiesKind: kind, tiesPromptId: 1 });
  const failed = [
    ties("ref", [pt("0,0", [6], [null])]), // incorrect −1: accurate, margin 7
    ties("tied", [pt("0,0", [6], [null]), pt("1,0", [6], [null])]), // spread 0, margin 7
  ];
  close(tiesSubsetScore(failed), 1.01);
});

Deno.test("judgebench: pointwise = the reward-model rule in both games (a tie is B, then inconsistent)", () => {
  const jb = (label: string, r: ComparisonResult) =>
    item("judgebench", "Math", "x", [r], { label });
  // [label, chosen score, rejected score, counter]
  const cases: [string, number, number, number][] = [
    ["A>B", 8, 3, 2],
    ["B>A", 8, 3, 2],
    ["A>B", 3, 8, -2],
    ["A>B", 5, 5, 0], // game 1 says B (wrong), game 2 says B → flipped A (right): 0
    ["B>A", 5, 5, 0],
  ];
  for (const [label, c, r, counter] of cases) {
    assert.equal(judgebenchCounter(jb(label, pt("0", [c], [r]))), counter, `${label} ${c} ${r}`);
  }
  assert.equal(judgebenchScores([jb("A>B", pt("0", [5], [5]))]).judgebench_score, 0);
});

Deno.test("judgebench: a single game is the dataset order; the swapped order alone is refused", () => {
  const jb = (label: string, r: ComparisonResult) =>
    item("judgebench", "Math", "x", [r], { label });
  // [label, AB verdicts, BA verdicts, counter]: label B>A shows the chosen second (order BA).
  const cases: [string, V[] | undefined, V[] | undefined, number | undefined][] = [
    ["A>B", ["A"], undefined, 1],
    ["A>B", ["B"], undefined, -1],
    ["B>A", undefined, ["B"], 1],
    ["B>A", undefined, [null], 0],
    ["B>A", ["A"], undefined, undefined], // chosen-first only: not a JudgeBench game
    ["A>B", undefined, ["B"], undefined],
    ["B>A", ["A"], ["A"], 0], // two games, inconsistent
  ];
  for (const [label, ab, ba, counter] of cases) {
    assert.equal(judgebenchCounter(jb(label, pw("0", ab, ba))), counter, `${label} ${ab} ${ba}`);
  }
  // Score pairs in one output (the JudgeLM rule): a tie is A=B, undecided in either order.
  const scored = (label: string, order: "AB" | "BA", pair: [number, number]) =>
    judgebenchCounter(jb(label, { key: "0", scorePairs: { [order]: [pair] }, thoughtLengths: [] }));
  assert.equal(scored("B>A", "BA", [5, 5]), 0);
  assert.equal(scored("A>B", "AB", [5, 5]), 0);
  assert.equal(scored("B>A", "BA", [3, 5]), 1);
  const notes: string[] = [];
  const single = [jb("A>B", pw("0", ["A"])), jb("B>A", pw("0", undefined, ["A"]))];
  assert.equal(judgebenchScores(single, { note: (n) => notes.push(n) }).judgebench_score, 50);
  assert.match(notes[0], /single game/);
  const refused = judgebenchScores([jb("B>A", pw("0", ["A"]))], { note: (n) => notes.push(n) });
  assert.deepEqual(refused, { judgebench_score: null });
  assert.match(notes[1], /^judgebench_score: null/);
});

Deno.test("ppe: accuracy per pair, each pair its own random order, correctness = mean of sources", () => {
  // Every comparison right in its own random order, except the listed ones.
  const right = (itemId: string, key: string) =>
    seededOrder(comparisonId(itemId, key), 0) === "AB"
      ? pw(key, ["A"], ["A"])
      : pw(key, ["B"], ["B"]);
  const wrong = (itemId: string, key: string) =>
    seededOrder(comparisonId(itemId, key), 0) === "AB"
      ? pw(key, ["B"], ["B"])
      : pw(key, ["A"], ["A"]);
  const items = [
    item("ppe", "preference", "q1", [right("q1", "0")]),
    item("ppe", "preference", "q2", [wrong("q2", "0")]),
    // math: 3 pairs over two rows, 2 right → 66.67; gpqa: 1 pair right → 100.
    item("ppe", "correctness-math", "math/m/1", [
      right("math/m/1", "0,1"),
      wrong("math/m/1", "2,3"),
    ]),
    item("ppe", "correctness-math", "math/n/1", [right("math/n/1", "3,0")]),
    item("ppe", "correctness-gpqa", "gpqa/m/1", [right("gpqa/m/1", "1,2")]),
  ];
  const scores = ppeScores(items);
  close(scores["ppe/correctness-math"], 200 / 3);
  close(scores.ppe_correctness, (200 / 3 + 100) / 2); // not the pooled 75
  assert.equal(scores.ppe_preference, 50);
  close(scores.ppe_score, (50 + (200 / 3 + 100) / 2) / 2);
  assert.equal(Object.keys(scores)[0], "ppe_score");
  assert.equal(j1Scores("ppe", items).j1_score, scores.ppe_score);
});

Deno.test("j1 metric: right in both orders (JudgeBench, FollowBenchEval), random order (RM-Bench, RewardBench)", () => {
  const jb = [
    item("judgebench", "Math", "1", [pw("0", ["A"], ["B"])]), // right in both
    item("judgebench", "Math", "2", [pw("0", ["A"], [null])]), // official: correct; J1: not
  ];
  assert.equal(judgebenchScores(jb).judgebench_score, 100);
  const j1 = j1Scores("judgebench", jb);
  assert.equal(j1.j1_score, 50);
  assert.equal(j1["j1/Math"], 50);
  assert.equal(j1["j1/Coding"], null);
  const notes: string[] = [];
  assert.deepEqual(
    j1Scores("judgebench", [item("judgebench", "Math", "1", [pw("0", ["A"])])], {
      note: (n) => notes.push(n),
    }),
    { j1_score: null },
  );
  assert.match(notes[0], /both orders/);
  const fb = [
    item("followbencheval", "level-1", "1", [pw("0", ["A"], ["B"])]),
    item("followbencheval", "level-2", "2", [pw("0", ["A"], ["A"])]),
    item("followbencheval", "level-2", "3", [pt("0", [6], [2])]),
  ];
  const fbScores = followbenchevalScores(fb);
  close(fbScores.followbencheval_score, 200 / 3);
  assert.equal(fbScores["followbencheval/level-1"], 100);
  assert.equal(fbScores["followbencheval/level-2"], 50);
  close(j1Scores("followbencheval", fb).j1_score, 200 / 3);
  // RewardBench: the random order decides, an undecided comparison is wrong (official: 0.5).
  const rb = ["a", "b", "c", "d"].map((id) =>
    item("rewardbench", "donotanswer", id, [pw("0", [null], [null])])
  );
  assert.equal(j1Scores("rewardbench", rb).j1_safety, undefined);
  assert.deepEqual(j1Scores("rewardbench", rb), {
    j1_score: 0,
    "j1/chat": null,
    "j1/chat_hard": null,
    "j1/safety": 0,
    "j1/reasoning": null,
  });
  assert.equal(summarize(rb).official.rewardbench_score, 50);
  // RM-Bench: each comparison in its own random order.
  const rm = item(
    "rm-bench",
    "chat",
    "1",
    [0, 1, 2].flatMap((i) =>
      [0, 1, 2].map((j) => {
        const key = `${i},${j}`;
        return seededOrder(comparisonId("1", key), 0) === "AB"
          ? pw(key, ["A"], ["A"])
          : pw(key, ["B"], ["B"]);
      })
    ),
  );
  assert.equal(summarize([rm]).official.rmbench_score, 50);
  assert.deepEqual(j1Scores("rm-bench", [rm]), { j1_score: 100, "j1/chat": 100 });
  assert.deepEqual(j1Scores("llmbar", []), {});
});

Deno.test("summarize: notes and the j1 block land in the summary", () => {
  const s = summarize([item("rewardbench", "donotanswer", "a", [pt("0", [3], [3])])]);
  assert.equal(s.official.rewardbench_score, 50);
  assert.equal(s.j1!.j1_score, 0);
  assert.equal(s.notes!.length, 1);
});

Deno.test("rewardbench2 four-way ranking: 1 right, 0 another slot, 0.25 no verdict; plurality over samples", () => {
  // [chosen slot, picks, credit]
  const cases: [number, (number | null)[], number][] = [
    [2, [2], 1],
    [2, [0], 0],
    [2, [null], 0.25], // the authors' "error"
    [1, [1, 1, 3], 1],
    [1, [3, 3, 1], 0],
    [1, [1, 3, null], 0.25], // a tie between picks
    [0, [null, null], 0.25],
  ];
  for (const [slot, picks, credit] of cases) {
    assert.equal(rankingCredit({ slot, picks }), credit, `${slot} ${picks}`);
  }
  // The four letters checked in order A, B, C, D, as process_judgement does.
  const parses: [string, number | null][] = [
    ["[[A]]", 0],
    ["so [[D]]", 3],
    ["[[C]] or [[B]]", 1],
    ["[[E]]", null],
    ["[A]", null],
  ];
  for (const [text, slot] of parses) assert.equal(parseRanking(text), slot, text);
  // The chosen slot is seeded per item and covers all four.
  const slots = new Set(Array.from({ length: 64 }, (_, i) => rankingSlot(`id-${i}`, 0)));
  assert.deepEqual([...slots].sort(), [0, 1, 2, 3]);
  assert.equal(rankingSlot("x", 3), rankingSlot("x", 3));
  const item4 = item("rewardbench2", "Math", "1", [{
    key: "rank4",
    ranking: { slot: 3, picks: [3] },
    thoughtLengths: [],
  }]);
  const s = summarize([item4]);
  assert.equal(s.official.rewardbench2_score, 100);
  assert.equal(s.overall.accuracy, 1);
  assert.deepEqual(s.notes, []); // the authors' protocol: no adaptation note
});

import assert from "node:assert/strict";
import { createRolloutStats } from "../lib/judge/stats.ts";
import type { Mode, Order, ParseErrorCode, Rollout, Verdict } from "../lib/records.ts";

function rollout(r: {
  pair: string;
  order?: Order;
  mode?: Mode;
  sample: number;
  verdict?: Verdict;
  reward: number;
  thought?: number;
  error?: ParseErrorCode;
}): Rollout {
  const mode = r.mode ?? "pairwise";
  return {
    taskId: `${r.pair}-${mode}-${r.order ?? "chosen"}`,
    pairId: r.pair,
    mode,
    template: "thinking",
    ...(r.order ? { order: r.order } : { target: "chosen" as const }),
    sample: r.sample,
    text: "",
    thought: "x".repeat(r.thought ?? 10),
    ...(r.verdict ? { verdict: r.verdict } : {}),
    ...(r.error ? { parseError: r.error } : {}),
    reward: r.reward,
    rewards: { correct: r.reward },
    advantage: 0,
  };
}

Deno.test("stats: an empty stream", () => {
  assert.deepEqual(createRolloutStats().summary(), {
    rollouts: 0,
    groups: 0,
    meanReward: null,
    zeroVarianceGroupShare: null,
    parseFailureRate: null,
    parseErrors: {},
    aPreferenceRate: null,
    flipRate: null,
    meanThoughtChars: null,
    thoughtCharsP50: null,
    thoughtCharsP90: null,
    meanThoughtTokens: null,
    thoughtTokensP50: null,
    thoughtTokensP90: null,
    byMode: {},
  });
});

Deno.test("stats: a small batch, overall and by mode", () => {
  const stats = createRolloutStats();
  const rows = [
    // p1: AB group mixed rewards; BA group all 1. Sample 0 consistent, sample 1 flips (A, A).
    rollout({ pair: "p1", order: "AB", sample: 0, verdict: "A", reward: 1, thought: 10 }),
    rollout({ pair: "p1", order: "AB", sample: 1, verdict: "A", reward: 1, thought: 20 }),
    rollout({ pair: "p1", order: "AB", sample: 2, reward: 0, thought: 30, error: "no_verdict" }),
    rollout({ pair: "p1", order: "BA", sample: 0, verdict: "B", reward: 1, thought: 40 }),
    rollout({ pair: "p1", order: "BA", sample: 1, verdict: "A", reward: 0, thought: 50 }),
    // p2: AB only, all 0 (zero variance); its verdicts have no partner.
    rollout({ pair: "p2", order: "AB", sample: 0, verdict: "B", reward: 0, thought: 60 }),
    rollout({
      pair: "p2",
      order: "AB",
      sample: 1,
      reward: 0,
      thought: 70,
      error: "unclosed_think",
    }),
    // Pointwise: one group, all 1.
    rollout({ pair: "p1", mode: "pointwise", sample: 0, reward: 1, thought: 80 }),
    rollout({ pair: "p1", mode: "pointwise", sample: 1, reward: 1, thought: 90 }),
    rollout({
      pair: "p1",
      mode: "pointwise",
      sample: 2,
      reward: 0,
      thought: 100,
      error: "no_score",
    }),
  ];
  for (const r of rows) stats.add(r);
  const s = stats.summary();
  assert.equal(s.rollouts, 10);
  // Groups: p1-AB (mixed: 1,1,0), p1-BA (mixed: 1,0), p2-AB (0,0), pointwise (1,1,0).
  assert.equal(s.groups, 4);
  assert.equal(s.zeroVarianceGroupShare, 1 / 4);
  assert.equal(s.meanReward, 5 / 10);
  assert.equal(s.parseFailureRate, 3 / 10);
  assert.deepEqual(s.parseErrors, { no_verdict: 1, unclosed_think: 1, no_score: 1 });
  // Verdicts: A, A, B, A, B → 3 of 5 are A.
  assert.equal(s.aPreferenceRate, 3 / 5);
  // Matched samples of p1: #0 (A vs B: consistent), #1 (A vs A: flip).
  assert.equal(s.flipRate, 1 / 2);
  assert.equal(s.meanThoughtChars, 55);
  assert.equal(s.thoughtCharsP50, 50);
  assert.equal(s.thoughtCharsP90, 90);

  const pairwise = s.byMode.pairwise!;
  assert.deepEqual(
    [pairwise.rollouts, pairwise.groups, pairwise.zeroVarianceGroupShare, pairwise.flipRate],
    [7, 3, 1 / 3, 1 / 2],
  );
  const pointwise = s.byMode.pointwise!;
  assert.deepEqual(
    [pointwise.rollouts, pointwise.meanReward, pointwise.aPreferenceRate, pointwise.flipRate],
    [3, 2 / 3, null, null],
  );
  assert.deepEqual(pointwise.parseErrors, { no_score: 1 });
  assert.equal(s.byMode["pairwise-scores"], undefined);
});

Deno.test("stats: a group of one sample carries no signal", () => {
  const stats = createRolloutStats();
  stats.add(rollout({ pair: "p", order: "AB", sample: 0, verdict: "A", reward: 1 }));
  assert.equal(stats.summary().zeroVarianceGroupShare, 1);
});

Deno.test("stats: the same order twice is not a flip pair", () => {
  const stats = createRolloutStats();
  stats.add(rollout({ pair: "p", order: "AB", sample: 0, verdict: "A", reward: 1 }));
  stats.add(rollout({ pair: "p", order: "AB", sample: 0, verdict: "A", reward: 1 }));
  assert.equal(stats.summary().flipRate, null);
});

/** Nearest-rank percentile of a sorted list, for checking the histogram. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.ceil(p * sorted.length) - 1];

Deno.test("stats: thought-length percentiles are exact below 256 chars and within 1% above", () => {
  const cases: number[][] = [
    [0],
    [5, 1, 3],
    Array.from({ length: 200 }, (_, i) => i),
    Array.from({ length: 1000 }, (_, i) => (i * 7919) % 20_000 + 300),
    [10, 100_000, 2_000_000, 2_500_000],
  ];
  for (const lengths of cases) {
    const stats = createRolloutStats();
    lengths.forEach((n, i) => stats.add(rollout({ pair: "p", sample: i, reward: 0, thought: n })));
    const s = stats.summary();
    const sorted = [...lengths].sort((a, b) => a - b);
    for (const [p, got] of [[0.5, s.thoughtCharsP50], [0.9, s.thoughtCharsP90]] as const) {
      const want = nearestRank(sorted, p);
      if (want < 256) assert.equal(got, want, `p${p * 100} of ${lengths.length}`);
      else assert.ok(Math.abs(got! - want) <= want * 0.01, `p${p * 100}: ${got} vs ${want}`);
    }
  }
});

Deno.test("stats: a million rollouts stream through (state per group, not per rollout)", () => {
  const stats = createRolloutStats();
  const G = 5;
  const base = rollout({ pair: "p", order: "AB", sample: 0, reward: 0 });
  for (let i = 0; i < 1_000_000; i++) {
    const group = Math.floor(i / G);
    stats.add({
      ...base,
      taskId: `t${group}`,
      sample: i % G,
      reward: group % 2 ? i % 2 : 1,
      thought: base.thought,
    });
  }
  const s = stats.summary();
  assert.equal(s.rollouts, 1_000_000);
  assert.equal(s.groups, 200_000);
  assert.equal(s.zeroVarianceGroupShare, 0.5);
  assert.equal(s.thoughtCharsP90, 10);
});

import assert from "node:assert/strict";
import { UserError } from "../lib/errors.ts";
import { parseJudgment } from "../lib/judge/parse.ts";
import {
  DEFAULT_REWARD_CONFIG,
  type RewardConfig,
  type SampleGroup,
  scorePairGroups,
} from "../lib/judge/rewards.ts";
import type { JudgeTask, Mode, Order, PointwiseTarget } from "../lib/records.ts";

const THINK = "<think>Compared both against the criteria.</think>\n";

/** A group of one pair: `slot` is an order or a pointwise target; outputs are short-hands. */
function group(
  mode: Mode,
  slot: Order | PointwiseTarget,
  outputs: string[],
  template = "thinking",
): SampleGroup {
  const pointwise = mode === "pointwise";
  const task: JudgeTask = {
    id: `${mode}-${template}-${slot}`,
    pairId: "p",
    mode,
    template,
    ...(pointwise ? { target: slot as PointwiseTarget } : { order: slot as Order }),
    messages: [],
    label: pointwise ? slot as PointwiseTarget : slot === "AB" ? "A" : "B",
  };
  const text = (o: string) => {
    if (o === "junk") return "I cannot decide.";
    if (mode === "pairwise") return `${THINK}<answer> [[${o}]] </answer>`;
    if (mode === "pointwise") return `${THINK}<score>${o}</score>`;
    const [a, b, verdict] = o.split(",");
    const scores = `${THINK}<score_A>${a}</score_A> <score_B>${b}</score_B>`;
    return verdict ? `${scores}\n<answer> [[${verdict}]] </answer>` : scores;
  };
  return { task, samples: outputs.map((o) => ({ parsed: parseJudgment(mode, text(o)) })) };
}

const component = (out: ReturnType<typeof scorePairGroups>, key: string) =>
  out.map((g) => g.map((s) => s.rewards[key]));

const ALL: RewardConfig = {
  weights: { correct: 1, consistent: 1, format: 1 },
  consistency: "by-sample",
};

const CASES: {
  name: string;
  groups: SampleGroup[];
  config?: RewardConfig;
  expected: Record<string, (number | undefined)[][]>;
}[] = [
  {
    name: "pairwise correctness: the verdict names the chosen position; junk is wrong",
    groups: [group("pairwise", "AB", ["A", "B", "junk"]), group("pairwise", "BA", ["B", "A"])],
    expected: { correct: [[1, 0, 0], [1, 0]], reward: [[1, 0, 0], [1, 0]] },
  },
  {
    name: "consistency by sample: sample i of AB with sample i of BA",
    groups: [
      group("pairwise", "AB", ["A", "A", "B", "A"]),
      group("pairwise", "BA", ["B", "A", "B", "junk"]),
    ],
    config: ALL,
    expected: {
      correct: [[1, 1, 0, 1], [1, 0, 1, 0]],
      consistent: [[1, 0, 0, 0], [1, 0, 0, 0]],
      format: [[1, 1, 1, 1], [1, 1, 1, 0]],
      reward: [[3, 2, 1, 2], [3, 1, 2, 0]],
    },
  },
  {
    name: "consistency by majority: right here, and the other order's group mostly right",
    groups: [
      group("pairwise", "AB", ["A", "A", "B", "A"]),
      group("pairwise", "BA", ["B", "A", "B", "junk"]),
    ],
    config: { weights: { consistent: 1 }, consistency: "by-majority" },
    // AB is right 3/4 (a majority), BA 2/4 (not a majority).
    expected: { consistent: [[0, 0, 0, 0], [1, 0, 1, 0]], reward: [[0, 0, 0, 0], [1, 0, 1, 0]] },
  },
  {
    name: "consistency without the other order, or its sample i, is 0",
    groups: [group("pairwise", "AB", ["A", "A"]), group("pairwise", "BA", ["B"])],
    config: ALL,
    expected: { consistent: [[1, 0], [1]], correct: [[1, 1], [1]] },
  },
  {
    name: "consistency pairs the same template only",
    groups: [
      group("pairwise", "AB", ["A"], "thinking"),
      group("pairwise", "BA", ["B"], "plan-execute"),
    ],
    config: ALL,
    expected: { consistent: [[0], [0]] },
  },
  {
    name: "pairwise-scores: strictly higher score for the chosen position; ties are wrong",
    groups: [
      group("pairwise-scores", "AB", ["8.5,3", "3,8.5", "5,5", "11,3"]),
      group("pairwise-scores", "BA", ["2,9", "9,2"]),
    ],
    config: ALL,
    expected: {
      correct: [[1, 0, 0, 0], [1, 0]],
      consistent: [[1, 0, 0, 0], [1, 0]],
      format: [[1, 1, 1, 0], [1, 1]],
    },
  },
  {
    name: "pointwise distant supervision: sample i of chosen vs sample i of rejected",
    groups: [
      group("pointwise", "chosen", ["8", "5", "6", "junk", "9"]),
      group("pointwise", "rejected", ["3", "5", "7", "2"]),
    ],
    expected: {
      correct: [[1, 0, 0, 0, 0], [1, 0, 0, 0]],
      consistent: [Array(5).fill(undefined), Array(4).fill(undefined)],
      reward: [[1, 0, 0, 0, 0], [1, 0, 0, 0]],
    },
  },
  {
    name: "pointwise without its partner group earns 0",
    groups: [group("pointwise", "rejected", ["1"])],
    expected: { correct: [[0]] },
  },
  {
    name: "a multitask pair: modes are scored side by side",
    groups: [
      group("pairwise", "AB", ["A"]),
      group("pointwise", "chosen", ["7"]),
      group("pairwise", "BA", ["B"]),
      group("pointwise", "rejected", ["7.5"]),
    ],
    config: ALL,
    expected: { correct: [[1], [0], [1], [0]], consistent: [[1], [undefined], [1], [undefined]] },
  },
  {
    name: "weights, with a format reward",
    groups: [group("pairwise", "AB", ["A", "B", "junk"])],
    config: { weights: { correct: 2, format: 0.5 }, consistency: "by-sample" },
    expected: { reward: [[2.5, 0.5, 0]] },
  },
  {
    name: "negative reward: a wrong verdict is -1, an unparseable one 0",
    groups: [group("pairwise", "AB", ["A", "B", "junk"]), group("pairwise", "BA", ["A"])],
    config: { weights: { correct: 1, wrong: -1 }, consistency: "by-sample" },
    expected: { correct: [[1, 0, 0], [0]], wrong: [[0, 1, 0], [1]], reward: [[1, -1, 0], [-1]] },
  },
  {
    name: "wrong in the score modes: ties and lower chosen scores; unscored partners are not",
    groups: [
      group("pairwise-scores", "AB", ["8,3", "3,8", "5,5", "11,3"]),
      group("pointwise", "chosen", ["8", "5", "junk", "6"]),
      group("pointwise", "rejected", ["3", "5", "2"]),
    ],
    expected: { wrong: [[0, 1, 1, 0], [0, 1, 0, 0], [0, 1, 0]] },
  },
  {
    name: "pairwise-verdict-scores: the verdict is rewarded, never the scores",
    groups: [
      group("pairwise-verdict-scores", "AB", ["8,3,A", "8,3,B", "3,8,A", "8,3", "junk"]),
      group("pairwise-verdict-scores", "BA", ["9,2,B", "2,9,B"]),
    ],
    config: ALL,
    expected: {
      correct: [[1, 0, 1, 0, 0], [1, 1]],
      wrong: [[0, 1, 0, 0, 0], [0, 0]],
      consistent: [[1, 0, 0, 0, 0], [1, 0]],
      format: [[1, 1, 1, 0, 0], [1, 1]],
    },
  },
];

for (const c of CASES) {
  Deno.test(`rewards: ${c.name}`, () => {
    const out = scorePairGroups(c.groups, c.config ?? DEFAULT_REWARD_CONFIG);
    assert.deepEqual(out.map((g) => g.length), c.groups.map((g) => g.samples.length), "shape");
    for (const [key, expected] of Object.entries(c.expected)) {
      const actual = key === "reward"
        ? out.map((g) => g.map((s) => Math.round(s.reward * 1e9) / 1e9))
        : component(out, key);
      assert.deepEqual(actual, expected, key);
    }
  });
}

Deno.test("rewards: every component is stored whatever the weights", () => {
  const out = scorePairGroups([group("pairwise", "AB", ["A"]), group("pairwise", "BA", ["A"])]);
  assert.deepEqual(out[0][0].rewards, { correct: 1, wrong: 0, format: 1, consistent: 0 });
  assert.equal(out[0][0].reward, 1);
});

Deno.test("rewards: an unknown weight, or one that is not a number, is a user error", () => {
  assert.throws(
    () => scorePairGroups([], { weights: { corect: 1 }, consistency: "by-sample" }),
    (e: unknown) => e instanceof UserError && /found key "corect"/.test(e.message),
  );
  // A "1" from ${VAR} interpolation would add as a string: rewards of "01", read as 10.
  const weights = { correct: "1" } as unknown as Record<string, number>;
  assert.throws(
    () => scorePairGroups([], { weights, consistency: "by-sample" }),
    (e: unknown) =>
      e instanceof UserError && /"correct": a number, found string "1"/.test(e.message),
  );
});

import assert from "node:assert/strict";
import type { TaskLabel } from "../lib/judge/label.ts";
import { floatJson } from "../lib/serve/float_json.ts";
import { type RewardServerOptions, startRewardServer } from "../lib/serve/server.ts";
import { judgment, pairwiseLabel, pointwiseLabel } from "./helpers/labels.ts";

const pointwise = pointwiseLabel;
const pairwise = pairwiseLabel;

const scored = (score: number) => `<think>Judged alone.</think>\n<score> ${score} </score>`;
const verdict = judgment;

async function withServer(
  options: RewardServerOptions,
  fn: (post: (path: string, json: unknown) => Promise<Response>, url: string) => Promise<void>,
) {
  const server = await startRewardServer({ port: 0, ...options });
  const post = (path: string, json: unknown) =>
    fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(json) });
  try {
    await fn(post, server.url);
  } finally {
    await server.close();
  }
}

/** One OpenRLHF ≥ 0.9.1 request: a single sample. */
const openrlhf = (text: string, label: TaskLabel) => ({
  query: [`<|user|>judge<|assistant|>${text}<|im_end|>`],
  prompts: ["<|user|>judge<|assistant|>"],
  labels: [JSON.stringify(label)],
});

Deno.test("partners: pointwise samples posted one per request are scored with their partner", async () => {
  await withServer({}, async (post, url) => {
    // Sample 0: chosen 8 > rejected 3 (right); sample 1: chosen 4 < rejected 6 (wrong). Each
    // sample is sent alone, the two responses' samples concurrently, rounds in order.
    const bodies = [];
    for (const [chosen, rejected] of [[8, 3], [4, 6]]) {
      bodies.push(
        ...await Promise.all(
          [[pointwise("p", "rejected"), rejected], [pointwise("p", "chosen"), chosen]].map(
            async ([label, score]) =>
              await (await post(
                "/get_reward",
                openrlhf(scored(score as number), label as TaskLabel),
              ))
                .json(),
          ),
        ),
      );
    }
    assert.deepEqual(bodies.map((b) => b.rewards[0]), [1, 1, 0, 0]);
    assert.deepEqual(bodies.map((b) => b.extra_logs.alone[0]), [0, 0, 0, 0]);
    const stats = await (await fetch(`${url}/stats`)).json();
    assert.deepEqual(
      [stats.samples, stats.paired, stats.alone, stats.waiting],
      [4, 4, 0, 0],
    );
  });
});

Deno.test("partners: a sample whose partner never comes is scored alone after the wait, counted", async () => {
  await withServer({ partners: { waitMs: 1 } }, async (post, url) => {
    const res = await post("/score", { response: scored(9), label: pointwise("p", "chosen") });
    assert.deepEqual(await res.json(), {
      reward: 0,
      rewards: { correct: 0, wrong: 0, format: 1 },
      scores: { score: 9 },
      alone: true,
    });
    const stats = await (await fetch(`${url}/stats`)).json();
    assert.deepEqual([stats.samples, stats.alone, stats.waitMs], [1, 1, 1]);
  });
});

Deno.test("partners: when no sample arrives for idleMs, the waiting ones are scored alone", async () => {
  // A wait of a day, an idle bound of 1 ms: the idle bound answers.
  await withServer({ partners: { waitMs: 86_400_000, idleMs: 1 } }, async (post) => {
    const res = await post("/score", { response: scored(9), label: pointwise("p", "rejected") });
    assert.equal((await res.json()).alone, true);
  });
});

Deno.test("partners: with refuseAlone, a lone sample is refused with 409 and a reason", async () => {
  await withServer({ partners: { waitMs: 1, refuseAlone: true } }, async (post, url) => {
    const res = await post("/get_reward", openrlhf(scored(9), pointwise("p", "chosen")));
    assert.equal(res.status, 409);
    assert.match(
      (await res.json()).error,
      /expected its partner sample \(pair p, the other response\)/,
    );
    assert.equal((await (await fetch(`${url}/stats`)).json()).refused, 1);
  });
});

Deno.test("partners: pairwise with correctness only never waits (no partner needed)", async () => {
  // A wait of a day: the test would hang if the sample waited.
  await withServer({ partners: { waitMs: 86_400_000 } }, async (post) => {
    const res = await post("/get_reward", openrlhf(verdict("A"), pairwise("p", "AB")));
    assert.deepEqual((await res.json()).rewards, [1]);
  });
});

Deno.test("partners: consistency per sample pairs the k-th arrival of each order", async () => {
  const reward = { weights: { correct: 1, consistent: 1 }, consistency: "by-sample" } as const;
  await withServer({ reward }, async (post) => {
    // AB: right, wrong; BA: right, right. Sample 0 of both orders, then sample 1 of both.
    const rewards = [];
    for (const [ab, ba] of [["A", "B"], ["B", "B"]] as const) {
      rewards.push(
        ...await Promise.all(
          ([[pairwise("p", "AB"), ab], [pairwise("p", "BA"), ba]] as const).map(
            async ([label, v]) =>
              (await (await post("/score", { response: verdict(v), label })).json()).reward,
          ),
        ),
      );
    }
    assert.deepEqual(rewards, [2, 2, 0, 1]);
  });
});

Deno.test("partners: by-majority gathers the other order's group of groupSize samples", async () => {
  const reward = { weights: { correct: 1, consistent: 1 }, consistency: "by-majority" } as const;
  await withServer({ reward, partners: { groupSize: 3 } }, async (post) => {
    // BA: 2 of 3 right (a majority), so every right AB sample is consistent; AB: 1 of 3 right.
    const sends: [TaskLabel, "A" | "B"][] = [
      ...(["A", "B", "B"] as const).map((v) => [pairwise("p", "AB"), v] as [TaskLabel, "A" | "B"]),
      ...(["B", "B", "A"] as const).map((v) => [pairwise("p", "BA"), v] as [TaskLabel, "A" | "B"]),
    ];
    const rewards = await Promise.all(sends.map(async ([label, v]) => {
      const res = await post("/get_reward", openrlhf(verdict(v), label));
      return (await res.json()).rewards[0];
    }));
    assert.deepEqual(rewards, [2, 0, 0, 1, 1, 0]);
  });
});

Deno.test("partners: every number in a scoring answer is a float to Python's json.loads", async () => {
  const python = Deno.build.os !== "windows" &&
    (await new Deno.Command("python3", { args: ["-c", "1"], stderr: "null" }).output()
      .then((o) => o.success, () => false));
  assert.equal(
    floatJson({ a: [1, 0, -2, 0.5, 1e21], b: "1", c: null }),
    '{"a":[1.0,0.0,-2.0,0.5,1e+21],"b":"1","c":null}',
  );
  if (!python) return console.warn("python3 not found: the json.loads check is skipped");
  await withServer(
    { reward: { weights: { correct: 1 }, consistency: "by-sample" } },
    async (post) => {
      const bodies = [
        await (await post("/get_reward", openrlhf(verdict("A"), pairwise("p", "AB")))).text(),
        await (await post("/score", { response: verdict("B"), label: pairwise("q", "AB") })).text(),
        await (await post("/score", { items: [{ response: "x", label: pairwise("r", "BA") }] }))
          .text(),
      ];
      // Every number, at any depth, must come out of json.loads as a Python float.
      const check = `
import json, sys
def walk(v):
    if isinstance(v, bool) or v is None or isinstance(v, str): return
    if isinstance(v, (int, float)):
        assert type(v) is float, repr(v)
    elif isinstance(v, list):
        for x in v: walk(x)
    else:
        for x in v.values(): walk(x)
for line in sys.stdin:
    walk(json.loads(line))
print("ok")
`;
      const child = new Deno.Command("python3", {
        args: ["-c", check],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(bodies.join("\n") + "\n"));
      await w.close();
      const out = await child.output();
      assert.equal(
        new TextDecoder().decode(out.stdout).trim(),
        "ok",
        new TextDecoder().decode(out.stderr),
      );
    },
  );
});

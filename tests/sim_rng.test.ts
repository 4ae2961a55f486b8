import assert from "node:assert/strict";
import { draw, drawer } from "../lib/sim/rng.ts";

/** 40,000 draws for two purposes, over 5,000 prompts × 8 sample seeds. */
function drawPairs(): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 40_000; i++) {
    const rand = drawer(0, `prompt-${i >> 3}`, i & 7);
    out.push([rand("noise"), rand("position")]);
  }
  return out;
}

Deno.test("drawer: uniform on [0, 1), purposes uncorrelated, the same parts give the same draws", () => {
  const pairs = drawPairs();
  const xs = pairs.map(([x]) => x);
  const ys = pairs.map(([, y]) => y);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(Math.abs(mean(xs) - 0.5) < 0.01, `mean ${mean(xs)}`);
  for (let d = 0; d < 10; d++) {
    const share = xs.filter((x) => Math.floor(x * 10) === d).length / xs.length;
    assert.ok(Math.abs(share - 0.1) < 0.01, `decile ${d}: ${share}`);
  }
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = mean(pairs.map(([x, y]) => (x - mx) * (y - my)));
  const sd = (v: number[], m: number) => Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
  assert.ok(Math.abs(cov / (sd(xs, mx) * sd(ys, my))) < 0.02, "noise and position independent");
  assert.deepEqual(drawPairs().slice(0, 5), pairs.slice(0, 5), "deterministic");
  assert.notEqual(drawer(1, "p", 3)("noise"), drawer(2, "p", 3)("noise"), "the seed matters");
});

Deno.test("draw: one number in [0, 1) per distinct parts", () => {
  assert.equal(draw(1, "x", [2]), draw(1, "x", [2]));
  assert.notEqual(draw(1, "x", [2]), draw(1, "x", [3]));
  const v = draw({ any: "json" });
  assert.ok(v >= 0 && v < 1);
});

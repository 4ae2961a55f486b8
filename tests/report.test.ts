import assert from "node:assert/strict";
import { compareSummaries, summarize } from "../lib/bench/mod.ts";
import type { EvalItem, Verdict } from "../lib/records.ts";
import {
  histogram,
  histogramBins,
  positionBiasBySubset,
  renderHtml,
  renderMarkdown,
  type ReportInput,
} from "../lib/report/mod.ts";

type V = Verdict | null;
const item = (subset: string, id: string, ab: V[], ba: V[], thoughts: number[]): EvalItem => ({
  benchmark: "llmbar",
  subset,
  itemId: id,
  results: [{ key: "0", verdicts: { AB: ab, BA: ba }, thoughtLengths: thoughts }],
});

// Two subsets, both orders, three samples. Right verdict: A in AB, B in BA.
const items = [
  item("LLMBar/Natural", "n1", ["A", "A", "A"], ["B", "B", "B"], [100, 120, 140, 160, 180, 200]),
  item("LLMBar/Natural", "n2", ["A", "A", "B"], ["A", "A", "A"], [300, 320, 340, 360, 380, 400]),
  item("a<b", "x1", ["B", "B", "B"], ["A", "A", "A"], [500, 520, 540, 560, 580, 600]),
  item("a<b", "x2", ["A", null, "A"], ["B", "B", null], [700, 800, 900, 1000, 1100, 1200]),
];

const summary = summarize(items, { benchmark: "llmbar" });
const input = (extra: Partial<ReportInput> = {}): ReportInput => ({
  title: "llmbar: judge-1",
  benchmark: "llmbar",
  model: "judge-1",
  mode: "pairwise",
  template: "thinking",
  samples: 3,
  summary,
  thoughtLengths: items.flatMap((i) => i.results.flatMap((r) => r.thoughtLengths)),
  positionBias: positionBiasBySubset(items),
  generatedAt: "2026-11-25T00:00:00Z",
  ...extra,
});

Deno.test("report: position bias per subset (A-preference and flip rate)", () => {
  const bias = Object.fromEntries(positionBiasBySubset(items).map((b) => [b.subset, b]));
  const table: [string, number | null, number | null][] = [
    // Natural: 8 of 12 verdicts are A; n2 names the same letter at sample 0 and 1 (of 6 pairs).
    ["LLMBar/Natural", 8 / 12, 2 / 6],
    // a<b: 5 of 10 parsed verdicts are A; 4 sample pairs parsed in both orders, none flipped.
    ["a<b", 5 / 10, 0],
  ];
  for (const [subset, aRate, flipRate] of table) {
    assert.deepEqual(bias[subset], { subset, aRate, flipRate }, subset);
  }
  const pointwise: EvalItem = {
    benchmark: "pairwise",
    subset: "p",
    itemId: "1",
    results: [{ key: "0", scores: { chosen: [8], rejected: [3] }, thoughtLengths: [10, 20] }],
  };
  assert.deepEqual(positionBiasBySubset([pointwise]), [
    { subset: "p", aRate: null, flipRate: null },
  ]);
});

Deno.test("report: Markdown header, official scores and per-subset rows in percent", () => {
  const md = renderMarkdown(input());
  const expected = [
    "## llmbar: judge-1",
    "benchmark llmbar · judge judge-1 · mode pairwise · template thinking · 3 samples per judgment",
    "| subset | n | accuracy % [95% CI] | accuracy AB % | accuracy BA % | consistent % | agreement % | flip rate % | parse failures % | one-sample accuracy % |",
    "| llmbar_natural | 75.00 |",
    // subset | n | accuracy [CI] | AB | BA | consistent | agreement | flip | parse failures | one-sample
    /\| overall \| 4 \| 62\.5 \[\d+\.\d, \d+\.\d\] \| 75\.0 \| 50\.0 \| 50\.0 \| 75\.0 \| 20\.0 \| 8\.3 \| 50\.0 \|/,
    /\| LLMBar\/Natural \| 2 \| 75\.0 \[[^\]]+\] \| 100\.0 \| 50\.0 \| 50\.0 \| 50\.0 \| 33\.3 \| 0\.0 \| 66\.7 \|/,
    /\| a\\<b \| 2 \| 50\.0 \[[^\]]+\] \| 50\.0 \| 50\.0 \| 50\.0 \| 100\.0 \| 0\.0 \| 16\.7 \| 33\.3 \|/,
    "| LLMBar/Natural | 66.7 | 33.3 |",
    "| a\\<b | 50.0 | 0.0 |",
  ];
  for (const e of expected) {
    if (typeof e === "string") assert.ok(md.includes(e), `missing: ${e}\n${md}`);
    else assert.match(md, e);
  }
  assert.doesNotMatch(md, /Against the baseline/);
  // The headline comes first, before every other table.
  assert.ok(md.indexOf("### Headline") < md.indexOf("### Official scores"), md);
  assert.ok(md.includes("| llmbar_natural (official) | 75.00 |"), md);
});

Deno.test("report: notes under the title, J1's metric, n/a for a one-item interval", () => {
  const one = summarize(
    [{
      benchmark: "rewardbench",
      subset: "donotanswer",
      itemId: "1",
      results: [{ key: "0", scores: { chosen: [4], rejected: [4] }, thoughtLengths: [] }],
    }],
    {},
  );
  const md = renderMarkdown(input({ benchmark: "rewardbench", mode: "pointwise", summary: one }));
  const lines = md.split("\n");
  assert.match(lines.find((l) => l.startsWith("- "))!, /generative ratings rule/);
  assert.ok(md.indexOf("- rewardbench") < md.indexOf("### Headline"), md);
  for (
    const row of [
      "| rewardbench_score (official) | 50.00 |",
      "| j1_score (J1's metric) | 0.00 |",
      "### J1's metric",
      "| overall | 1 | 0.0 [n/a] |",
    ]
  ) assert.ok(md.includes(row), `missing ${row}\n${md}`);
  assert.doesNotMatch(md, /\[0\.0, 0\.0\]/);
});

Deno.test("report: Markdown marks regressions against the baseline with ❌", () => {
  const baseline = { overall: { accuracy: 0.6, agreement: 0.9 }, subsets: {}, official: {} };
  const comparison = { ...compareSummaries(summary, baseline, 1), maxDrop: 1 };
  assert.deepEqual(comparison.regressions, ["agreement"]);
  const md = renderMarkdown(input({ comparison }));
  const table: [string, string][] = [
    ["accuracy", "| accuracy | 60.00 | 62.50 | +2.50 |  |"],
    ["agreement", "| agreement | 90.00 | 75.00 | -15.00 | ❌ |"],
  ];
  for (const [metric, row] of table) assert.ok(md.includes(row), `${metric}:\n${md}`);
  assert.match(md, /### Against the baseline \(regression: worse by more than 1\.00 points\)/);
});

Deno.test("report: Markdown of a pointwise run shows pointwise columns, no position bias", () => {
  const scored = (subset: string, id: string, chosen: number, rejected: number): EvalItem => ({
    benchmark: "pairwise",
    subset,
    itemId: id,
    results: [{ key: "0", scores: { chosen: [chosen], rejected: [rejected] }, thoughtLengths: [] }],
  });
  const its = [scored("s|t", "1", 8, 3), scored("s|t", "2", 5, 5)];
  const md = renderMarkdown(input({
    benchmark: "pairwise",
    mode: "pointwise",
    samples: 1,
    summary: summarize(its),
    positionBias: positionBiasBySubset(its),
    thoughtLengths: [],
  }));
  assert.ok(md.includes("| subset | n | accuracy % [95% CI] | mean score chosen |"), md);
  assert.match(md, /\| s\\\|t \| 2 \| 50\.0 \[[^\]]+\] \| 6\.50 \| 4\.00 \| 50\.0 \| 0\.0 \|/);
  assert.ok(md.includes("| none: pairwise has no official rule | – |"), md);
  assert.doesNotMatch(md, /accuracy AB|flip rate|Position bias/);
  // No empty position-bias chart either: accuracy and thought length only.
  const html = renderHtml(input({
    benchmark: "pairwise",
    mode: "pointwise",
    summary: summarize(its),
    positionBias: positionBiasBySubset(its),
  }));
  assert.equal(html.match(/<svg /g)?.length, 2);
  assert.doesNotMatch(html, /Position bias per subset/);
});

/** Checks that non-void elements open and close in nesting order. */
function assertBalanced(html: string): void {
  const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);
  const stack: string[] = [];
  for (const [, close, name, selfClose] of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const tag = name.toLowerCase();
    if (VOID.has(tag) || selfClose) continue;
    if (!close) stack.push(tag);
    else assert.equal(stack.pop(), tag, `</${tag}> closes <${stack.at(-1)}>`);
  }
  assert.deepEqual(stack, []);
}

Deno.test("report: the HTML page is self-contained, escaped, balanced, with three charts", () => {
  const baseline = { overall: { agreement: 0.9 }, subsets: {}, official: {} };
  const comparison = { ...compareSummaries(summary, baseline, 1), maxDrop: 1 };
  const html = renderHtml(input({ comparison }));
  for (const external of [/src="http/, /<script/i, /<link/i, /@import/, /url\(/]) {
    assert.doesNotMatch(html, external);
  }
  assert.equal(html.match(/<svg /g)?.length, 3);
  assert.equal(html.match(/<\/svg>/g)?.length, 3);
  assertBalanced(html);
  assert.ok(html.includes("a&#60;b"));
  assert.ok(!html.includes("a<b"));
  assert.match(html, /<tr class="regression"><td>agreement<\/td>/);
  // the histogram draws 20 bins; the position-bias chart its 50% reference line
  assert.equal(html.match(/<rect [^>]*fill="#4e79a7"><title>[^<]*characters:/g)?.length, 20);
  assert.match(html, /stroke-dasharray="5 4"/);
});

Deno.test("report: histogram bins span the values, the maximum in the last bin", () => {
  const table: [number[], number, ReturnType<typeof histogramBins>][] = [
    [[0, 1, 2, 3, 4], 2, { lo: 0, width: 2, counts: [2, 3] }],
    [[10, 10, 10], 4, { lo: 10, width: 1, counts: [3, 0, 0, 0] }],
    [[], 3, { lo: 0, width: 1, counts: [0, 0, 0] }],
    [[100, 300, 200, 400], 3, { lo: 100, width: 100, counts: [1, 1, 2] }],
  ];
  for (const [values, bins, expected] of table) {
    assert.deepEqual(histogramBins(values, bins), expected, JSON.stringify(values));
  }
});

const chromium = ["chromium", "chromium-browser"].find((cmd) => {
  try {
    return new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
});

Deno.test({
  name: "report: the HTML renders in headless Chromium",
  ignore: chromium === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/report.html`, renderHtml(input()));
      const out = await new Deno.Command(chromium!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          `--screenshot=${dir}/shot.png`,
          "--window-size=1200,1600",
          `file://${dir}/report.html`,
        ],
        stdout: "null",
        stderr: "null",
      }).output();
      assert.ok(out.success);
      assert.ok((await Deno.stat(`${dir}/shot.png`)).size > 10_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("report: histogram axis labels keep the decimals a narrow range needs", () => {
  const labels = (values: number[]) =>
    [
      ...histogram({ title: "h", values, bins: 20, unit: "u" }).matchAll(
        /text-anchor="middle">([^<]+)</g,
      ),
    ]
      .map((m) => m[1]).filter((t) => /^[\d.-]+$/.test(t));
  assert.deepEqual(labels([0, 1]), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
  assert.deepEqual(labels([100, 300]), ["100", "150", "200", "250", "300"]);
});

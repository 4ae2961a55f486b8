/**
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) with the notes and tables of the Markdown report and three charts: accuracy per
 * subset, position bias per subset (pairwise runs), and the distribution of thought lengths.
 * @module
 */
import { barChart, escapeHtml, histogram } from "./charts.ts";
import type { ReportInput } from "./input.ts";
import { type ReportTable, reportTables, runLine } from "./tables.ts";
import { median } from "../bench/bootstrap.ts";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em}
.run{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
th,td{border:1px solid #d0d4d8;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f4f6f8;white-space:normal;vertical-align:bottom}
th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:8em}
tr.regression td{background:#fde8e8;color:#a00;font-weight:600}
figure{margin:1.2em 0}figcaption{font-weight:600;margin-bottom:.3em}
figure p{color:#555;margin:.2em 0 0;max-width:720px}
svg{max-width:100%;height:auto;display:block}
footer{color:#777;font-size:.85em;margin-top:2em}
`;

/** A table; a flagging table gets a last column naming its regressions (highlighted rows). */
function tableHtml(t: ReportTable): string {
  const flagged = new Set(t.flagged);
  const cells = (tag: string, texts: string[]) =>
    texts.map((x) => `<${tag}>${escapeHtml(x)}</${tag}>`).join("");
  const head = `<tr>${cells("th", [...t.headers, ...(t.flagged ? [""] : [])])}</tr>`;
  const rows = t.rows.map((row, i) => {
    const bad = flagged.has(i);
    const mark = t.flagged ? [bad ? "regression" : ""] : [];
    return `<tr${bad ? ' class="regression"' : ""}>${cells("td", [...row, ...mark])}</tr>`;
  });
  return `<h2>${escapeHtml(t.heading)}</h2>\n<div class="scroll"><table>\n${head}\n${
    rows.join("\n")
  }\n</table></div>`;
}

/** A chart in a `<figure>` with its caption and a note below it (all text escaped). */
export function figure(caption: string, chart: string, note: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${chart}<p>${
    escapeHtml(note)
  }</p></figure>`;
}

function notesHtml(notes: readonly string[]): string {
  return notes.length === 0
    ? ""
    : `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
}

/**
 * The report's charts as `<figure>` elements, in page order: accuracy per subset with
 * intervals, position bias per subset (none when no verdict was counted: pointwise), thought
 * length. The run viewer shows the same figures.
 */
export function reportCharts(
  r: Pick<ReportInput, "summary" | "positionBias" | "thoughtLengths">,
): string[] {
  const rows = [["overall", r.summary.overall] as const, ...Object.entries(r.summary.subsets)];
  const accuracy = barChart({
    title: "Accuracy per subset",
    labels: rows.map(([name]) => name),
    series: [{
      name: "accuracy",
      color: "#4e79a7",
      values: rows.map(([, m]) => m.accuracy ?? null),
      lo: rows.map(([, m]) => m.accuracy_lo),
      hi: rows.map(([, m]) => m.accuracy_hi),
    }],
  });
  const bias = barChart({
    title: "Position bias per subset",
    labels: r.positionBias.map((b) => b.subset),
    series: [
      { name: "A-preference rate", color: "#4e79a7", values: r.positionBias.map((b) => b.aRate) },
      { name: "flip rate", color: "#f28e2b", values: r.positionBias.map((b) => b.flipRate) },
    ],
    reference: { value: 0.5, label: "50%: no preference for A" },
  });
  const thoughts = histogram({
    title: "Thought length",
    values: r.thoughtLengths,
    bins: 20,
    unit: "characters",
  });
  const med = r.thoughtLengths.length ? median(r.thoughtLengths) : null;
  return [
    figure(
      "Accuracy per subset",
      accuracy,
      "Bars: accuracy as in the table. Whiskers: 95% bootstrap interval, resampling items.",
    ),
    ...(r.positionBias.some((b) => b.aRate !== null || b.flipRate !== null)
      ? [figure(
        "Position bias per subset",
        bias,
        "A-preference rate: share of parsed verdicts naming A, over both orders and all samples; a judge without position bias sits at 50%. Flip rate: share of samples judged in both orders where the verdict named the same letter, i.e. the judge changed its pick of response when the positions were swapped.",
      )]
      : []),
    figure(
      "Thought length",
      thoughts,
      `${r.thoughtLengths.length} samples, all orders; median ${
        med === null ? "–" : Math.round(med)
      } characters; 20 equal-width bins.`,
    ),
  ];
}

/**
 * Renders the report as one self-contained HTML page: the title and run line, the tables of
 * {@linkcode reportTables} (regressions highlighted), and the inline SVG charts (two for a
 * pointwise run, which has no position bias). Every text
 * is escaped; the page needs no JavaScript and loads nothing.
 *
 * @example
 * ```ts
 * import { renderHtml } from "./html.ts";
 * import assert from "node:assert/strict";
 * const html = renderHtml({
 *   title: "demo", benchmark: "pairwise", model: "judge", mode: "pairwise", template: "thinking",
 *   samples: 1, thoughtLengths: [100, 200], generatedAt: "2026-01-01T00:00:00Z",
 *   positionBias: [{ subset: "a<b", aRate: 0.6, flipRate: 0.2 }],
 *   summary: { overall: { n: 2, accuracy: 0.5 }, subsets: { "a<b": { n: 2, accuracy: 0.5 } }, official: {} },
 * });
 * assert.equal(html.match(/<svg /g)?.length, 3);
 * assert.ok(!html.includes("a<b"));
 * ```
 */
export function renderHtml(r: ReportInput): string {
  const tables = reportTables(r).map(tableHtml);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(r.title)}</h1>
<p class="run">${escapeHtml(runLine(r))}</p>
${notesHtml(r.summary.notes ?? [])}
${tables.join("\n")}
<h2>Charts</h2>
${reportCharts(r).join("\n")}
<footer>generated ${escapeHtml(r.generatedAt)} by j1kit</footer>
</body>
</html>
`;
}

/**
 * The Markdown report, for `$GITHUB_STEP_SUMMARY` and pull-request comments.
 * @module
 */
import type { ReportInput } from "./input.ts";
import { type ReportTable, reportTables, runLine } from "./tables.ts";

/**
 * Escapes the characters that would break a table cell or turn text into markup (`|` ends a
 * cell; `<` may open an HTML tag, which GitHub renders or strips).
 */
function escapeMarkdown(s: string): string {
  return s.replace(/[\\|<>*`]/g, (c) => `\\${c}`);
}

/** A GFM table; a flagging table gets a last column with ❌ on its flagged rows. */
function table(t: ReportTable): string {
  const flagged = new Set(t.flagged);
  const mark = (text: string) => (t.flagged ? [text] : []);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const headers = [...t.headers.map(escapeMarkdown), ...mark("")];
  return [
    line(headers),
    line(headers.map(() => "---")),
    ...t.rows.map((row, i) =>
      line([...row.map(escapeMarkdown), ...mark(flagged.has(i) ? "❌" : "")])
    ),
  ].join("\n");
}

/**
 * Renders the report as GitHub-flavoured Markdown: the title, a line describing the run, the
 * summary's notes (variant rules, scores refused), then the tables of {@linkcode reportTables}
 * (headline, official scores, J1's metric, overall and per subset with 95% intervals, position
 * bias, and the baseline comparison with regressions marked ❌). Rates are
 * percentages with one decimal; `–` marks a value that cannot be computed.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * import assert from "node:assert/strict";
 * const md = renderMarkdown({
 *   title: "demo", benchmark: "pairwise", model: "judge", mode: "pairwise", template: "thinking",
 *   samples: 1, thoughtLengths: [], positionBias: [], generatedAt: "2026-01-01T00:00:00Z",
 *   summary: { overall: { n: 4, accuracy: 0.75, agreement: null }, subsets: {}, official: {} },
 * });
 * assert.ok(md.includes("| overall | 4 | 75.0 [n/a] | – |"));
 * ```
 */
export function renderMarkdown(r: ReportInput): string {
  const parts = [`## ${escapeMarkdown(r.title)}`, escapeMarkdown(runLine(r))];
  const notes = r.summary.notes ?? [];
  if (notes.length > 0) parts.push(notes.map((n) => `- ${escapeMarkdown(n)}`).join("\n"));
  for (const t of reportTables(r)) {
    parts.push(`### ${escapeMarkdown(t.heading)}`, table(t));
  }
  parts.push(`<sub>generated ${escapeMarkdown(r.generatedAt)} by j1kit</sub>`);
  return parts.join("\n\n") + "\n";
}

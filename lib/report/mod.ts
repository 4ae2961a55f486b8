/**
 * Evaluation reports: GitHub-flavoured Markdown and a self-contained HTML page with inline SVG
 * charts, both from one {@linkcode ReportInput}.
 * @module
 */
export * from "./input.ts";
export { type ReportTable, reportTables } from "./tables.ts";
export { renderMarkdown } from "./markdown.ts";
export { renderHtml, reportCharts } from "./html.ts";
export {
  type BarChart,
  barChart,
  type BarSeries,
  type Bins,
  escapeHtml,
  histogram,
  histogramBins,
} from "./charts.ts";

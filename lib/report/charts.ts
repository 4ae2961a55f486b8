/**
 * Inline SVG charts with no scripts, stylesheets or fonts to fetch: horizontal bars over
 * [0, 1] (several series, interval whiskers, a reference line) and a histogram. Styling is in
 * presentation attributes, so a chart copied out of the page still renders.
 * @module
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Coordinates with one decimal: shorter markup, no float noise. */
function c(v: number): string {
  return String(Math.round(v * 10) / 10);
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12"`;
const LABEL_CHARS = 28;

function svg(title: string, width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${c(height)}" ` +
    `viewBox="0 0 ${width} ${c(height)}" role="img" ${FONT} fill="#222">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`;
}

/** A subset name cut to fit the label column, the full name kept as a tooltip. */
function rowLabel(label: string, x: number, y: number): string {
  const shown = label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
  return `<text x="${c(x)}" y="${c(y)}" text-anchor="end" dominant-baseline="middle">` +
    `<title>${escapeHtml(label)}</title>${escapeHtml(shown)}</text>`;
}

/** One series of a {@linkcode barChart}: a value in [0, 1] per row, optional intervals. */
export interface BarSeries {
  /** Legend text. */
  name: string;
  /** Fill colour (a CSS colour). */
  color: string;
  /** Value per row, in [0, 1]; `null` shows `n/a`. */
  values: (number | null)[];
  /** Lower and upper ends of the interval per row (drawn as whiskers when both are set). */
  lo?: (number | null | undefined)[];
  /** See `lo`. */
  hi?: (number | null | undefined)[];
}

/** What a {@linkcode barChart} draws. */
export interface BarChart {
  /** Accessible title (the SVG `<title>`). */
  title: string;
  /** One row per label; each row holds one bar per series. */
  labels: string[];
  /** The bars of each row, in legend order. */
  series: BarSeries[];
  /** A dashed vertical line, e.g. 0.5 for "no position preference". */
  reference?: { value: number; label: string };
}

/**
 * Horizontal bars over [0, 1] (axis in percent), one group per row, with interval whiskers,
 * value labels, a legend, and an optional reference line; a missing value shows `n/a`.
 *
 * @example
 * ```ts
 * import { barChart } from "./charts.ts";
 * import assert from "node:assert/strict";
 * const svg = barChart({
 *   title: "accuracy",
 *   labels: ["x<y"],
 *   series: [{ name: "accuracy", color: "#4e79a7", values: [0.8], lo: [0.7], hi: [0.9] }],
 * });
 * assert.ok(svg.startsWith("<svg") && svg.includes("x&#60;y") && svg.includes("80.0%"));
 * ```
 */
export function barChart(chart: BarChart): string {
  const width = 720, left = 200, right = 70, bar = 14, gap = 3, pad = 8;
  const legend = chart.series.length > 1 || chart.reference ? 26 : 6;
  const row = chart.series.length * (bar + gap) - gap + 2 * pad;
  const top = legend + 4;
  const plotBottom = top + Math.max(1, chart.labels.length) * row;
  const height = plotBottom + 24;
  const plot = width - left - right;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * plot;
  const parts: string[] = [];
  chart.labels.forEach((_, i) => {
    if (i % 2 === 1) {
      parts.push(
        `<rect x="0" y="${c(top + i * row)}" width="${width}" height="${row}" fill="#f4f6f8"/>`,
      );
    }
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${c(x(t))}" x2="${c(x(t))}" y1="${top}" y2="${c(plotBottom)}" stroke="#d0d4d8"/>`,
      `<text x="${c(x(t))}" y="${c(plotBottom + 16)}" text-anchor="middle" fill="#555">${
        100 * t
      }%</text>`,
    );
  }
  chart.labels.forEach((label, i) => {
    const y0 = top + i * row + pad;
    parts.push(rowLabel(label, left - 8, top + i * row + row / 2));
    chart.series.forEach((s, k) => {
      const y = y0 + k * (bar + gap), mid = y + bar / 2;
      const v = s.values[i];
      if (v === null || v === undefined) {
        parts.push(
          `<text x="${left + 4}" y="${c(mid)}" dominant-baseline="middle" fill="#777">n/a</text>`,
        );
        return;
      }
      parts.push(
        `<rect x="${left}" y="${c(y)}" width="${c(x(v) - left)}" height="${bar}" fill="${
          escapeHtml(s.color)
        }"><title>${escapeHtml(`${s.name}: ${(100 * v).toFixed(1)}%`)}</title></rect>`,
      );
      const lo = s.lo?.[i], hi = s.hi?.[i];
      let end = x(v);
      if (lo != null && hi != null) {
        const [a, b] = [x(lo), x(hi)];
        end = Math.max(end, b);
        parts.push(
          `<path d="M${c(a)} ${c(mid)}H${c(b)}M${c(a)} ${c(mid - 4)}V${c(mid + 4)}M${c(b)} ${
            c(mid - 4)
          }V${c(mid + 4)}" stroke="#222" stroke-width="1.5" fill="none"/>`,
        );
      }
      parts.push(
        `<text x="${c(end + 5)}" y="${c(mid)}" dominant-baseline="middle">${
          (100 * v).toFixed(1)
        }%</text>`,
      );
    });
  });
  if (chart.reference) {
    const rx = c(x(chart.reference.value));
    parts.push(
      `<line x1="${rx}" x2="${rx}" y1="${top - 2}" y2="${
        c(plotBottom)
      }" stroke="#e15759" stroke-width="2" stroke-dasharray="5 4"/>`,
    );
  }
  parts.push(legendOf(chart, left));
  return svg(chart.title, width, height, parts.join(""));
}

/** Swatches for the series (when more than one) and the reference line, in one top row. */
function legendOf(chart: BarChart, left: number): string {
  if (chart.series.length < 2 && !chart.reference) return "";
  const items: string[] = [];
  let x = left;
  const advance = (text: string) => (x += 24 + 7 * text.length + 16);
  if (chart.series.length > 1) {
    for (const s of chart.series) {
      items.push(
        `<rect x="${x}" y="6" width="16" height="12" fill="${escapeHtml(s.color)}"/>` +
          `<text x="${x + 22}" y="12" dominant-baseline="middle">${escapeHtml(s.name)}</text>`,
      );
      advance(s.name);
    }
  }
  if (chart.reference) {
    items.push(
      `<line x1="${x}" x2="${x + 16}" y1="12" y2="12" stroke="#e15759" stroke-width="2" ` +
        `stroke-dasharray="5 4"/><text x="${x + 22}" y="12" dominant-baseline="middle">${
          escapeHtml(chart.reference.label)
        }</text>`,
    );
  }
  return items.join("");
}

/** Equal-width bins over [min, max] of the values (the maximum falls in the last bin). */
export interface Bins {
  /** Lower edge of the first bin. */
  lo: number;
  /** Width of every bin (1 when all values are equal). */
  width: number;
  /** Values per bin. */
  counts: number[];
}

/**
 * Counts values into `bins` equal-width bins spanning their range.
 *
 * @example
 * ```ts
 * import { histogramBins } from "./charts.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(histogramBins([0, 1, 2, 3, 4], 2), { lo: 0, width: 2, counts: [2, 3] });
 * ```
 */
export function histogramBins(values: readonly number[], bins: number): Bins {
  if (values.length === 0) return { lo: 0, width: 1, counts: new Array(bins).fill(0) };
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts: number[] = new Array(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return { lo, width, counts };
}

/** A bin edge with as many decimals as the bin width needs (whole numbers for wide bins). */
function edge(v: number, width: number): string {
  const decimals = width >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(width)));
  return v.toFixed(decimals);
}

/**
 * A histogram of `values` in `bins` equal-width bins, with the count of the tallest bin on the
 * y axis and every fifth bin edge on the x axis (labelled in `unit`).
 *
 * @example
 * ```ts
 * import { histogram } from "./charts.ts";
 * import assert from "node:assert/strict";
 * const svg = histogram({ title: "lengths", values: [10, 20, 30], bins: 20, unit: "chars" });
 * assert.equal(svg.match(/<rect [^>]*fill="#4e79a7"/g)?.length, 20);
 * ```
 */
export function histogram(
  h: { title: string; values: readonly number[]; bins?: number; unit: string },
): string {
  const bins = h.bins ?? 20;
  const width = 720, height = 240, left = 56, right = 24, top = 14, bottom = 44;
  const plotW = width - left - right, plotH = height - top - bottom;
  const { lo, width: binW, counts } = histogramBins(h.values, bins);
  const max = Math.max(1, ...counts);
  const w = plotW / bins;
  const parts = [
    `<line x1="${left}" x2="${width - right}" y1="${top}" y2="${top}" stroke="#d0d4d8"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${
      top + plotH
    }" stroke="#888"/>`,
    `<text x="${left - 6}" y="${top}" text-anchor="end" dominant-baseline="middle">${max}</text>`,
    `<text x="${left - 6}" y="${
      top + plotH
    }" text-anchor="end" dominant-baseline="middle">0</text>`,
    `<text x="14" y="${c(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 14 ${
      c(top + plotH / 2)
    })" fill="#555">samples</text>`,
  ];
  counts.forEach((n, i) => {
    const bh = (n / max) * plotH;
    const from = lo + i * binW, to = from + binW;
    parts.push(
      `<rect x="${c(left + i * w + 1)}" y="${c(top + plotH - bh)}" width="${c(w - 2)}" height="${
        c(bh)
      }" fill="#4e79a7"><title>${edge(from, binW)}–${edge(to, binW)} ${
        escapeHtml(h.unit)
      }: ${n}</title></rect>`,
    );
  });
  for (let i = 0; i <= bins; i += 5) {
    const x = c(left + i * w);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top + plotH}" y2="${top + plotH + 4}" stroke="#888"/>`,
      `<text x="${x}" y="${top + plotH + 17}" text-anchor="middle">${
        edge(lo + i * binW, binW)
      }</text>`,
    );
  }
  parts.push(
    `<text x="${c(left + plotW / 2)}" y="${height - 6}" text-anchor="middle" fill="#555">${
      escapeHtml(h.unit)
    }</text>`,
  );
  if (h.values.length === 0) {
    parts.push(
      `<text x="${c(left + plotW / 2)}" y="${
        c(top + plotH / 2)
      }" text-anchor="middle" fill="#777">no samples</text>`,
    );
  }
  return svg(h.title, width, height, parts.join(""));
}

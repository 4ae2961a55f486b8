/**
 * The pipeline's graph as an SVG: one box per stage, placed in columns by depth (a stage sits
 * one column right of its deepest input stage), arrows from input to reader, each box coloured
 * by status and linking to the stage's page.
 * @module
 */
import { escapeHtml } from "../report/charts.ts";
import type { StageStatus } from "./runs.ts";

/** What the graph needs of a stage. */
export interface GraphNode {
  /** Stage id. */
  id: string;
  /** Task name, shown under the id. */
  task?: string;
  status: StageStatus;
  /** Ids of input stages (other inputs, files and URLs, are not drawn). */
  inputs: string[];
  /** Where the box links to. */
  href: string;
}

/** Fill colour of each status. */
export const STATUS_COLORS: Readonly<Record<StageStatus, string>> = {
  complete: "#d8f0d8",
  stale: "#fdf1c7",
  partial: "#dbe8f8",
  failed: "#f8d7d7",
};

/**
 * Draws the stage graph.
 *
 * @example
 * ```ts
 * import { stageGraph } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const svg = stageGraph([
 *   { id: "seeds", status: "complete", inputs: [], href: "#a" },
 *   { id: "synth", status: "stale", inputs: ["seeds"], href: "#b" },
 * ]);
 * assert.equal(svg.match(/<a /g)?.length, 2);
 * assert.equal(svg.match(/marker-end/g)?.length, 1);
 * ```
 */
export function stageGraph(nodes: readonly GraphNode[]): string {
  const ids = new Set(nodes.map((n) => n.id));
  const depth = new Map<string, number>();
  const depthOf = (n: GraphNode, seen: Set<string>): number => {
    if (depth.has(n.id)) return depth.get(n.id)!;
    seen.add(n.id);
    let d = 0;
    for (const input of n.inputs) {
      const up = nodes.find((m) => m.id === input);
      if (up && !seen.has(up.id)) d = Math.max(d, depthOf(up, seen) + 1);
    }
    depth.set(n.id, d);
    return d;
  };
  for (const n of nodes) depthOf(n, new Set());
  const columns: GraphNode[][] = [];
  for (const n of nodes) (columns[depth.get(n.id)!] ??= []).push(n);
  const boxW = 150, boxH = 44, gapX = 56, gapY = 16, pad = 10;
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, ci) =>
    col.forEach((n, ri) =>
      pos.set(n.id, { x: pad + ci * (boxW + gapX), y: pad + ri * (boxH + gapY) })
    )
  );
  const width = pad * 2 + columns.length * boxW + (columns.length - 1) * gapX;
  const height = pad * 2 + Math.max(...columns.map((c) => c.length)) * (boxH + gapY) - gapY;
  const parts: string[] = [
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" ` +
    `markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#666"/>` +
    `</marker></defs>`,
  ];
  for (const n of nodes) {
    const to = pos.get(n.id)!;
    for (const input of n.inputs.filter((i) => ids.has(i))) {
      const from = pos.get(input)!;
      const x1 = from.x + boxW, y1 = from.y + boxH / 2, x2 = to.x, y2 = to.y + boxH / 2;
      const mid = (x1 + x2) / 2;
      parts.push(
        `<path d="M${x1} ${y1}C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" ` +
          `stroke="#666" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      );
    }
  }
  for (const n of nodes) {
    const { x, y } = pos.get(n.id)!;
    parts.push(
      `<a href="${escapeHtml(n.href)}" data-stage="${escapeHtml(n.id)}">` +
        `<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="6" fill="${
          STATUS_COLORS[n.status]
        }" stroke="#555"/>` +
        `<text x="${x + boxW / 2}" y="${y + 18}" text-anchor="middle" font-weight="600">${
          escapeHtml(n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id)
        }</text>` +
        `<text x="${x + boxW / 2}" y="${y + 34}" text-anchor="middle" fill="#444">${
          escapeHtml(`${n.task ?? "?"} · ${n.status}`)
        }</text><title>${escapeHtml(`${n.id}: ${n.status}`)}</title></a>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" ` +
    `font-size="12"><title>Pipeline stages</title>${parts.join("")}</svg>`;
}

/**
 * The `scoreboard` stage: its inputs are evaluate stages; it gathers their headline official
 * scores and J1's metric into one table (`scoreboard.json`, `scoreboard.md`), J1's
 * five-benchmark average per judge, and a gate for CI: it fails when a stage judged no item,
 * when a headline metric is `null`, or when a metric fell against a baseline table.
 * @module
 */
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "../io/jsonl.ts";
import type { StageRunner } from "../pipeline/stage.ts";
import { MAX_DROP_OPTION } from "./evaluate.ts";
import {
  type Scoreboard,
  scoreboard,
  scoreboardGate,
  scoreboardMarkdown,
  type ScoreboardRow,
  scoreboardRow,
} from "../bench/scoreboard.ts";

/** Options of the scoreboard stage. */
export interface ScoreboardOptions {
  baseline: string;
  maxDrop: number;
}

/** The scoreboard stage runner: one row per input evaluate stage. */
export const scoreboardStage: StageRunner<ScoreboardOptions, ScoreboardRow, ScoreboardRow> = {
  task: "scoreboard",
  description: "Gather evaluate stages into one table (official scores, J1's metric and average)",
  options: {
    baseline: {
      type: "string",
      default: "",
      description:
        "A previous scoreboard.json: fail when a metric drops more than --max-drop (empty: no baseline)",
    },
    maxDrop: MAX_DROP_OPTION,
  },
  async *units(ctx) {
    if (ctx.inputs.length === 0) {
      throw new UserError("scoreboard: expected evaluate stages as inputs, found none");
    }
    for (const input of ctx.inputs) {
      const row = input.summary && scoreboardRow(input.ref, input.summary);
      if (!row) {
        throw new UserError(
          `scoreboard: expected an evaluate stage as input, found ${input.kind} "${input.ref}"`,
        );
      }
      yield row;
    }
  },
  process: (row) => Promise.resolve({ records: [row], rejects: [] }),
  async finish(ctx, output) {
    const board = scoreboard(await Array.fromAsync(output()));
    const o = ctx.options;
    const baseline = o.baseline ? await readScoreboard(o.baseline) : undefined;
    const { passed, problems } = scoreboardGate(board, baseline, o.maxDrop);
    const artifacts = {
      scoreboard: `${ctx.dir}/scoreboard.json`,
      markdown: `${ctx.dir}/scoreboard.md`,
    };
    await writeFileAtomic(artifacts.scoreboard, JSON.stringify(board, null, 2) + "\n");
    await writeFileAtomic(artifacts.markdown, scoreboardMarkdown(board, problems));
    return {
      rows: board.rows.length,
      j1: board.j1,
      artifacts,
      gate: {
        passed,
        message: passed
          ? `every stage judged items and has its headline metrics${
            baseline ? `; none fell more than ${o.maxDrop} points against ${o.baseline}` : ""
          }`
          : problems.join("\n"),
      },
    };
  },
};

async function readScoreboard(path: string): Promise<Scoreboard> {
  try {
    const s = JSON.parse(await Deno.readTextFile(path));
    if (!s || !Array.isArray(s.rows) || !Array.isArray(s.j1)) throw new Error("not a scoreboard");
    return s as Scoreboard;
  } catch (err) {
    throw new UserError(
      `expected a scoreboard.json written by the scoreboard stage, found ${(err as Error).message}`,
      { loc: { file: path } },
    );
  }
}

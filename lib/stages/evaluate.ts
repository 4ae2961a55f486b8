/**
 * The `evaluate` stage: a benchmark's items (files, folders or `hf://` datasets) → every
 * comparison judged in the chosen orders with k samples → EvalItems; then `summary.json`
 * (generic metrics, the benchmark's official aggregate, bootstrap intervals, SC@k), a Markdown
 * and an HTML report, and an optional regression gate against a baseline summary.
 * @module
 */
import { UserError } from "../errors.ts";
import { requestSeed } from "../llm/request_seed.ts";
import { settleAll } from "../llm/settle.ts";
import { writeFileAtomic } from "../io/jsonl.ts";
import { pathExists } from "../io/path_exists.ts";
import { endpointSlots, type LlmClient } from "../llm/types.ts";
import type {
  BenchItem,
  ComparisonResult,
  EvalItem,
  Instruction,
  Message,
  Mode,
  Order,
} from "../records.ts";
import type { StageRunner } from "../pipeline/stage.ts";
import { perRun } from "../pipeline/per_run.ts";
import {
  compareSummaries,
  getAdapter,
  mappingIssue,
  seededOrder,
  summarize,
  type Summary,
} from "../bench/mod.ts";
import {
  type JudgeTemplate,
  loadTemplate,
  MODES,
  renderComparison,
  templateFile,
  templateIssue,
} from "../prompts/mod.ts";
import {
  PARSE_OPTION,
  type ParseStrictness,
  PROMPT_OPTIONS,
  type PromptOptions,
} from "./judge_prompt_options.ts";
import { MAX_REJECTED_SHARE, type OptionIssue } from "../options.ts";
import { isUrl } from "../pipeline/config.ts";
import { parseJudgment } from "../judge/mod.ts";
import { positionBiasBySubset, renderHtml, renderMarkdown } from "../report/mod.ts";

/** Options of the evaluate stage. */
export interface EvaluateOptions extends PromptOptions {
  judge: string;
  benchmark: string;
  data: string;
  mapping: Record<string, string>;
  mode: Mode;
  template: string;
  samples: number;
  orders: "both" | "ab" | "random";
  temperature?: number;
  maxTokens: number;
  seed: number;
  concurrency?: number;
  maxRejectedShare: number;
  limit: number;
  baseline: string;
  maxDrop: number;
  /** `strict`: only the exact answer formats count (verdict inside `<answer>` tags). */
  parse: ParseStrictness;
}

/** The evaluate stage runner. */
export const evaluateStage: StageRunner<EvaluateOptions, BenchItem, EvalItem> = {
  task: "evaluate",
  description: "Evaluate a judge on a benchmark (accuracy per order, consistency, official score)",
  options: {
    judge: { type: "endpoint", default: "default", description: "The judge endpoint" },
    benchmark: {
      type: "string",
      required: true,
      enum: ["judgebench", "rewardbench", "rewardbench2", "rm-bench", "ppe", "llmbar", "pairwise"],
      description: "Benchmark adapter",
    },
    data: {
      type: "string",
      default: "",
      description: "File, folder, URL or HF dataset (`org/name` or hf://…); default: the inputs",
      check: dataIssue,
      files: (data) => data ? [dataLocation(data)] : [],
    },
    mapping: {
      type: "object",
      default: {},
      description: "Field names for the `pairwise` adapter: {prompt, chosen, rejected, subset, id}",
      check: mappingIssue,
    },
    mode: {
      type: "string",
      enum: MODES,
      default: "pairwise",
      description: "Judge output format",
    },
    template: {
      type: "string",
      default: "thinking",
      description:
        "Judge template: `thinking`, `plan-execute`, `thinking-v0`, `plan-execute-v0` or a " +
        "template file",
      // `mode` is undefined when it failed its own check.
      check: (template, o) => o.mode ? templateIssue(template, o.mode) : undefined,
      files: (template, o) => [templateFile(template, o.mode)],
    },
    samples: { type: "integer", default: 1, min: 1, description: "Samples per judgment (SC@k)" },
    orders: {
      type: "string",
      enum: ["both", "ab", "random"],
      default: "both",
      description: "Orders judged: both, chosen first only, or one seeded random order per item",
    },
    temperature: {
      type: "number",
      min: 0,
      description: "Sampling temperature (default 0 with one sample, 1.0 with several)",
    },
    maxTokens: { type: "integer", default: 4096, min: 1, description: "Max tokens per judgment" },
    seed: { type: "integer", default: 0, description: "Sampling and random-order seed" },
    concurrency: {
      type: "integer",
      min: 1,
      runtime: true,
      description:
        "Items judged at once (default: twice the judge endpoint's concurrency times its " +
        "replicas, so its slots never wait for work)",
    },
    maxRejectedShare: MAX_REJECTED_SHARE,
    limit: { type: "integer", default: 0, min: 0, description: "Judge only the first N items" },
    baseline: {
      type: "string",
      default: "",
      description: "A previous summary.json: fail when a metric drops more than --max-drop",
      check: baselineIssue,
      files: (baseline) => baseline ? [baseline] : [],
    },
    maxDrop: {
      type: "number",
      default: 1.0,
      min: 0,
      description: "Largest drop allowed against the baseline, in points",
    },
    ...PROMPT_OPTIONS,
    ...PARSE_OPTION,
  },
  async *units(ctx) {
    const adapter = getAdapter(ctx.options.benchmark);
    const locations = [
      ...(ctx.options.data ? [dataLocation(ctx.options.data)] : []),
      ...ctx.inputs.map((i) => i.location),
    ];
    if (!locations.length) {
      throw new UserError("evaluate: expected --data (or an input), found neither");
    }
    let n = 0;
    for (const location of locations) {
      const onSkip = (where: string, reason: string) => ctx.log(`skipped ${where}: ${reason}`);
      for await (const item of adapter.load(location, { mapping: ctx.options.mapping, onSkip })) {
        if (ctx.options.limit && n >= ctx.options.limit) return;
        n++;
        yield item;
      }
    }
  },
  concurrency: (ctx) =>
    ctx.options.concurrency ?? 2 * endpointSlots(ctx.llm(ctx.options.judge).endpoint),
  async process(item, ctx) {
    const template = await templateOf(ctx.options);
    const judge = ctx.llm(ctx.options.judge);
    const results = await settleAll(
      item.comparisons.map((c) =>
        judgeComparison(judge, template, item, c.key, c.chosen, c.rejected, ctx.options)
      ),
    );
    const record: EvalItem = {
      benchmark: item.benchmark,
      subset: item.subset,
      itemId: item.itemId,
      results,
      ...(item.meta ? { meta: item.meta } : {}),
    };
    return { records: [record], rejects: [] };
  },
  async finish(ctx, output) {
    const items = await Array.fromAsync(output());
    const o = ctx.options;
    const summary = summarize(items, { seed: o.seed, benchmark: o.benchmark, mode: o.mode });
    const artifacts: Record<string, string> = {
      summary: `${ctx.dir}/summary.json`,
      markdown: `${ctx.dir}/report.md`,
      html: `${ctx.dir}/report.html`,
    };
    let comparison;
    let gate;
    if (o.baseline) {
      const baseline = await readSummary(o.baseline);
      comparison = { ...compareSummaries(summary, baseline, o.maxDrop), maxDrop: o.maxDrop };
      // A gate over nothing judged would pass with every metric null.
      const empty = !(Number(summary.overall.n) > 0)
        ? "nothing was judged (n = 0)"
        : !(Number(baseline.overall.n) > 0)
        ? `the baseline ${o.baseline} judged nothing (n = 0)`
        : undefined;
      gate = {
        passed: !empty && comparison.regressions.length === 0,
        message: empty
          ? `gate failed: ${empty}`
          : comparison.regressions.length
          ? `regression against ${o.baseline} (max drop ${o.maxDrop} points): ${
            comparison.regressions.join(", ")
          }\n${comparisonTable(comparison.rows)}`
          : `no metric dropped more than ${o.maxDrop} points against ${o.baseline}`,
      };
    }
    const judgeModel = ctx.llm(o.judge).endpoint.model;
    const report = {
      title: `${o.benchmark}: ${judgeModel}`,
      benchmark: o.benchmark,
      model: judgeModel,
      mode: o.mode,
      template: o.template,
      samples: o.samples,
      summary,
      thoughtLengths: items.flatMap((i) => i.results.flatMap((r) => r.thoughtLengths)),
      positionBias: positionBiasBySubset(items),
      comparison,
      generatedAt: new Date().toISOString(),
    };
    await writeFileAtomic(artifacts.summary, JSON.stringify(summary, null, 2) + "\n");
    await writeFileAtomic(artifacts.markdown, renderMarkdown(report));
    await writeFileAtomic(artifacts.html, renderHtml(report));
    return {
      n: items.length,
      official: summary.official,
      accuracy: summary.overall.accuracy ?? null,
      artifacts,
      ...(gate ? { gate } : {}),
    };
  },
};

/** The template, loaded once per stage run. */
const templateOf = perRun((o: EvaluateOptions) => loadTemplate(o.template, o.mode, o));

/** `org/name` (not an existing path, nor a data file's name) → `hf://org/name`. */
function dataLocation(data: string): string {
  return isHfName(data) ? `hf://${data}` : data;
}

/** `org/name` that is no local path: not a data file's name, nor below an existing folder. */
function isHfName(data: string): boolean {
  return /^[\w-]+\/[\w.-]+$/.test(data) && !/\.(jsonl|json|parquet)$/i.test(data) &&
    !pathExists(data) && !pathExists(data.split("/")[0]);
}

/** A `data` that names a file or folder that does not exist. */
function dataIssue(data: string): OptionIssue | undefined {
  if (!data || isUrl(data) || isHfName(data) || pathExists(data)) return undefined;
  return {
    expected: "an existing file or folder, a URL or an HF dataset (`org/name` or hf://…)",
    found: `${JSON.stringify(data)}, which does not exist`,
  };
}

/** A `baseline` that cannot be read as a summary. */
function baselineIssue(path: string): OptionIssue | undefined {
  if (!path) return undefined;
  try {
    parseSummary(Deno.readTextFileSync(path));
    return undefined;
  } catch (err) {
    return {
      expected: "a summary.json written by evaluate",
      found: `${JSON.stringify(path)}: ${(err as Error).message}`,
    };
  }
}

async function judgeComparison(
  judge: LlmClient,
  template: JudgeTemplate,
  item: BenchItem,
  key: string,
  chosen: string,
  rejected: string,
  o: EvaluateOptions,
): Promise<ComparisonResult> {
  const params = {
    n: o.samples,
    temperature: o.temperature ?? (o.samples > 1 ? 1.0 : 0),
    maxTokens: o.maxTokens,
  };
  // The prompt is rendered inside the call, so a prompt that fails to render is one more
  // rejection for `settleAll`, not a throw that leaves the other request unattended.
  const ask = async (prompt: () => Message[], slot: string) => {
    const seed = requestSeed(o.seed, o.samples, item.itemId, key, slot);
    const completions = await judge.complete(prompt(), { ...params, seed });
    const strict = o.parse === "strict";
    return completions.map((c) => parseJudgment(o.mode, c.text, c.reasoning, { strict }));
  };
  if (o.mode === "pointwise") {
    const score = (response: string, slot: string) =>
      ask(() => renderComparison(item.instruction, response, undefined, template), slot);
    const [c, r] = await settleAll([score(chosen, "chosen"), score(rejected, "rejected")]);
    const value = (p: (typeof c)[number]) => p.parseError ? null : p.scores?.score ?? null;
    return {
      key,
      scores: { chosen: c.map(value), rejected: r.map(value) },
      thoughtLengths: [...c, ...r].map((p) => p.thought.length),
    };
  }
  const orders = ordersFor(o, item.itemId);
  const judged = await settleAll(
    orders.map((order) =>
      ask(() => render(item.instruction, order, chosen, rejected, template), order)
    ),
  );
  const result: ComparisonResult = { key, verdicts: {}, thoughtLengths: [] };
  orders.forEach((order, i) => {
    result.verdicts![order] = judged[i].map((p) => p.parseError ? null : p.verdict ?? null);
    // Pairwise-verdict-scores keeps its (latent) scores beside the verdicts that decide.
    if (o.mode === "pairwise-scores" || o.mode === "pairwise-verdict-scores") {
      result.scorePairs ??= {};
      result.scorePairs[order] = judged[i].map((p) =>
        p.scores?.A !== undefined && p.scores?.B !== undefined && !p.parseError
          ? [p.scores.A, p.scores.B] as [number, number]
          : null
      );
    }
    result.thoughtLengths.push(...judged[i].map((p) => p.thought.length));
  });
  return result;
}

function render(
  instruction: Instruction,
  order: Order,
  chosen: string,
  rejected: string,
  template: JudgeTemplate,
): Message[] {
  return order === "AB"
    ? renderComparison(instruction, chosen, rejected, template)
    : renderComparison(instruction, rejected, chosen, template);
}

function ordersFor(o: EvaluateOptions, itemId: string): Order[] {
  if (o.orders === "both") return ["AB", "BA"];
  if (o.orders === "ab") return ["AB"];
  return [seededOrder(itemId, o.seed)];
}

function parseSummary(text: string): Summary {
  const s = JSON.parse(text);
  if (!s || typeof s !== "object" || !s.overall || !s.official) {
    throw new Error("not a summary (no `overall` and `official`)");
  }
  return s as Summary;
}

async function readSummary(path: string): Promise<Summary> {
  try {
    return parseSummary(await Deno.readTextFile(path));
  } catch (err) {
    throw new UserError(
      `expected a summary.json written by evaluate, found ${(err as Error).message}`,
      { loc: { file: path } },
    );
  }
}

function comparisonTable(rows: ReturnType<typeof compareSummaries>["rows"]): string {
  const fmt = (v: number | null) => v === null ? "–" : v.toFixed(2);
  const lines = rows.map((r) =>
    `  ${r.metric.padEnd(28)} ${fmt(r.baseline).padStart(8)} ${fmt(r.current).padStart(8)} ${
      fmt(r.delta).padStart(8)
    }`
  );
  return [
    `  ${"metric".padEnd(28)} ${"baseline".padStart(8)} ${"current".padStart(8)} ${
      "delta".padStart(8)
    }`,
    ...lines,
  ].join("\n");
}

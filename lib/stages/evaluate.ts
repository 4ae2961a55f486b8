/**
 * The `evaluate` stage: a benchmark's items (files, folders or `hf://` datasets) → every
 * comparison judged in the chosen orders with k samples (pointwise: each response scored once;
 * RewardBench 2 with a pairwise judge: the four-way ranking) → EvalItems; then `summary.json`
 * (generic metrics with bootstrap intervals, the benchmark's official aggregate, J1's metric,
 * notes), a Markdown and an HTML report, and an optional regression gate against a baseline
 * summary.
 * @module
 */
import { UserError } from "../errors.ts";
import { requestSeed } from "../llm/request_seed.ts";
import { settleAll } from "../llm/settle.ts";
import { writeFileAtomic } from "../io/jsonl.ts";
import { pathExists } from "../io/path_exists.ts";
import { type Completion, endpointSlots, type LlmClient } from "../llm/types.ts";
import type {
  BenchItem,
  Comparison,
  ComparisonResult,
  EvalItem,
  Instruction,
  Message,
  Mode,
  Order,
} from "../records.ts";
import type { StageInput, StageRunner } from "../pipeline/stage.ts";
import type { OptionSpec } from "../options.ts";
import { perRun } from "../pipeline/per_run.ts";
import {
  BENCH_ADAPTERS,
  compareSummaries,
  comparisonId,
  getAdapter,
  mappingIssue,
  seededOrder,
  summarize,
  type Summary,
  TIES_SUBSET,
} from "../bench/mod.ts";
import {
  parseRanking,
  RANKING_KEY,
  RANKING_SLOTS,
  rankingSlot,
  renderRanking,
} from "../bench/ranking.ts";
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
import { loadTokenizer, type TokenCounter, TOKENIZERS } from "../tokens/tokenizer.ts";
import { type Parsed, parseJudgment } from "../judge/mod.ts";
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
  orders: "both" | "ab" | "dataset" | "random";
  temperature?: number;
  topP?: number;
  maxTokens: number;
  /** The judge model's tokenizer, for thought lengths in tokens (none: characters only). */
  tokenizer?: string;
  seed: number;
  rewardbenchPointwise: "ratings" | "classifier";
  rewardbench2Pairwise: "four-way" | "comparisons";
  concurrency?: number;
  maxRejectedShare: number;
  limit: number;
  baseline: string;
  maxDrop: number;
  /** `strict`: only the exact answer formats count (verdict inside `<answer>` tags). */
  parse: ParseStrictness;
}

/** The `maxDrop` option of the stages with a baseline gate (evaluate, scoreboard). */
export const MAX_DROP_OPTION: OptionSpec = {
  type: "number",
  default: 1.0,
  min: 0,
  description: "Largest drop allowed against the baseline, in points",
};

/** The evaluate stage runner. */
export const evaluateStage: StageRunner<EvaluateOptions, BenchItem, EvalItem> = {
  task: "evaluate",
  description: "Evaluate a judge on a benchmark (accuracy per order, consistency, official score)",
  options: {
    judge: { type: "endpoint", default: "default", description: "The judge endpoint" },
    benchmark: {
      type: "string",
      required: true,
      enum: Object.keys(BENCH_ADAPTERS),
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
    samples: {
      type: "integer",
      default: 1,
      min: 1,
      description: "Samples per judgment (SC@k / Mean-Score@k)",
    },
    orders: {
      type: "string",
      enum: ["both", "ab", "dataset", "random"],
      default: "both",
      description:
        "Orders judged: both; chosen first only; the order the benchmark's file shows (JudgeBench's single game); or one seeded random order per comparison",
    },
    temperature: {
      type: "number",
      min: 0,
      description: "Sampling temperature (default 0 with one sample, 1.0 with several)",
    },
    topP: {
      type: "number",
      min: 0,
      max: 1,
      description:
        "Nucleus sampling top-p (default: not sent with one sample, 0.95 with several, as J1)",
    },
    maxTokens: { type: "integer", default: 4096, min: 1, description: "Max tokens per judgment" },
    tokenizer: {
      type: "string",
      enum: TOKENIZERS,
      description: "The judge model's tokenizer, for thought lengths in tokens (default: none)",
    },
    seed: { type: "integer", default: 0, description: "Sampling and random-order seed" },
    rewardbenchPointwise: {
      type: "string",
      enum: ["ratings", "classifier"],
      default: "ratings",
      description:
        "RewardBench v1 pointwise rule: the authors' generative ratings (a tie counts 0.5) or run_rm.py's classifier rule (a tie counts 0)",
    },
    rewardbench2Pairwise: {
      type: "string",
      enum: ["four-way", "comparisons"],
      default: "four-way",
      description:
        "RewardBench 2 with a pairwise judge: the authors' four-way ranking prompt (Ties rated with the pointwise template) or three pairwise comparisons per item",
    },
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
    maxDrop: MAX_DROP_OPTION,
    ...PROMPT_OPTIONS,
    ...PARSE_OPTION,
  },
  async *units(ctx) {
    const adapter = getAdapter(ctx.options.benchmark);
    const locations = dataLocations(ctx.options, ctx.inputs);
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
  // A local benchmark is read once more to count it: small, and quick next to judging it. A
  // remote one would be fetched twice, so it goes without a total.
  async total(ctx) {
    const o = ctx.options;
    const locations = dataLocations(o, ctx.inputs);
    if (!locations.length || locations.some(isUrl)) return undefined;
    const adapter = getAdapter(o.benchmark);
    let n = 0;
    try {
      for (const location of locations) {
        for await (const _ of adapter.load(location, { mapping: o.mapping, onSkip: () => {} })) {
          if (o.limit && n >= o.limit) return n;
          n++;
        }
      }
    } catch {
      // The units will meet the same problem and say it.
      return undefined;
    }
    return n;
  },
  concurrency: (ctx) =>
    ctx.options.concurrency ?? 2 * endpointSlots(ctx.llm(ctx.options.judge).endpoint),
  async process(item, ctx) {
    const o = ctx.options;
    const ask = asker(ctx.llm(o.judge), item, o);
    const strict = o.parse === "strict";
    const measure = measurer(o.tokenizer ? await loadTokenizer(o.tokenizer) : undefined);
    let results: ComparisonResult[];
    if (o.mode === "pointwise") {
      results = await scoreResponses(ask, await templateOf(o), item, o.mode, strict, measure);
    } else if (o.benchmark === "rewardbench2" && o.rewardbench2Pairwise === "four-way") {
      // The authors' pairwise protocol: one four-way ranking per prompt, Ties always rated.
      results = item.subset === TIES_SUBSET
        ? await scoreResponses(
          ask,
          await pointwiseTemplateOf(o),
          item,
          "pointwise",
          strict,
          measure,
        )
        : [await rankFour(ask, item, o.seed, measure)];
    } else {
      const template = await templateOf(o);
      results = await settleAll(
        item.comparisons.map((c) => judgePair(ask, template, item, c, o, measure)),
      );
    }
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
    const summary = summarize(items, {
      seed: o.seed,
      benchmark: o.benchmark,
      mode: o.mode,
      rewardbenchPointwise: o.rewardbenchPointwise,
    });
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
      benchmark: o.benchmark,
      model: judgeModel,
      official: summary.official,
      j1: summary.j1,
      notes: summary.notes,
      accuracy: summary.overall.accuracy ?? null,
      artifacts,
      ...(gate ? { gate } : {}),
    };
  },
};

/** The template, loaded once per stage run. */
const templateOf = perRun((o: EvaluateOptions) => loadTemplate(o.template, o.mode, o));

/** The pointwise template of the same name (RewardBench 2's Ties are always rated). */
const pointwiseTemplateOf = perRun((o: EvaluateOptions) =>
  loadTemplate(o.template, "pointwise", o)
);

/** Where the benchmark is read from: `data`, then the stage's inputs. */
function dataLocations(o: EvaluateOptions, inputs: StageInput[]): string[] {
  return [...(o.data ? [dataLocation(o.data)] : []), ...inputs.map((i) => i.location)];
}

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

/** Asks the judge one prompt (`n` samples). */
type Ask = (prompt: () => Message[], key: string, slot: string) => Promise<Completion[]>;

function asker(judge: LlmClient, item: BenchItem, o: EvaluateOptions): Ask {
  const params = {
    n: o.samples,
    temperature: o.temperature ?? (o.samples > 1 ? 1.0 : 0),
    topP: o.topP ?? (o.samples > 1 ? 0.95 : undefined),
    maxTokens: o.maxTokens,
  };
  // The prompt is rendered inside the call, so a prompt that fails to render is one more
  // rejection for `settleAll`, not a throw that leaves the other requests unattended.
  return async (prompt, key, slot) => {
    const seed = requestSeed(o.seed, o.samples, item.itemId, key, slot);
    return await judge.complete(prompt(), { ...params, seed });
  };
}

/** Thought lengths of a result's samples: characters, and tokens with a tokenizer. */
type Measure = (thoughts: string[]) => Pick<ComparisonResult, "thoughtLengths" | "thoughtTokens">;

function measurer(tokenizer: TokenCounter | undefined): Measure {
  return (thoughts) => ({
    thoughtLengths: thoughts.map((t) => t.length),
    ...(tokenizer && { thoughtTokens: thoughts.map((t) => tokenizer.countText(t)) }),
  });
}

/** The judge's answers parsed in a mode (`strict`: only the exact formats count). */
function parsed(mode: Mode, completions: Completion[], strict: boolean): Parsed[] {
  return completions.map((c) => parseJudgment(mode, c.text, c.reasoning, { strict }));
}

/**
 * RewardBench 2's four-way ranking of a best-of-4 item: the chosen answer in a seeded random
 * slot; the thought length of a sample is its whole reply's (the prompt asks for no tags).
 */
async function rankFour(
  ask: Ask,
  item: BenchItem,
  seed: number,
  measure: Measure,
): Promise<ComparisonResult> {
  const answers = [item.comparisons[0].chosen, ...item.comparisons.map((c) => c.rejected)];
  if (answers.length !== RANKING_SLOTS.length) {
    throw new UserError(
      `rewardbench2 item ${item.itemId}: expected 1 chosen and 3 rejected answers for the four-way ranking, found ${answers.length} answers`,
    );
  }
  const slot = rankingSlot(item.itemId, seed);
  const completions = await ask(
    () => renderRanking(item.instruction, answers, slot),
    RANKING_KEY,
    `${slot}`,
  );
  return {
    key: RANKING_KEY,
    ranking: { slot, picks: completions.map((c) => parseRanking(c.text)) },
    ...measure(completions.map((c) => c.reasoning ?? c.text)),
  };
}

/**
 * Pointwise: each distinct response of the item is scored once (k samples), not once per
 * comparison it appears in (an RM-Bench response is in three); every comparison then reads
 * its two responses' samples. A response's thought lengths are counted with the first
 * comparison it appears in.
 */
async function scoreResponses(
  ask: Ask,
  template: JudgeTemplate,
  item: BenchItem,
  mode: Mode,
  strict: boolean,
  measure: Measure,
): Promise<ComparisonResult[]> {
  const texts = [...new Set(item.comparisons.flatMap((c) => [c.chosen, c.rejected]))];
  const judged = await settleAll(
    texts.map((text, i) =>
      ask(() => renderComparison(item.instruction, text, undefined, template), "response", `${i}`)
        .then((c) => parsed(mode, c, strict))
    ),
  );
  const samples = new Map(texts.map((text, i) => [text, judged[i]]));
  const counted = new Set<string>();
  const value = (p: Parsed) => p.parseError ? null : p.scores?.score ?? null;
  return item.comparisons.map((c) => {
    const fresh = [c.chosen, c.rejected].filter((t) => !counted.has(t) && counted.add(t));
    return {
      key: c.key,
      scores: {
        chosen: samples.get(c.chosen)!.map(value),
        rejected: samples.get(c.rejected)!.map(value),
      },
      ...measure(fresh.flatMap((t) => samples.get(t)!.map((p) => p.thought))),
    };
  });
}

async function judgePair(
  ask: Ask,
  template: JudgeTemplate,
  item: BenchItem,
  c: Comparison,
  o: EvaluateOptions,
  measure: Measure,
): Promise<ComparisonResult> {
  const orders = ordersFor(o, item.itemId, c);
  const judged = await settleAll(
    orders.map((order) =>
      ask(() => render(item.instruction, order, c.chosen, c.rejected, template), c.key, order)
        .then((cs) => parsed(o.mode, cs, o.parse === "strict"))
    ),
  );
  const result: ComparisonResult = {
    key: c.key,
    verdicts: {},
    ...measure(judged.flatMap((samples) => samples.map((p) => p.thought))),
  };
  orders.forEach((order, i) => {
    result.verdicts![order] = judged[i].map((p) => p.parseError ? null : p.verdict ?? null);
    // Pairwise-verdict-scores keeps its latent scores beside the verdicts that decide.
    const field = o.mode === "pairwise-scores"
      ? "scorePairs"
      : o.mode === "pairwise-verdict-scores"
      ? "latentScorePairs"
      : undefined;
    if (field) {
      result[field] ??= {};
      result[field][order] = judged[i].map((p) =>
        p.scores?.A !== undefined && p.scores?.B !== undefined && !p.parseError
          ? [p.scores.A, p.scores.B] as [number, number]
          : null
      );
    }
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

/** The orders a comparison is judged in; `random` draws the coin the scorers draw. */
function ordersFor(o: EvaluateOptions, itemId: string, c: Comparison): Order[] {
  if (o.orders === "both") return ["AB", "BA"];
  if (o.orders === "ab") return ["AB"];
  if (o.orders === "dataset") return [c.shown ?? "AB"];
  return [seededOrder(comparisonId(itemId, c.key), o.seed)];
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

/**
 * Parsing judgments: the thought, then the verdict or scores written after it. Template-agnostic:
 * a `<think>` block and a `<plan>`+`<execution>` block are both recognised in every mode.
 * Lenient by default (a bare `[[A]]`, `7/10`); {@linkcode ParseOptions} `strict` reads only the
 * exact answer formats the prompts ask for.
 * @module
 */
import { OUTPUT_TAGS } from "../prompts/markers.ts";
import type { Mode, ParseErrorCode, Verdict } from "../records.ts";

/** One judgment, taken apart. */
export interface Parsed {
  /** The server's reasoning if given, else the content of the thought block. */
  thought: string;
  /** Pairwise modes: the position picked (absent on a parse error or a scores tie). */
  verdict?: Verdict;
  /**
   * Pairwise-scores: `{A, B}`, kept on a tie; pairwise-verdict-scores: `{A, B}` when both parse
   * (they never decide nor fail the parse); pointwise: `{score}`.
   */
  scores?: Record<string, number>;
  /** Why nothing usable was found; absent when the judgment parsed. */
  parseError?: ParseErrorCode;
  /**
   * Well-formed: a non-empty thought (server reasoning, or exactly one closed `<think>` block,
   * or exactly one `<plan>` and one `<execution>` block), no parse error, and in
   * pairwise-verdict-scores both scores. The J1 format reward.
   */
  wellFormed: boolean;
}

/** How strictly {@linkcode parseJudgment} reads the answer. */
export interface ParseOptions {
  /**
   * Only the exact formats the prompts ask for: a verdict is `[[A]]` or `[[B]]` alone inside
   * `<answer>` tags (no bare `[[A]]` elsewhere, no `<answer> A </answer>`), a score is a plain
   * number alone inside its tag (no `7/10`). Default `false` (lenient).
   */
  strict?: boolean;
}

/** The tag pairs of each thinking style; a style is recognised by any of its tags. */
const STYLES = [[OUTPUT_TAGS.think], [OUTPUT_TAGS.plan, OUTPUT_TAGS.execution]] as const;

interface ThoughtBlock {
  /** Where the text after the thought starts. */
  end: number;
  inner: string;
  unclosed: boolean;
  /**
   * One close tag of every tag pair of the style, each after its open tag if there is one (a
   * template may pre-fill the open tag).
   */
  single: boolean;
}

const count = (text: string, tag: string) => text.split(tag).length - 1;

/**
 * The thought block: from the first opening tag to the last closing tag of the style present.
 * A closing tag without an opening one (a chat template that pre-fills `<think>`) starts the
 * thought at the beginning of the text. An opening tag after the last closing one is unclosed.
 */
function thoughtBlock(text: string): ThoughtBlock | null {
  for (const style of STYLES) {
    const present = style.filter(([open, close]) => text.includes(open) || text.includes(close));
    if (!present.length) continue;
    const parts = present.map(([open, close]) => {
      const first = text.indexOf(open);
      const last = text.lastIndexOf(close);
      return {
        unclosed: text.lastIndexOf(open) > last,
        from: first < 0 ? 0 : first + open.length,
        to: last,
        end: last < 0 ? -1 : last + close.length,
      };
    });
    const unclosed = parts.some((p) => p.unclosed);
    return {
      end: Math.max(...parts.map((p) => p.end)),
      inner: unclosed
        ? text.slice(Math.min(...parts.map((p) => p.from))).trim()
        : parts.map((p) => text.slice(p.from, p.to).trim()).join("\n\n"),
      unclosed,
      // A pre-filled `<think>` (DeepSeek-R1/QwQ-style templates) leaves only the closing tag.
      single: present.length === style.length &&
        style.every(([open, close]) => count(text, open) <= 1 && count(text, close) === 1) &&
        parts.every((p) => p.from <= p.to),
    };
  }
  return null;
}

const VERDICT = /\[\[\s*([AB])\s*\]\]/g;
const STRICT_VERDICT = /^\s*\[\[([AB])\]\]\s*$/;

/** Contents of every `<tag>…</tag>` in `text`. */
function tagged(text: string, [open, close]: readonly [string, string]): string[] {
  const out: string[] = [];
  for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) {
    const j = text.indexOf(close, i + open.length);
    if (j < 0) break;
    out.push(text.slice(i + open.length, j));
  }
  return out;
}

/**
 * The verdict after the thought: from `<answer>` tags if there are any (`[[A]]`, or a bare `A`),
 * else from bare `[[A]]` markers; strict: only `<answer> [[A]] </answer>`. Repeating the same
 * verdict is fine; two different ones are not.
 */
function verdictOf(after: string, strict: boolean): Pick<Parsed, "verdict" | "parseError"> {
  const answers = tagged(after, OUTPUT_TAGS.answer);
  const found = new Set<string>();
  for (const a of answers) {
    if (strict) {
      const exact = a.match(STRICT_VERDICT);
      if (exact) found.add(exact[1]);
      continue;
    }
    const bare = a.trim().match(/^([AB])$/);
    if (bare) found.add(bare[1]);
    for (const m of a.matchAll(VERDICT)) found.add(m[1]);
  }
  if (!found.size && !strict) { for (const m of after.matchAll(VERDICT)) found.add(m[1]); }
  if (found.size > 1) return { parseError: "multiple_verdicts" };
  const [verdict] = found as Set<Verdict>;
  return verdict ? { verdict } : { parseError: "no_verdict" };
}

/** A score: a number, optionally written as `x/10` or `x out of 10`. */
const SCORE = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:(?:\/|out\s+of)\s*10(?:\.0*)?)?\s*$/i;
/** A strict score: a plain number. */
const STRICT_SCORE = /^\s*(\d+(?:\.\d+)?)\s*$/;

const SCORE_TAGS = {
  pair: { A: OUTPUT_TAGS.scoreA, B: OUTPUT_TAGS.scoreB },
  one: { score: OUTPUT_TAGS.score },
} as const;

/** The scores after the thought, one per tag; the first error in tag order wins. */
function scoresOf(
  after: string,
  tags: Record<string, readonly [string, string]>,
  strict: boolean,
): Pick<Parsed, "scores" | "parseError"> {
  const scores: Record<string, number> = {};
  const pattern = strict ? STRICT_SCORE : SCORE;
  for (const [key, tag] of Object.entries(tags)) {
    const numbers = tagged(after, tag).map((v) => v.match(pattern)?.[1]);
    const values = new Set(numbers.filter((v) => v !== undefined).map(Number));
    if (!values.size) return { parseError: "no_score" };
    if (values.size > 1) return { parseError: "multiple_scores" };
    const [value] = values;
    if (!(value >= 0 && value <= 10)) return { parseError: "score_out_of_range" };
    scores[key] = value;
  }
  return { scores };
}

/**
 * Parses one judgment. The verdict (or scores) is read only from the text after the thought, so
 * a `[[B]]` the judge quotes while thinking does not count. Pairwise-scores: the verdict is the
 * position with the higher score; equal scores give no verdict, no error, and keep the scores.
 * Pairwise-verdict-scores: the `<answer>` verdict decides; the scores are kept when they parse.
 *
 * @example
 * ```ts
 * import { parseJudgment } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const p = parseJudgment("pairwise", "<think>B says [[B]]; A is right.</think>\n<answer> [[A]] </answer>");
 * assert.equal(p.verdict, "A");
 * assert.equal(p.thought, "B says [[B]]; A is right.");
 * assert.equal(parseJudgment("pointwise", "<think>ok</think><score>7.5/10</score>").scores?.score, 7.5);
 * assert.equal(parseJudgment("pairwise", "<think>ok</think> [[A]]").verdict, "A");
 * assert.equal(parseJudgment("pairwise", "<think>ok</think> [[A]]", undefined, { strict: true }).parseError, "no_verdict");
 * ```
 */
export function parseJudgment(
  mode: Mode,
  text: string,
  reasoning?: string,
  options: ParseOptions = {},
): Parsed {
  const strict = options.strict === true;
  const serverThought = reasoning?.trim() ? reasoning.trim() : undefined;
  if (!text.trim()) {
    return { thought: serverThought ?? "", parseError: "empty", wellFormed: false };
  }
  const block = thoughtBlock(text);
  const thought = serverThought ?? block?.inner ?? "";
  if (block?.unclosed) return { thought, parseError: "unclosed_think", wellFormed: false };

  const after = block ? text.slice(block.end) : text;
  let result: Omit<Parsed, "thought" | "wellFormed">;
  let complete = true;
  if (mode === "pairwise") result = verdictOf(after, strict);
  else if (mode === "pointwise") result = scoresOf(after, SCORE_TAGS.one, strict);
  else if (mode === "pairwise-scores") {
    result = scoresOf(after, SCORE_TAGS.pair, strict);
    if (result.scores && result.scores.A !== result.scores.B) {
      result.verdict = result.scores.A > result.scores.B ? "A" : "B";
    }
  } else {
    const { scores } = scoresOf(after, SCORE_TAGS.pair, strict);
    result = { ...verdictOf(after, strict), ...(scores ? { scores } : {}) };
    complete = scores !== undefined;
  }
  const thoughtOk = serverThought !== undefined || (block?.single === true && thought !== "");
  return { thought, ...result, wellFormed: thoughtOk && !result.parseError && complete };
}

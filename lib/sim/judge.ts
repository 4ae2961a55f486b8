/**
 * The simulated judge: reads a judge prompt laid out with the toolkit's markers, decides with an
 * honest policy, then applies noise, position bias and format errors.
 * @module
 */
import { JUDGE_MARKERS, OUTPUT_TAGS, SCORE_SCALES } from "../prompts/markers.ts";
import type { JudgePolicy } from "./options.ts";
import { lastBoxed } from "../math/mod.ts";
import { formatNumber, keyWords, overlap, simpleArithmetic } from "./words.ts";

/** A judge prompt, taken apart. */
export interface JudgePrompt {
  question: string;
  /** Pairwise: responses A and B; pointwise: only `a`. */
  a: string;
  b?: string;
  /** What the prompt asks to write: `verdict-scores` is two scores, then the verdict. */
  output: "verdict" | "scores" | "verdict-scores" | "score";
  /** `<plan>…</plan><execution>…</execution>` instead of `<think>…</think>`. */
  plan: boolean;
  /** The prompt asks for whole-number scores. */
  integer: boolean;
}

/** The judge's knobs (see `SimOptions`). */
export interface JudgeSettings {
  policy: JudgePolicy;
  noise: number;
  positionBias: number;
  formatErrorRate: number;
}

/** A judgment: the thought (without tags) and what follows it. */
export interface Judgment {
  /** Plan part (plan style only) and the thought proper. */
  plan?: string;
  thought: string;
  answer: string;
  /** A deliberate format error. */
  formatError?: "missing" | "double" | "unclosed";
}

/** Draws in [0, 1) keyed by purpose (the caller binds seed, prompt and sample). */
export type Rand = (purpose: string) => number;

/** Recognises a judge prompt by its markers; `prompt` is all message text, `layout` the last user turn. */
export function parseJudgePrompt(prompt: string, layout: string): JudgePrompt | null {
  const m = JUDGE_MARKERS;
  const text = layout.includes(m.startA) || layout.includes(m.start) ? layout : prompt;
  const plan = prompt.includes(OUTPUT_TAGS.plan[0]);
  const integer = prompt.includes(SCORE_SCALES.integer);
  const question = between(text, m.question, [m.startA, m.start]) ?? "";
  if (text.includes(m.startA) && text.includes(m.startB)) {
    const scores = prompt.includes(OUTPUT_TAGS.scoreA[0]);
    const verdict = prompt.includes(OUTPUT_TAGS.answer[0]);
    return {
      question,
      a: between(text, m.startA, [m.endA, m.startB]) ?? "",
      b: between(text, m.startB, [m.endB]) ?? "",
      output: scores ? (verdict ? "verdict-scores" : "scores") : "verdict",
      plan,
      integer,
    };
  }
  if (text.includes(m.start)) {
    return { question, a: between(text, m.start, [m.end]) ?? "", output: "score", plan, integer };
  }
  return null;
}

function between(text: string, start: string, ends: string[]): string | null {
  const i = text.indexOf(start);
  if (i < 0) return null;
  const from = i + start.length;
  const to = Math.min(...ends.map((e) => text.indexOf(e, from)).filter((j) => j >= 0), text.length);
  return text.slice(from, to).trim();
}

/** Quality in [0, 1] of one response under the policy (pointwise scores, tie-free pairwise). */
function quality(policy: JudgePolicy, p: JudgePrompt, side: "A" | "B", rand: Rand): number {
  if (policy === "random") return rand(`quality-${side}`);
  // The other policies depend on the prompt only: computed once for the G samples.
  return once(p, `quality-${policy}-${side}`, () => promptQuality(policy, p, side));
}

function promptQuality(policy: Exclude<JudgePolicy, "random">, p: JudgePrompt, side: "A" | "B") {
  const [q, response] = [p.question, (side === "A" ? p.a : p.b) ?? ""];
  const truth = simpleArithmetic(q);
  const boxed = lastBoxed(response);
  if (policy === "overlap" && truth !== null && boxed !== null) {
    return boxed === formatNumber(truth) ? 0.9 : 0.2;
  }
  switch (policy) {
    case "overlap":
      return Math.min(1, Math.sqrt(overlap(q, response)));
    case "longer":
      return 1 - Math.exp(-response.length / 500);
    case "always-A":
      return 0.7;
  }
}

/** Values that depend on the prompt only, by name. */
const memo = new WeakMap<JudgePrompt, Map<string, unknown>>();

function once<T>(p: JudgePrompt, name: string, compute: () => T): T {
  let values = memo.get(p);
  if (!values) memo.set(p, values = new Map());
  if (!values.has(name)) values.set(name, compute());
  return values.get(name) as T;
}

/** The policy's choice between A and B, before noise and bias. */
function prefer(policy: JudgePolicy, p: JudgePrompt, rand: Rand): "A" | "B" {
  const b = p.b ?? "";
  if (policy === "always-A") return "A";
  if (policy === "random") return rand("prefer") < 0.5 ? "A" : "B";
  if (policy === "longer") {
    return p.a.length === b.length
      ? (rand("tie") < 0.5 ? "A" : "B")
      : p.a.length > b.length
      ? "A"
      : "B";
  }
  const qa = quality(policy, p, "A", rand);
  const qb = quality(policy, p, "B", rand);
  return qa === qb ? (rand("tie") < 0.5 ? "A" : "B") : qa > qb ? "A" : "B";
}

const CRITERIA = [
  "helpfulness",
  "relevance to the question",
  "correctness",
  "completeness",
  "clarity",
  "faithfulness to every constraint of the instruction",
];
const EXTRAS = [
  "Neither response contains harmful content.",
  "Both responses are written clearly enough to follow.",
  "The order in which the responses appear should not influence the decision.",
  "Length alone should not decide; what matters is whether the instruction is followed.",
  "A response that answers a slightly different question should be penalised.",
];

/** Facts about the responses that the thought states. */
function observations(p: JudgePrompt): string[] {
  const q = keyWords(p.question);
  const covered = (r: string) => {
    const words = new Set(keyWords(r));
    return q.filter((w) => words.has(w)).length;
  };
  const out: string[] = [];
  const truth = simpleArithmetic(p.question);
  if (truth !== null) {
    const side = (r: string) => lastBoxed(r) ?? "no boxed answer";
    out.push(
      p.b === undefined
        ? `Working it out, the answer is ${formatNumber(truth)}; the response concludes ${
          side(p.a)
        }.`
        : `Working it out, the answer is ${formatNumber(truth)}; Response A concludes ${
          side(p.a)
        } and Response B concludes ${side(p.b)}.`,
    );
  }
  out.push(
    p.b === undefined
      ? `The response addresses ${covered(p.a)} of the ${q.length} key terms of the question.`
      : `Response A addresses ${covered(p.a)} of the ${q.length} key terms of the question, ` +
        `while Response B addresses ${covered(p.b)}.`,
  );
  if (p.b !== undefined) {
    out.push(`Response A is ${p.a.length} characters long and Response B is ${p.b.length}.`);
  }
  return out;
}

const round1 = (x: number) => Math.round(Math.min(10, Math.max(0, x)) * 10) / 10;

/** Judges one prompt. Every draw goes through `rand`, so the result is a pure function. */
export function judge(p: JudgePrompt, s: JudgeSettings, rand: Rand): Judgment {
  const rank = new Map(CRITERIA.map((c) => [c, rand(`c-${c}`)]));
  const criteria = [...CRITERIA].sort((x, y) => rank.get(x)! - rank.get(y)!).slice(0, 3);
  const extras = EXTRAS.filter((e) => rand(`e-${e}`) < 0.35);
  const plan = `I will judge on ${criteria[0]}, ${criteria[1]} and ${criteria[2]}, ` +
    `check each response against them, then compare.`;
  const snippet = p.question.length > 100 ? `${p.question.slice(0, 97)}...` : p.question;
  const facts = [
    `The user asks: "${snippet.replaceAll("\n", " ")}".`,
    ...once(p, "observations", () => observations(p)),
    ...extras,
  ];

  // Whole numbers when the prompt asks for them; one decimal otherwise.
  const show = (x: number) => p.integer ? String(Math.round(x)) : x.toFixed(1);
  let answer: string;
  let opposite: string;
  let conclusion: string;
  if (p.output === "score") {
    let score = round1(10 * quality(s.policy, p, "A", rand) + rand("jitter") - 0.5);
    if (rand("noise") < s.noise) score = round1(10 - score);
    const other = round1(score >= 5 ? score - 3 : score + 3);
    answer = `<score>${show(score)}</score>`;
    opposite = `<score>${show(other)}</score>`;
    conclusion = `Overall, the response deserves a score of ${show(score)} out of 10.`;
  } else {
    let verdict = prefer(s.policy, p, rand);
    if (rand("noise") < s.noise) verdict = verdict === "A" ? "B" : "A";
    if (rand("position") < s.positionBias) verdict = "A";
    const other = verdict === "A" ? "B" : "A";
    // Whole-number scores a point apart at least, so that rounding never ties them.
    const hi = round1(6 + 3.5 * rand("hi"));
    const lo = round1(hi - (p.integer ? 1 : 0.5) - 4 * rand("lo"));
    const scores = (v: "A" | "B") =>
      v === "A"
        ? `<score_A>${show(hi)}</score_A> <score_B>${show(lo)}</score_B>`
        : `<score_A>${show(lo)}</score_A> <score_B>${show(hi)}</score_B>`;
    const verdictTag = (v: "A" | "B") => `<answer> [[${v}]] </answer>`;
    if (p.output === "scores") {
      answer = scores(verdict);
      opposite = scores(other);
    } else if (p.output === "verdict-scores") {
      answer = `${scores(verdict)}\n${verdictTag(verdict)}`;
      opposite = verdictTag(other);
    } else {
      answer = verdictTag(verdict);
      opposite = verdictTag(other);
    }
    conclusion = `Overall, Response ${verdict} is the better answer.`;
  }

  const thought = [...(p.plan ? [] : [plan]), ...facts, conclusion].join(" ");
  const judgment: Judgment = { ...(p.plan ? { plan } : {}), thought, answer };
  if (rand("format") < s.formatErrorRate) {
    const kinds = ["missing", "double", "unclosed"] as const;
    const kind = kinds[Math.floor(rand("format-kind") * kinds.length)];
    judgment.formatError = kind;
    if (kind === "missing") judgment.answer = "";
    if (kind === "double") judgment.answer = `${answer}\nOn reflection: ${opposite}`;
  }
  return judgment;
}

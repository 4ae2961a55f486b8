/**
 * What the simulated model writes for one choice: a pure function of the simulator's options,
 * the request's messages and the choice's own seed.
 * @module
 */
import { canonicalJson, sha256 } from "../ids.ts";
import { OUTPUT_TAGS, SYNTH_MARKERS } from "../prompts/markers.ts";
import type { Message } from "../records.ts";
import { judge, type Judgment, parseJudgePrompt, type Rand } from "./judge.ts";
import type { ResolvedSimOptions } from "./options.ts";
import { drawer, drawInt } from "./rng.ts";
import { FILLER, formatNumber, keyWords, simpleArithmetic } from "./words.ts";

/** One choice's message: content, and the thought when a reasoning field is configured. */
export interface SimReply {
  /** The message content. */
  content: string;
  /** The thought, when the simulator puts it in a reasoning field. */
  reasoning?: string;
}

/** What a prompt is, read once for all the choices of a request (the same `messages`). */
const prompts = new WeakMap<Message[], ReturnType<typeof readPromptOnce>>();

function readPrompt(messages: Message[]) {
  let read = prompts.get(messages);
  if (!read) prompts.set(messages, read = readPromptOnce(messages));
  return read;
}

function readPromptOnce(messages: Message[]) {
  const prompt = messages.map((m) => m.content).join("\n");
  const lastUser = messages.findLast((m) => m.role === "user")?.content ?? "";
  return {
    promptId: sha256(canonicalJson(messages)),
    prompt,
    lastUser,
    judgePrompt: parseJudgePrompt(prompt, lastUser),
  };
}

/**
 * The reply of choice `sampleSeed` (request seed + choice index; "greedy" at temperature 0,
 * where every choice is the same).
 */
export function simulateReply(
  messages: Message[],
  options: ResolvedSimOptions,
  sampleSeed: number | "greedy",
): SimReply {
  const { promptId, prompt, lastUser, judgePrompt } = readPrompt(messages);
  const rand: Rand = drawer(options.seed, promptId, sampleSeed);
  const reasoningField = options.reasoningField !== undefined;

  if (judgePrompt) return renderJudgment(judge(judgePrompt, options, rand), reasoningField);
  let content: string;
  if (prompt.includes(SYNTH_MARKERS.modifiedQuestion) && prompt.includes(SYNTH_MARKERS.original)) {
    content = worseResponseReply(originalInstruction(prompt), rand);
  } else if (
    prompt.includes(SYNTH_MARKERS.categories) && prompt.includes(SYNTH_MARKERS.category[0])
  ) {
    content = categoryReply(originalInstruction(prompt), categoryList(prompt));
  } else if (
    prompt.includes(SYNTH_MARKERS.modified[0]) && prompt.includes(SYNTH_MARKERS.original)
  ) {
    content = modifyInstructionReply(originalInstruction(prompt), rand);
  } else if (prompt.includes(SYNTH_MARKERS.boxed)) {
    content = mathReply(lastUser, options, promptId, rand);
  } else {
    content = plainReply(lastUser, rand);
  }
  return reasoningField
    ? { content, reasoning: `The user wants: ${lastUser.slice(0, 80)}. Let me answer directly.` }
    : { content };
}

function renderJudgment(j: Judgment, reasoningField: boolean): SimReply {
  const [open, close] = j.plan !== undefined ? OUTPUT_TAGS.plan : OUTPUT_TAGS.think;
  const [execOpen, execClose] = OUTPUT_TAGS.execution;
  const unclosed = j.formatError === "unclosed";
  const thought = j.plan !== undefined
    ? `${open}${j.plan}${unclosed ? "" : close}\n${execOpen}${j.thought}${execClose}`
    : `${open}\n${j.thought}\n${unclosed ? "" : close}`;
  if (reasoningField) {
    // A reasoning parser strips the think tags; plan/execution are ordinary output tags.
    return j.plan !== undefined
      ? { reasoning: `${j.plan} ${j.thought}`, content: `${thought}\n${j.answer}` }
      : { reasoning: j.thought, content: j.answer };
  }
  return { content: `${thought}\n${j.answer}`.trim() };
}

/**
 * The original instruction of a synth prompt: after its marker, up to the next marker line, the
 * output tag or a blank line (templates put their own instructions after one).
 */
function originalInstruction(prompt: string): string {
  const after = prompt.slice(prompt.indexOf(SYNTH_MARKERS.original) + SYNTH_MARKERS.original.length)
    .trimStart();
  const ends = ["\n[", "\n\n", SYNTH_MARKERS.modified[0]].map((e) => after.indexOf(e)).filter((i) =>
    i >= 0
  );
  return after.slice(0, Math.min(...ends, after.length)).trim();
}

const SWAPS: [string, string][] = [
  ["shortest", "longest"],
  ["largest", "smallest"],
  ["increase", "decrease"],
  ["first", "last"],
  ["positive", "negative"],
  ["before", "after"],
  ["more", "fewer"],
  ["formal", "casual"],
  ["advantages", "disadvantages"],
  ["beginners", "experts"],
  ["summer", "winter"],
  ["cheap", "expensive"],
];
const CONSTRAINTS = [
  "Limit the answer to exactly three sentences.",
  "Do not mention any specific examples.",
  "Write it for a ten-year-old reader.",
  "Answer only in the form of a bulleted list.",
  "Focus only on historical aspects.",
];

/**
 * A subtly changed instruction: one number changed, else one key word swapped for its opposite,
 * else an added constraint.
 */
export function modifyInstruction(original: string, rand: Rand): string {
  const numbers = [...original.matchAll(/\b\d+\b/g)];
  if (numbers.length) {
    const m = numbers[Math.floor(rand("number") * numbers.length)];
    const changed = Number(m[0]) + 1 + Math.floor(rand("delta") * 3);
    return original.slice(0, m.index) + changed + original.slice(m.index! + m[0].length);
  }
  for (const [a, b] of SWAPS) {
    for (const [from, to] of [[a, b], [b, a]]) {
      const pattern = new RegExp(`\\b${from}\\b`, "i");
      if (pattern.test(original)) return original.replace(pattern, to);
    }
  }
  return `${original} ${CONSTRAINTS[Math.floor(rand("constraint") * CONSTRAINTS.length)]}`;
}

function modifyInstructionReply(original: string, rand: Rand): string {
  const [open, close] = SYNTH_MARKERS.modified;
  return `Here is a subtly changed version of the instruction.\n${open}\n${
    modifyInstruction(original, rand)
  }\n${close}`;
}

/**
 * The Self-Taught-Evaluator worse response: a subtly changed instruction under its header, then
 * a plain answer to it (reusing its key words, so it drifts from the original) between the
 * answer markers.
 */
function worseResponseReply(original: string, rand: Rand): string {
  const modified = modifyInstruction(original, rand);
  const [start, end] = SYNTH_MARKERS.modifiedAnswer;
  return `${SYNTH_MARKERS.modifiedQuestion}\n${modified}\n\n${start}\n${
    plainReply(modified, rand)
  }\n${end}`;
}

/** The category names listed under the prompt's category heading, one per line. */
function categoryList(prompt: string): string[] {
  const after = prompt.slice(
    prompt.indexOf(SYNTH_MARKERS.categories) + SYNTH_MARKERS.categories.length,
  );
  const block = after.trimStart().split(/\n\s*\n/)[0];
  return block.split("\n").map((l) => l.replace(/^[-*\s]+/, "").trim()).filter(Boolean);
}

/** Words that send an instruction to a category of that name, when the prompt lists it. */
const CATEGORY_CUES: [string, RegExp][] = [
  ["coding", /\b(code|function|python|javascript|program|bug|sql|regex)\b/i],
  ["math", /\d\s*[-+*\/^=]\s*\d|\b(equation|integral|solve for)\b/i],
  ["reasoning", /\b(why|explain|compare|reason|how (many|much|does|do|can)|what if|cause)\b/i],
  ["writing", /\b(write|poem|story|essay|letter|rewrite|summari[sz]e)\b/i],
];

/**
 * A category for an instruction: the first listed category whose cue words it contains, else
 * the last listed one (lists end with a catch-all such as `other`).
 */
function categoryReply(instruction: string, categories: string[]): string {
  const [open, close] = SYNTH_MARKERS.category;
  const listed = new Set(categories.map((c) => c.toLowerCase()));
  const cued = CATEGORY_CUES.find(([name, cue]) => listed.has(name) && cue.test(instruction));
  return `${open}${cued?.[0] ?? categories.at(-1) ?? "other"}${close}`;
}

/**
 * A short solution ending in `\boxed{}`. Computable arithmetic is right except with probability
 * `mathErrorRate`; otherwise the model has one answer per question (wrong just as often).
 */
function mathReply(
  question: string,
  options: ResolvedSimOptions,
  promptId: string,
  rand: Rand,
): string {
  const truth = simpleArithmetic(question);
  const belief = truth ?? drawInt(0, 999, options.seed, promptId, "belief");
  const wrong = rand("math-error") < options.mathErrorRate;
  const delta = (1 + Math.floor(rand("math-delta") * 3)) * (rand("math-sign") < 0.5 ? -1 : 1);
  const answer = formatNumber(wrong ? belief + delta : belief);
  const steps = truth !== null
    ? "We evaluate the expression step by step, respecting the order of operations."
    : "We set up the problem carefully and work through it step by step.";
  return `${steps} Checking the arithmetic once more gives ${answer}.\n\nThe final answer is \\boxed{${answer}}.`;
}

/** A plain answer that reuses every key word of the request (and only filler besides). */
function plainReply(request: string, rand: Rand): string {
  const words = keyWords(request);
  const opening = FILLER[Math.floor(rand("opening") * 4)];
  const closing = FILLER.slice(4).filter((f) => rand(`closing-${f}`) < 0.5);
  const topic = words.length ? words.join(", ") : "the question";
  return [`${opening} ${topic}.`, ...closing].join(" ");
}

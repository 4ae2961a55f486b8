/**
 * The computer-algebra layer of answer equivalence: two single answers (already normalized, no
 * lists or brackets left to split) are parsed as LaTeX by `@cortex-js/compute-engine` and compared
 * by value. Constants are evaluated (exactly when both sides are exact: `\binom{5}{2}` = `10`,
 * `0.\overline{3}` = `\frac13`; else within the numeric tolerance); expressions with free
 * variables are equal when their canonical forms are the same or when both agree at fixed
 * pseudo-random points (`(x+1)^2` = `x^2+2x+1`); two relations of the same kind are equal when
 * their sides' differences are constant multiples (`x>1` = `1<x`, `2x<2` = `x<1`).
 *
 * The work is bounded: answers longer than {@linkcode MAX_LENGTH}, with words, matrices or more
 * than {@linkcode MAX_VARIABLES} variables are not tried, and each comparison runs inside the
 * engine's time limit ({@linkcode TIME_LIMIT_MS}): past it the answer is "not shown equal".
 * @module
 */
import { createRequire } from "node:module";
import type { ComputeEngine, Expression } from "@cortex-js/compute-engine";
// The package's 2 KB MathJSON entry, imported for its effect: it puts the package in the module
// graph, so the `require` below finds it wherever the toolkit is run from, and a missing package
// fails here, at import, instead of every comparison quietly reading "not equal".
import "@cortex-js/compute-engine/math-json";

/** What this layer uses of the package. */
interface Engine {
  ce: ComputeEngine;
  /** Compiles an expression to a JavaScript function of its free variables. */
  compile: (
    e: Expression,
    options: { fallback: boolean },
  ) => { success: boolean; run: (vars: Record<string, number>) => unknown };
}

/** Longer answers are not parsed (their normalized strings are still compared). */
const MAX_LENGTH = 200;

/** At most this many free variables are sampled. */
const MAX_VARIABLES = 4;

/**
 * Wall-clock cap of one comparison inside the engine. Ordinary answers take 0.1–40 ms; the cap
 * only stops pathological ones (`99999!`), so it is generous enough that machine load does not
 * change a verdict.
 */
const TIME_LIMIT_MS = 1_000;

/** Points at which two expressions with free variables are compared. */
const SAMPLES = 12;

/** Points at which both sides must be finite (and agree) for an identity to count. */
const MIN_VALID_SAMPLES = 6;

/** Relative tolerance at a sample point (double rounding, not answer precision). */
const SAMPLE_TOLERANCE = 1e-8;

/**
 * Below this magnitude sample values are compared absolutely (to 1e-14), so `\frac{x}{10^9}` is
 * not taken for `0`, while rounding in values near zero (about 1e-16) still passes.
 */
const SAMPLE_FLOOR = 1e-6;

/**
 * Operators an expression with free variables may use to be sampled: elementary functions whose
 * compiled values are reliable at real points. Sums, products, limits, integrals, binomials or
 * unknown functions with a free variable are left out (their values at non-integer points mean
 * nothing or fail), so such answers only compare by canonical form.
 */
const SAMPLED_OPERATORS = new Set([
  "Add",
  "Subtract",
  "Negate",
  "Multiply",
  "Divide",
  "Power",
  "Square",
  "Sqrt",
  "Root",
  "Rational",
  "Complex",
  "Exp",
  "Ln",
  "Log",
  "Lb",
  "Lg",
  "Abs",
  "Sin",
  "Cos",
  "Tan",
  "Cot",
  "Sec",
  "Csc",
  "Arcsin",
  "Arccos",
  "Arctan",
  "Sinh",
  "Cosh",
  "Tanh",
]);

/**
 * LaTeX commands that may have been glued to the next letters when spaces were removed
 * (`\sin x` → `\sinx`, `2\pi r` → `2\pir`); the longest one that starts a glued command is split
 * off again.
 */
const COMMANDS = [
  "sin",
  "cos",
  "tan",
  "cot",
  "sec",
  "csc",
  "arcsin",
  "arccos",
  "arctan",
  "sinh",
  "cosh",
  "tanh",
  "ln",
  "log",
  "lg",
  "exp",
  "pi",
  "cdot",
  "times",
  "div",
  "infty",
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "theta",
  "lambda",
  "mu",
  "sigma",
  "phi",
  "omega",
  "tau",
  "rho",
  "le",
  "leq",
  "ge",
  "geq",
  "ne",
  "neq",
  "neg",
].sort((a, b) => b.length - a.length);

/** A run of three or more letters that is not a command: a word, not a product of variables. */
const WORD = /(?<![\\A-Za-z])[A-Za-z]{3,}/;

/** Parsed only as something else than a single value: relations, matrices, text. */
const NOT_A_VALUE = /\\begin|\\text|\\(?:in|approx|equiv|sim|to)(?![A-Za-z])/;

/**
 * A relation sign. One is allowed outside braces (`x>1`, `y=2x+1`); a chain (`1<x<2`) is not
 * tried. Inside braces `\sum_{k=1}` is a limit, not an equation.
 */
const RELATION = /[=<>]|\\(?:le|ge|leq|geq|ne|neq|lt|gt)(?![A-Za-z])/g;

/**
 * Relations the engine writes canonically (`x>1` as `1<x`), and how their sides' difference may
 * be scaled without changing the solutions: by a positive constant for inequalities (`x<1`,
 * `2x<2`), by any non-zero constant for equations (`y=2x+1`, `2x-y=-1`).
 */
const RELATIONS: Record<string, "positive" | "non-zero"> = {
  Less: "positive",
  LessEqual: "positive",
  Equal: "non-zero",
  NotEqual: "non-zero",
};

/** Operations whose cost grows with the size of their integer arguments. */
const COMBINATORIAL = /!|binom|\\prod|\\Gamma/;

/** An integer of five or more digits, or a number raised to a power. */
const LARGE_NUMBER = /\d{5}|\d\s*\^/;

/** The engine, created on first use: loading and warming it takes a second or more. */
let loaded: Engine | undefined;

/** Loads and warms the engine (the first trig or factorial evaluation initializes tables). */
function computeEngine(): Engine {
  if (loaded) return loaded;
  // Loaded on demand, synchronously, so that importing the toolkit stays fast and
  // `isEquivalent` stays a plain function; the package ships a CommonJS build for this.
  const require = createRequire(import.meta.url);
  const pkg = require("@cortex-js/compute-engine") as {
    ComputeEngine: new () => ComputeEngine;
    compile: Engine["compile"];
  };
  const engine = { ce: new pkg.ComputeEngine(), compile: pkg.compile };
  engine.ce.precision = "machine";
  engine.ce.pushScope();
  for (const warm of ["\\tan 1+\\binom{5}{2}+3!", "\\frac{x^2-1}{x-1}"]) {
    const e = engine.ce.parse(warm);
    e.evaluate();
    sampleValues(engine, e, e.unknowns);
  }
  engine.ce.popScope();
  loaded = engine;
  return engine;
}

/** Splits commands glued to following letters (`\sinx` → `\sin x`); unknown ones are kept. */
function unglueCommands(s: string): string {
  return s.replace(/\\([A-Za-z]+)/g, (whole, name: string) => {
    if (COMMANDS.includes(name)) return whole;
    const head = COMMANDS.find((c) => name.startsWith(c));
    return head ? `\\${head} ${name.slice(head.length)}` : whole;
  });
}

/** Every operator name in a MathJSON tree. */
function operators(json: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(json)) {
    if (typeof json[0] === "string") into.add(json[0]);
    for (const child of json.slice(1)) operators(child, into);
  }
  return into;
}

/** A value as `[re, im]`; NaN parts when it is not a number. */
function complexParts(v: unknown): [number, number] {
  if (typeof v === "number") return [v, 0];
  if (v && typeof v === "object" && "re" in v && "im" in v) {
    return [Number((v as { re: unknown }).re), Number((v as { im: unknown }).im)];
  }
  return [NaN, NaN];
}

/** Both parts finite. */
function finite([re, im]: [number, number]): boolean {
  return Number.isFinite(re) && Number.isFinite(im);
}

/**
 * `|a-b| ≤ tolerance · max(floor, |a|, |b|)` for complex values: relative above `floor`,
 * absolute below.
 */
function near(
  a: [number, number],
  b: [number, number],
  tolerance: number,
  floor = 1,
): boolean {
  const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
  return d <= tolerance * Math.max(floor, Math.hypot(...a), Math.hypot(...b));
}

/** A small seeded generator (mulberry32), so the sample points are the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The sample points: each variable gets a value in (0.1, 3), negative at every third point, so
 * `\sqrt{x^2}` and `x`, or `|x|` and `x`, are told apart.
 */
function samplePoints(variables: readonly string[]): Record<string, number>[] {
  const random = seeded(0x6a316b);
  return Array.from({ length: SAMPLES }, (_, k) =>
    Object.fromEntries(
      variables.map((v) => [v, (k % 3 === 2 ? -1 : 1) * (0.1 + 2.9 * random())]),
    ));
}

/** The values of `e` at the sample points (compiled to JavaScript once). */
function sampleValues(
  engine: Engine,
  e: Expression,
  variables: readonly string[],
): [number, number][] {
  const points = samplePoints(variables);
  let compiled;
  try {
    // Without `fallback: false` an operator JavaScript lacks (`N`, an unknown `f`) is run by an
    // interpreter instead, with a warning on the console for each.
    compiled = engine.compile(e, { fallback: false });
  } catch {
    return points.map(() => [NaN, NaN]);
  }
  return points.map((point) => {
    if (!compiled.success) return [NaN, NaN];
    try {
      return complexParts(compiled.run(point));
    } catch {
      return [NaN, NaN];
    }
  });
}

/** Whether the answer is worth parsing as one value or one relation (bounded work). */
function parseable(s: string): boolean {
  if (s.length === 0 || s.length > MAX_LENGTH || WORD.test(s) || NOT_A_VALUE.test(s)) return false;
  if ((topLevel(s).match(RELATION)?.length ?? 0) > 1) return false;
  // Factorials and binomials of large numbers run in single big-integer steps the time limit
  // cannot interrupt (`\binom{10^5}{5\cdot10^4}` took 1.5 s).
  return !(COMBINATORIAL.test(s) && LARGE_NUMBER.test(s));
}

/** `s` without its `{…}` groups (subscripts and limits may hold `=`). */
function topLevel(s: string): string {
  let depth = 0;
  let out = "";
  for (const c of s) {
    if (c === "}") depth--;
    if (depth === 0) out += c;
    if (c === "{") depth++;
  }
  return out;
}

/** Two constants: exactly when both are exact, else within `tolerance` (real and imaginary). */
function constantsEqual(p: Expression, r: Expression, tolerance: number): boolean {
  const a = p.evaluate();
  const b = r.evaluate();
  if (a.isRational === true && b.isRational === true) return a.isSame(b);
  const x = complexParts({ re: a.N().re, im: a.N().im });
  const y = complexParts({ re: b.N().re, im: b.N().im });
  return finite(x) && finite(y) && near(x, y, tolerance);
}

/**
 * The values of `p` and `r` at the points where both are finite, or null when they cannot be
 * sampled (too many variables, an operator outside {@linkcode SAMPLED_OPERATORS}, too few such
 * points) or one side is finite where the other is not (different domains).
 */
function samplePairs(
  engine: Engine,
  p: Expression,
  r: Expression,
  variables: string[],
): [number, number][][] | null {
  if (variables.length > MAX_VARIABLES) return null;
  const ops = [...operators(p.json), ...operators(r.json)];
  if (!ops.every((op) => SAMPLED_OPERATORS.has(op))) return null;
  const a = sampleValues(engine, p, variables);
  const b = sampleValues(engine, r, variables);
  const pairs: [number, number][][] = [];
  for (let k = 0; k < SAMPLES; k++) {
    if (finite(a[k]) !== finite(b[k])) return null;
    if (finite(a[k])) pairs.push([a[k], b[k]]);
  }
  return pairs.length >= MIN_VALID_SAMPLES ? pairs : null;
}

/** Two expressions with free variables: same canonical form, or equal at every sample point. */
function identical(engine: Engine, p: Expression, r: Expression, variables: string[]): boolean {
  if (p.isSame(r)) return true;
  const pairs = samplePairs(engine, p, r, variables);
  return pairs !== null && pairs.every(([a, b]) => near(a, b, SAMPLE_TOLERANCE, SAMPLE_FLOOR));
}

/**
 * Two relations of the same kind whose sides' differences are a constant multiple of each other
 * at every sample point (a positive one for inequalities), as Math-Verify compares relations by
 * `lhs - rhs` (and flipped). A relation is never equal to a value.
 */
function sameRelation(
  engine: Engine,
  p: Expression,
  r: Expression,
  variables: string[],
): boolean {
  const scale = RELATIONS[p.operator];
  const [pl, pr, ...pMore] = "ops" in p ? (p.ops as readonly Expression[]) : [];
  const [rl, rr, ...rMore] = "ops" in r ? (r.ops as readonly Expression[]) : [];
  if (!scale || p.operator !== r.operator || !pr || !rr || pMore.length || rMore.length) {
    return false;
  }
  if (!variables.length) return false;
  const pairs = samplePairs(engine, pl.sub(pr), rl.sub(rr), variables);
  if (!pairs) return false;
  const zero = SAMPLE_TOLERANCE * SAMPLE_FLOOR;
  const ratios = pairs.filter(([, b]) => Math.hypot(...b) > zero).map(([a, b]) => {
    const d = b[0] ** 2 + b[1] ** 2;
    return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d] as [number, number];
  });
  const [c] = ratios;
  if (ratios.length < MIN_VALID_SAMPLES || Math.abs(c[1]) > SAMPLE_TOLERANCE) return false;
  if (scale === "positive" ? c[0] <= 0 : Math.abs(c[0]) <= SAMPLE_TOLERANCE) return false;
  return ratios.every((q) => near(q, c, SAMPLE_TOLERANCE)) &&
    pairs.every(([a, b]) => Math.hypot(...b) > zero || Math.hypot(...a) <= zero);
}

/**
 * Whether two normalized single answers are the same value by computer algebra (see the module
 * doc). `false` means "not shown equal": unparseable, too large, out of time, or different.
 * `tolerance` is the caller's relative tolerance for inexact constants.
 */
export function symbolicEqual(predicted: string, reference: string, tolerance: number): boolean {
  const p = unglueCommands(predicted);
  const r = unglueCommands(reference);
  if (!parseable(p) || !parseable(r)) return false;
  const engine = computeEngine();
  const { ce } = engine;
  // Parsing declares the symbols it meets (`g(2)` makes `g` a function, and a later `g+1` an
  // error): a scope per comparison keeps each verdict independent of the ones before it.
  ce.pushScope();
  try {
    return ce.withTimeLimit(TIME_LIMIT_MS, () => {
      const a = ce.parse(p);
      const b = ce.parse(r);
      if (!a.isValid || !b.isValid) return false;
      const variables = [...new Set([...a.unknowns, ...b.unknowns])].sort();
      if (a.operator in RELATIONS || b.operator in RELATIONS) {
        return sameRelation(engine, a, b, variables);
      }
      return variables.length
        ? identical(engine, a, b, variables)
        : constantsEqual(a, b, tolerance);
    });
  } catch {
    // The time limit (a CancellationError) or an engine failure: not shown equal.
    return false;
  } finally {
    ce.popScope();
  }
}

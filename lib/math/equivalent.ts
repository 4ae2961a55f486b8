/**
 * Math answer equivalence: is a predicted final answer the same as the reference answer?
 *
 * What it does, in order (see {@linkcode isEquivalent}): normalize both sides
 * (`normalizeAnswer`, the Hendrycks MATH rules plus extras) and compare the strings; then compare
 * by structure and by value: numbers within a tolerance, sets without order, tuples and intervals
 * in order, `\pm` as two answers, a bare comma list as an unordered list. Single answers the
 * numeric reader cannot read go to computer algebra (`symbolic.ts`): `(x+1)^2` vs `x^2+2x+1`,
 * `\sin^2x+\cos^2x` vs `1`, `\binom{5}{2}` vs `10`, `5!`, `1e3`, `0.\overline{3}`, `e^{i\pi}`,
 * `\log_2 8`, mixed numbers (`2\frac{1}{2}` is 5/2, as Math-Verify reads it), complex numbers,
 * and relations of the same kind (`x>1` vs `1<x`, `2x<2` vs `x<1`, `2x-y=-1` vs `y-2x=1`, and
 * `y=2x+1` vs `2x-y=-1`, though the normalizer alone reads `y=2x+1` as `2x+1`).
 *
 * What it does NOT handle (such pairs are `false` unless written identically):
 * - an inequality vs the equivalent interval (`x\ge 0` vs `[0,\infty)`), chains (`1<x<2` vs
 *   `2>x>1`);
 * - degrees inside functions (`\sin 30^\circ`: the degree sign is dropped, so it is read in
 *   radians) and degrees vs radians (`90^\circ` vs `\frac{\pi}{2}`);
 * - matrices and vectors in `pmatrix`/`bmatrix`, determinants;
 * - words: a run of three or more letters is text, never algebra (`2xyz` vs `2zyx` is missed, and
 *   `Evelyn` never equals `Evenly`); free text beyond exact normalized match (no case folding,
 *   no synonyms);
 * - answers over 200 characters, with more than 4 variables, or factorials and binomials of large
 *   numbers (`(10^5)!`): compared as normalized strings and values only.
 *
 * Known readings to be aware of:
 * - Percent: when exactly one side has `%`, both readings count: `50\%` equals `0.5` and `50`.
 * - Tolerance: `|a-b| ≤ 1e-6 · max(1, |a|, |b|)` (relative above 1, absolute below), so
 *   `-\frac13` equals `-0.333333`; two exact values (integers and fractions, `\binom{50}{25}`,
 *   `2^{50}`) are compared exactly instead, as Math-Verify does.
 * - Variables are sampled: two expressions with free variables are equal when they agree (within
 *   1e-8) at 12 fixed pseudo-random points, some negative, where both are defined, and are
 *   defined at the same points: `\frac{x^2-1}{x-1}` equals `x+1`, `\sqrt{x^2}` is not `x`, and
 *   `\ln(x^2)` is not `2\ln x`. Values below 1e-6 are compared absolutely (to 1e-14), so an
 *   expression whose every value lies in double rounding noise is taken for `0` (`10^{-20}x`).
 *   `e` and `i` are Euler's number and the imaginary unit.
 * - Radicals are evaluated: `\sqrt{8}` equals `2\sqrt{2}` (Hendrycks says no; Math-Verify yes).
 * - A comma list is unordered only when the reference has no brackets: `2, 3` equals `3,2` and
 *   `\{2,3\}`, but `(1,2)` (a tuple or an open interval) is ordered and bracket types must match.
 * - A number with thousands separators wins over a two-item list: `1,000` is 1000; `1, 000` is
 *   a list.
 * - When the reference has no `=` and the prediction does, the prediction's last right-hand side
 *   is tried too (`2+3=5` equals `5`), as Math-Verify and verl `math_dapo` do.
 * @module
 */
import { normalizeAnswer } from "./normalize.ts";
import { symbolicEqual } from "./symbolic.ts";

/** Tolerance for comparing values: relative above magnitude 1, absolute below. */
const TOLERANCE = 1e-6;

/** Longer answers are compared as strings only (no structure), to bound the work. */
const MAX_STRUCTURED_LENGTH = 1_000;

/** An exact rational expression: integers, `+ - * / ^`, `\frac`, `\cdot`, `\times`, `\div`. */
const EXACT = /^(?:[\d+\-*/^{}()]|\\(?:frac|cdot|times|div)(?![A-Za-z]))+$/;

/** At most this many `\pm` are expanded (2^n alternatives). */
const MAX_PLUS_MINUS = 3;

/** How an answer is read: an atom, or items compared in order or without order. */
type Shape =
  | { kind: "atom" }
  | { kind: "list" | "set" | "union"; items: string[] }
  | { kind: "seq"; open: string; close: string; items: string[] };

/** Whether either side was written with `%` (both readings are accepted, see the module doc). */
interface Percent {
  predicted: boolean;
  reference: boolean;
}

/** How one comparison reads its answers: the percent marks and whether algebra is tried. */
interface How {
  percent: Percent;
  symbolic: boolean;
}

/** Opening and closing brackets that change the depth; `\{`/`\}` count as one bracket each. */
function depthChange(s: string, i: number): [delta: number, width: number] {
  if (s.startsWith("\\{", i)) return [1, 2];
  if (s.startsWith("\\}", i)) return [-1, 2];
  const c = s[i];
  if (c === "\\") return [0, 2];
  if (c === "{" || c === "(" || c === "[") return [1, 1];
  if (c === "}" || c === ")" || c === "]") return [-1, 1];
  return [0, 1];
}

/** Splits `s` on `sep` where no bracket is open. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length;) {
    if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(from, i));
      i += sep.length;
      from = i;
      continue;
    }
    const [delta, width] = depthChange(s, i);
    depth += delta;
    i += width;
  }
  parts.push(s.slice(from));
  return parts;
}

/** Whether the bracket opened at 0 closes exactly at the end of `s`. */
function wrappedWhole(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length;) {
    const [delta, width] = depthChange(s, i);
    depth += delta;
    i += width;
    if (depth === 0) return i === s.length;
  }
  return false;
}

/** Every way to read the `\pm`/`\mp` signs in `s` (`1\pm\sqrt{2}` → `1+\sqrt{2}`, `1-\sqrt{2}`). */
function expandPlusMinus(s: string): string[] {
  const m = /\\(pm|mp)(?![A-Za-z])/.exec(s);
  if (!m) return [s];
  const [first, second] = m[1] === "pm" ? ["+", "-"] : ["-", "+"];
  const head = s.slice(0, m.index);
  const tail = s.slice(m.index + m[0].length);
  return [first, second].flatMap((sign) => expandPlusMinus(head + sign + tail));
}

/** Reads a normalized answer: union, bare list, set, tuple/interval, `\pm` pair, or atom. */
function shapeOf(s: string): Shape {
  if (s.length > MAX_STRUCTURED_LENGTH) return { kind: "atom" };
  const union = splitTopLevel(s, "\\cup");
  if (union.length > 1) return { kind: "union", items: union };
  const list = splitTopLevel(s, ",");
  if (list.length > 1) return { kind: "list", items: list };
  if (s.startsWith("\\{") && s.endsWith("\\}") && wrappedWhole(s)) {
    const inner = s.slice(2, -2);
    return { kind: "set", items: inner === "" ? [] : splitTopLevel(inner, ",") };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && wrappedWhole(s)) {
    const items = splitTopLevel(s.slice(1, -1), ",");
    if (items.length > 1) return { kind: "seq", open: s[0], close: s.at(-1)!, items };
  }
  const signs = s.match(/\\(?:pm|mp)(?![A-Za-z])/g)?.length ?? 0;
  if (signs > 0 && signs <= MAX_PLUS_MINUS) return { kind: "list", items: expandPlusMinus(s) };
  return { kind: "atom" };
}

/** Thrown inside {@linkcode evaluate} when the text is not a plain numeric expression. */
class NotANumber extends Error {}

/**
 * The value of a normalized numeric expression, or null. Reads numbers, `+ - * /`, `\cdot`,
 * `\times`, `\div`, `^` (a group or one digit, as LaTeX does), `\frac{}{}`, `\sqrt{}`,
 * `\sqrt[n]{}`, `\pi`, `\infty`, `{}` and `()` groups. A juxtaposed product is read only before
 * `\sqrt`, `\pi` or `(`: `2\frac{1}{2}` (a mixed number?) is left unread.
 */
function evaluate(s: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new NotANumber();
  };
  const at = (token: string) =>
    s.startsWith(token, i) && !(token[0] === "\\" && /[A-Za-z]/.test(s[i + token.length] ?? ""));
  const eat = (token: string) => {
    if (!at(token)) return false;
    i += token.length;
    return true;
  };
  const expect = (token: string) => eat(token) || fail();
  const divide = (a: number, b: number) => b === 0 ? fail() : a / b;

  const group = (): number => {
    expect("{");
    const v = sum();
    expect("}");
    return v;
  };
  const primary = (): number => {
    if (at("{")) return group();
    if (eat("(")) {
      const v = sum();
      expect(")");
      return v;
    }
    if (eat("\\frac")) return divide(group(), group());
    if (eat("\\sqrt")) {
      if (!eat("[")) return Math.sqrt(group());
      const index = sum();
      expect("]");
      return group() ** divide(1, index);
    }
    if (eat("\\pi")) return Math.PI;
    if (eat("\\infty")) return Infinity;
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(i)) ?? fail();
    i += number[0].length;
    return Number(number[0]);
  };
  const power = (): number => {
    const base = primary();
    if (!eat("^")) return base;
    if (at("{")) return base ** group();
    const digit = /\d/.test(s[i] ?? "") ? s[i++] : fail();
    return base ** Number(digit);
  };
  const signed = (): number => eat("-") ? -signed() : eat("+") ? signed() : power();
  const product = (): number => {
    let v = signed();
    for (;;) {
      if (eat("*") || eat("\\cdot") || eat("\\times")) v *= signed();
      else if (eat("/") || eat("\\div")) v = divide(v, signed());
      else if (at("\\sqrt") || at("\\pi") || at("(")) v *= power();
      else return v;
    }
  };
  const sum = (): number => {
    let v = product();
    for (;;) {
      if (eat("+")) v += product();
      else if (eat("-")) v -= product();
      else return v;
    }
  };

  try {
    const v = sum();
    return i === s.length && !Number.isNaN(v) ? v : null;
  } catch (err) {
    if (err instanceof NotANumber) return null;
    throw err;
  }
}

/**
 * The numeric reader's value, or null. An infinite value counts only where `\infty` was written:
 * an overflow (`2^{2^{30}}`) is not a value two answers can share.
 */
function valueOf(s: string): number | null {
  const v = evaluate(s);
  return v !== null && !Number.isFinite(v) && !s.includes("\\infty") ? null : v;
}

/** Equal within {@linkcode TOLERANCE}; infinities only equal themselves. */
function close(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Two single answers: exact integers, else values within tolerance (with the percent readings);
 * answers the numeric reader cannot read go to the computer-algebra layer when it is on.
 */
function atomsEqual(p: string, r: string, how: How): boolean {
  const { percent } = how;
  const oneSidedPercent = percent.predicted !== percent.reference;
  if (!oneSidedPercent && /^-?\d+$/.test(p) && /^-?\d+$/.test(r)) return BigInt(p) === BigInt(r);
  const a = valueOf(p);
  const b = valueOf(r);
  const algebra = how.symbolic && !oneSidedPercent;
  if (a === null || b === null) return algebra && symbolicEqual(p, r, TOLERANCE);
  // Exact values a double cannot tell apart within the tolerance (`2^{50}` vs `2^{50}+1`), or
  // tells apart by rounding (`\frac{1}{10}+\frac{2}{10}` vs `\frac{3}{10}`), are compared exactly.
  if (algebra && a !== b && EXACT.test(p) && EXACT.test(r)) return symbolicEqual(p, r, TOLERANCE);
  if (close(a, b)) return true;
  if (percent.predicted && !percent.reference) return close(a / 100, b);
  if (percent.reference && !percent.predicted) return close(a, b / 100);
  return false;
}

/** Every reference item matched by a distinct predicted item, and no predicted item left over. */
function sameItems(predicted: string[], reference: string[], how: How): boolean {
  if (predicted.length !== reference.length) return false;
  const unused = [...predicted];
  for (const r of reference) {
    const k = unused.findIndex((p) => equal(p, r, how));
    if (k < 0) return false;
    unused.splice(k, 1);
  }
  return true;
}

/** Structural equality of two normalized answers. */
function equal(p: string, r: string, how: How): boolean {
  p = p.trim();
  r = r.trim();
  if (p === r) return p !== "";
  const a = shapeOf(p);
  const b = shapeOf(r);
  if (b.kind === "atom") return a.kind === "atom" && atomsEqual(p, r, how);
  if (b.kind === "seq") {
    return a.kind === "seq" && a.open === b.open && a.close === b.close &&
      a.items.length === b.items.length && a.items.every((x, k) => equal(x, b.items[k], how));
  }
  const unordered = a.kind === b.kind || (b.kind === "list" && a.kind === "set");
  return unordered && "items" in a && sameItems(a.items, b.items, how);
}

/** `lhs=rhs` with each side normalized, when `s` has exactly one `=`; else null. */
function equationOf(s: string): string | null {
  const sides = s.split("=");
  if (sides.length !== 2) return null;
  const [lhs, rhs] = sides.map(normalizeAnswer);
  return lhs && rhs ? `${lhs}=${rhs}` : null;
}

/** Options of {@linkcode isEquivalent}. */
export interface EquivalenceOptions {
  /**
   * Try computer algebra (`@cortex-js/compute-engine`) on single answers the numeric reader
   * cannot read: `(x+1)^2` = `x^2+2x+1`, `\binom{5}{2}` = `10`, `1e3` = `1000`. Default `true`;
   * `false` gives the normalization and numeric layers alone (no engine is loaded).
   */
  symbolic?: boolean;
}

/**
 * Whether `predicted` is mathematically the same answer as `reference`. Both sides are
 * normalized with `normalizeAnswer`; then equal strings, equal values (tolerance 1e-6),
 * unordered sets and bare lists, ordered tuples and intervals (bracket types must match), `\pm`
 * as two answers; single answers the numeric reader cannot read are compared by computer
 * algebra (the module doc lists what is still not handled). Empty or non-string input gives
 * `false`; never throws.
 *
 * @example
 * ```ts
 * import { isEquivalent } from "./equivalent.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isEquivalent("0.50", "\\frac12"), true);
 * assert.equal(isEquivalent("x = 3", "3"), true);
 * assert.equal(isEquivalent("\\{2,1\\}", "\\{1,2\\}"), true);
 * assert.equal(isEquivalent("(1,2)", "(1,2]"), false);
 * assert.equal(isEquivalent("(x+1)^2", "x^2+2x+1"), true);
 * assert.equal(isEquivalent("(x+1)^2", "x^2+2x+1", { symbolic: false }), false);
 * assert.equal(isEquivalent("x^2", "x^3"), false);
 * ```
 */
export function isEquivalent(
  predicted: string,
  reference: string,
  options: EquivalenceOptions = {},
): boolean {
  try {
    if (typeof predicted !== "string" || typeof reference !== "string") return false;
    const how = {
      percent: { predicted: predicted.includes("%"), reference: reference.includes("%") },
      symbolic: options.symbolic ?? true,
    };
    const r = normalizeAnswer(reference);
    if (r === "") return false;
    const p = normalizeAnswer(predicted);
    if (equal(p, r, how)) return true;
    const rhs = predicted.lastIndexOf("=");
    if (rhs >= 0 && !r.includes("=") && equal(normalizeAnswer(predicted.slice(rhs + 1)), r, how)) {
      return true;
    }
    // Two equations where normalizing read one as an assignment (`y=2x+1` → `2x+1`) and kept the
    // other (`2x-y=-1`): compared as equations, their sides normalized apart.
    const pe = equationOf(predicted);
    const re = equationOf(reference);
    return how.symbolic && pe !== null && re !== null && (p !== pe || r !== re) &&
      equal(pe, re, how);
  } catch {
    return false;
  }
}

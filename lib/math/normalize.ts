/**
 * Answer normalization: a port of Hendrycks MATH `_strip_string` (the steps in their original
 * order) with extra steps for what sampled solutions commonly add (text wrappers, units, thin
 * spaces, thousands separators, math delimiters, assignment prefixes).
 * @module
 */
import { lastBoxed, matchingBrace } from "./extract.ts";

/**
 * Text-like wrappers whose content is kept (`\text{Evelyn}` → `Evelyn`). `\text{ …` with a leading
 * space is handled before this by Hendrycks' units rule (everything from it on is dropped).
 */
const WRAPPER = /\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mbox)\s*\{/;

/**
 * Unit words dropped from the end of an answer after a number (from verl `math_dapo`'s
 * `REMOVED_EXPRESSIONS`, plus singulars and common abbreviations). Single letters are left out on
 * purpose: `5m` may be 5 metres or 5 times m.
 */
const UNIT_WORDS = [
  "square",
  "sq",
  "cubic",
  "units?",
  "ways",
  "integers",
  "dollars?",
  "cents?",
  "mph",
  "inch(?:es)?",
  "feet",
  "foot",
  "ft",
  "yards?",
  "miles?",
  "hours?",
  "hrs?",
  "minutes?",
  "mins?",
  "seconds?",
  "days?",
  "weeks?",
  "months?",
  "years?",
  "km",
  "cm",
  "mm",
  "meters?",
  "metres?",
  "kg",
  "gm",
  "grams?",
  "pounds?",
  "lbs?",
  "ounces?",
  "oz",
  "degrees?",
  "points?",
  "digits?",
  "students",
  "people",
  "edges",
  "meals",
  "multiples",
];

/** A trailing unit word (optionally squared/cubed) after a space or a digit. */
const TRAILING_UNIT_WORD = new RegExp(
  String.raw`(?<![A-Za-z\\])(?:${UNIT_WORDS.join("|")})(?:\^\{?[23]\}?)?\.?\s*$`,
);

/**
 * A trailing `\text{unit}` / `\mathrm{unit}` (no leading space): two or more letters, or one of a
 * few one-letter units. `2\mathrm{i}` and `3\mathrm{e}` are not units.
 */
const TRAILING_TEXT_UNIT =
  /\\(?:text|textrm|mathrm|mbox)\s*\{\s*(?:[A-Za-z][A-Za-z\s.]+|[msgLh])\s*\}(?:\^\{?[23]\}?)?\s*$/;

/** What may come right before a unit: the end of a number, a fraction or a bracket. */
const ENDS_LIKE_A_QUANTITY = /[\d})\]]\s*$/;

/** A short assignment target: `x`, `k`, `x_1`, `\theta`, `a_{n}` (not `\sum_{k` of `\sum_{k=1}`). */
const ASSIGNMENT_LHS = /^\s*\\?[A-Za-z]{1,6}(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]+))?'?\s*$/;

/** An integer or decimal with comma thousands separators: `1,000`, `-12,345.5` (not `1,2`). */
const THOUSANDS = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** Removes a whole-string math wrapper: `\(…\)`, `\[…\]`, or a whole `\boxed{…}`. */
function stripMathWrapper(s: string): string {
  const t = s.trim();
  if (/^\\\(.*\\\)$/s.test(t) || /^\\\[.*\\\]$/s.test(t)) return t.slice(2, -2).trim();
  if (/^\\(?:boxed|fbox)\s*\{/.test(t)) {
    const open = t.indexOf("{");
    if (matchingBrace(t, open) === t.length - 1) return lastBoxed(t) ?? t;
  }
  return t;
}

/** Replaces every `\text{X}`-like wrapper by `X` (innermost last; unbalanced ones are kept). */
function unwrapText(s: string): string {
  for (let m = WRAPPER.exec(s); m; m = WRAPPER.exec(s)) {
    const open = m.index + m[0].length - 1;
    const close = matchingBrace(s, open);
    if (close < 0) return s;
    s = s.slice(0, m.index) + s.slice(open + 1, close) + s.slice(close + 1);
  }
  return s;
}

/** Drops trailing units after a quantity: `10\text{cm}`, `5 square feet`, `3 dollars`. */
function dropTrailingUnits(s: string): string {
  const text = TRAILING_TEXT_UNIT.exec(s);
  if (text && ENDS_LIKE_A_QUANTITY.test(s.slice(0, text.index))) s = s.slice(0, text.index);
  s = unwrapText(s);
  for (let m = TRAILING_UNIT_WORD.exec(s); m; m = TRAILING_UNIT_WORD.exec(s)) {
    const rest = s.slice(0, m.index);
    if (!ENDS_LIKE_A_QUANTITY.test(rest) && !TRAILING_UNIT_WORD.test(rest.trimEnd())) break;
    s = rest.trimEnd();
  }
  return s;
}

/** Hendrycks `_remove_right_units`: "\text{ " only ever introduces units, so keep what is left. */
function removeRightUnits(s: string): string {
  const at = s.indexOf("\\text{ ");
  return at < 0 ? s : s.slice(0, at);
}

/** Hendrycks `_fix_sqrt`: `\sqrt3` → `\sqrt{3}` (+ leaves `\sqrt[3]{…}` alone). */
function fixSqrt(s: string): string {
  const [head, ...parts] = s.split("\\sqrt");
  const fix = (p: string) =>
    p === "" || p[0] === "{" || p[0] === "[" ? p : `{${p[0]}}${p.slice(1)}`;
  return head + parts.map((p) => `\\sqrt${fix(p)}`).join("");
}

/** Hendrycks `_fix_fracs`: `\frac12` → `\frac{1}{2}`, `\frac1{72}` → `\frac{1}{72}`. */
function fixFracs(s: string): string {
  const [head, ...parts] = s.split("\\frac");
  let out = head;
  for (const p of parts) {
    out += "\\frac";
    if (p[0] === "{") out += p;
    else if (p.length < 2) return s;
    else if (p[1] !== "{") out += `{${p[0]}}{${p[1]}}${p.slice(2)}`;
    else out += `{${p[0]}}${p.slice(1)}`;
  }
  return out;
}

/** Hendrycks `_fix_a_slash_b`: `3/4` → `\frac{3}{4}` for canonical integers only. */
function fixASlashB(s: string): string {
  const m = /^(0|-?[1-9]\d*)\/(0|-?[1-9]\d*)$/.exec(s);
  return m ? `\\frac{${m[1]}}{${m[2]}}` : s;
}

/** Hendrycks' rule (one `=`, LHS ≤ 2 chars) widened to short identifiers like `x_1`, `\theta`. */
function dropAssignment(s: string): string {
  const sides = s.split("=");
  if (sides.length !== 2) return s;
  return sides[0].length <= 2 || ASSIGNMENT_LHS.test(sides[0]) ? sides[1] : s;
}

/** Removes thousands separators from a plain number (`1,000` → `1000`). */
function dropThousands(s: string): string {
  const t = s.trim();
  return THOUSANDS.test(t) ? t.replaceAll(",", "") : s;
}

/**
 * The normalized form of an answer, for exact comparison. Hendrycks `_strip_string` in its order
 * (marked H) with the extras (marked +) placed where they cannot undo a Hendrycks step:
 *
 * 1. + trim; drop unescaped `$`; unwrap a whole `\(…\)`, `\[…\]`, `\boxed{…}`
 * 2. H remove newlines, `\!`; `\\` → `\`; `tfrac`/`dfrac` → `frac`; drop `\left`, `\right`
 * 3. H drop `^{\circ}`, `^\circ` (+ `°`, `\degree`); H drop `\$`
 * 4. + `\,` `\;` `\:` `\ ` `~` → space; drop `\displaystyle`; `{,}` → `,`
 * 5. H drop everything from `\text{ ` on (units)
 * 6. + drop a trailing `\text{unit}`; unwrap `\text{}`, `\textbf{}`, `\mathrm{}`…; drop trailing
 *    unit words (cm, degrees, dollars, square feet… as verl `math_dapo`)
 * 7. H drop `\%` (+ `%`); `" ."` → `" 0."`, `"{."` → `"{0."`, leading `.` → `0.`
 * 8. H one `=` with a LHS of ≤ 2 chars → RHS (+ also short identifiers: `x_1 = 3`, `\theta=`)
 * 9. H `\sqrt3` → `\sqrt{3}` (+ `\sqrt[3]{…}` kept); + `1,000` → `1000` (plain numbers, not `1,2`)
 * 10. H remove spaces; `\frac12` → `\frac{1}{2}`; `0.5` → `\frac{1}{2}`; `a/b` → `\frac{a}{b}`
 *
 * @example
 * ```ts
 * import { normalizeAnswer } from "./normalize.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalizeAnswer("$x = \\dfrac12$"), "\\frac{1}{2}");
 * assert.equal(normalizeAnswer("10\\text{ cm}"), "10");
 * assert.equal(normalizeAnswer("1,000 dollars"), "1000");
 * assert.equal(normalizeAnswer("\\left( 3, 4 \\right)"), "(3,4)");
 * ```
 */
export function normalizeAnswer(s: string): string {
  s = stripMathWrapper(s.replace(/(?<!\\)\$/g, ""));
  s = s.replaceAll("\n", "").replaceAll("\\!", "").replaceAll("\\\\", "\\");
  s = s.replaceAll("tfrac", "frac").replaceAll("dfrac", "frac");
  s = s.replaceAll("\\left", "").replaceAll("\\right", "");
  s = s.replaceAll("^{\\circ}", "").replaceAll("^\\circ", "").replaceAll("°", "");
  s = s.replace(/\\degree(?![A-Za-z])/g, "").replaceAll("\\$", "");
  s = s.replace(/\\[,;: ]|~/g, " ").replaceAll("\\displaystyle", "").replaceAll("{,}", ",");
  s = dropTrailingUnits(removeRightUnits(s));
  s = s.replaceAll("\\%", "").replaceAll("%", "");
  s = s.replaceAll(" .", " 0.").replaceAll("{.", "{0.");
  if (s === "") return s;
  if (s[0] === ".") s = "0" + s;
  s = dropThousands(fixSqrt(dropAssignment(s)));
  s = fixFracs(s.replaceAll(" ", ""));
  if (s === "0.5") s = "\\frac{1}{2}";
  return fixASlashB(s);
}

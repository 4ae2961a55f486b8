/**
 * Synth prompt templates: small Markdown files a user can copy and edit, with an optional
 * `## system` section, a `## user` section and placeholders: `{{instruction}}` in every
 * template, plus `{{response}}` in the worse-response template (the baseline answer) and
 * `{{categories}}` in the category template. One-line HTML comments before the first section
 * are notes, not prompt text.
 *
 * ```
 * ## system
 * Solve the problem step by step. Put the final answer in \boxed{} at the end.
 * ## user
 * {{instruction}}
 * ```
 * @module
 */
import { UserError } from "../errors.ts";
import type { OptionIssue } from "../options.ts";
import { readTemplateFile, templateFileIssue, templateLocation } from "../prompts/template_file.ts";
import { PLACEHOLDER_PATTERN } from "../prompts/templates.ts";
import type { Message } from "../records.ts";

/** A parsed synth template. */
export interface SynthTemplate {
  /** System message text (may be empty: then no system message is sent). */
  system: string;
  /** User message text with `{{instruction}}`. */
  user: string;
  /** Where the template came from (a path), for error messages. */
  source: string;
}

/** The built-in synth templates, by name (files in `templates/synth/`). */
export const SYNTH_TEMPLATES = [
  "modify-instruction",
  "answer",
  "solve-math",
  "worse-response",
  "classify-instruction",
] as const;

/** The values a synth template is rendered with, by placeholder name. */
export type SynthValues = Record<string, string>;

/**
 * Parses a synth template's text. `placeholders` are the names it must use, each at least once,
 * and the only ones it may use (default: `instruction`). Throws a {@linkcode UserError} naming
 * `source:line` when a section is missing or repeated, or a placeholder is unknown or missing.
 *
 * @example
 * ```ts
 * import { parseSynthTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = parseSynthTemplate("## system\nBe brief.\n## user\n{{instruction}}\n", "mine.md");
 * assert.deepEqual([t.system, t.user], ["Be brief.", "{{instruction}}"]);
 * assert.throws(() => parseSynthTemplate("## user\nHello\n", "bad.md"), /bad\.md:1: expected/);
 * ```
 */
export function parseSynthTemplate(
  text: string,
  source: string,
  placeholders: readonly string[] = ["instruction"],
): SynthTemplate {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const fail = (line: number, message: string, col?: number) =>
    new UserError(message, { loc: { file: source, line, col } });
  const sections: Partial<Record<"system" | "user", { text: string[]; line: number }>> = {};
  let current: { text: string[]; line: number } | undefined;
  lines.forEach((line, i) => {
    const name = line.match(/^##\s+(\S+)\s*$/)?.[1].toLowerCase();
    if (name === "system" || name === "user") {
      if (sections[name]) throw fail(i + 1, `expected one "## ${name}" section, found a second`);
      current = sections[name] = { text: [], line: i + 1 };
    } else if (current) {
      current.text.push(line);
    } else if (line.trim() !== "" && !/^\s*<!--.*-->\s*$/.test(line)) {
      throw fail(i + 1, `expected "## system" or "## user", found ${JSON.stringify(line)}`);
    }
  });
  if (!sections.user) throw fail(lines.length, `expected a "## user" section, found none`);

  const used = new Set<string>();
  const names = placeholders.map((p) => `{{${p}}}`).join(" or ");
  for (const s of [sections.system, sections.user]) {
    s?.text.forEach((line, k) => {
      for (const m of line.matchAll(PLACEHOLDER_PATTERN)) {
        if (!placeholders.includes(m[1])) {
          throw fail(
            s.line + 1 + k,
            `expected the placeholder ${names}, found {{${m[1]}}}`,
            (m.index ?? 0) + 1,
          );
        }
        used.add(m[1]);
      }
    });
  }
  const missing = placeholders.find((p) => !used.has(p));
  if (missing !== undefined) {
    throw fail(sections.user.line, `expected the placeholder {{${missing}}}, found none`);
  }
  const body = (s?: { text: string[] }) => (s?.text.join("\n") ?? "").trim();
  return { system: body(sections.system), user: body(sections.user), source };
}

/**
 * Loads a built-in synth template by name ({@linkcode SYNTH_TEMPLATES}) or a template file by
 * path; `placeholders` as in {@linkcode parseSynthTemplate}.
 *
 * @example
 * ```ts
 * import { loadSynthTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = await loadSynthTemplate("solve-math");
 * assert.match(t.system, /\\boxed\{\}/);
 * ```
 */
export async function loadSynthTemplate(
  nameOrPath: string,
  placeholders?: readonly string[],
): Promise<SynthTemplate> {
  const { text, source } = await readTemplateFile(
    nameOrPath,
    SYNTH_TEMPLATES,
    `synth/${nameOrPath}.md`,
    "synth template",
  );
  return parseSynthTemplate(text, source, placeholders);
}

/**
 * The issue with a synth template option, found when the options are loaded (a file that
 * cannot be read or does not parse), or undefined.
 */
export function synthTemplateIssue(nameOrPath: string): OptionIssue | undefined {
  return templateFileIssue(nameOrPath, SYNTH_TEMPLATES, "synth template", parseSynthTemplate);
}

/** The file a synth template is read from (a built-in's file in `templates/synth/`, else the path). */
export function synthTemplateFile(nameOrPath: string): string {
  return templateLocation(nameOrPath, SYNTH_TEMPLATES, `synth/${nameOrPath}.md`).location;
}

/**
 * The chat messages of a template for one instruction text (and the other placeholders' values).
 *
 * @example
 * ```ts
 * import { renderSynth } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = { system: "", user: "Q: {{instruction}} A: {{response}}", source: "t.md" };
 * assert.deepEqual(
 *   renderSynth(t, { instruction: "2 + 2?", response: "4" }),
 *   [{ role: "user", content: "Q: 2 + 2? A: 4" }],
 * );
 * ```
 */
export function renderSynth(template: SynthTemplate, values: SynthValues): Message[] {
  // A function replacement, so `$&` and friends in the values stay literal.
  const fill = (s: string) => s.replace(PLACEHOLDER_PATTERN, (_, name: string) => values[name]);
  const system = fill(template.system);
  return [
    ...(system ? [{ role: "system" as const, content: system }] : []),
    { role: "user" as const, content: fill(template.user) },
  ];
}

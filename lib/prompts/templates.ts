/**
 * Judge templates: small Markdown files a user can copy and edit. A template has a header
 * naming its mode, a `## system` section (optional: the instructions) and a `## user` section
 * with placeholders (the data). Score templates may write `{{score_scale}}` where the allowed
 * scores are stated. How the sections become messages is the template's `layout`.
 * One-line HTML comments before the first section are notes, not prompt text: the built-ins
 * carry `<!-- deno-fmt-ignore-file -->` so `deno fmt` keeps their line breaks.
 *
 * ```
 * ---
 * mode: pairwise
 * name: thinking
 * ---
 * ## system
 * …instructions…
 * ## user
 * [User Question]
 * {{question}}
 * …
 * ```
 * @module
 */
import { UserError } from "../errors.ts";
import type { OptionIssue } from "../options.ts";
import { readTemplateFile, templateFileIssue, templateLocation } from "./template_file.ts";
import { canonicalJson, sha256 } from "../ids.ts";
import { SCORE_SCALES } from "./markers.ts";
import type { Mode } from "../records.ts";

/**
 * How a judge prompt is laid out: `one-message` sends the instructions and the data in one user
 * message (the single prompt J1 shows); `system-user` sends the instructions as a system
 * message and the data as the user message.
 */
export type PromptLayout = "one-message" | "system-user";

/** Every prompt layout, the default (J1's) first. */
export const PROMPT_LAYOUTS: readonly PromptLayout[] = ["one-message", "system-user"];

/** A parsed judge template. */
export interface JudgeTemplate {
  /** `thinking`, `plan-execute`, … or the header's `name` (default: the file name). */
  name: string;
  /** What the judge outputs: a verdict, two scores, two scores and a verdict, or one score. */
  mode: Mode;
  /** System section text (may be empty). */
  system: string;
  /** User section text with `{{placeholders}}`. */
  user: string;
  /** Where the template came from (a path), for error messages. */
  source: string;
  /** How the sections become messages (absent: `one-message`). */
  layout?: PromptLayout;
  /** `{{score_scale}}` asks for whole numbers (J1's draft) rather than one decimal. */
  integerScores?: boolean;
}

/** How {@linkcode loadTemplate} sets a template up. */
export interface TemplateOptions {
  /** How the sections become messages (default `one-message`). */
  layout?: PromptLayout;
  /** Score modes: ask for whole-number scores; the template must use `{{score_scale}}`. */
  integerScores?: boolean;
}

/**
 * The built-in template names of each mode. `thinking` and `plan-execute` ask for what J1's seed
 * prompts ask; the `-v0` ones keep the wording of earlier j1kit versions (no v0 exists for
 * `pairwise-verdict-scores`, which came later).
 */
export const BUILTIN_TEMPLATES: Readonly<Record<Mode, readonly string[]>> = {
  "pairwise": ["thinking", "plan-execute", "thinking-v0", "plan-execute-v0"],
  "pairwise-scores": ["thinking", "plan-execute", "thinking-v0", "plan-execute-v0"],
  "pairwise-verdict-scores": ["thinking", "plan-execute"],
  "pointwise": ["thinking", "plan-execute", "thinking-v0", "plan-execute-v0"],
};

/** Every judge mode, in a stable order. */
export const MODES: readonly Mode[] = [
  "pairwise",
  "pairwise-scores",
  "pairwise-verdict-scores",
  "pointwise",
];

/** The placeholders each mode's template must use. */
export const PLACEHOLDERS: Record<Mode, readonly string[]> = {
  "pairwise": ["question", "response_a", "response_b"],
  "pairwise-scores": ["question", "response_a", "response_b"],
  "pairwise-verdict-scores": ["question", "response_a", "response_b"],
  "pointwise": ["question", "response"],
};

/** Placeholders a mode's template may use besides {@linkcode PLACEHOLDERS}. */
export const OPTIONAL_PLACEHOLDERS: Record<Mode, readonly string[]> = {
  "pairwise": [],
  "pairwise-scores": ["score_scale"],
  "pairwise-verdict-scores": ["score_scale"],
  "pointwise": ["score_scale"],
};

/** Matches one `{{name}}` placeholder (spaces inside the braces allowed). */
export const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

const HEADER_KEYS = ["mode", "name"];
const SECTIONS = ["system", "user"] as const;

/**
 * Parses a template file's text. Throws a {@linkcode UserError} naming `source:line` when the
 * header, the sections or the placeholders are not what the mode needs.
 *
 * @example
 * ```ts
 * import { parseTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = parseTemplate(
 *   "---\nmode: pointwise\n---\n## user\n{{question}}\n\n{{response}}\n",
 *   "my-judge.md",
 * );
 * assert.equal(t.name, "my-judge");
 * assert.equal(t.system, "");
 * assert.equal(t.user, "{{question}}\n\n{{response}}");
 * ```
 */
export function parseTemplate(text: string, source: string): JudgeTemplate {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const fail = (line: number, message: string) =>
    new UserError(message, { loc: { file: source, line } });

  if (lines[0]?.trim() !== "---") {
    throw fail(1, `expected a header starting with "---", found ${JSON.stringify(lines[0] ?? "")}`);
  }
  const header: Record<string, { value: string; line: number }> = {};
  let i = 1;
  for (; i < lines.length && lines[i].trim() !== "---"; i++) {
    if (lines[i].trim() === "") continue;
    const m = lines[i].match(/^\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$/);
    if (!m || !HEADER_KEYS.includes(m[1])) {
      throw fail(
        i + 1,
        `expected a header line "mode: …" or "name: …", found ${JSON.stringify(lines[i])}`,
      );
    }
    header[m[1]] = { value: m[2], line: i + 1 };
  }
  if (i >= lines.length) throw fail(1, `expected a closing "---" after the header, found none`);

  const mode = header.mode;
  if (!mode) throw fail(1, `expected a "mode:" header line (one of ${MODES.join(", ")})`);
  if (!MODES.includes(mode.value as Mode)) {
    throw fail(
      mode.line,
      `expected mode to be one of ${MODES.join(", ")}, found ${JSON.stringify(mode.value)}`,
    );
  }

  const sections: Partial<Record<(typeof SECTIONS)[number], { text: string[]; line: number }>> = {};
  let current: { text: string[]; line: number } | undefined;
  for (i++; i < lines.length; i++) {
    const heading = lines[i].match(/^##\s+(\S+)\s*$/);
    const name = heading?.[1].toLowerCase();
    if (name === "system" || name === "user") {
      if (sections[name]) throw fail(i + 1, `expected one "## ${name}" section, found a second`);
      current = sections[name] = { text: [], line: i + 1 };
    } else if (current) {
      current.text.push(lines[i]);
    } else if (lines[i].trim() !== "" && !/^\s*<!--.*-->\s*$/.test(lines[i])) {
      throw fail(i + 1, `expected "## system" or "## user", found ${JSON.stringify(lines[i])}`);
    }
  }
  if (!sections.user) throw fail(lines.length, `expected a "## user" section, found none`);

  const required = PLACEHOLDERS[mode.value as Mode];
  const allowed = [...required, ...OPTIONAL_PLACEHOLDERS[mode.value as Mode]];
  const used = new Set<string>();
  for (const section of SECTIONS) {
    const s = sections[section];
    s?.text.forEach((line, k) => {
      for (const m of line.matchAll(PLACEHOLDER_PATTERN)) {
        if (!allowed.includes(m[1])) {
          throw new UserError(
            `expected a placeholder among ${allowed.map((p) => `{{${p}}}`).join(", ")} ` +
              `for mode ${mode.value}, found {{${m[1]}}}`,
            { loc: { file: source, line: s.line + 1 + k, col: (m.index ?? 0) + 1 } },
          );
        }
        used.add(m[1]);
      }
    });
  }
  const missing = required.filter((p) => !used.has(p));
  if (missing.length) {
    throw fail(
      sections.user.line,
      `expected placeholder ${
        missing.map((p) => `{{${p}}}`).join(", ")
      } for mode ${mode.value}, found none`,
    );
  }

  const body = (s?: { text: string[] }) => (s?.text.join("\n") ?? "").trim();
  return {
    name: header.name?.value || baseName(source),
    mode: mode.value as Mode,
    system: body(sections.system),
    user: body(sections.user),
    source,
  };
}

/**
 * Loads a built-in template by name (see {@linkcode BUILTIN_TEMPLATES}) for `mode`, or a
 * template file by path, set up by `options`. A file's mode must be `mode`; `integerScores`
 * needs a template that uses `{{score_scale}}` (ignored by the verdict-only mode).
 *
 * @example
 * ```ts
 * import { loadTemplate } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = await loadTemplate("thinking", "pairwise");
 * assert.equal(t.name, "thinking");
 * assert.match(t.user, /\{\{response_b\}\}/);
 * ```
 */
export async function loadTemplate(
  nameOrPath: string,
  mode: Mode,
  options: TemplateOptions = {},
): Promise<JudgeTemplate> {
  const { text, source, builtin } = await readTemplateFile(
    nameOrPath,
    BUILTIN_TEMPLATES[mode],
    builtinPath(nameOrPath, mode),
    `${mode} template`,
  );
  const template = parseTemplateFor(text, source, mode);
  const integerScores = options.integerScores === true &&
    OPTIONAL_PLACEHOLDERS[mode].includes("score_scale");
  if (integerScores && !usesScoreScale(template)) {
    throw new UserError(
      `integerScores: expected a template that uses {{score_scale}}, found none in ${
        builtin ? `built-in ${nameOrPath}` : "it"
      }`,
      { loc: { file: source } },
    );
  }
  return {
    ...template,
    ...(builtin ? { name: nameOrPath } : {}),
    ...(options.layout ? { layout: options.layout } : {}),
    ...(integerScores ? { integerScores } : {}),
  };
}

/** Parses a template that must be of `mode`. */
function parseTemplateFor(text: string, source: string, mode: Mode): JudgeTemplate {
  const template = parseTemplate(text, source);
  if (template.mode !== mode) {
    throw new UserError(`expected a template for mode ${mode}, found mode ${template.mode}`, {
      loc: { file: source },
    });
  }
  return template;
}

/**
 * The issue with a judge template option for `mode`, found when the options are loaded (a file
 * that cannot be read, does not parse or is of another mode), or undefined.
 */
export function templateIssue(nameOrPath: string, mode: Mode): OptionIssue | undefined {
  return templateFileIssue(nameOrPath, BUILTIN_TEMPLATES[mode], `${mode} template`, (t, s) => {
    parseTemplateFor(t, s, mode);
  });
}

/** The file a judge template is read from (a built-in's file in `templates/judge/`, else the path). */
export function templateFile(nameOrPath: string, mode: Mode): string {
  return templateLocation(nameOrPath, BUILTIN_TEMPLATES[mode], builtinPath(nameOrPath, mode))
    .location;
}

function builtinPath(name: string, mode: Mode): string {
  return `judge/${mode}-${name}.md`;
}

function usesScoreScale(t: JudgeTemplate): boolean {
  return [t.system, t.user].some((text) =>
    [...text.matchAll(PLACEHOLDER_PATTERN)].some((m) => m[1] === "score_scale")
  );
}

/** The text a template sends, as {@linkcode promptText} returns it. */
export interface PromptText {
  /** The system message (empty: none is sent). */
  system: string;
  /** The user message, still with its data placeholders. */
  user: string;
}

/**
 * What a template sends before the data is filled in: `{{score_scale}}` replaced by the
 * template's scale sentence, and in the `one-message` layout the system section put above the
 * user section in one message.
 *
 * @example
 * ```ts
 * import { parseTemplate, promptText } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const t = parseTemplate("---\nmode: pointwise\n---\n## system\nRate. {{score_scale}}\n## user\n{{question}} {{response}}", "t.md");
 * assert.deepEqual(promptText({ ...t, integerScores: true }), {
 *   system: "",
 *   user: "Rate. Scores are whole numbers from 0 to 10.\n\n{{question}} {{response}}",
 * });
 * assert.equal(promptText({ ...t, layout: "system-user" }).system.startsWith("Rate. Scores range"), true);
 * ```
 */
export function promptText(template: JudgeTemplate): PromptText {
  let text = texts.get(template);
  if (text === undefined) {
    const scale = SCORE_SCALES[template.integerScores ? "integer" : "decimal"];
    const fill = (s: string) =>
      s.replace(
        PLACEHOLDER_PATTERN,
        (whole, name: string) => name === "score_scale" ? scale : whole,
      );
    const [system, user] = [fill(template.system), fill(template.user)];
    text = (template.layout ?? "one-message") === "one-message"
      ? { system: "", user: system.trim() ? `${system}\n\n${user}` : user }
      : { system, user };
    texts.set(template, text);
  }
  return text;
}

/** Prompt texts by template object (rendering asks for one per judgment). */
const texts = new WeakMap<JudgeTemplate, PromptText>();

/**
 * A short digest of a template's text: task ids include it, so editing a template gives new
 * tasks instead of silently reusing old judgments.
 */
export function templateDigest(template: JudgeTemplate): string {
  let digest = digests.get(template);
  if (digest === undefined) {
    const { system, user } = promptText(template);
    digest = sha256(canonicalJson([template.mode, system, user])).slice(0, 16);
    digests.set(template, digest);
  }
  return digest;
}

/** Digests by template object (rendering asks for one per task; a loaded template is not edited). */
const digests = new WeakMap<JudgeTemplate, string>();

function baseName(path: string): string {
  return path.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, "");
}

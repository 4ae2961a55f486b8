/**
 * Prompts: the fixed markers, judge templates (built-in and user files) and rendering.
 * @module
 */
export { JUDGE_MARKERS, OUTPUT_TAGS, SCORE_SCALES, SYNTH_MARKERS } from "./markers.ts";
export {
  BUILTIN_TEMPLATES,
  type JudgeTemplate,
  loadTemplate,
  MODES,
  OPTIONAL_PLACEHOLDERS,
  parseTemplate,
  PLACEHOLDER_PATTERN,
  PLACEHOLDERS,
  PROMPT_LAYOUTS,
  type PromptLayout,
  type PromptText,
  promptText,
  templateDigest,
  templateFile,
  templateIssue,
  type TemplateOptions,
} from "./templates.ts";
export { renderComparison, renderInstruction, renderJudgeTask, type Slot } from "./render.ts";

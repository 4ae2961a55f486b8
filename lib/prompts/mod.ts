/**
 * Prompts: the fixed markers, judge templates (built-in and user files) and rendering.
 * @module
 */
export { JUDGE_MARKERS, OUTPUT_TAGS, SYNTH_MARKERS } from "./markers.ts";
export {
  BUILTIN_TEMPLATES,
  type JudgeTemplate,
  loadTemplate,
  MODES,
  parseTemplate,
  PLACEHOLDER_PATTERN,
  PLACEHOLDERS,
  templateDigest,
  templateFile,
  templateIssue,
} from "./templates.ts";
export { renderComparison, renderInstruction, renderJudgeTask, type Slot } from "./render.ts";

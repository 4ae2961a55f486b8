/**
 * Trainer hand-offs: verl Parquet (+ JSON), OpenRLHF and TRL prompt datasets, SFT and DPO JSONL,
 * shuffled by pair with a pair's rows adjacent, and an optional validation split by pair.
 * @module
 */
export {
  openVerlWriter,
  type ParquetColumn,
  VERL_SCHEMA,
  type VerlExport,
  type VerlRow,
  verlRow,
  type VerlWriter,
} from "./verl.ts";
export { ESCAPED_IMAGE_TAG, escapeImageTags, IMAGE_TAG, openrlhfRow } from "./openrlhf.ts";
export {
  type PairBlock,
  shuffleKey,
  type ShuffleOptions,
  shufflePairs,
  type Split,
  type ValidationSize,
} from "./pair_order.ts";
export { type TrlRow, trlRow } from "./trl.ts";
export { type SftRow, sftRow } from "./sft.ts";
export { type DpoRow, dpoRow } from "./dpo.ts";
export { judgmentText } from "./judgment_text.ts";
export {
  EXPORT_KINDS,
  type ExportFile,
  type ExportKind,
  type ExportOptions,
  type ExportSummary,
  type TaskRollouts,
  writeExports,
} from "./write_exports.ts";

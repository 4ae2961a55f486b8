/**
 * Field mapping: one dataset row → one {@linkcode SeedPrompt}, or a reject saying why not.
 * @module
 */
import { contentId } from "../ids.ts";
import { formatRecordLocation, type RecordLocation } from "../io/records.ts";
import type { Reject } from "../pipeline/stage.ts";
import type { SeedKind, SeedPrompt } from "../records.ts";
import { lastBoxed } from "../math/mod.ts";
import { firstField, getField, INSTRUCTION_FIELDS, toInstruction } from "./fields.ts";
import { type Where, whereMismatch } from "./where.ts";

/** Which row fields hold what; unset ones are looked up under common names. */
export interface SeedFields {
  /** Instruction field, a name or dotted path. */
  instruction?: string;
  /** Reference answer field. */
  reference?: string;
  /** Id field (default: a content id). */
  id?: string;
}

/** Options of {@linkcode mapSeed}. */
export interface MapSeedOptions {
  /** `auto`: `verifiable` when the row has a reference answer, else `chat`. */
  kind: SeedKind | "auto";
  /** The seeds' `source`, e.g. `wildchat`. */
  source: string;
  /** Field names, when not the common ones. */
  fields?: SeedFields;
  /** Keep only rows whose source fields meet these conditions (reject: `where`). */
  where?: Where;
  /**
   * A conversation's last user turn alone is the instruction (as the Self-Taught Evaluator read
   * WildChat), not the conversation up to it.
   */
  lastTurn?: boolean;
}

/** A mapped record, or why the row was dropped. */
export type Mapped<K extends string, T> = { [P in K]: T } | { reject: Reject };

/** Field names tried, in order, for the reference answer when none is mapped. */
export const REFERENCE_FIELDS = ["reference", "answer", "solution"] as const;

/**
 * The bare reference answer in a field value: the last `\boxed{}` if there is one; GSM8K's
 * `#### 42` tail; else the whole text, except for a `solution` (a worked solution without a
 * box has no clear final answer).
 *
 * @example
 * ```ts
 * import { referenceAnswer } from "./map.ts";
 * import assert from "node:assert/strict";
 * assert.equal(referenceAnswer("so the answer is $\\boxed{92}$.", "solution"), "92");
 * assert.equal(referenceAnswer("48/2 = 24\n#### 24", "answer"), "24");
 * assert.equal(referenceAnswer(7, "answer"), "7");
 * assert.equal(referenceAnswer("It is 7.", "solution"), undefined);
 * ```
 */
export function referenceAnswer(value: unknown, field: string): string | undefined {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value !== "string") return undefined;
  const boxed = lastBoxed(value);
  if (boxed !== null) return boxed.trim();
  const hashes = value.lastIndexOf("####");
  if (hashes >= 0) return value.slice(hashes + 4).trim() || undefined;
  return field === "solution" ? undefined : value.trim() || undefined;
}

/** A reject for a row, with its location in the detail. */
export function rowReject(
  reason: string,
  detail: string,
  row: unknown,
  loc: RecordLocation,
): { reject: Reject } {
  return { reject: { reason, detail: `${formatRecordLocation(loc)}: ${detail}`, record: row } };
}

/**
 * Maps one row to a seed. The instruction comes from `fields.instruction` or the first of
 * {@linkcode INSTRUCTION_FIELDS} present (a conversation is cut to end on its last user turn);
 * the reference from `fields.reference` or {@linkcode REFERENCE_FIELDS}; the id from
 * `fields.id`, else `contentId(source, instruction)`. Never throws on bad rows: it returns a
 * reject (`where`, `no_instruction`, `bad_instruction`, `no_reference`).
 *
 * @example
 * ```ts
 * import { mapSeed } from "./map.ts";
 * import assert from "node:assert/strict";
 * const out = mapSeed(
 *   { problem: "Compute $2 + 3$.", solution: "$2 + 3 = \\boxed{5}$" },
 *   { file: "math.json", row: 0 },
 *   { kind: "auto", source: "math" },
 * );
 * assert.ok("seed" in out);
 * assert.equal(out.seed.kind, "verifiable");
 * assert.equal(out.seed.reference, "5");
 * ```
 */
export function mapSeed(
  row: Record<string, unknown>,
  loc: RecordLocation,
  opts: MapSeedOptions,
): Mapped<"seed", SeedPrompt> {
  const fields = opts.fields ?? {};
  const mismatch = opts.where && whereMismatch(row, opts.where);
  if (mismatch) return rowReject("where", mismatch, row, loc);
  const found = fields.instruction !== undefined
    ? { name: fields.instruction, value: getField(row, fields.instruction) }
    : firstField(row, INSTRUCTION_FIELDS);
  if (found === undefined || found.value === undefined || found.value === null) {
    const tried = fields.instruction ?? INSTRUCTION_FIELDS.join(", ");
    return rowReject("no_instruction", `no instruction field (tried ${tried})`, row, loc);
  }
  let instruction = toInstruction(found.value);
  if (opts.lastTurn && Array.isArray(instruction)) {
    instruction = instruction.findLast((m) => m.role === "user")!.content.trim();
  }
  if (instruction === undefined) {
    return rowReject(
      "bad_instruction",
      `expected field ${found.name} to be a string or a conversation with a user turn, found ${
        JSON.stringify(found.value).slice(0, 80)
      }`,
      row,
      loc,
    );
  }
  let reference: string | undefined;
  if (opts.kind !== "chat") {
    const ref = fields.reference !== undefined
      ? { name: fields.reference, value: getField(row, fields.reference) }
      : firstField(row, REFERENCE_FIELDS);
    reference = ref && referenceAnswer(ref.value, ref.name);
  }
  if (opts.kind === "verifiable" && reference === undefined) {
    const tried = fields.reference ?? REFERENCE_FIELDS.join(", ");
    return rowReject("no_reference", `no reference answer (tried ${tried})`, row, loc);
  }
  const mappedId = fields.id !== undefined ? getField(row, fields.id) : undefined;
  const seed: SeedPrompt = {
    id: mappedId !== undefined && mappedId !== null
      ? String(mappedId)
      : contentId(opts.source, instruction),
    source: opts.source,
    kind: reference !== undefined ? "verifiable" : "chat",
    instruction,
  };
  if (reference !== undefined) seed.reference = reference;
  return { seed };
}

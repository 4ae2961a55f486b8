import assert from "node:assert/strict";
import { readRecords } from "../lib/io/records.ts";
import type { Reject } from "../lib/pipeline/stage.ts";
import type { Instruction, SeedKind, SeedPrompt } from "../lib/records.ts";
import { checkSeed, type CleanOptions, cleanSeeds } from "../lib/seeds/clean.ts";
import { dedupeSeeds, normalizeText } from "../lib/seeds/dedupe.ts";
import { guessLanguage, type LanguageGuess } from "../lib/seeds/language.ts";
import { mapSeed } from "../lib/seeds/map.ts";
import { lshParams, minHash, NearDuplicateIndex, shingles } from "../lib/seeds/minhash.ts";
import { distinctSample, type KindReport } from "../lib/seeds/distinct.ts";
import { sampleKey } from "../lib/seeds/sample.ts";

const FIXTURES = new URL("../fixtures/seeds/", import.meta.url).pathname;

const seed = (id: string, instruction: Instruction, kind: SeedKind = "chat"): SeedPrompt => ({
  id,
  source: "test",
  kind,
  instruction,
});

const many = (n: number, kind: SeedKind = "chat") =>
  Array.from({ length: n }, (_, i) => seed(`${kind}-${i}`, `instruction ${i}`, kind));

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

Deno.test("checkSeed: empty, too short, too long, language", () => {
  const table: [Instruction, CleanOptions, string | undefined][] = [
    ["Tell me a joke about cats.", {}, undefined],
    ["   ", {}, "empty"],
    [[{ role: "user", content: " " }], {}, "empty"],
    ["Hi", { minChars: 3 }, "too_short"],
    ["Hi!", { minChars: 3 }, undefined],
    ["x".repeat(101), { maxChars: 100 }, "too_long"],
    ["x".repeat(100), { maxChars: 100 }, undefined],
    ["请用三句话介绍一下长城的历史。", { language: "en" }, "language"],
    ["请用三句话介绍一下长城的历史。", {}, undefined],
    ["2 + 2", { language: "en" }, undefined],
  ];
  for (const [instruction, opts, expected] of table) {
    assert.equal(checkSeed(seed("1", instruction), opts)?.reason, expected, String(instruction));
  }
});

Deno.test("guessLanguage: a heuristic on script and English function words", () => {
  const table: [string, LanguageGuess][] = [
    ["Write a short poem about the sea and the wind.", "en"],
    ["Explain recursion.", "unknown"],
    ["What is recursion?", "en"],
    ["Fix this:\n```python\ndef f(x): return x+1\n```\nIt crashes when I call it.", "en"],
    ["请用三句话介绍一下长城的历史。", "other"],
    ["Напиши короткое стихотворение о море.", "other"],
    ["Escribe un poema corto sobre el mar y el viento del norte.", "other"],
    ["Écris un poème.", "other"],
    ["Compute $17 + 25 * 3$.", "unknown"],
    ["12345", "unknown"],
  ];
  for (const [text, expected] of table) assert.equal(guessLanguage(text), expected, text);
});

Deno.test("normalizeText and shingles", () => {
  assert.equal(normalizeText("  Ｈello\t\tWORLD \n"), "hello world");
  assert.deepEqual(shingles("one two three four five six", 5), [
    "one two three four five",
    "two three four five six",
  ]);
  assert.deepEqual(shingles("...", 5), []);
});

Deno.test("minHash: deterministic, seed-dependent, estimates Jaccard", () => {
  const text = "the quick brown fox jumps over the lazy dog near the river bank today";
  assert.deepEqual(minHash(text), minHash(text));
  assert.notDeepEqual(minHash(text, { seed: 1 }), minHash(text));
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const a = minHash(words.join(" "), { numPerm: 256 });
  const b = minHash(words.slice(0, 150).join(" "), { numPerm: 256 });
  // true Jaccard of the 5-shingles: 146 / 196 ≈ 0.745
  const estimate = a.filter((v, i) => v === b[i]).length / a.length;
  assert.ok(Math.abs(estimate - 146 / 196) < 0.1, `estimate ${estimate}`);
});

Deno.test("lshParams: bands × rows fit numPerm and put the S-curve near the threshold", () => {
  const table: [number, number, { bands: number; rows: number }][] = [
    [0.8, 128, { bands: 9, rows: 13 }],
    [0.5, 128, { bands: 25, rows: 5 }],
  ];
  for (const [threshold, numPerm, expected] of table) {
    assert.deepEqual(lshParams(threshold, numPerm), expected);
  }
});

Deno.test("NearDuplicateIndex: catches one-word edits of long texts, not different texts", () => {
  const base = Array.from({ length: 60 }, (_, i) => `word${i}`);
  const index = new NearDuplicateIndex();
  assert.equal(index.add("base", base.join(" ")), undefined);
  assert.equal(index.add("edited", [...base.slice(0, 59), "changed"].join(" ")), "base");
  assert.equal(index.add("other", base.map((w) => `${w}x`).join(" ")), undefined);
  assert.equal(index.add("half", base.slice(0, 30).join(" ")), undefined);
});

Deno.test("dedupeSeeds: exact (normalized) and near duplicates, first kept", async () => {
  const long = "Describe a quiet mountain village where the villagers raise giant owls, " +
    "the food they eat, the festivals they celebrate and the storms of every winter.";
  const seeds = [
    seed("a", "Tell me a joke."),
    seed("b", "  tell me a JOKE. "),
    seed("c", long),
    seed("d", long.replace("winter.", "winter!")),
    seed("e", [{ role: "user", content: "Tell me a joke." }]),
    seed("f", "Name a river."),
  ];
  const rejects: Reject[] = [];
  const kept = await Array.fromAsync(
    dedupeSeeds(stream(seeds), { onReject: (r) => rejects.push(r) }),
  );
  assert.deepEqual(kept.map((s) => s.id), ["a", "c", "f"]);
  assert.deepEqual(
    rejects.map((r) => [r.reason, r.detail, (r.record as SeedPrompt).id]),
    [
      ["duplicate", "same text as a", "b"],
      ["near_duplicate", "nearly the same text as c", "d"],
      ["duplicate", "same text as a", "e"],
    ],
  );
  const exactOnly = await Array.fromAsync(dedupeSeeds(seeds, { near: false }));
  assert.deepEqual(exactOnly.map((s) => s.id), ["a", "c", "d", "f"]);
});

/** A sample (a number) or a mix (quotas per kind) without de-duplication. */
const sampled = (
  seeds: SeedPrompt[] | (() => AsyncIterable<SeedPrompt>),
  quotas: number | Partial<Record<SeedKind, number>>,
  seed: number,
  onReport?: (r: Partial<Record<SeedKind, KindReport>>) => void,
) =>
  Array.fromAsync(
    distinctSample(typeof seeds === "function" ? seeds : () => seeds, {
      quotas,
      seed,
      dedupe: false,
      onReport,
    }),
  );

Deno.test("a sample: the smallest sampling keys, by seed, whatever the input order", async () => {
  const seeds = many(100);
  const one = await sampled(() => stream(seeds), 10, 1);
  const reversed = await sampled(seeds.toReversed(), 10, 1);
  const other = await sampled(seeds, 10, 2);
  assert.equal(one.length, 10);
  assert.deepEqual(reversed, one);
  assert.notDeepEqual(other.map((s) => s.id), one.map((s) => s.id));
  const keys = one.map((s) => sampleKey(1, s.id));
  assert.deepEqual(keys, seeds.map((s) => sampleKey(1, s.id)).sort().slice(0, 10));
  assert.equal((await sampled(many(3), 10, 1)).length, 3);
  assert.deepEqual(await sampled(many(3), 0, 1), []);
  // A quota beyond any input holds what comes (no array of its size).
  assert.equal((await sampled(many(3), 1e10, 1)).length, 3);
  // Thousands of rows held: the heap's arrays grow past their first room.
  const rows = many(9000);
  const big = await sampled(rows, 5000, 4);
  const smallest = rows.map((s) => sampleKey(4, s.id)).sort().slice(0, 5000);
  assert.deepEqual(big.map((s) => sampleKey(4, s.id)), smallest);
});

Deno.test("a mix: quotas per kind, shortfalls reported", async () => {
  const seeds = [...many(30, "chat"), ...many(4, "verifiable")];
  let report: Partial<Record<SeedKind, KindReport>> | undefined;
  const kept = await sampled(
    () => stream(seeds),
    { chat: 10, verifiable: 5 },
    3,
    (r) => (report = r),
  );
  assert.deepEqual(report, {
    chat: { quota: 10, available: 30, kept: 10, shortfall: 0 },
    verifiable: { quota: 5, available: 4, kept: 4, shortfall: 1 },
  });
  assert.equal(kept.length, 14);
  const chatSample = await sampled(many(30, "chat"), 10, 3);
  assert.deepEqual(
    kept.filter((s) => s.kind === "chat").map((s) => s.id),
    chatSample.map((s) => s.id),
  );
  const keys = kept.map((s) => sampleKey(3, s.id));
  assert.deepEqual(keys, [...keys].sort());
  let dropped: Partial<Record<SeedKind, KindReport>> | undefined;
  const chatOnly = await sampled(seeds, { chat: 2 }, 3, (r) => (dropped = r));
  assert.deepEqual(chatOnly.map((s) => s.kind), ["chat", "chat"]);
  assert.deepEqual(dropped?.verifiable, { quota: 0, available: 4, kept: 0, shortfall: 0 });
});

Deno.test("seeds fixture end to end: map, clean (en), dedupe", async () => {
  const rejects: Reject[] = [];
  async function* mapped(): AsyncGenerator<SeedPrompt> {
    for await (const { record, loc } of readRecords(`${FIXTURES}chat.jsonl`)) {
      const out = mapSeed(record, loc, { kind: "chat", source: "wildchat" });
      if ("seed" in out) yield out.seed;
      else rejects.push(out.reject);
    }
  }
  const onReject = (r: Reject) => rejects.push(r);
  const kept = await Array.fromAsync(
    dedupeSeeds(cleanSeeds(mapped(), { language: "en", minChars: 10, onReject }), { onReject }),
  );
  const counts: Record<string, number> = {};
  for (const r of rejects) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
  assert.deepEqual(counts, { empty: 1, language: 1, duplicate: 2, near_duplicate: 1 });
  assert.equal(kept.length, 29 - 5);
  assert.equal(kept.filter((s) => Array.isArray(s.instruction)).length, 4);
});

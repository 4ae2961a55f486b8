import assert from "node:assert/strict";
import { parsePipeline } from "../lib/pipeline/config.ts";
import { createProgress } from "../lib/pipeline/progress.ts";
import { runPipeline } from "../lib/pipeline/run.ts";
import { seedsStage } from "../lib/stages/seeds.ts";
import type { Reject, StageInput } from "../lib/pipeline/stage.ts";
import { memoryInput, testContext } from "./helpers/stage.ts";
import type { SeedKind, SeedPrompt } from "../lib/records.ts";
import { dedupeSeeds, exactKey, normalizeText, textKey } from "../lib/seeds/dedupe.ts";
import { instructionText } from "../lib/seeds/fields.ts";
import { fmix32, fnv1a } from "../lib/hash32.ts";
import {
  distinctSample,
  type DistinctSampleOptions,
  type KindReport,
} from "../lib/seeds/distinct.ts";
import { minHash, type MinHashOptions, shingles } from "../lib/seeds/minhash.ts";
import { sampleKey } from "../lib/seeds/sample.ts";
import { KeySet, KeyTable, StringList } from "../lib/seeds/table.ts";

/** A seeded generator of numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random seeds over a tiny vocabulary, so that exact duplicates, near duplicates and chains of
 * them (a ~ b ~ c, a ≁ c) abound. Some ids are the text (equal texts then share a sampling key,
 * as content ids do), the others unique.
 */
function randomSeeds(random: () => number, n: number): SeedPrompt[] {
  const words = "red blue green cat dog sun moon tree Red sea sky hill bird fish rain snow".split(
    " ",
  );
  return Array.from({ length: n }, (_, i) => {
    const length = 1 + Math.floor(random() * 6);
    const instruction = Array.from({ length }, () => words[Math.floor(random() * words.length)])
      .join(" ");
    const kind: SeedKind = random() < 0.7 ? "chat" : "verifiable";
    const id = random() < 0.3 ? instruction : `row${i}`;
    return { id, source: "t", kind, instruction };
  });
}

/**
 * The full computation the guarantee names: exact duplicates dropped over every row (the first in
 * input order kept, across kinds); the rest of each group de-duplicated by `dedupeSeeds` in
 * sampling-key order (ties in input order), the first `quota` kept. Rejects: every exact
 * duplicate in input order, then the near duplicates before the last row sampled (all, when
 * short) in key order.
 */
async function full(
  seeds: SeedPrompt[],
  opts: {
    quotas: number | Partial<Record<SeedKind, number>>;
    seed: number;
    near: false | MinHashOptions;
  },
): Promise<{ out: string[]; rejects: string[] }> {
  const firsts = new Map<string, string>();
  const exact: string[] = [];
  const order: { s: SeedPrompt; position: number; key: string }[] = [];
  seeds.forEach((s, position) => {
    const text = normalizeText(instructionText(s.instruction));
    const first = firsts.get(text);
    if (first !== undefined) exact.push(`${position} duplicate: same text as ${first}`);
    else {
      firsts.set(text, s.id);
      order.push({ s, position, key: sampleKey(opts.seed, s.id) });
    }
  });
  order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position));
  const groups = typeof opts.quotas === "number"
    ? [{ quota: opts.quotas, rows: order }]
    : Object.entries(opts.quotas).map(([kind, quota]) => ({
      quota: quota!,
      rows: order.filter((x) => x.s.kind === kind),
    }));
  const out: typeof order = [];
  const rejected: { x: (typeof order)[number]; r: Reject }[] = [];
  for (const { quota, rows } of groups) {
    const dropped = new Map<unknown, Reject>();
    const kept = await Array.fromAsync(
      dedupeSeeds(rows.map((x) => x.s), {
        near: opts.near,
        onReject: (r) => dropped.set(r.record, r),
      }),
    );
    const sample = new Set(kept.slice(0, quota));
    const last = sample.size === quota
      ? rows.findIndex((x) => x.s === kept[quota - 1]) + 1
      : rows.length;
    for (const x of rows.slice(0, quota === 0 ? 0 : last)) {
      if (sample.has(x.s)) out.push(x);
      else rejected.push({ x, r: dropped.get(x.s)! });
    }
  }
  const byKey = (a: { key: string; position: number }, b: { key: string; position: number }) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position;
  out.sort(byKey);
  rejected.sort((a, b) => byKey(a.x, b.x));
  return {
    out: out.map((x) => `${x.position}`),
    rejects: [...exact, ...rejected.map(({ x, r }) => `${x.position} ${r.reason}: ${r.detail}`)],
  };
}

/**
 * The same rejects, but for the id an exact duplicate names: a sample keeps the ids of the rows it
 * holds only, so it may say "an earlier row" where the full computation names the first row.
 */
function assertSameRejects(got: string[], expected: string[], context: string) {
  assert.equal(got.length, expected.length, context);
  got.forEach((line, i) => {
    if (line === expected[i]) return;
    const [row, rest] = [line.split(" ")[0], line.slice(line.indexOf(" ") + 1)];
    assert.ok(expected[i].startsWith(`${row} duplicate: same text as `), `${context} ${line}`);
    assert.equal(rest, "duplicate: same text as an earlier row", `${context} ${line}`);
  });
}

/**
 * distinctSample over `seeds`, naming each output and reject by its input position (carried in
 * the row as `at`: the held rows come back from the spool as copies).
 */
async function windowed(seeds: SeedPrompt[], opts: DistinctSampleOptions) {
  const rows = seeds.map((s, at) => ({ ...s, at }));
  const at = (s: unknown) => (s as { at: number }).at;
  const rejects: string[] = [];
  let passes = 0;
  const out = await Array.fromAsync(distinctSample((pass) => {
    passes = pass + 1;
    return rows;
  }, {
    ...opts,
    onReject: (r) => rejects.push(`${at(r.record)} ${r.reason}: ${r.detail}`),
  }));
  return { out: out.map((s) => `${at(s)}`), rejects, passes };
}

Deno.test("distinctSample equals de-duplicating everything, then sampling (random inputs)", async () => {
  const random = rng(20);
  const nears: (false | MinHashOptions)[] = [
    false,
    { shingleSize: 1, threshold: 0.3, numPerm: 32 },
    { shingleSize: 2, threshold: 0.5, numPerm: 16 },
    {},
  ];
  let reread = 0;
  for (let trial = 0; trial < 160; trial++) {
    const seeds = randomSeeds(random, 5 + Math.floor(random() * 120));
    const near = nears[trial % nears.length];
    const quota = () => Math.floor(random() * 25);
    const quotas = trial % 3 === 0 ? { chat: quota(), verifiable: quota() } : quota();
    const spare = Math.floor(random() * 4);
    const seed = trial;
    const expected = await full(seeds, { quotas, seed, near });
    const got = await windowed(seeds, { quotas, seed, near, spare });
    const context = JSON.stringify({ trial, quotas, spare, near, n: seeds.length });
    assert.deepEqual(got.out, expected.out, context);
    assertSameRejects(got.rejects, expected.rejects, context);
    // The default spare gives the same answer.
    const again = await windowed(seeds, { quotas, seed, near });
    assert.deepEqual(again.out, expected.out, context);
    assertSameRejects(again.rejects, expected.rejects, context);
    if (got.passes > 1) reread++;
  }
  // Small spares: duplicates often took more than the spare, and the input was read again.
  assert.ok(reread > 10, `${reread} trials read the input again`);
});

Deno.test("distinctSample: more duplicates among the held rows than the spare → read again", async () => {
  // Ids ordered by sampling key: r, then x and y, then the fillers.
  const ids = Array.from({ length: 200 }, (_, i) => `id${i}`).sort((a, b) =>
    sampleKey(0, a) < sampleKey(0, b) ? -1 : 1
  );
  const seed = (id: string, instruction: string): SeedPrompt => ({
    id,
    source: "t",
    kind: "chat",
    instruction,
  });
  const fillers = Array.from({ length: 30 }, (_, i) => seed(ids[3 + i], `filler${i}`));
  // r shares a word with x and one with y (one-word shingles, bands of one row: caught),
  // x and y share none; r comes last. Holding 2 rows (r, x) keeps only r.
  const seeds = [
    seed(ids[1], "alpha beta"),
    seed(ids[2], "gamma delta"),
    ...fillers,
    seed(ids[0], "alpha gamma"),
  ];
  const near = { shingleSize: 1, threshold: 0.1, numPerm: 32 };
  const expected = await full(seeds, { quotas: 2, seed: 0, near });
  const got = await windowed(seeds, { quotas: 2, seed: 0, near, spare: 0 });
  assert.deepEqual(expected, {
    out: ["32", "2"],
    rejects: [
      `0 near_duplicate: nearly the same text as ${ids[0]}`,
      `1 near_duplicate: nearly the same text as ${ids[0]}`,
    ],
  });
  assert.deepEqual([got.out, got.rejects, got.passes], [expected.out, expected.rejects, 2]);
  // With the default spare one read does.
  assert.equal((await windowed(seeds, { quotas: 2, seed: 0, near })).passes, 1);
});

Deno.test("distinctSample: a mix reports per kind; an exact duplicate of another kind goes, the first row stays", async () => {
  const seeds: SeedPrompt[] = [
    { id: "a", source: "t", kind: "chat", instruction: "Name a river." },
    { id: "b", source: "t", kind: "verifiable", instruction: "name a RIVER.", reference: "Nile" },
    { id: "c", source: "t", kind: "chat", instruction: "name a river. " },
    { id: "d", source: "t", kind: "verifiable", instruction: "Add 2 and 2.", reference: "4" },
  ];
  let report: Partial<Record<SeedKind, KindReport>> | undefined;
  const rejects: Reject[] = [];
  const kept = await Array.fromAsync(distinctSample(() => seeds, {
    quotas: { chat: 5, verifiable: 1 },
    seed: 0,
    onReject: (r) => rejects.push(r),
    onReport: (r) => (report = r),
  }));
  // As without sampling: the first row of the text is kept, whatever the sampling keys.
  assert.deepEqual(kept.map((s) => s.id).sort(), ["a", "d"]);
  assert.deepEqual(rejects.map((r) => r.detail), ["same text as a", "same text as a"]);
  assert.deepEqual(report, {
    chat: { quota: 5, available: 2, kept: 1, shortfall: 4 },
    verifiable: { quota: 1, available: 2, kept: 1, shortfall: 0 },
  });
});

Deno.test("distinctSample: quotas and spare are integers >= 0", async () => {
  for (const opts of [{ quotas: -1 }, { quotas: { chat: 1.5 } }, { quotas: 1, spare: -2 }]) {
    await assert.rejects(
      Array.fromAsync(distinctSample(() => [], { seed: 0, ...opts })),
      RangeError,
    );
  }
});

Deno.test("KeySet, KeyTable and StringList: many entries, growth, 53-bit keys", () => {
  const table = new KeyTable();
  const set = new KeySet();
  const ids = new StringList();
  for (let i = 0; i < 10_000; i++) {
    table.set(i * 2 ** 39 + 7, i);
    set.add(i * 2 ** 39 + 7);
    set.add(i * 2 ** 39 + 7);
    assert.equal(ids.push(`id-${i}-✓`), i);
  }
  assert.equal(table.size, 10_000);
  assert.equal(set.size, 10_000);
  for (let i = 0; i < 10_000; i++) assert.ok(set.has(i * 2 ** 39 + 7));
  assert.ok(!set.has(8) && !set.has(2 ** 39 + 8));
  assert.throws(() => set.add(0.5), RangeError);
  for (let i = 0; i < 10_000; i += 97) {
    assert.equal(table.get(i * 2 ** 39 + 7), i);
    assert.equal(ids.get(i), `id-${i}-✓`);
  }
  assert.equal(table.get(8), undefined);
  table.set(7, 99);
  assert.equal(table.get(7), 99);
  assert.throws(() => table.set(-1, 0), RangeError);
  assert.throws(() => table.set(2 ** 53, 0), RangeError);
  assert.throws(() => ids.get(10_000), RangeError);
});

Deno.test("minHash: the same values as its definition (fnv1a of shingles)", () => {
  const texts = [
    "the quick brown fox jumps over the lazy dog near the river bank today",
    "Héllo Wörld, ΟΔΟΣ σ 𝐀𝐁 😀 İstanbul ß ٣٤ Ⅻ a_b it's 1.5 — ﬁ Ａ 你好世界",
    "x\ud800 lone \udc00 surrogates",
    "",
    "...",
    "two words",
  ];
  for (const text of texts) {
    for (const opts of [{}, { shingleSize: 2, numPerm: 16, seed: 3 }, { shingleSize: 1 }]) {
      const salts = Array.from(
        { length: opts.numPerm ?? 128 },
        (_, i) => fmix32((opts.seed ?? 0) * 0x9e3779b9 + i + 1),
      );
      const hashes = shingles(text, opts.shingleSize).map((s) => fnv1a(s));
      const expected = salts.map((salt) =>
        Math.min(0xffffffff, ...hashes.map((h) => fmix32(h ^ salt)))
      );
      assert.deepEqual([...minHash(text, opts)], expected, text);
    }
  }
});

Deno.test("textKey is exactKey of the normalized text; exact keys are 52-bit and apart", () => {
  const random = rng(7);
  const pieces = [
    "a",
    "B",
    "z",
    "Z",
    "0",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\v",
    "\f",
    ".",
    "é",
    "Ａ",
    "\u00a0",
    "ﬁ",
    "😀",
    "İ",
    "\u2028",
  ];
  const texts = ["", " ", "a", " a ", "A\tB", "Héllo", "x\ud800 lone"];
  for (let i = 0; i < 5000; i++) {
    const ascii = random() < 0.7;
    const length = Math.floor(random() * 30);
    texts.push(
      Array.from({ length }, () => pieces[Math.floor(random() * (ascii ? 13 : pieces.length))])
        .join(""),
    );
  }
  for (const text of texts) {
    assert.equal(textKey(text), exactKey(normalizeText(text)), JSON.stringify(text));
  }
  const keys = new Set<number>();
  for (let i = 0; i < 200_000; i++) {
    const key = exactKey(`row ${i}`);
    assert.ok(Number.isInteger(key) && key >= 0 && key < 2 ** 52);
    keys.add(key);
  }
  assert.equal(keys.size, 200_000);
  // A pair whose difference cancelled when both lanes shared one block function.
  assert.notEqual(exactKey("嶥뷌一一"), exactKey("뱍光一覱"));
});

/**
 * Runs one seeds stage (`runner`, the seeds stage by default) in a pipeline whose run folder is
 * `<dir>/run`; resolves to its outcome.
 */
async function runSeeds(
  dir: string,
  stage: { id?: string; inputs: string[]; options: Record<string, unknown> },
  runner: typeof seedsStage = seedsStage,
) {
  const registry = { seeds: runner };
  const config = {
    name: "p",
    runDir: `${dir}/run`,
    stages: [{ id: stage.id ?? "seeds", task: "seeds", ...stage }],
  };
  const [outcome] = await runPipeline(
    parsePipeline(JSON.stringify(config), "p", registry),
    registry,
    { progress: createProgress({ tty: false, write: () => {} }) },
  );
  return outcome;
}

Deno.test("seeds stage: a sample read twice reports mapping rejects once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 3 rows without an instruction, then 200 rows of 3 texts with a number appended (near
    // duplicates): the 76 rows held first (10 + a spare of 66) keep 3, so the input is read again.
    const base = (g: number) =>
      Array.from({ length: 200 }, (_, w) => `w${g}x${(w * 7919) % 1000}`).join(" ");
    const lines = [
      ...Array.from({ length: 3 }, () => "{}"),
      ...Array.from({ length: 200 }, (_, i) => JSON.stringify({ prompt: `${base(i % 3)} ${i}` })),
    ];
    await Deno.writeTextFile(`${dir}/in.jsonl`, lines.join("\n") + "\n");
    const outcome = await runSeeds(dir, { inputs: [`${dir}/in.jsonl`], options: { sample: 10 } });
    const seeds = (await Deno.readTextFile(outcome.manifest!.output)).trim().split("\n");
    assert.equal(seeds.length, 3);
    assert.deepEqual(outcome.manifest!.counts.rejectReasons, {
      no_instruction: 3,
      near_duplicate: 197,
    });
    // The spool of held rows (in the stage's folder) is gone.
    assert.deepEqual([...Deno.readDirSync(`${dir}/run/seeds`)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("seeds stage: with a sample, rejects are handed on while the input is read, not held to its end", async () => {
  const defaults = Object.fromEntries(
    Object.entries(seedsStage.options).map(([k, s]) => [k, s.default]),
  );
  let pulled = 0;
  const rows = 4000;
  const input: StageInput = {
    ...memoryInput("wildchat.jsonl", []),
    sourced: async function* () {
      for (let i = 0; i < rows; i++) {
        pulled++;
        // Every other row in French (dropped by `where`), every tenth English one a repeat.
        const language = i % 2 ? "English" : "French";
        const text = i % 20 === 1 ? "Say hi." : `Question number ${i}: why?`;
        yield { record: { prompt: text, language }, loc: { file: "wildchat.jsonl", line: i + 1 } };
      }
    },
  };
  const options = { ...defaults, sample: 5, where: { language: "English" } };
  const ctx = testContext(options as never, [input]);
  try {
    const handed: { pulled: number; reasons: string[] }[] = [];
    for await (const unit of seedsStage.units(ctx)) {
      const { rejects } = await seedsStage.process(unit, ctx);
      if (rejects.length) handed.push({ pulled, reasons: rejects.map((r) => r.reason) });
    }
    const reasons = handed.flatMap((h) => h.reasons);
    assert.equal(reasons.filter((r) => r === "where").length, rows / 2);
    assert.equal(reasons.filter((r) => r === "duplicate").length, rows / 20 - 1);
    // Most rejects were handed on before the last row was read.
    const early = handed.filter((h) => h.pulled < rows).flatMap((h) => h.reasons).length;
    assert.ok(early > reasons.length * 0.9, `${early} of ${reasons.length} before the end`);
    assert.ok(Math.max(...handed.map((h) => h.reasons.length)) <= 256 + 1);
  } finally {
    await Deno.remove(ctx.dir, { recursive: true });
  }
});

Deno.test("seeds stage: the demo's mix keeps the seeds and rejects of de-duplicating every row first (first seen kept), then mixing", async () => {
  const { parse } = await import("jsonc-parser");
  const demo = parse(await Deno.readTextFile("pipeline.jsonc"));
  const stage = demo.stages.find((s: { task: string }) => s.task === "seeds");
  const { mix, ...options } = stage.options;
  assert.ok(mix, "the demo's seeds stage has a mix");
  const dir = await Deno.makeTempDir();
  try {
    const run = async (id: string, extra: Record<string, unknown>) => {
      const outcome = await runSeeds(dir, {
        id,
        inputs: stage.inputs,
        options: { ...options, ...extra },
      });
      const lines = async (path: string) =>
        (await Deno.readTextFile(path)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
      return {
        seeds: await lines(outcome.manifest!.output) as SeedPrompt[],
        rejects: (await lines(outcome.manifest!.rejects)).map((r) => `${r.reason}: ${r.detail}`),
      };
    };
    // Every row de-duplicated in input order (the stage without a sample), then the mix: per
    // kind, the smallest sampling keys, all kinds in key order.
    const all = await run("all", {});
    const seed = options.seed ?? 0;
    const expected = Object.entries(mix as Record<SeedKind, number>)
      .flatMap(([kind, k]) =>
        all.seeds.filter((s) => s.kind === kind)
          .sort((a, b) => sampleKey(seed, a.id) < sampleKey(seed, b.id) ? -1 : 1)
          .slice(0, k)
      )
      .sort((a, b) => sampleKey(seed, a.id) < sampleKey(seed, b.id) ? -1 : 1);
    const mixed = await run("mixed", { mix });
    assert.deepEqual(mixed.seeds, expected);
    assert.deepEqual(mixed.rejects.toSorted(), all.rejects.toSorted());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("seeds stage: a sampled run that fails removes its spool", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ prompt: `Text ${i}.` }));
    await Deno.writeTextFile(`${dir}/in.jsonl`, lines.join("\n") + "\n");
    const failing: typeof seedsStage = {
      ...seedsStage,
      process: (unit, ctx) =>
        unit.seed ? Promise.reject(new Error("boom")) : seedsStage.process(unit, ctx),
    };
    const stage = { inputs: [`${dir}/in.jsonl`], options: { sample: 10 } };
    await assert.rejects(runSeeds(dir, stage, failing));
    assert.deepEqual([...Deno.readDirSync(`${dir}/run/seeds`)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

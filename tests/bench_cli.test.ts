import assert from "node:assert/strict";

/** Runs `deno task bench` with `args`; its exit code and output. */
async function bench(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/bench.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("bench CLI: --only runs the named measurements and writes just their figures", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await bench(["--only", "tokens", "--out", `${dir}/figures/tokens.json`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✓ prompt tokens per sample/);
    const { figures } = JSON.parse(await Deno.readTextFile(`${dir}/figures/tokens.json`));
    assert.deepEqual(figures.map((f: { name: string }) => f.name), [
      "prompt tokens per sample, n=5 vs separate",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench CLI: an unknown measurement or an unwritable --out stops before measuring", async () => {
  const unknown = await bench(["--only", "tokens,speed"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--only: unknown "speed"; expected a comma-separated list of /);
  const dir = await Deno.makeTempDir();
  try {
    const folder = await bench(["--only", "tokens", "--out", dir]);
    assert.equal(folder.code, 2);
    assert.match(folder.stderr, /cannot write the figures there \(Is a directory/);
    assert.doesNotMatch(folder.stderr, /bench: tokens/, "nothing was measured");
    const unnamed = await bench(["--only", "tokens", "--out", ""]);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /--out : cannot write the figures there \(no file name\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

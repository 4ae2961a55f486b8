import assert from "node:assert/strict";
import { cpuModel, parseProcStat, startHostMeter } from "../lib/perf/host.ts";

Deno.test("parseProcStat: steal and total ticks of the machine-wide cpu line", () => {
  const text = "cpu  188194 25 34038 386708 4407 0 5274 5231 0 0\n" +
    "cpu0 94000 10 17000 193000 2200 0 2600 2600 0 0\nintr 1 2 3\n";
  assert.deepEqual(parseProcStat(text), {
    steal: 5231,
    total: 188194 + 25 + 34038 + 386708 + 4407 + 0 + 5274 + 5231,
  });
});

Deno.test("parseProcStat: guest ticks are not counted twice; old kernels without steal give nothing", () => {
  assert.deepEqual(parseProcStat("cpu  10 0 5 80 1 0 2 2 7 7\n"), { steal: 2, total: 100 });
  assert.equal(parseProcStat("cpu  10 0 5 80 1 0 2\n"), undefined);
  assert.equal(parseProcStat("cpu0 10 0 5 80 1 0 2 2 0 0\n"), undefined);
  assert.equal(parseProcStat(""), undefined);
});

Deno.test("startHostMeter: this process's CPU time grows with work; steal is a share", () => {
  const meter = startHostMeter();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x = (x + i * i) % 1_000_003;
  assert.ok(x >= 0);
  assert.ok(meter.cpuSeconds() > 0);
  const steal = meter.stealShare();
  if (steal !== undefined) assert.ok(steal >= 0 && steal <= 1);
});

Deno.test("cpuModel: a non-empty name where /proc/cpuinfo has one, else undefined", () => {
  const model = cpuModel();
  if (model !== undefined) assert.ok(model.length > 0 && model === model.trim());
});

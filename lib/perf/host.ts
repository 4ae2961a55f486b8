/**
 * What the machine did during a measurement: CPU time the hypervisor gave to other guests
 * ("steal", from `/proc/stat`) and the CPU time this process used. On a shared VM the achieved
 * request rates move with the steal; the bench reports both so a figure can be read for what it
 * is.
 * @module
 */
import process from "node:process";

/** Cumulative CPU counters of the whole machine, in clock ticks. */
export interface HostTicks {
  /** Ticks stolen by the hypervisor. */
  steal: number;
  /** All ticks (user, nice, system, idle, iowait, irq, softirq, steal). */
  total: number;
}

/**
 * The machine-wide counters from the text of `/proc/stat` (its first, `cpu`, line).
 *
 * @example
 * ```ts
 * import { parseProcStat } from "./host.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseProcStat("cpu  10 0 5 80 1 0 2 2 0 0\ncpu0 5 0 2 40 0 0 1 1 0 0\n"), {
 *   steal: 2,
 *   total: 100,
 * });
 * ```
 */
export function parseProcStat(text: string): HostTicks | undefined {
  const line = text.match(/^cpu\s+([\d\s]+)$/m);
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
  const ticks = line[1].trim().split(/\s+/).map(Number).slice(0, 8);
  if (ticks.length < 8) return undefined;
  return { steal: ticks[7], total: ticks.reduce((a, b) => a + b, 0) };
}

/** A running measurement of this process's CPU time and the machine's steal. */
export interface HostMeter {
  /** Share of the machine's CPU time stolen since the start (undefined off Linux). */
  stealShare(): number | undefined;
  /** CPU seconds this process used since the start (all threads: main, workers, GC). */
  cpuSeconds(): number;
}

/** Starts measuring now. */
export function startHostMeter(): HostMeter {
  const ticks0 = hostTicks();
  const cpu0 = process.cpuUsage();
  return {
    stealShare() {
      const ticks = hostTicks();
      if (!ticks0 || !ticks || ticks.total === ticks0.total) return undefined;
      return (ticks.steal - ticks0.steal) / (ticks.total - ticks0.total);
    },
    cpuSeconds() {
      const { user, system } = process.cpuUsage(cpu0);
      return (user + system) / 1e6;
    },
  };
}

/** The CPU's model name (Linux), or undefined where it cannot be read. */
export function cpuModel(): string | undefined {
  return readProc("cpuinfo")?.match(/^model name\s*:\s*(.+)$/m)?.[1].trim();
}

function hostTicks(): HostTicks | undefined {
  const text = readProc("stat");
  return text === undefined ? undefined : parseProcStat(text);
}

function readProc(name: string): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${name}`);
  } catch {
    return undefined;
  }
}

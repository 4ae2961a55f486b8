/**
 * A bench measurement's child process: a task run in a fresh Deno process, watched from `/proc`.
 * @module
 */

/**
 * Runs `tasks/<task> args` in a fresh process; returns its peak RSS (MB) and CPU time (user +
 * system, all threads; s), both from `/proc` sampled every 50 ms, and its wall time (s). Throws
 * when the task fails, with the end of its stderr.
 */
export async function watchTask(
  task: string,
  args: string[],
): Promise<{ peak: number; cpu: number; seconds: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`../../tasks/${task}`, import.meta.url).pathname, ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  let cpu = 0;
  const timer = setInterval(async () => {
    const status = await Deno.readTextFile(`/proc/${child.pid}/status`).catch(() => "");
    peak = Math.max(peak, Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024);
    // Fields 14 and 15 of /proc/PID/stat (after the command's parenthesis): utime, stime.
    const stat = await Deno.readTextFile(`/proc/${child.pid}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length > 13) cpu = Math.max(cpu, (Number(fields[11]) + Number(fields[12])) / 100);
  }, 50);
  const { success, stderr } = await child.output();
  clearInterval(timer);
  if (!success) {
    throw new Error(`${task} ${args.join(" ")}: ${new TextDecoder().decode(stderr).slice(-500)}`);
  }
  return { peak, cpu, seconds: (performance.now() - t0) / 1000 };
}

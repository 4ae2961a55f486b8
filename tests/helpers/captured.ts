/** Test helper: runs a CLI in-process with `console.error` captured. */

/** Runs `run`; returns its exit code and what it printed to stderr. */
export async function captured(
  run: () => Promise<number>,
): Promise<{ code: number; stderr: string }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    return { code: await run(), stderr: errors.join("\n") };
  } finally {
    console.error = original;
  }
}

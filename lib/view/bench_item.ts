/**
 * An evaluated item's instruction and responses: the evaluate stage keeps only verdicts and
 * scores, so they are read again from the benchmark's data the stage names in its manifest,
 * when that data is on this machine (nothing is downloaded for a page).
 * @module
 */
import { getAdapter } from "../bench/adapters.ts";
import { pathExists } from "../io/path_exists.ts";
import type { Manifest } from "../pipeline/run.ts";
import type { BenchItem, EvalItem } from "../records.ts";

/** The benchmark item of `record`, or why it cannot be shown. */
export async function benchItemOf(
  manifest: Manifest | undefined,
  record: EvalItem,
): Promise<{ item?: BenchItem; note?: string }> {
  const options = manifest?.options ?? {};
  const locations = [
    ...(typeof options.data === "string" && options.data ? [options.data] : []),
    ...(manifest?.inputs.map((i) => i.ref) ?? []),
  ];
  const local = locations.filter((l) => !/^[a-z]+:\/\//.test(l) && pathExists(l));
  if (local.length === 0) {
    return {
      note: locations.length
        ? `the benchmark data (${locations.join(", ")}) is not a file or folder here`
        : "the manifest names no benchmark data",
    };
  }
  const mapping = (options.mapping ?? {}) as Record<string, string>;
  const adapter = getAdapter(record.benchmark);
  for (const location of local) {
    for await (const item of adapter.load(location, { mapping })) {
      if (item.itemId === record.itemId) return { item };
    }
  }
  return { note: `item ${record.itemId} is not in ${local.join(", ")} any more` };
}

/** Test helper: reads a child's output until some text appears (or the stream ends). */

/** Reads `reader` until its text so far contains `marker`; returns that text. */
export async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  marker: string,
): Promise<string> {
  let out = "";
  while (!out.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  return out;
}

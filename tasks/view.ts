/**
 * `deno task view [run folder | folder of runs]... [--port 0] [--host 127.0.0.1]`: a local web
 * page to read a run: its stages, records, judgments, charts, and judges side by side. The
 * first stdout line names the URL.
 * @module
 */
import { parseArgs } from "node:util";
import { UserError } from "../lib/errors.ts";
import { guard, intFlag, untilInterrupted } from "../lib/pipeline/cli.ts";
import { startViewer } from "../lib/view/server.ts";

const USAGE = "usage: deno task view [run folder | folder of runs (default runs/)]... " +
  "[--port 0] [--host 127.0.0.1]";

Deno.exit(
  await guard(async () => {
    let parsed;
    try {
      parsed = parseArgs({
        args: Deno.args,
        options: {
          port: { type: "string", default: "0" },
          host: { type: "string", default: "127.0.0.1" },
          help: { type: "boolean" },
        },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new UserError(`${(err as Error).message}\n${USAGE}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const port = intFlag("port", values.port)!;
    if (port > 65535) throw new UserError(`--port: expected 0 to 65535, found ${port}`);
    const viewer = await startViewer({ paths: positionals, host: values.host, port });
    console.log(`j1kit run viewer on ${viewer.url}`);
    await untilInterrupted();
    await viewer.close();
    return 0;
  }),
);

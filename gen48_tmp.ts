import { wildchatFile } from "./lib/perf/wildchat.ts";
await wildchatFile("/tmp/sd", 4_800_000);

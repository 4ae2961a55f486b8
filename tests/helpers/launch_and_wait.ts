// A pipeline stand-in for the launch tests: starts the fake server as an endpoint's `start`
// command, prints "ready", then waits to be killed.
import { launchEndpoint } from "../../lib/pipeline/launch.ts";

const server = new URL("./fake_server.ts", import.meta.url).pathname;
await launchEndpoint("judge", {
  command: [Deno.execPath(), "run", "-A", server, ...Deno.args],
  urlPattern: "listening on (\\S+)",
});
console.log("ready");
setInterval(() => {}, 1 << 30);

// A stand-in for `vllm serve` in the launch tests: with --fork it starts a worker process (which
// shares its stderr), prints its URL, and runs until stopped. It does not handle any signal.
if (Deno.args.includes("--fork")) {
  new Deno.Command("sleep", { args: ["600"], stdout: "null", stderr: "inherit" }).spawn();
}
console.log("fake server listening on http://127.0.0.1:9/v1");
setInterval(() => {}, 1 << 30);

import { all, delay, fn, program, realTime, runAsync, scheduler } from "../../src/index.js";

// Ctrl-C aborts the controller; the run then stops at its next step: every finally block runs
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted by SIGINT")));

const worker = fn(function* worker(id: number) {
  try {
    for (;;) yield* delay(50); // poll, stream, serve…
  } finally {
    console.log(`worker ${id} stopped`);
  }
});

const main = program(function* () {
  console.log("working; press Ctrl-C to stop");
  try {
    yield* all([worker(1), worker(2)]);
  } finally {
    console.log("cleaned up");
  }
});

const result = await runAsync(main, { handlers: [scheduler, realTime], signal: controller.signal });
console.log(result.isOk() ? "done" : `stopped: ${(result.error as Error).message}`);

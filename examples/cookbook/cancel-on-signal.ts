import { all, delay, fn, program, realTime, runAsync, scheduler } from "../../src/index.js";
import { runMain } from "../../src/node/index.js";

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

// Ctrl-C (or SIGTERM) aborts the run's signal; the run stops at its next step: every finally block
// runs. runMain then sets the exit code (130 here) and prints a failure's traceback to stderr.
const result = await runMain((signal) => runAsync(main, { handlers: [scheduler, realTime], signal }));
console.log(result.isOk() ? "done" : `stopped: ${(result.error as Error).message}`);

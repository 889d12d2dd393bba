/**
 * doeff/workers: CPU-bound programs on a pool of worker threads.
 * Run with: npx tsx examples/workers/main.ts
 */
import { fn, gather, program, realTime, runAsync, scheduler, spawn, writer } from "../../src/index.js";
import { runInWorkerFor, workers } from "../../src/workers/index.js";
import type * as jobs from "./jobs.js";

// runInWorker checked against the module's type: inJobs("countPrimes", a, b) is an effect answering
// a number; a misspelled export or wrong arguments do not compile, and the jobs' forwarded tells
// are in main's row (so runAsync below needs `writer`)
const inJobs = runInWorkerFor<typeof jobs>(new URL("./jobs.ts", import.meta.url));

const main = program(function* main() {
  // four chunks in parallel on the pool; each task waits for its job like for any task
  const tasks = [];
  for (let i = 0; i < 4; i++) tasks.push(yield* spawn(inJobs("countPrimes", i * 250_000, (i + 1) * 250_000)));
  const counts = yield* gather(...tasks);
  return counts.reduce((a, b) => a + b, 0);
});

const failing = fn(function* failing() {
  return yield* inJobs("squareRoot", -1);
});

const pool = workers({ size: 2 });
try {
  const r = await runAsync(main, { handlers: [scheduler, realTime, writer, pool] });
  console.log("log:");
  for (const line of r.log) console.log(`  ${line}`);
  console.log(r.format());
  const bad = await runAsync(failing(), { handlers: [scheduler, realTime, pool] });
  console.log(bad.format());
} finally {
  await pool.close();
}

/**
 * Profile doeff/workers' per-job cost: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx
 * bench/scale/profile-workers.ts [batch|seq]` writes one profile for the parent and one per thread.
 */
import { program, realTime, runAsync, scheduler, spawn, wait } from "../../src/index.js";
import { runInWorker, workers } from "../../src/workers/index.js";

const JOBS = new URL("./jobs.ts", import.meta.url).href;
const mode = process.argv[2] ?? "batch";
const pool = workers({ size: 2 });
const t0 = performance.now();
let n = 0;
for (let round = 0; round < 20; round++) {
  const r = await runAsync(
    program(function* () {
      if (mode === "seq") {
        for (let i = 0; i < 500; i++) yield* runInWorker(JOBS, "noop", i);
        n += 500;
        return;
      }
      const tasks = [];
      for (let i = 0; i < 2000; i++) tasks.push(yield* spawn(runInWorker(JOBS, "noop", i)));
      for (const t of tasks) yield* wait(t);
      n += 2000;
    }),
    { handlers: [scheduler, realTime, pool] },
  );
  if (!r.ok) throw r.error;
}
console.log(`${mode}: ${(((performance.now() - t0) / n) * 1000).toFixed(1)} µs/job`);
await pool.close();

/**
 * The worker thread's side of doeff/workers alone, in this thread: the piscina task function called
 * directly, one job at a time. `node --import tsx bench/scale/thread-only.ts`
 */
import runJob from "../../src/workers/worker-entry.js";

const url = new URL("./jobs.ts", import.meta.url).href;
const N = 20000;
for (let round = 0; round < 8; round++) {
  const t0 = performance.now();
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const r = await runJob([round * N + i + 1, url, "noop", i]);
    if (typeof r !== "number") throw new Error("job failed");
    sum += r;
  }
  if (sum !== (N * (N - 1)) / 2) throw new Error("wrong sum");
  if (round >= 5) console.log(`thread side: ${(((performance.now() - t0) / N) * 1000).toFixed(2)} µs/job`);
}

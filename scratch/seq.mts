import { runAsync, program, scheduler, realTime } from "../src/index.ts";
import { runInWorker, workers } from "../src/workers/index.ts";
const JOBS = new URL("../bench/scale/jobs.ts", import.meta.url).href;
const pool = workers({ size: 1 });
for (let k = 0; k < 4; k++) {
  const t0 = performance.now();
  const r = await runAsync(program(function* () { for (let i = 0; i < 3000; i++) yield* runInWorker(JOBS, "noop", i); }), { handlers: [scheduler, realTime, pool] });
  console.log(((performance.now() - t0) / 3000 * 1000).toFixed(1), r.ok);
}
await pool.close();

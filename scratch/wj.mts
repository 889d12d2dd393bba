import runJob from "../src/workers/worker-entry.ts";
import { runAsync, program, scheduler, realTime, run } from "../src/index.ts";
import { noop } from "../bench/scale/jobs.ts";
const url = new URL("../bench/scale/jobs.ts", import.meta.url).href;
for (let k = 0; k < 3; k++) {
  let t0 = performance.now();
  for (let i = 0; i < 2000; i++) await runJob({ id: i, url, name: "noop", args: [i] });
  console.log("runJob µs/job", ((performance.now() - t0) / 2000 * 1000).toFixed(1));
  t0 = performance.now();
  for (let i = 0; i < 2000; i++) await runAsync(noop(i), { handlers: [scheduler, realTime] });
  console.log("runAsync sched µs/job", ((performance.now() - t0) / 2000 * 1000).toFixed(1));
  t0 = performance.now();
  for (let i = 0; i < 2000; i++) await runAsync(noop(i), { handlers: [] });
  console.log("runAsync bare µs/job", ((performance.now() - t0) / 2000 * 1000).toFixed(1));
  t0 = performance.now();
  for (let i = 0; i < 2000; i++) run(noop(i));
  console.log("run bare µs/job", ((performance.now() - t0) / 2000 * 1000).toFixed(1));
}

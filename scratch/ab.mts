import runJob from "../src/workers/worker-entry.ts";
import { runAsync, scheduler, realTime } from "../src/index.ts";
import { noop } from "../bench/scale/jobs.ts";
const url = new URL("../bench/scale/jobs.ts", import.meta.url).href;
const N = 2000;
const best = { A: Infinity, B: Infinity };
for (let k = 0; k < 8; k++) {
  let t0 = performance.now();
  for (let i = 0; i < N; i++) await runJob({ id: k * N + i, url, name: "noop", args: [i] });
  best.A = Math.min(best.A, (performance.now() - t0) / N * 1000);
  t0 = performance.now();
  for (let i = 0; i < N; i++) await runAsync(noop(i), { handlers: [scheduler, realTime] });
  best.B = Math.min(best.B, (performance.now() - t0) / N * 1000);
}
console.log(best);

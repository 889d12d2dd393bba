import { realTime, run, runAsync, scheduler } from "../../src/index.js";
import { noop } from "./jobs.js";
const N = 20000;
const SHARED = new AbortController().signal;
for (let round = 0; round < 8; round++) {
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await runAsync(noop(i), { handlers: [scheduler, realTime] });
    if (!r.ok) throw 1;
  }
  const a = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await runAsync(noop(i), { handlers: [scheduler, realTime], signal: SHARED });
    if (!r.ok) throw 1;
  }
  const b = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = run(noop(i), { handlers: [scheduler, realTime] });
    if (!r.ok) throw 1;
  }
  const c = performance.now() - t0;
  if (round >= 5)
    console.log(
      `runAsync+sched ${((a / N) * 1000).toFixed(2)} runAsync bare ${((b / N) * 1000).toFixed(2)} run+sched ${((c / N) * 1000).toFixed(2)} µs/job`,
    );
}

import { runAsync, program, scheduler, realTime, spawn, race, wait, createExternalPromise, createPromise } from "../src/index.ts";
import { noop } from "../bench/scale/jobs.ts";
const N = 3000;
async function time(label: string, f: (i: number) => Promise<unknown>) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await f(i);
  console.log(label, ((performance.now() - t0) / N * 1000).toFixed(1));
}
for (let k = 0; k < 3; k++) {
  await time("sched only", (i) => runAsync(program(function* () { return yield* noop(i); }), { handlers: [scheduler, realTime] }));
  await time("ext only", (i) => runAsync(program(function* () { const s = yield* createExternalPromise(); return yield* noop(i); }), { handlers: [scheduler, realTime] }));
  await time("promise only", (i) => runAsync(program(function* () { const s = yield* createPromise(); return yield* noop(i); }), { handlers: [scheduler, realTime] }));
  await time("spawn+wait", (i) => runAsync(program(function* () { const t = yield* spawn(noop(i)); return yield* wait(t); }), { handlers: [scheduler, realTime] }));
}

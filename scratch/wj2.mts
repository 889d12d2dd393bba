import { runAsync, program, scheduler, realTime, spawn, race, wait, createExternalPromise, cancel } from "../src/index.ts";
import { noop } from "../bench/scale/jobs.ts";
const N = 2000;
async function time(label: string, f: (i: number) => Promise<unknown>) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await f(i);
  console.log(label, ((performance.now() - t0) / N * 1000).toFixed(1));
}
for (let k = 0; k < 3; k++) {
  await time("spawn+wait", (i) => runAsync(program(function* () { const t = yield* spawn(noop(i)); return yield* wait(t); }), { handlers: [scheduler, realTime] }));
  await time("ext only", (i) => runAsync(program(function* () { const s = yield* createExternalPromise(); return yield* noop(i); }), { handlers: [scheduler, realTime] }));
  await time("spawn+race", (i) => runAsync(program(function* () { const s = yield* createExternalPromise(); const t = yield* spawn(noop(i)); return (yield* race(t, s.future)).value; }), { handlers: [scheduler, realTime] }));
}

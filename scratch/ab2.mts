import { runAsync, scheduler, realTime, fn, spawn, wait, createExternalPromise, createPromise } from "../src/index.ts";
import { noop } from "../bench/scale/jobs.ts";
const N = 2000;
const variants: Record<string, (i: number) => any> = {
  plain: (i) => noop(i),
  ext: fn(function* ext(i: number) { yield* createExternalPromise(); return yield* noop(i); }),
  prom: fn(function* prom(i: number) { yield* createPromise(); return yield* noop(i); }),
  spawnwait: fn(function* sw(i: number) { const t = yield* spawn(noop(i)); return yield* wait(t); }),
};
const best: Record<string, number> = {};
for (let k = 0; k < 6; k++) for (const [name, mk] of Object.entries(variants)) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await runAsync(mk(i), { handlers: [scheduler, realTime] });
  best[name] = Math.min(best[name] ?? Infinity, (performance.now() - t0) / N * 1000);
}
console.log(best);

/**
 * The parent side of doeff/workers alone: piscina replaced by a pool that answers at once, so the
 * figure is doeff's own cost per job (spawn, handler, wait, bookkeeping). `node --import tsx
 * bench/scale/parent-only.ts [batch|seq|plain]`
 */
import { awaitPromise, program, realTime, runAsync, scheduler, spawn, wait } from "../../src/index.js";
import { runInWorker, workers } from "../../src/workers/index.js";
import { WorkerPool } from "../../src/workers/pool.js";

const JOBS = new URL("./jobs.ts", import.meta.url).href;
const mode = process.argv[2] ?? "batch";
type Msg = [id: number, url: string, name: string, x: number]; // (src/workers/messages.ts JobMsg)
type Batch = { batch: Msg[]; state: Int32Array; port: { postMessage(m: unknown): void; close(): void } };
const fake = {
  // a job answers at once; a batch (src/workers/batch.ts) sends each job's reply on its port
  run: (m: Msg | Batch) => {
    if (Array.isArray(m)) return Promise.resolve(m[3]);
    m.batch.forEach((j, i) => {
      Atomics.store(m.state, i, 2);
      m.port.postMessage({ i, reply: j[3] });
    });
    m.port.close();
    return Promise.resolve(null);
  },
  destroy: async () => {},
};
(WorkerPool.prototype as unknown as { piscina: () => unknown }).piscina = function (this: {
  started: unknown;
}) {
  this.started = fake;
  return Promise.resolve(fake);
};
const pool = workers({ size: 2 });
const N = Number(process.env.N ?? 2000);
const effect = (i: number) =>
  mode === "plain"
    ? awaitPromise(() => fake.run([i + 1, JOBS, "noop", i]) as Promise<number>)
    : runInWorker(JOBS, "noop", i);
for (let round = 0; round < 15; round++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await runAsync(
    program(function* () {
      let sum = 0;
      if (mode === "seq") {
        for (let i = 0; i < N; i++) sum += (yield* effect(i)) as number;
        return sum;
      }
      const tasks = [];
      for (let i = 0; i < N; i++) tasks.push(yield* spawn(effect(i)));
      for (const t of tasks) sum += (yield* wait(t)) as number;
      return sum;
    }),
    { handlers: [scheduler, realTime, pool] },
  );
  if (!r.ok) throw r.error;
  if (r.value !== (N * (N - 1)) / 2) throw new Error(`wrong sum ${r.value}`);
  const c = process.cpuUsage(c0);
  if (round >= 10)
    console.log(
      `${mode}: ${(((performance.now() - t0) / N) * 1000).toFixed(2)} µs/job (cpu ${((c.user + c.system) / N).toFixed(2)} µs/job)`,
    );
}

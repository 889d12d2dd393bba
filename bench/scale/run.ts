/**
 * Scale-out figures (issue 14): `npm run bench:scale [workers|queue]`.
 *  - workers speedup: 16 CPU-bound fib programs, a 2-thread pool vs the same programs on one thread
 *  - workers overhead: trivial jobs through doeff/workers vs raw piscina (same pool size, same load)
 *  - queue overhead: jobs/s of trivial programs through doeff/queue with 2 workers vs BullMQ with plain
 *    async functions (needs redis-server; one is started on a free loopback port)
 * Each figure is the best of a few runs; ratios are computed within one run of this script.
 */
import { performance } from "node:perf_hooks";
import { Piscina } from "piscina";
import { fn, program, realTime, run, runAsync, scheduler, spawn, wait } from "../../src/index.js";
import { runInWorker, workers } from "../../src/workers/index.js";
import { startRedis } from "../../test/redis-server.js";
import { fib as fibProgram } from "./jobs.js";

const JOBS = new URL("./jobs.ts", import.meta.url).href;
const RAW = new URL("./raw-worker.mjs", import.meta.url).href;
const which = process.argv[2] ?? "all";

async function best(times: number, f: () => Promise<void>): Promise<number> {
  let b = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const FIB_N = 32;
const FIB_JOBS = 16;
const TRIVIAL = 2000;
const out: string[] = [];
const report = (line: string) => {
  out.push(line);
  console.log(line);
};

/** run `count` jobs `make(i)` as tasks on the pool (all submitted at once), check the values */
function manyJobs(
  pool: ReturnType<typeof workers>,
  count: number,
  make: (i: number) => ReturnType<typeof runInWorker>,
) {
  return runAsync(
    program(function* () {
      const tasks = [];
      for (let i = 0; i < count; i++) tasks.push(yield* spawn(make(i)));
      let sum = 0;
      for (const t of tasks) sum += (yield* wait(t)) as number;
      return sum;
    }),
    { handlers: [scheduler, realTime, pool] },
  );
}

async function benchWorkers(): Promise<void> {
  // one thread: the 16 programs in this thread, one after another
  const oneThread = await best(3, async () => {
    for (let i = 0; i < FIB_JOBS; i++) run(fibProgram(FIB_N));
  });
  const pool2 = workers({ size: 2 });
  const pool1 = workers({ size: 1 });
  try {
    await manyJobs(pool2, 4, () => runInWorker(JOBS, "fib", 20)); // start threads, load modules
    await manyJobs(pool1, 4, () => runInWorker(JOBS, "fib", 20));
    const twoThreads = await best(3, async () => {
      const r = await manyJobs(pool2, FIB_JOBS, () => runInWorker(JOBS, "fib", FIB_N));
      if (!r.ok) throw r.error;
    });
    const onePool = await best(3, async () => {
      const r = await manyJobs(pool1, FIB_JOBS, () => runInWorker(JOBS, "fib", FIB_N));
      if (!r.ok) throw r.error;
    });
    report(`workers: ${FIB_JOBS} × fib(${FIB_N}) on this thread      ${oneThread.toFixed(0)} ms`);
    report(`workers: ${FIB_JOBS} × fib(${FIB_N}) on a 1-thread pool  ${onePool.toFixed(0)} ms`);
    report(`workers: ${FIB_JOBS} × fib(${FIB_N}) on a 2-thread pool  ${twoThreads.toFixed(0)} ms`);
    report(
      `workers: speedup 2 threads vs this thread   ${(oneThread / twoThreads).toFixed(2)}× (target ≥ 1.7×)`,
    );
    report(`workers: speedup 2 threads vs 1-thread pool ${(onePool / twoThreads).toFixed(2)}×`);

    // trivial jobs: doeff/workers vs raw piscina, same pool size, all submitted at once
    const raw = new Piscina({ filename: RAW, minThreads: 2, maxThreads: 2 });
    try {
      const rawRun = async () => {
        const ps = [];
        for (let i = 0; i < TRIVIAL; i++) ps.push(raw.run({ x: i }));
        await Promise.all(ps);
      };
      const doeffRun = async () => {
        const r = await manyJobs(pool2, TRIVIAL, (i) => runInWorker(JOBS, "noop", i));
        if (!r.ok) throw r.error;
      };
      await rawRun();
      await doeffRun();
      const rawMs = await best(5, rawRun);
      const doeffMs = await best(5, doeffRun);
      // one job at a time: the latency of a trivial job
      const SEQ = 500;
      const rawSeq = await best(3, async () => {
        for (let i = 0; i < SEQ; i++) await raw.run({ x: i });
      });
      const doeffSeq = await best(3, async () => {
        const r = await runAsync(
          program(function* () {
            for (let i = 0; i < SEQ; i++) yield* runInWorker(JOBS, "noop", i);
          }),
          { handlers: [scheduler, realTime, pool2] },
        );
        if (!r.ok) throw r.error;
      });
      report(
        `workers: trivial job latency (one at a time), raw piscina   ${((rawSeq / SEQ) * 1000).toFixed(1)} µs/job`,
      );
      report(
        `workers: trivial job latency (one at a time), doeff/workers ${((doeffSeq / SEQ) * 1000).toFixed(1)} µs/job`,
      );
      report(
        `workers: trivial-job latency vs raw piscina ${(doeffSeq / rawSeq).toFixed(2)}× (target ≤ 1.3×)`,
      );
      report(
        `workers: ${TRIVIAL} trivial jobs, raw piscina      ${rawMs.toFixed(0)} ms (${((rawMs / TRIVIAL) * 1000).toFixed(1)} µs/job)`,
      );
      report(
        `workers: ${TRIVIAL} trivial jobs, doeff/workers    ${doeffMs.toFixed(0)} ms (${((doeffMs / TRIVIAL) * 1000).toFixed(1)} µs/job)`,
      );
      report(
        `workers: trivial-job throughput cost vs raw piscina ${(doeffMs / rawMs).toFixed(2)}× (target ≤ 1.3×)`,
      );
    } finally {
      await raw.destroy();
    }
  } finally {
    await pool2.close();
    await pool1.close();
  }
}

const QUEUE_JOBS = 1000;

async function benchQueue(): Promise<void> {
  const { Queue, QueueEvents, Worker } = await import("bullmq");
  const { enqueue, queue, startWorker } = await import("../../src/queue/index.js");
  const redis = await startRedis();
  const connection = redis.connection;
  try {
    // plain BullMQ: async functions, producer waits for every completion through QueueEvents
    const plain = async (name: string): Promise<number> => {
      const w1 = new Worker(name, async (job) => (job.data as { x: number }).x, {
        connection,
        concurrency: 8,
      });
      const w2 = new Worker(name, async (job) => (job.data as { x: number }).x, {
        connection,
        concurrency: 8,
      });
      const q = new Queue(name, { connection });
      const events = new QueueEvents(name, { connection, lastEventId: "0-0" });
      await Promise.all([w1.waitUntilReady(), w2.waitUntilReady(), events.waitUntilReady()]);
      const waiting = new Map<string, (v: unknown) => void>();
      events.on("completed", ({ jobId, returnvalue }) => {
        waiting.get(jobId)?.(returnvalue);
        waiting.delete(jobId);
      });
      try {
        const ms = await best(3, async () => {
          const ps = [];
          for (let i = 0; i < QUEUE_JOBS; i++) {
            const id = `${name}-${performance.now()}-${i}`;
            ps.push(
              new Promise((resolve) => {
                waiting.set(id, resolve);
                void q.add("noop", { x: i }, { jobId: id });
              }),
            );
          }
          await Promise.all(ps);
        });
        return ms;
      } finally {
        await Promise.all([w1.close(), w2.close(), events.close(), q.close()]);
      }
    };
    const viaDoeff = async (name: string): Promise<number> => {
      const noop = fn(function* noop(x: number) {
        return x;
      });
      const w1 = await startWorker({ connection, name, programs: { noop }, concurrency: 8, signals: false });
      const w2 = await startWorker({ connection, name, programs: { noop }, concurrency: 8, signals: false });
      const q = queue({ connection, name });
      try {
        const job = fn(function* job(i: number) {
          return yield* wait(yield* enqueue<number>("noop", [i]));
        });
        return await best(3, async () => {
          const r = await runAsync(
            program(function* () {
              const tasks = [];
              for (let i = 0; i < QUEUE_JOBS; i++) tasks.push(yield* spawn(job(i)));
              for (const t of tasks) yield* wait(t);
            }),
            { handlers: [scheduler, realTime, q] },
          );
          if (!r.ok) throw r.error;
        });
      } finally {
        await Promise.all([w1.close(), w2.close(), q.close()]);
      }
    };
    const plainMs = await plain("bench-plain");
    const doeffMs = await viaDoeff("bench-doeff");
    report(
      `queue: ${QUEUE_JOBS} trivial jobs, plain BullMQ   ${plainMs.toFixed(0)} ms (${((QUEUE_JOBS / plainMs) * 1000).toFixed(0)} jobs/s)`,
    );
    report(
      `queue: ${QUEUE_JOBS} trivial jobs, doeff/queue    ${doeffMs.toFixed(0)} ms (${((QUEUE_JOBS / doeffMs) * 1000).toFixed(0)} jobs/s)`,
    );
    report(`queue: overhead vs plain BullMQ ${(doeffMs / plainMs).toFixed(2)}× (target ≤ 1.2×)`);
  } finally {
    await redis.stop();
  }
}

if (which === "all" || which === "workers") await benchWorkers();
if (which === "all" || which === "queue") await benchQueue();

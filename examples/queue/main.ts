/**
 * doeff/queue: named programs as BullMQ jobs on Redis. This example runs a worker and a producer in
 * one process; in production they are separate processes (or machines) sharing the Redis.
 * Run with: REDIS_PORT=6379 npx tsx examples/queue/main.ts   (needs a running redis-server)
 */
import { delay, gather, program, race, realTime, runAsync, scheduler, spawn } from "../../src/index.js";
import { enqueueFor, queue, registerErrorClasses, startWorker } from "../../src/queue/index.js";
import { InvalidRange, programs } from "./programs.js";

const connection = { host: "127.0.0.1", port: Number(process.env.REDIS_PORT ?? 6379) };
const name = "doeff-example";
registerErrorClasses([InvalidRange]); // rebuilt as itself on the producer side

// the worker side: runs the jobs of the queue `name`, two at a time. This process also produces, so
// it handles Ctrl-C itself (signals: false): startWorker's own handling would close the worker only,
// and the producer would then wait for its jobs for ever
const worker = await startWorker({ connection, name, programs, concurrency: 2, signals: false });
const stop = new AbortController();
for (const s of ["SIGINT", "SIGTERM"] as const)
  process.once(s, () => stop.abort(new Error(`stopped by ${s}`)));

// the producer side: enqueue typed by the worker's programs (a misspelled name or wrong arguments
// do not compile; results are typed), and a handler for it (progress printed for the first job only)
const enqueue = enqueueFor<typeof programs>();
let showProgress = true;
const jobs = queue({
  connection,
  name,
  onProgress: (_id, p) => {
    if (showProgress) console.log(`  progress ${String(p)}%`);
  },
});

const main = program(function* main() {
  console.log("one job, with progress:");
  const one = yield* enqueue("countPrimes", [0, 100_000]);
  const [count] = yield* gather(one);
  console.log(`  ${count} primes below 100000`);
  showProgress = false;

  // many jobs: each enqueue answers a waitable for the job's result
  const parts = [];
  for (let i = 0; i < 4; i++) parts.push(yield* enqueue("countPrimes", [i * 50_000, (i + 1) * 50_000]));
  const counts = yield* gather(...parts);
  console.log(`chunks: ${counts.join(" + ")} = ${counts.reduce((a, b) => a + b, 0)}`);

  // a waitable races like any other: a job delayed by a minute loses to a 10 ms timer
  const later = yield* enqueue("countPrimes", [0, 10], { delay: 60_000 });
  const won = yield* race(later, yield* spawn(delay(10)));
  console.log(`race won by ${won.index === 0 ? "the job" : "the timer"}`);

  // a failing job: its error keeps its class and message
  return yield* gather(yield* enqueue("countPrimes", [10, 0], { attempts: 2, backoff: 5 }));
});

try {
  const r = await runAsync(main, { handlers: [scheduler, realTime, jobs], signal: stop.signal });
  console.log(
    r.isErr() && r.error instanceof InvalidRange ? `failed as expected: ${r.error.message}` : r.format(),
  );
} finally {
  await jobs.close();
  await worker.close();
}

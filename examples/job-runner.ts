/**
 * A CLI job runner, written the way docs/concurrency.md §6 ("Coming from Effect or effection")
 * advises: config from the environment (`reader`), counters (`state`), log lines that survive a
 * job's cancellation (a `Log` effect answered outside the scheduler), a connection pool whose
 * connections are recorded as soon as they open and released synchronously, six jobs at most three
 * at once, each with a deadline, a progress ticker (ended with the job by `scoped`) and retries with
 * backoff, and Ctrl-C. It runs on virtual time, so it prints the same thing every time: once to the
 * end, then interrupted at 100 ms. For real I/O, use `runAsync` with `realTime` and abort the signal
 * from `process.once("SIGINT", …)`.
 */
import {
  answer,
  ask,
  createSemaphore,
  delay,
  Effect,
  fn,
  forEach,
  modify,
  now,
  program,
  reader,
  retry,
  run,
  safe,
  type Semaphore,
  scheduler,
  scoped,
  simulatedTime,
  spawn,
  state,
  TimeoutError,
  timeout,
  withPermit,
} from "../src/index.js";

class Log extends Effect<void> {
  declare readonly _tag: "Log";
  readonly line: string;
  constructor(line: string) {
    super();
    this.line = line;
  }
}
const say = fn(function* say(text: string) {
  yield* new Log(`${String(yield* now()).padStart(3)} ms  ${text}`);
});

class BusyError extends Error {}

/** A fake database: at most `size` connections at once; every open one is in `open` until closed. */
class Db {
  readonly open = new Set<number>();
  private lastId = 0;
  constructor(readonly permits: Semaphore) {}
  newId(): number {
    return ++this.lastId;
  }
}

const connect = fn(function* connect(db: Db) {
  yield* delay(5); // the handshake: a timeout here leaves nothing open
  const id = db.newId();
  db.open.add(id); // the last step: from here on, the caller's finally sees it
  return id;
});

const ticker = fn(function* ticker(job: number) {
  for (;;) {
    yield* delay(40);
    yield* say(`job ${job} still running`);
  }
});

const costs = [0, 30, 50, 20, 200, 40, 60]; // ms per job (job 4 always overruns its deadline)
const attempts = new Map<number, number>();

const job = fn(function* job(db: Db, n: number) {
  const attempt = (attempts.get(n) ?? 0) + 1;
  attempts.set(n, attempt);
  yield* modify<number>("attempts", (x = 0) => x + 1);
  return yield* withPermit(
    db.permits,
    program(function* withConnection() {
      const conn = yield* connect(db);
      try {
        yield* say(`job ${n} attempt ${attempt} on connection ${conn}`);
        yield* spawn(ticker(n)); // ended with the job: the job runs inside scoped
        yield* delay(costs[n]!);
        if (n === 3 && attempt === 1) throw new BusyError("database busy");
        return n * 100;
      } finally {
        db.open.delete(conn); // synchronous: runs in full even when a timeout cancels the job
      }
    }),
  );
});

const main = program(function* main() {
  const db = new Db(yield* createSemaphore(yield* ask<number>("db.connections")));
  const deadline = yield* ask<number>("job.deadline");
  try {
    const results = yield* forEach(
      [1, 2, 3, 4, 5, 6],
      (n) =>
        safe(
          retry(timeout(scoped(job(db, n)), deadline), {
            times: 1,
            delay: (attempt) => 10 * 2 ** attempt,
            while: (e) => e instanceof BusyError || e instanceof TimeoutError,
          }),
        ),
      { concurrency: yield* ask<number>("jobs.concurrency") },
    );
    for (const [i, r] of results.entries()) {
      yield* modify<number>(r.ok ? "succeeded" : "failed", (x = 0) => x + 1);
      if (!r.ok) yield* say(`job ${i + 1} failed: ${(r.error as Error).message.split(" (")[0]}`);
    }
    return results.map((r) => (r.ok ? r.value : "failed"));
  } finally {
    yield* say(`done; ${db.open.size} connection(s) open`);
  }
});

function runJobs(title: string, interruptAt: number | null): void {
  console.log(`== ${title} ==`);
  attempts.clear();
  const controller = new AbortController();
  const sigint = program(function* sigint() {
    yield* delay(interruptAt ?? 0);
    controller.abort(new Error("interrupted by SIGINT"));
  });
  const printer = answer(Log, (e) => {
    console.log(e.line);
  });
  const r = run(
    program(function* cli() {
      if (interruptAt !== null) yield* spawn(sigint); // stands in for process.once("SIGINT", …)
      return yield* main;
    }),
    {
      handlers: [printer, scheduler, simulatedTime(), state, reader],
      env: { "db.connections": 2, "jobs.concurrency": 3, "job.deadline": 100 },
      store: { attempts: 0, succeeded: 0, failed: 0 },
      signal: controller.signal,
    },
  );
  console.log(r.isOk() ? `Ok: ${JSON.stringify(r.value)}` : r.format().split("\n")[0]);
  console.log(`counters: ${JSON.stringify(r.store)}; warnings: ${r.warnings.length}`);
}

runJobs("to the end", null);
runJobs("interrupted", 100);

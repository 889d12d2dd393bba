/**
 * doeff/queue on a real redis-server (started on a free loopback port, stopped after; the tests are
 * skipped with the reason printed when redis-server is not installed).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { test } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import {
  delay,
  fn,
  program,
  race,
  reader,
  realTime,
  runAsync,
  safe,
  scheduler,
  spawn,
  TimeoutError,
  timeout,
  UnhandledEffectError,
  wait,
  writer,
} from "../src/index.js";
import {
  enqueue,
  type QueueHandler,
  type QueueWorker,
  queue,
  RemoteError,
  registerErrorClasses,
  startWorker,
  UnknownProgramError,
} from "../src/queue/index.js";
import { mappedRuns, Overdrawn, programs, unhandledRuns } from "./fixtures/queue/programs.js";
import { redisWorkerForFile } from "./redis-server.js";

const run = promisify(execFile);

const NAME = "doeff-test";
const redis = redisWorkerForFile("queue tests", NAME, (connection, name) =>
  startWorker({
    connection,
    name,
    programs,
    handlers: [reader, writer],
    env: { greeting: "Hello" },
    concurrency: 4,
    signals: false,
  }),
);
const { skip } = redis;

const progress: Array<[string, unknown]> = [];
const onProgress = (id: string, p: unknown) => progress.push([id, p]);
/** `body` given the tests' producer, which records every job's progress in `progress` */
const withProducer = <T>(body: (q: QueueHandler) => Promise<T>) => redis.withQueue({ onProgress }, body);

test("queue: a job whose program performs an effect no handler takes fails once with UnhandledEffectError, not retried", {
  skip,
  timeout: 20_000,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue("unhandled", [], { attempts: 3, backoff: 10 }));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    // the worker's handlers are fixed, so every attempt would fail the same way: it runs once, not 3 times
    assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
    assert.equal(
      (r.error as Error).message,
      "no handler takes Lookup; 5 visible handler(s) declined it. Install a handler for Lookup (e.g. handle(Lookup, ...)) around the code that performs it",
    );
    assert.equal(unhandledRuns, 1);
  });
});

test("queue: an onProgress that throws reaches the process's uncaughtException (it vanished inside BullMQ)", {
  skip,
  timeout: 30_000,
}, async () => {
  const script = new URL("./fixtures/queue/progress-throws.ts", import.meta.url).pathname;
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, String(redis.port)], {
    timeout: 25_000,
  });
  assert.deepEqual(stdout.trim().split("\n"), [
    "uncaught: onProgress failed at 50",
    "uncaught: onProgress failed at 100",
    "value: 2",
  ]);
});

test("queue: enqueue answers a waitable whose value is the job's result (env, progress)", {
  skip,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        const a = yield* enqueue<number>("square", [7]);
        const b = yield* enqueue<string>("greet", ["Ada"]);
        const c = yield* enqueue<number>("steps", [4]);
        return [yield* wait(a), yield* wait(b), yield* wait(c)];
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, [49, "Hello, Ada", 4]);
    assert.deepEqual(r.log, []); // the job's tell went to the worker's writer
    assert.deepEqual(
      progress.map(([, p]) => p),
      [25, 50, 75, 100],
    );
  });
});

test("queue: a failed job's error keeps class, message, fields, stack and cause", { skip }, async () => {
  registerErrorClasses([Overdrawn]);
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue("withdraw", [10, 25]));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    const e = r.error;
    assert.ok(e instanceof Overdrawn, String(e));
    assert.equal(e.message, "balance would be -15");
    assert.equal(e.balance, -15);
    assert.ok(e.cause instanceof RangeError);
    assert.equal(e.cause.message, "amount too large");
    assert.match(
      e.stack ?? "",
      /^Overdrawn: balance would be -15\n\s+at withdraw \(.*programs\.ts:\d+:\d+\)/,
    );
    assert.match(e.stack ?? "", /\n {4}── in queue job \(doeff-test#[0-9a-f-]{36}: withdraw\) ──$/);
    assert.match(
      r.format(),
      /\n {2}thrown at test\/fixtures\/queue\/programs\.ts:\d+\nOverdrawn: balance would be -15\n {2}caused by RangeError: amount too large$/,
    );
    const r2 = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue("nope", [1]));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r2.error instanceof UnknownProgramError, String(r2.error));
    assert.match(r2.error.message, /^this worker has no program named "nope" \(it has: square, greet, steps/);
    assert.ok(!(r2.error instanceof RemoteError));
  });
});

test("queue: options map to BullMQ's — attempts with backoff, delay, jobId (idempotent), priority", {
  skip,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        const flaky = yield* wait(
          yield* enqueue<string>("flaky", [], {
            attempts: 3,
            backoff: { type: "fixed", delay: 10 },
            jobId: "flaky-1",
          }),
        );
        // a job delayed by a minute cannot finish before a 20 ms timer: the timer wins the race
        const later = yield* enqueue<number>("square", [3], { delay: 60_000, jobId: "later-3", priority: 7 });
        const timer = yield* spawn(delay(20));
        const first = yield* race(later, timer);
        // and a timeout on waiting for it ends the wait (the job stays queued)
        const timed = yield* safe(timeout(wait(later), 30));
        // the same jobId twice: one job, the second enqueue answers its result
        const once = yield* wait(yield* enqueue<number>("square", [4], { jobId: "sq-4" }));
        const again = yield* wait(yield* enqueue<number>("square", [5], { jobId: "sq-4" }));
        return {
          flaky,
          raceIndex: first.index,
          timedOut: !timed.ok && timed.error instanceof TimeoutError,
          once,
          again,
        };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, { flaky: "ok after 3", raceIndex: 1, timedOut: true, once: 16, again: 16 });
    // what BullMQ itself holds for those jobs
    const bull = new Queue(NAME, { connection: redis.connection });
    try {
      const f = (await bull.getJob("flaky-1"))!;
      assert.equal(f.opts.attempts, 3);
      assert.deepEqual(f.opts.backoff, { type: "fixed", delay: 10 });
      assert.equal(f.attemptsMade, 3);
      const l = (await bull.getJob("later-3"))!;
      assert.equal(l.opts.delay, 60_000);
      assert.equal(l.opts.priority, 7);
      assert.equal(await l.getState(), "delayed");
    } finally {
      await bull.close();
    }
  });
});

test("queue: priority orders waiting jobs (lower first)", { skip }, async () => {
  const name = "doeff-priority";
  const order: number[] = [];
  const record = fn(function* record(n: number) {
    order.push(n);
    return n;
  });
  const q = queue({ connection: redis.connection, name });
  let w: QueueWorker | null = null;
  try {
    const r = await runAsync(
      program(function* () {
        const fs = [];
        for (const p of [3, 1, 2]) fs.push(yield* enqueue<number>("record", [p], { priority: p }));
        return fs;
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    w = await startWorker({ connection: redis.connection, name, programs: { record }, signals: false });
    const r2 = await runAsync(
      program(function* () {
        const a = yield* enqueue<number>("record", [9], { priority: 9 });
        return yield* wait(a);
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.equal(r2.value, 9);
    assert.deepEqual(order, [1, 2, 3, 9]);
  } finally {
    await w?.close();
    await q.close();
  }
});

test("queue: enqueues made together go to Redis in one addBulk; a job whose add fails fails only its own enqueue", {
  skip,
  timeout: 20_000,
}, async () => {
  await withProducer(async (q) => {
    const bull = await q.bullQueue;
    const bulks: number[] = [];
    // BullMQ itself refuses nothing enqueue lets through for a job added in bulk (enqueue checks
    // the options; a jobId of your own goes alone), so this test refuses the job whose argument is
    // `refuse` in both of BullMQ's add paths — the stand-in for any failed add (a Redis error)
    const refuse = 1000;
    const refused = (data: unknown) => (data as { args: number[] }).args[0] === refuse;
    const addBulk = bull.addBulk.bind(bull);
    bull.addBulk = (jobs) => {
      bulks.push(jobs.length);
      if (jobs.some((j) => refused(j.data))) return Promise.reject(new Error("refused in bulk"));
      return addBulk(jobs);
    };
    const add = bull.add.bind(bull);
    bull.add = (name, data, opts) =>
      refused(data) ? Promise.reject(new Error("refused")) : add(name, data, opts);
    const job = fn(function* job(i: number) {
      try {
        return yield* wait(yield* enqueue<number>("square", [i]));
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    const all = (args: number[]) =>
      runAsync(
        program(function* () {
          const ts = [];
          for (const i of args) ts.push(yield* spawn(job(i)));
          const out = [];
          for (const t of ts) out.push(yield* wait(t));
          return out;
        }),
        { handlers: [scheduler, realTime, q] },
      );
    const r1 = await all([0, 1, 2, 3]);
    assert.ok(r1.isOk(), r1.format());
    assert.deepEqual(r1.value, [0, 1, 4, 9]);
    assert.deepEqual(bulks, [4]);
    // the bulk add fails, then each job is added alone: only the refused one fails
    const r2 = await all([0, 1, refuse, 3]);
    assert.ok(r2.isOk(), r2.format());
    assert.deepEqual(r2.value, [0, 1, "refused", 9]);
    assert.deepEqual(bulks, [4, 4]);
  });
});

test("queue: the same jobId enqueued by two tasks at once runs once and answers both; an id BullMQ refuses fails only its own enqueue", {
  skip,
  timeout: 20_000,
}, async () => {
  await withProducer(async (q) => {
    const job = fn(function* job(i: number, jobId: string | undefined) {
      try {
        return yield* wait(yield* enqueue<number>("square", [i], jobId === undefined ? {} : { jobId }));
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    const r = await runAsync(
      program(function* () {
        const ts = [
          yield* spawn(job(5, "same-5")),
          yield* spawn(job(5, "same-5")),
          yield* spawn(job(6, "0:c:d")),
          yield* spawn(job(7, undefined)),
          yield* spawn(job(8, undefined)),
        ];
        const out = [];
        for (const t of ts) out.push(yield* wait(t));
        return out;
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    // (an id with ":" is refused at the call now, before BullMQ sees it)
    assert.deepEqual(r.value, [
      25,
      25,
      'enqueue: jobId must not contain ":" (BullMQ\'s rule: it separates the parts of its Redis keys), got "0:c:d"',
      49,
      64,
    ]);
    const bull = await q.bullQueue;
    assert.equal((await bull.getJob("same-5"))?.attemptsMade, 1);
  });
});

test("queue: a result JSON would change fails its job with a TypeError that says where, not retried", {
  skip,
  timeout: 20_000,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        return yield* wait(yield* enqueue("mapped", [], { attempts: 3 }));
      }),
      { handlers: [scheduler, realTime, q] },
    );
    // it arrived as { totals: {} }, typed as a Map
    assert.ok(r.error instanceof TypeError, String(r.error));
    assert.equal(
      (r.error as Error).message,
      "programs.mapped(…) returned a value the queue cannot deliver: a job's result is stored as JSON, and the result.totals is Map object: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class); return plain data (the job is not retried)",
    );
    assert.equal(mappedRuns, 1);
  });
});

test("queue: bad input is a clear error at the call", { skip }, async () => {
  assert.throws(() => enqueue("", []), { name: "TypeError", message: /^enqueue expects a program name/ });
  assert.throws(() => enqueue("square", [() => 1]), {
    name: "TypeError",
    message: /^enqueue\("square"\): the arguments must be JSON data/,
  });
  // checked all the way down: JSON would change these without a word
  for (const [args, why] of [
    [[{ cb: () => 1 }], "args[0].cb is function cb (JSON drops it)"],
    [[[1, Number.NaN]], "args[0][1] is NaN (JSON writes it as null)"],
    [
      [undefined],
      "args[0] is undefined (JSON writes it as null in an array; pass null, or leave the argument out)",
    ],
    [
      [{ at: new Date(0) }],
      "args[0].at is a Date (JSON turns it into a string; pass args[0].at.toISOString() or a number)",
    ],
    [
      [new Map()],
      "args[0] is Map object: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class)",
    ],
    [[{ n: 1n }], "args[0].n is a bigint (JSON has none; pass it as a string)"],
  ] as const)
    assert.throws(() => enqueue("square", args as unknown as unknown[]), {
      name: "TypeError",
      message: `enqueue("square"): the arguments must be JSON data (BullMQ stores them in Redis as JSON): ${why}`,
    });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => enqueue("square", [cyclic]), {
    message: /args\[0\]\.self refers back to an object that contains it/,
  });
  enqueue("square", [{ a: [1, "x", null, true, { b: undefined }] }]); // JSON data (an undefined key is dropped alike)
  assert.throws(() => enqueue("square", [1], { tries: 3 } as never), {
    name: "TypeError",
    message: /^enqueue: unknown option "tries"; known options are attempts, backoff/,
  });
  assert.throws(() => enqueue("square", [1], { jobId: "42" }), {
    name: "TypeError",
    message: /jobId must be a string that is not an integer/,
  });
  // BullMQ takes "" for no id and stores the job under one of its own: the enqueue waited for ever
  assert.throws(() => enqueue("square", [1], { jobId: "" }), {
    name: "TypeError",
    message:
      "enqueue: jobId must not be empty (BullMQ would give the job an id of its own); leave jobId out for a generated one",
  });
  // option values are checked at the call, with the rule in the message (BullMQ would refuse some
  // only at the add, with its own message, and misread others)
  for (const [options, msg] of [
    [
      { priority: 3_000_000 },
      "option priority must be an integer from 0 to 2,097,151 (1 is the highest; 0: no priority), got 3000000",
    ],
    [
      { priority: 1.5 },
      "option priority must be an integer from 0 to 2,097,151 (1 is the highest; 0: no priority), got 1.5",
    ],
    [{ attempts: "3" }, 'option attempts must be an integer ≥ 1, got "3"'],
    [{ attempts: 0 }, "option attempts must be an integer ≥ 1, got 0"],
    [{ delay: -5 }, "option delay must be a number of ms ≥ 0, got -5"],
    [
      { backoff: { type: "linear", delay: 10 } },
      'option backoff must be ms (a number ≥ 0) or { type: "fixed" | "exponential", delay?: ms, jitter?: 0 to 1 }, got {"type":"linear","delay":10}',
    ],
    [{ lifo: 1 }, "option lifo must be a boolean, got 1"],
    [
      { removeOnFail: -1 },
      "option removeOnFail must be a boolean or the number of jobs to keep (an integer ≥ 0), got -1",
    ],
  ] as const)
    assert.throws(() => enqueue("square", [1], options as never), {
      name: "TypeError",
      message: `enqueue: ${msg}`,
    });
  for (const options of [
    { priority: 0 },
    { priority: 2_097_151, attempts: 3, delay: 1.5, lifo: true },
    { backoff: 100 },
    { backoff: { type: "exponential" } },
    { backoff: { type: "fixed", delay: 50 }, removeOnComplete: true, removeOnFail: 10 },
  ] as const)
    enqueue("square", [1], options); // accepted
  assert.throws(() => queue({ connection: redis.connection, name: "" }), { name: "TypeError" });
  // options are checked as workers() and enqueue check theirs: a misspelled one is named
  assert.throws(() => queue({ connection: redis.connection, name: NAME, onProgres: () => {} } as never), {
    name: "TypeError",
    message:
      'queue: unknown option "onProgres"; the options are connection, name, prefix, onProgress, eventsCheckMs',
  });
  assert.throws(() => queue({ connection: redis.connection, name: NAME, onProgress: 1 } as never), {
    name: "TypeError",
    message: "queue({ onProgress }) must be a function (jobId, progress) => void, got 1",
  });
  const base = { connection: redis.connection, name: NAME, programs, signals: false } as const;
  for (const [extra, message] of [
    [
      { concurency: 2 },
      'startWorker: unknown option "concurency"; the options are connection, name, programs, handlers, env, concurrency, prefix, signals, workerOptions, onWarning',
    ],
    [{ handlers: 5 }, "startWorker: handlers must be an array of handlers, got 5"],
    [{ handlers: [reader, 1] }, "startWorker: handlers[1] is 1, not a handler function"],
    [
      { signals: "SIGTERM" },
      'startWorker: signals must be an array of signal names (e.g. ["SIGTERM", "SIGINT"]) or false, got "SIGTERM"',
    ],
  ] as const)
    await assert.rejects(startWorker({ ...base, ...extra } as never), { name: "TypeError", message });
  await assert.rejects(startWorker(null as never), {
    name: "TypeError",
    message: "startWorker expects its options, { connection, name, programs, … }, got null",
  });
  await assert.rejects(
    startWorker({
      connection: redis.connection,
      name: NAME,
      programs,
      handlers: [reader, writer],
      concurrency: 0,
      signals: false,
    }),
    { name: "RangeError" },
  );
  await assert.rejects(
    startWorker({ connection: redis.connection, name: NAME, programs: { x: 1 } as never }),
    {
      name: "TypeError",
      message: /programs\.x must be a function returning a Program/,
    },
  );
});

test("queue: a queue BullMQ cannot open fails each enqueue with BullMQ's reason (tried again on the next), and close() still resolves", {
  skip,
}, async () => {
  const bad = queue({ connection: redis.connection, name: "has:colon" });
  const attempt = () =>
    runAsync(
      program(function* () {
        return yield* wait(yield* enqueue<number>("square", [2]));
      }),
      { handlers: [scheduler, realTime, bad] },
    );
  for (let i = 0; i < 2; i++) {
    const r = await attempt();
    assert.ok(r.isErr());
    assert.equal((r.error as Error).message, "Queue name cannot contain :");
  }
  await bad.close(); // before: rethrew the open's error
});

test("queue: credentials Redis refuses fail startWorker and each enqueue at once, saying so (BullMQ retried them for ever, in silence)", {
  skip,
  timeout: 20_000,
}, async () => {
  // an ACL user that does not exist: Redis answers WRONGPASS (the default user is left alone)
  const connection = { ...redis.connection, username: "doeff-nobody", password: "wrong" };
  const refused = `Redis refused its credentials (WRONGPASS invalid username-password pair or user is disabled.); check the connection's password (and username)`;
  await assert.rejects(
    startWorker({
      connection,
      name: "doeff-test-auth",
      programs,
      handlers: [reader, writer],
      signals: false,
    }),
    (e: unknown) => {
      assert.ok(e instanceof Error && e.constructor === Error, String(e));
      assert.equal(
        e.message,
        `startWorker could not connect to Redis at 127.0.0.1:${redis.port} (queue "doeff-test-auth"): ${refused}`,
      );
      assert.equal(
        (e.cause as Error).message,
        "WRONGPASS invalid username-password pair or user is disabled.",
      );
      return true;
    },
  );
  const q = queue({ connection, name: "doeff-test-auth" });
  for (let i = 0; i < 2; i++) {
    const r = await runAsync(enqueue<number>("square", [2]), { handlers: [scheduler, realTime, q] });
    assert.ok(r.isErr());
    assert.equal(
      (r.error as Error).message,
      `queue "doeff-test-auth" could not connect to Redis at 127.0.0.1:${redis.port}: ${refused}`,
    );
  }
  await q.close();
});

test("queue: a job added with BullMQ directly whose data is not { args: [...] } fails at once saying so (it ran the program on wrong arguments, or failed every attempt)", {
  skip,
}, async () => {
  const q = new Queue(NAME, { connection: redis.connection });
  const ev = new QueueEvents(NAME, { connection: redis.connection });
  try {
    await ev.waitUntilReady();
    const outcome = async (data: unknown): Promise<string> => {
      const job = await q.add("square", data, { attempts: 3 });
      try {
        return `ok ${JSON.stringify(await job.waitUntilFinished(ev, 10_000))}`;
      } catch (e) {
        const made = (await q.getJob(job.id!))?.attemptsMade;
        return `failed after ${made}: ${(e as Error).message.replace(`#${job.id} `, "#<id> ")}`;
      }
    };
    const tail =
      'not { args: [...] }: a job for startWorker carries its program\'s arguments as data.args, as enqueue adds it; a job added with BullMQ directly needs queue.add("square", { args: [...] }) (the job is not retried)';
    // before: { n: 12 } ran square() on no arguments (a NaN result); "12" was spread as
    // square("1", "2") (delay("2") failed every attempt); 5 failed every attempt with "Spread syntax
    // requires ...iterable[Symbol.iterator] to be a function"
    assert.deepEqual(
      [
        await outcome({ n: 12 }),
        await outcome({ args: "12" }),
        await outcome({ args: 5 }),
        // cut short before the emoji's two halves, not between them (a lone surrogate)
        await outcome({ note: `${"x".repeat(67)}\u{1F600}\u{1F600}` }),
        await outcome({ args: [12] }),
      ],
      [
        `failed after 1: queue job ${NAME}#<id> ("square") has the data {"n":12}, ${tail}`,
        `failed after 1: queue job ${NAME}#<id> ("square") has the data {"args":"12"}, ${tail}`,
        `failed after 1: queue job ${NAME}#<id> ("square") has the data {"args":5}, ${tail}`,
        `failed after 1: queue job ${NAME}#<id> ("square") has the data {"note":"${"x".repeat(67)}…, ${tail}`,
        "ok 144",
      ],
    );
  } finally {
    await ev.close();
    await q.close();
  }
});

test("queue: close() resolves while Redis is unreachable (an open under way is ended, not awaited)", {
  skip,
  timeout: 20_000,
}, async () => {
  // a loopback port nothing listens on: BullMQ keeps trying to connect, and an enqueue waits
  const srv = (await import("node:net")).createServer();
  const port = await new Promise<number>((done) =>
    srv.listen(0, "127.0.0.1", () => done((srv.address() as { port: number }).port)),
  );
  await new Promise((done) => srv.close(done));
  const down = queue({ connection: { host: "127.0.0.1", port }, name: "doeff-test-down" });
  const r = await runAsync(timeout(enqueue<number>("square", [2]), 300), {
    handlers: [scheduler, realTime, down],
  });
  assert.ok(r.error instanceof TimeoutError, r.format());
  // it says the job was not stored yet, and may still be (it read "Enqueue timed out … (it was
  // cancelled and its finally blocks ran)")
  assert.equal(
    r.error.message,
    `enqueue("square") timed out after 300 ms (its job was not stored in Redis by then — is Redis reachable? The add under way may still store it); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it`,
  );
  await down.close(); // before: pending for as long as Redis was down
});

test("queue: a new producer answers a jobId enqueued again (the old job removed) with the new job's result, and sees no earlier job's progress", {
  skip,
  timeout: 20_000,
}, async () => {
  const one = (n: number, opts: { jobId: string; removeOnComplete?: boolean; removeOnFail?: boolean }) => {
    const seen: unknown[] = [];
    const q = redis.queue({ onProgress: (_id, p) => seen.push(p) });
    return runAsync(
      program(function* () {
        const f = yield* enqueue<number>(n < 0 ? "withdraw" : "steps", n < 0 ? [1, 2] : [n], opts);
        try {
          return yield* wait(f);
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      }),
      { handlers: [scheduler, realTime, q] },
    ).then(async (r) => {
      await q.close();
      assert.ok(r.isOk(), r.format());
      return [r.value, seen];
    });
  };
  // each producer opens after the previous one's job finished and was removed; its events are
  // still in the stream, which a new producer reads from its start
  assert.deepEqual(await one(2, { jobId: "again-1", removeOnComplete: true }), [2, [50, 100]]);
  assert.deepEqual(await one(4, { jobId: "again-1", removeOnComplete: true }), [4, [25, 50, 75, 100]]);
  assert.deepEqual(await one(-1, { jobId: "again-2", removeOnFail: true }), ["balance would be -1", []]);
  assert.deepEqual(await one(1, { jobId: "again-2", removeOnComplete: true }), [1, [100]]);
});

test("queue: a program factory that throws fails its job with the error's class and cause kept", {
  skip,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        const ok = yield* wait(yield* enqueue<number>("checked", [3]));
        try {
          return [ok, yield* wait(yield* enqueue<number>("checked", [-1]))];
        } catch (e) {
          return [ok, e];
        }
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const [ok, e] = r.value as [number, Error];
    assert.equal(ok, 3);
    assert.ok(e instanceof RangeError, String(e));
    assert.equal(e.message, "n must be ≥ 0, got -1");
    assert.ok(e.cause instanceof TypeError);
    assert.equal((e.cause as Error).message, "negative");
  });
});

for (const graceful of [false, true])
  test(`queue: close(true)${graceful ? " after a pending graceful close()" : ""} aborts the runs in flight (their finally blocks run) and ${graceful ? "hands their jobs back to the queue (waiting, the attempt not counted)" : "leaves their jobs active for the stalled-job check"}`, {
    skip,
    timeout: 20_000,
  }, async () => {
    const name = `doeff-test-force-${graceful}`;
    const events: string[] = [];
    let finallyRan: () => void = () => {};
    const ranFinally = new Promise<void>((r) => {
      finallyRan = r;
    });
    const started = new Promise<void>((resolve) => {
      void (async () => {
        const w = await startWorker({
          connection: redis.connection,
          name,
          signals: false,
          programs: {
            long: fn(function* long() {
              try {
                events.push("started");
                resolve();
                yield* delay(10_000);
                events.push("finished its work");
                return 1;
              } finally {
                events.push("finally");
                finallyRan();
              }
            }),
          },
        });
        forced = w;
      })();
    });
    let forced: QueueWorker | undefined;
    const q = queue({ connection: redis.connection, name });
    try {
      void runAsync(
        program(function* () {
          return yield* enqueue("long", []);
        }),
        { handlers: [scheduler, realTime, q] },
      );
      await started;
      if (graceful) {
        // (BullMQ's own close(true) would only return the pending close, which waits for the job)
        void forced!.close();
        await new Promise((r) => setTimeout(r, 50));
      }
      await forced!.close(true);
      // close(true) resolves once the aborted runs have ended: their finally blocks have run
      assert.deepEqual(events, ["started", "finally"]);
      await ranFinally;
      const [job] = await (await q.bullQueue).getJobs(["active", "completed", "failed", "waiting"]);
      assert.equal(await job!.getState(), graceful ? "waiting" : "active");
      assert.equal(job!.attemptsMade, 0);
    } finally {
      await q.close();
    }
  });

test("queue: a job whose program throws undefined, null or an object that is not an Error fails once, the producer gets the value back (as for a thrown string); BullMQ's failedReason says what was thrown", {
  skip,
  timeout: 30_000,
}, async () => {
  const name = "doeff-test-nullish";
  const runs: Record<string, number> = {};
  const thrower = (what: string, v: unknown) =>
    fn(function* throws() {
      runs[what] = (runs[what] ?? 0) + 1;
      throw v;
    });
  const w = await startWorker({
    connection: redis.connection,
    name,
    signals: false,
    workerOptions: { stalledInterval: 500 },
    programs: {
      undef: thrower("undef", undefined),
      nul: thrower("nul", null),
      str: thrower("str", "s"),
      // an object without a message: BullMQ stored its failedReason as null (dashboards and the
      // worker's "failed" event showed nothing of what went wrong)
      obj: thrower("obj", { code: 42 }),
      // a factory that throws undefined fails its job alike
      factory: () => {
        runs.factory = (runs.factory ?? 0) + 1;
        throw undefined;
      },
    },
  });
  const q = queue({ connection: redis.connection, name });
  try {
    const outcome = async (programName: string) => {
      const r = await runAsync(
        timeout(
          program(function* () {
            return yield* wait(yield* enqueue(programName, [], { attempts: 1 }));
          }),
          5000,
        ),
        { handlers: [scheduler, realTime, q] },
      );
      return r.isOk() ? { value: r.value } : { error: r.error };
    };
    assert.deepEqual(await outcome("str"), { error: "s" });
    assert.deepEqual(await outcome("undef"), { error: undefined });
    assert.deepEqual(await outcome("nul"), { error: null });
    assert.deepEqual(await outcome("factory"), { error: undefined });
    assert.deepEqual(await outcome("obj"), { error: { code: 42 } });
    await new Promise((r) => setTimeout(r, 1500)); // past the stalled-job check: not run again
    assert.deepEqual(runs, { str: 1, undef: 1, nul: 1, factory: 1, obj: 1 });
    const bull = await q.bullQueue;
    const failed = await bull.getJobs(["failed"]);
    assert.deepEqual(failed.map((j) => [j.name, j.failedReason, j.attemptsMade]).sort(), [
      ["factory", "thrown: undefined", 1],
      ["nul", "thrown: null", 1],
      ["obj", 'thrown: {"code":42}', 1],
      ["str", "thrown: s", 1],
      ["undef", "thrown: undefined", 1],
    ]);
  } finally {
    await q.close();
    await w.close();
  }
});

test("queue: a jobId enqueued again for another program fails that enqueue, naming both programs (the same program with other arguments answers the job's result)", {
  skip,
  timeout: 20_000,
}, async () => {
  await withProducer(async (q) => {
    const r = await runAsync(
      program(function* () {
        const first = yield* wait(yield* enqueue<number>("square", [3], { jobId: "named-1" }));
        const other = yield* safe(enqueue<string>("greet", ["x"], { jobId: "named-1" }));
        const sameProgram = yield* wait(yield* enqueue<number>("square", [4], { jobId: "named-1" }));
        return { first, other, sameProgram };
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const { first, other, sameProgram } = r.value;
    assert.equal(first, 9);
    assert.ok(!other.ok && other.error instanceof TypeError, String(other));
    assert.equal(
      (other.error as Error).message,
      'enqueue("greet", …, { jobId: "named-1" }): the queue already has a job with that id, of the program "square", not "greet"; a jobId names one job, and its result is that program\'s — use another id',
    );
    assert.equal(sameProgram, 9);
    const bull = await q.bullQueue;
    assert.equal((await bull.getJob("named-1"))?.name, "square");
  });
});

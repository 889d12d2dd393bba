/**
 * doeff/workers: named programs on piscina worker threads — values, effects forwarded to the calling
 * task, errors across the boundary, cancellation (finally blocks in the worker, pool healthy),
 * crashes and bad input.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  all,
  answer,
  AsyncRequiredError,
  DeadlockError as DoeffDeadlockError,
  cancel,
  createExternalPromise,
  delay,
  gather,
  handle,
  type Handler,
  MissingEnvKeyError,
  program,
  reader,
  realTime,
  resume,
  run,
  runAsync,
  safe,
  scheduler,
  spawn,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  UnhandledEffectError,
  wait,
  writer,
} from "../src/index.js";
import {
  RemoteError,
  type RunInWorker,
  runInWorker,
  runInWorkerFor,
  WorkerCrashedError,
  WorkerModuleError,
  workerFn,
  workers,
} from "../src/workers/index.js";
import { WorkerPool } from "../src/workers/pool.js";
import { fromWire, registerErrorClasses, toWire } from "../src/workers/wire.js";
import { JobFailed, Lookup, Private, Started } from "./fixtures/workers/jobs.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url).href;
const LABEL = "test/fixtures/workers/jobs.ts";

const pool = workers({ size: 2, errors: [JobFailed] });
after(() => pool.close());

const lookup = handle(Lookup, function* lookup(e, k) {
  return yield* resume(k, `user${e.id}`);
});

const base = [scheduler, realTime, writer, reader, lookup, pool];

test("workers: programs run on the pool and answer their values; other tasks keep running", async () => {
  const fib = workerFn<typeof import("./fixtures/workers/jobs.js").fib>(JOBS, "fib");
  const r = await runAsync(
    program(function* () {
      const side = yield* spawn(
        program(function* () {
          yield* tell("side task ran");
          return "side";
        }),
      );
      const jobs = [];
      for (let n = 20; n < 24; n++) jobs.push(yield* spawn(fib(n)));
      const values = yield* gather(...jobs);
      const sum = yield* runInWorker<number>(JOBS, "add", 2, 3);
      const zero = yield* runInWorker<string>(JOBS, "zeroArg");
      return [values, sum, zero, yield* wait(side)];
    }),
    { handlers: base },
  );
  assert.ok(r.isOk(), r.format());
  assert.deepEqual(r.value, [[6765, 10946, 17711, 28657], 5, "zero", "side"]);
  assert.deepEqual(r.log, ["side task ran"]);
});

test("workers: runInWorkerFor runs a typed module's exports (a function's, a program's) and forwards its tells; a bad URL fails at once, an export missing at run time with WorkerModuleError", async () => {
  const TYPED = new URL("./fixtures/workers/typed-jobs.ts", import.meta.url);
  const inJobs = runInWorkerFor<typeof import("./fixtures/workers/typed-jobs.js")>(TYPED);
  const r = await runAsync(
    program(function* () {
      const n: number = yield* inJobs("count", 2, 7);
      const a: number = yield* inJobs("answer");
      return [n, a];
    }),
    { handlers: [scheduler, realTime, writer, pool], store: { n: "parent" } },
  );
  assert.ok(r.isOk(), r.format());
  assert.deepEqual(r.value, [5, 42]);
  assert.deepEqual(r.log, ["counted 5"]); // forwarded; the worker's own state kept its count
  assert.deepEqual(r.store, { n: "parent" });
  assert.throws(
    () => runInWorkerFor("./typed-jobs.js"),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        'runInWorker needs an absolute module URL, got "./typed-jobs.js"; write new URL("./typed-jobs.js", import.meta.url)',
  );
  // a name the type does not list (a cast): checked by the worker, as with runInWorker
  const loose = inJobs as unknown as (name: string, ...args: unknown[]) => RunInWorker<unknown>;
  const bad = await runAsync(loose("double", 2), { handlers: [scheduler, realTime, pool] });
  assert.ok(bad.isErr());
  assert.ok(bad.error instanceof WorkerModuleError, String(bad.error));
  assert.equal(
    bad.error.message,
    "test/fixtures/workers/typed-jobs.ts#double(…) returned 4, not a Program; wrap the generator function with fn(function* double(…) { … })",
  );
});

test("workers: forwarded effects (tell, ask, a parent-side service) are performed in the calling task; the worker keeps its own state", async () => {
  const r = await runAsync(runInWorker<string>(JOBS, "chatty", 7), {
    handlers: base,
    env: { greeting: "Hello" },
    store: { local: "parent" },
  });
  assert.ok(r.isOk(), r.format());
  assert.equal(r.value, "Hello, user7 (1)");
  assert.deepEqual(r.log, ["start 7", "done 7"]);
  assert.deepEqual(r.store, { local: "parent" }); // the worker's put("local", 1) went to its own state
});

test("workers: an error in the answer to a forwarded effect is thrown in the worker (and can be caught there)", async () => {
  const r = await runAsync(runInWorker<string>(JOBS, "askMissing"), { handlers: base, env: {} });
  assert.equal(r.value, "caught MissingEnvKeyError missing");
  const r2 = await runAsync(runInWorker(JOBS, "missingEnv"), { handlers: base, env: {} });
  assert.ok(r2.error instanceof MissingEnvKeyError);
  assert.equal(r2.error.key, "nope");
  assert.match(r2.error.message, /environment has no key "nope"/);
});

test("workers: a forwarded effect the parent does not take says it was forwarded by the job and where to handle it", async () => {
  const r = await runAsync(runInWorker(JOBS, "chatty", 3), {
    handlers: [scheduler, realTime, writer, reader, pool],
    env: { greeting: "hi" },
  });
  assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
  assert.equal(
    r.error.message,
    `no handler in the parent takes Lookup, which the job ${LABEL}#chatty forwarded (its module lists Lookup in \`forward\`): install a handler for Lookup where runInWorker is performed (in run's handlers, or withHandler around the call), or handle it in the worker (the module's \`export const handlers = [...]\`)`,
  );
  assert.deepEqual(r.log, ["start 3"]);
});

test("workers: a forwarded effect with a standard handler that the parent lacks names that handler in the message", async () => {
  const FWD = new URL("./fixtures/workers/fwd.ts", import.meta.url).href;
  const r = await runAsync(runInWorker(FWD, "reads"), { handlers: [scheduler, realTime, pool] });
  assert.ok(r.error instanceof UnhandledEffectError, String(r.error));
  assert.equal(
    r.error.message,
    "no handler in the parent takes Get, which the job test/fixtures/workers/fwd.ts#reads forwarded (its module lists Get in `forward`): install a handler for Get (the standard one is state) where runInWorker is performed (in run's handlers, or withHandler around the call), or handle it in the worker (the module's `export const handlers = [...]`)",
  );
});

test("workers: an error class the module exports in `errors` is rebuilt as itself in the worker (the parent's answer to a forwarded effect)", async () => {
  const refuse = answer(Lookup, (e) => {
    throw new JobFailed(`no user ${e.id}`, 404); // thrown at the perform site: in the worker
  });
  const r = await runAsync(runInWorker<string>(JOBS, "lookupCaught", 9), {
    handlers: [scheduler, realTime, writer, reader, refuse, pool],
  });
  assert.equal(r.value, "caught JobFailed 404: no user 9");
});

test("workers: errors keep class, message, fields, stack and cause; the traceback shows the worker separator", async () => {
  const r = await runAsync(runInWorker(JOBS, "failing", 5), { handlers: base });
  const e = r.error;
  assert.ok(e instanceof JobFailed, String(e));
  assert.equal(e.name, "JobFailed");
  assert.equal(e.message, "job failed with 5");
  assert.equal(e.code, 5);
  assert.ok(e.cause instanceof RangeError);
  assert.equal(e.cause.message, "inner cause");
  assert.match(e.stack ?? "", /^JobFailed: job failed with 5\n\s+at failing \(.*jobs\.ts:\d+:\d+\)/);
  assert.match(e.stack ?? "", new RegExp(`\\n {4}── in worker \\(${LABEL}#failing\\) ──$`));
  assert.deepEqual(r.log, ["about to fail"]); // the worker's tell, forwarded before it threw
  const report = r.format().split("\n");
  assert.equal(report[0], "doeff traceback (outermost first):");
  assert.ok(report.includes(`  ── in worker (${LABEL}#failing) ──`), r.format());
  assert.match(report.find((l) => l.startsWith("  thrown at")) ?? "", /^ {2}thrown at .*jobs\.ts:\d+$/);
  assert.deepEqual(report.slice(-2), ["JobFailed: job failed with 5", "  caused by RangeError: inner cause"]);
  // a class the parent does not know: a RemoteError carrying the original name
  const r2 = await runAsync(runInWorker(JOBS, "secret"), { handlers: base });
  assert.ok(r2.error instanceof RemoteError);
  assert.equal(r2.error.name, "Secret");
  assert.equal(r2.error.message, "hidden class");
});

test("workers: an error class is matched by its class name first — a registered class that never sets `name`, or sets another one, comes back as itself", () => {
  class Plain extends Error {} // its name stays "Error"
  class Renamed extends Error {
    constructor(m: string) {
      super(m);
      this.name = "HTTPError";
    }
  }
  class Unregistered extends RangeError {}
  registerErrorClasses([Plain, Renamed]);
  const plain = fromWire(toWire(new Plain("p", { cause: new Plain("c") }))) as Error;
  assert.ok(plain instanceof Plain);
  assert.equal(plain.name, "Error");
  assert.equal(plain.message, "p");
  assert.ok(plain.cause instanceof Plain);
  const renamed = fromWire(toWire(new Renamed("r"))) as Error;
  assert.ok(renamed instanceof Renamed);
  assert.equal(renamed.name, "HTTPError");
  // not registered, its name inherited: rebuilt as the built-in class it is named after
  const other = fromWire(toWire(new Unregistered("u"))) as Error;
  assert.equal(Object.getPrototypeOf(other), RangeError.prototype);
  assert.equal(other.name, "RangeError");
});

test("workers: doeff's error classes are rebuilt only from doeff's errors — a user's class named TimeoutError, or a DOMException named so, is not doeff's TimeoutError", () => {
  class UserTimeout extends Error {
    constructor(m: string) {
      super(m);
      this.name = "TimeoutError";
    }
  }
  class DeadlockError extends Error {} // a user's class with doeff's class name, name left "Error"
  const user = fromWire(toWire(new UserTimeout("db timed out"))) as Error;
  assert.ok(!(user instanceof TimeoutError), String(user));
  assert.ok(user instanceof RemoteError);
  assert.equal(user.name, "TimeoutError");
  assert.equal(user.message, "db timed out");
  const named = fromWire(toWire(new DeadlockError("mine"))) as Error;
  assert.ok(!(named instanceof DoeffDeadlockError), String(named));
  assert.equal(Object.getPrototypeOf(named), Error.prototype);
  assert.equal(named.message, "mine");
  const dom = fromWire(toWire(new DOMException("The operation timed out.", "TimeoutError"))) as DOMException;
  assert.ok(dom instanceof DOMException, String(dom));
  assert.equal(dom.name, "TimeoutError");
  assert.equal(dom.code, DOMException.TIMEOUT_ERR);
  assert.equal(dom.message, "The operation timed out.");
  const abort = fromWire(toWire(new DOMException("stop", "AbortError"))) as DOMException;
  assert.ok(abort instanceof DOMException);
  assert.equal(abort.name, "AbortError");
  // doeff's own still come back as themselves, fields included
  const ours = fromWire(toWire(new TimeoutError(250, "fetchUser"))) as TimeoutError;
  assert.ok(ours instanceof TimeoutError);
  assert.equal(ours.ms, 250);
  assert.equal(ours.name, "TimeoutError");
});

test("workers: a bad `setup` or `errors` option is a TypeError at workers(…) naming the option and the fix; a setup module that does not load fails each job saying so", async () => {
  assert.throws(() => workers({ setup: "./setup.js" }), {
    name: "TypeError",
    message: `workers({ setup }) needs an absolute module URL, got "./setup.js"; write new URL("./setup.js", import.meta.url)`,
  });
  assert.throws(() => workers({ setup: 5 as unknown as string }), {
    name: "TypeError",
    message: `workers({ setup }) expects a module URL (new URL("./setup.js", import.meta.url)), got 5`,
  });
  assert.throws(() => workers({ errors: "JobFailed" as unknown as [] }), {
    name: "TypeError",
    message: `workers({ errors }) expects an array of Error subclasses (class X extends Error), got "JobFailed"; e.g. workers({ errors: [MyError] })`,
  });
  const broken = workers({ size: 1, setup: new URL("./fixtures/workers/no-such-setup.ts", import.meta.url) });
  try {
    const r = await runAsync(runInWorker(JOBS, "add", 1, 2), { handlers: [scheduler, realTime, broken] });
    assert.ok(r.error instanceof WorkerModuleError, String(r.error));
    assert.match(
      r.error.message,
      /^the pool's setup module test\/fixtures\/workers\/no-such-setup\.ts failed to load in the worker thread: .*\. Check workers\(\{ setup \}\): the absolute URL/,
    );
  } finally {
    await broken.close();
  }
});

/** a pool of one thread, and a handler for the jobs' Started effect that completes `started` */
function oneThread(cancelGraceMs: number) {
  const single = workers({ size: 1, cancelGraceMs });
  let onStart: (tag: string) => void = () => {};
  const started = handle(Started, function* started(e, k) {
    onStart(e.tag);
    return yield* resume(k, undefined);
  });
  return {
    single,
    handlers: [scheduler, realTime, writer, reader, started, single],
    onStarted: (f: (tag: string) => void) => {
      onStart = f;
    },
  };
}

test("workers: cancelling the calling task finalizes the job in the worker (its finally blocks run) and the thread stays", async () => {
  // a long grace: the thread must not be terminated however slow this machine is
  const { single, handlers, onStarted } = oneThread(60_000);
  try {
    const r = await runAsync(
      program(function* () {
        const ready = yield* createExternalPromise<string>();
        onStarted((tag) => ready.complete(tag));
        const t = yield* spawn(runInWorker(JOBS, "slowStarted", "a"));
        const tag = yield* wait(ready.future);
        const cancelled = yield* cancel(t);
        const waited = yield* safe(wait(t));
        // same thread (size 1): the job's finally block ran there before the next job
        const log = yield* runInWorker<string[]>(JOBS, "log");
        return {
          tag,
          cancelled,
          waitedCancelled: !waited.ok && waited.error instanceof TaskCancelledError,
          log,
        };
      }),
      { handlers },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, { tag: "a", cancelled: true, waitedCancelled: true, log: ["finally a"] });
  } finally {
    await single.close();
  }
});

test("workers: timeout and all({ concurrency }) work on jobs as on any program", async () => {
  // timeout: the job is cancelled in the thread when its time is up (its finally block runs there)
  const { single, handlers, onStarted } = oneThread(60_000);
  const events: string[] = [];
  onStarted((tag) => events.push(tag));
  try {
    const r = await runAsync(
      program(function* () {
        yield* runInWorker(JOBS, "mark", "warm"); // the thread is up and the module loaded
        const timed = yield* safe(timeout(runInWorker(JOBS, "slow", "t"), 300));
        const log = yield* runInWorker<string[]>(JOBS, "log"); // the same thread (size 1)
        return { timedOut: !timed.ok && timed.error instanceof TimeoutError, log };
      }),
      { handlers },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, { timedOut: true, log: ["ran warm", "finally t"] });
  } finally {
    await single.close();
  }
  // all with a concurrency limit on a 4-thread pool: never more than 2 jobs at once, results in order
  const four = workers({ size: 4 });
  const recorded = handle(Started, function* recorded(e, k) {
    events.push(e.tag);
    return yield* resume(k, undefined);
  });
  try {
    // warm up: every thread up with the module loaded, so jobs start as soon as they are sent
    const warm = await runAsync(all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => runInWorker(JOBS, "stepped", i))), {
      handlers: [scheduler, realTime, recorded, four],
    });
    assert.ok(warm.isOk(), warm.format());
    events.length = 0;
    const ids = [0, 1, 2, 3, 4, 5];
    const r = await runAsync(
      all(
        ids.map((i) => runInWorker<number>(JOBS, "stepped", i)),
        { concurrency: 2 },
      ),
      { handlers: [scheduler, realTime, recorded, four] },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, [0, 10, 20, 30, 40, 50]);
    let inFlight = 0;
    let most = 0;
    for (const ev of events) {
      inFlight += ev.startsWith("start") ? 1 : -1;
      most = Math.max(most, inFlight);
    }
    assert.equal(events.length, 12);
    assert.equal(inFlight, 0);
    assert.equal(most, 2, events.join(", "));
  } finally {
    await four.close();
  }
});

/** A one-thread pool whose setup module counts the threads it starts (one line each in a file). */
function countedPool(cancelGraceMs: number) {
  const dir = mkdtempSync(join(tmpdir(), "doeff-threads-"));
  const file = join(dir, "threads.log");
  const setup = new URL(
    `./fixtures/workers/count-threads.ts?log=${encodeURIComponent(file)}`,
    import.meta.url,
  );
  const single = workers({ size: 1, cancelGraceMs, setup });
  return {
    single,
    threads: () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0),
    cleanup: async () => {
      await single.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const [when, ms] of [
  ["while its thread is still starting", 1],
  ["after a while", 200],
] as const) {
  test(`workers: cancelling a caller whose job has sent nothing yet, ${when}, finalizes the job or drops it unstarted; the thread is not terminated`, async () => {
    // the job forwards no effect, so the caller is still waiting for the job's first event. A long
    // grace: were the cancel lost, the job would run until the grace ended and its thread were
    // terminated (a second thread started, and this test slow) — a lost cancel is what this catches
    const { single, threads, cleanup } = countedPool(10_000);
    try {
      const r = await runAsync(
        program(function* () {
          const t = yield* spawn(runInWorker(JOBS, "slowLogged", "b"));
          yield* delay(ms); // the job is sent to piscina meanwhile
          const cancelled = yield* cancel(t);
          const waited = yield* safe(wait(t));
          const log = yield* runInWorker<string[]>(JOBS, "log");
          const sum = yield* runInWorker<number>(JOBS, "add", 2, 3);
          return {
            cancelled,
            waitedCancelled: !waited.ok && waited.error instanceof TaskCancelledError,
            log,
            sum,
          };
        }),
        { handlers: [scheduler, realTime, single] },
      );
      assert.ok(r.isOk(), r.format());
      const { log, ...rest } = r.value;
      assert.deepEqual(rest, { cancelled: true, waitedCancelled: true, sum: 5 });
      assert.equal(threads(), 1, "the thread was not terminated and replaced");
      if (ms === 1)
        assert.deepEqual(log, []); // its thread never ran it
      // after a while: started, its finally block ran in the worker (and its delay did not end: no
      // "completed b"), or not started yet and never run
      else
        assert.ok(
          log.length === 0 || (log.length === 1 && log[0] === "finally b"),
          `log: ${JSON.stringify(log)}`,
        );
    } finally {
      await cleanup();
    }
  });
}

test("workers: a job busy in synchronous code is terminated after the grace period; the pool stays healthy", async () => {
  const { single, handlers, onStarted } = oneThread(100);
  const dir = mkdtempSync(join(tmpdir(), "doeff-workers-"));
  const marker = join(dir, "finally");
  try {
    const r = await runAsync(
      program(function* () {
        const ready = yield* createExternalPromise<string>();
        onStarted((tag) => ready.complete(tag));
        const t = yield* spawn(runInWorker(JOBS, "busyStarted", marker));
        yield* wait(ready.future);
        const cancelled = yield* cancel(t);
        const after = yield* runInWorker<number>(JOBS, "add", 20, 22);
        return { cancelled, after };
      }),
      { handlers },
    );
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(r.value, { cancelled: true, after: 42 });
    // documented: a synchronous loop never sees the cancel message, so its finally block cannot run
    assert.equal(existsSync(marker), false);
  } finally {
    await single.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A job that ends its thread (`exportName`), spawned with an `add` job behind it and followed by a
 * `fib` job: only the first fails, with WorkerCrashedError; the others run (on the new thread).
 */
async function crashesAlone(
  exportName: string,
  handlers: readonly Handler<any, any>[],
): Promise<WorkerCrashedError> {
  const r = await runAsync(
    program(function* () {
      const crash = yield* spawn(runInWorker(JOBS, exportName));
      const ok = yield* spawn(runInWorker<number>(JOBS, "add", 1, 2)); // (queued behind it on one thread)
      const crashed = yield* safe(wait(crash));
      const sum = yield* wait(ok);
      const later = yield* runInWorker<number>(JOBS, "fib", 10);
      return { crashed, sum, later };
    }),
    { handlers },
  );
  assert.ok(r.isOk(), r.format());
  const { crashed, sum, later } = r.value;
  assert.equal(sum, 3);
  assert.equal(later, 55);
  assert.equal(crashed.ok, false);
  const e = crashed.ok ? null : crashed.error;
  assert.ok(e instanceof WorkerCrashedError, String(e));
  assert.match(
    e.message,
    new RegExp(`^the worker thread running ${LABEL}#${exportName} ended before answering`),
  );
  assert.equal(e.exportName, exportName);
  return e;
}

test("workers: a thread that exits fails only its own job; the pool replaces it", async () => {
  await crashesAlone("crash", base);
});

test("workers: a thread that runs out of memory fails only its own job; the pool replaces it", async () => {
  const small = workers({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  try {
    const e = await crashesAlone("hog", [scheduler, realTime, small]);
    assert.match(
      e.message,
      /\(Worker terminated due to reaching memory limit: JS heap out of memory\); only this job failed/,
    );
  } finally {
    await small.close();
  }
});

test("workers: an effect the module does not forward fails in the worker with UnhandledEffectError, even when the parent handles it", async () => {
  const parentSide = handle(Private, function* parentSide(_e, k) {
    return yield* resume(k, 1);
  });
  const r = await runAsync(runInWorker(JOBS, "unforwarded"), { handlers: [...base, parentSide] });
  assert.equal(r.ok, false);
  const e = r.error as Error;
  assert.ok(e instanceof UnhandledEffectError, String(e));
  // the fix is in the job's module, not in the parent's handlers (which take Private already)
  assert.equal(
    e.message,
    `no handler in the worker takes Private (job ${LABEL}#unforwarded): an effect performed in a worker reaches the parent's handlers only when its class is in the module's \`export const forward = [Private, …]\`; or handle it in the worker: \`export const handlers = [...]\``,
  );
  assert.ok(e.stack?.startsWith(`UnhandledEffectError: ${e.message}`), e.stack);
  assert.ok(r.format().includes(`── in worker (${LABEL}#unforwarded) ──`), r.format());
});

test("workers: bad input is a clear error at the call", async () => {
  const attempt = async (p: RunInWorker<unknown>) => (await runAsync(p, { handlers: base })).error;
  const missing = await attempt(runInWorker(new URL("./fixtures/workers/nope.ts", import.meta.url), "x"));
  assert.ok(missing instanceof WorkerModuleError);
  assert.match(missing.message, /^the worker cannot import test\/fixtures\/workers\/nope\.ts: /);
  const noExport = await attempt(runInWorker(JOBS, "nothing"));
  assert.ok(noExport instanceof WorkerModuleError);
  assert.match(
    noExport.message,
    new RegExp(`^${LABEL} has no export named "nothing" \\(it exports: .*\\badd\\b`),
  );
  const notProgram = await attempt(runInWorker(JOBS, "notAProgram", 2));
  assert.ok(notProgram instanceof WorkerModuleError);
  assert.match(
    notProgram.message,
    new RegExp(`^${LABEL}#notAProgram\\(…\\) returned 4, not a Program; wrap`),
  );
  // an export that is a Program, given arguments: it said the Program was "not a function returning a Program"
  const programGivenArgs = await attempt(runInWorker(JOBS, "zeroArg", 1, 2));
  assert.ok(programGivenArgs instanceof WorkerModuleError);
  assert.equal(
    programGivenArgs.message,
    `${LABEL}#zeroArg is a Program, which takes no arguments, and the job passed 2; call runInWorker without arguments, or export a function of them: export const zeroArg = fn(function* zeroArg(…) { … })`,
  );
  const notFunction = await attempt(runInWorker(JOBS, "notAFunction"));
  assert.ok(notFunction instanceof WorkerModuleError);
  assert.match(
    notFunction.message,
    new RegExp(`^${LABEL}#notAFunction is 42, not a function returning a Program`),
  );
  // a function inside an argument is refused at the call too, saying where (it was refused only when
  // piscina cloned it, with structured clone's message: "()=>1 could not be cloned.")
  assert.throws(() => runInWorker(JOBS, "add", { id: 7, onDone: () => 1 }, 1), {
    name: "TypeError",
    message:
      "runInWorker(add): argument 1 holds .onDone: a function, which cannot be sent to a worker thread at all (structured clone cannot copy it): pass data, and let the job's own code act on it",
  });
  assert.throws(() => runInWorker(JOBS, "add", 1, new Map([["k", [Symbol("s")]]])), {
    name: "TypeError",
    message:
      'runInWorker(add): argument 2 holds .get("k")[0]: a symbol, which cannot be sent to a worker thread at all (structured clone cannot copy it): use a string',
  });
  const nested = await attempt(runInWorker(JOBS, "add", new Proxy({ f: 1 }, {}), 1));
  assert.ok(nested instanceof TypeError);
  assert.equal(
    nested.message,
    `runInWorker(${LABEL}#add): argument 1 cannot be sent to a worker thread (#<Object> could not be cloned.); pass structured-cloneable data (no functions, no class instances with behaviour)`,
  );
  const result = await attempt(runInWorker(JOBS, "returnsFunction"));
  assert.ok(result instanceof TypeError);
  assert.match(
    result.message,
    /#returnsFunction returned a value that cannot be sent back to the parent thread/,
  );
  const inResult = await attempt(runInWorker(JOBS, "returnsCallback"));
  assert.ok(inResult instanceof TypeError);
  assert.equal(
    inResult.message,
    `${LABEL}#returnsCallback returned a value that cannot be sent back to the parent thread (it holds .onMore: a function, which cannot be sent to the parent thread at all (structured clone cannot copy it): return data, and let the parent's own code act on it); return structured-cloneable data (no functions, no class instances: return plain data and rebuild the instance in the parent)`,
  );
  // at construction
  assert.throws(() => runInWorker(JOBS, "add", () => 1), {
    name: "TypeError",
    message: /^runInWorker\(add\): argument 1 is a function, which cannot be sent to a worker thread/,
  });
  assert.throws(() => runInWorker("./jobs.js", "add"), {
    name: "TypeError",
    message: /needs an absolute module URL/,
  });
  // a file path is not a URL: new URL("/srv/app/jobs.js", import.meta.url) was the advice; and a
  // Windows path's drive letter read as a URL scheme, so it passed the check and failed in the worker
  assert.throws(() => runInWorker("/srv/app/jobs.js", "add"), {
    name: "TypeError",
    message:
      'runInWorker needs an absolute module URL, got the file path "/srv/app/jobs.js"; write pathToFileURL("/srv/app/jobs.js") (from node:url), or new URL("./file.js", import.meta.url) for a module beside this one',
  });
  assert.throws(() => runInWorker("C:\\app\\jobs.js", "add"), {
    name: "TypeError",
    message:
      'runInWorker needs an absolute module URL, got the file path "C:\\\\app\\\\jobs.js"; write pathToFileURL("C:\\\\app\\\\jobs.js") (from node:url), or new URL("./file.js", import.meta.url) for a module beside this one',
  });
  assert.throws(() => workers({ setup: "/srv/app/setup.js" }), {
    name: "TypeError",
    message:
      'workers({ setup }) needs an absolute module URL, got the file path "/srv/app/setup.js"; write pathToFileURL("/srv/app/setup.js") (from node:url), or new URL("./file.js", import.meta.url) for a module beside this one',
  });
  assert.throws(() => runInWorker(JOBS, ""), { name: "TypeError" });
  assert.throws(() => workers({ size: 0 }), { name: "RangeError" });
  // without the scheduler / under run
  const noSched = await runAsync(runInWorker(JOBS, "add", 1, 1), { handlers: [pool] as Handler<any, any>[] });
  assert.ok(noSched.error instanceof TypeError);
  const schedulerFirst = `runInWorker(${LABEL}#add) needs the scheduler to wait for the worker, installed outside workers(…): run under runAsync with scheduler listed before the pool in handlers ([scheduler, realTime, workers(…), …])`;
  assert.equal(noSched.error.message, schedulerFirst);
  // the scheduler listed after the pool is not outside it: the message says where it goes (it said
  // "run under runAsync with handlers [scheduler, …]" to a run under runAsync with the scheduler)
  const schedAfter = await runAsync(runInWorker(JOBS, "add", 1, 1), {
    handlers: [pool, scheduler, realTime] as Handler<any, any>[],
  });
  assert.ok(schedAfter.error instanceof TypeError);
  assert.equal(schedAfter.error.message, schedulerFirst);
  const sync = run(runInWorker(JOBS, "add", 1, 1), { handlers: [scheduler, pool] });
  assert.ok(sync.error instanceof AsyncRequiredError);
  // the message names runInWorker (it named awaitPromise / createExternalPromise, never called), and
  // nothing ran in a worker, so no report says "in worker"
  assert.equal(
    sync.error.message,
    `runInWorker(${LABEL}#add) (it waits for a worker thread) needs the event loop; use runAsync(program, options) instead of run()`,
  );
  for (const r of [sync, noSched]) assert.ok(!r.format().includes("in worker"), r.format());
  const cloneFailed = await runAsync(runInWorker(JOBS, "add", new Proxy({ f: 1 }, {}), 1), {
    handlers: base,
  });
  assert.ok(!cloneFailed.format().includes("in worker"), cloneFailed.format());
  // and the pool still works
  assert.equal((await runAsync(runInWorker<number>(JOBS, "add", 1, 1), { handlers: base })).value, 2);
});

test("workers: a job still running when its pool is closed fails with WorkerCrashedError saying close() stopped it", async () => {
  const closing = workers({ size: 1 });
  let began: () => void = () => {};
  const running = new Promise<void>((r) => {
    began = r;
  });
  const onStart = handle(Started, function* onStart(_e, k) {
    began();
    return yield* resume(k, undefined);
  });
  const r1 = runAsync(
    program(function* () {
      return yield* runInWorker(JOBS, "slowStarted", "c");
    }),
    { handlers: [scheduler, realTime, writer, reader, onStart, closing] },
  );
  await running; // the thread runs the job (it forwarded Started)
  await closing.close();
  const r = await r1;
  assert.ok(r.error instanceof WorkerCrashedError, String(r.error));
  assert.match(
    r.error.message,
    /^the worker thread running .*#slowStarted was stopped by the pool's close\(\) before it answered/,
  );
});

test("workers: a parent started with per-process flags (--max-old-space-size, --expose-gc) beside tsx runs jobs, and close() resolves", {
  timeout: 60_000,
}, async () => {
  // those flags are refused in a Worker's explicit execArgv (ERR_WORKER_INVALID_EXEC_ARGV): every
  // job failed and pool.close() threw; the threads get only the loader flags
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync(
    process.execPath,
    [
      "--max-old-space-size=512",
      "--expose-gc",
      ...process.execArgv,
      new URL("./fixtures/workers/per-process-flags.ts", import.meta.url).pathname,
    ],
    { encoding: "utf8" },
  );
  assert.equal(out.trim(), "ok 3");
});

test("workers: without piscina installed, a job fails with the error that says to install it (not as a crashed thread)", {
  timeout: 60_000,
}, async () => {
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      "--import",
      new URL("./fixtures/workers/no-piscina.mjs", import.meta.url).href,
      new URL("./fixtures/workers/without-piscina.ts", import.meta.url).pathname,
    ],
    { encoding: "utf8" },
  );
  assert.equal(
    out.trim(),
    "Error: doeff/workers runs jobs on piscina, which is not installed here; add it with: npm install piscina",
  );
});

test("workers: an 'error' piscina emits for a reply no job hears of (a cancelled job's, after close) does not crash the process", async () => {
  const wp = new WorkerPool({ size: 1 });
  const piscina = (await wp.piscina()) as unknown as import("node:events").EventEmitter;
  // what piscina emits when a thread close() removed still replies (an unheard 'error' event throws)
  assert.doesNotThrow(() =>
    piscina.emit("error", new Error("Unexpected message from Worker: { taskId: 27 }")),
  );
  await wp.close();
});

test("workers: a failed job's own doeff traceback (its chain and tasks in the worker) comes back on the error as remoteTraceback, not enumerable, as a queue job's does", async () => {
  const r = await runAsync(runInWorker(JOBS, "failingInTask", 7), { handlers: base });
  const e = r.error as JobFailed & { remoteTraceback?: unknown };
  assert.ok(e instanceof JobFailed, String(e));
  assert.equal(Object.getOwnPropertyDescriptor(e, "remoteTraceback")?.enumerable, false);
  const lines = String(e.remoteTraceback).split("\n");
  assert.deepEqual(lines.slice(0, 5), [
    "doeff traceback (outermost first):",
    "  failingInTask",
    "  ── in task 1 ──",
    "  failing",
    `  thrown at ${lines[4]!.slice("  thrown at ".length)}`,
  ]);
  assert.match(lines[4]!, /^ {2}thrown at test\/fixtures\/workers\/jobs\.ts:\d+$/);
  assert.deepEqual(lines.slice(5), ["JobFailed: job failed with 7", "  caused by RangeError: inner cause"]);
  // the parent's own report is unchanged: the calling chain, the worker separator, the throw's line
  const report = r.format().split("\n");
  assert.ok(report.includes(`  ── in worker (${LABEL}#failingInTask) ──`), r.format());
  assert.ok(!report.includes("  failingInTask"), r.format());
  // an error that did not end a run of the job (no such export: no program to run) has none
  const r2 = await runAsync(runInWorker(JOBS, "nope"), { handlers: base });
  assert.ok(r2.error instanceof WorkerModuleError, String(r2.error));
  assert.equal((r2.error as { remoteTraceback?: unknown }).remoteTraceback, undefined);
});

test("workers: an unforwarded effect's remoteTraceback ends with the error's own message (the module's fix), not the one it replaced", async () => {
  const parentSide = handle(Private, function* parentSide(_e, k) {
    return yield* resume(k, 1);
  });
  const r = await runAsync(runInWorker(JOBS, "unforwarded"), { handlers: [...base, parentSide] });
  const e = r.error as UnhandledEffectError & { remoteTraceback?: string };
  assert.ok(e instanceof UnhandledEffectError, String(e));
  const lines = String(e.remoteTraceback).split("\n");
  // (it said "Install a handler for Private … around the code that performs it": the parent has one)
  assert.deepEqual(lines, [
    "doeff traceback (outermost first):",
    "  unforwarded",
    "  effect Private(): state ↗, forwardToParent ↗, realTime ↗, scheduler ↗",
    `UnhandledEffectError: ${e.message}`,
  ]);
});

/**
 * `cede()`: a task's turn for the other ready tasks without a clock round (docs/concurrency.md,
 * docs/reliability-notes.md "Loops that never wait for later"). What a user running a long batch
 * under `run` + `simulatedTime()` needs: it lets the other tasks run in FIFO order, it is no round of
 * the clock (a 200,000-item batch with a timer due later pending is not "stuck"), it is what
 * `observe` and `record` show (retry's internal one is not), it needs the scheduler (a clear error
 * without one), and an endless loop of it can still be stopped by runAsync's signal.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { record } from "../src/testing/index.js";
import { createScheduler } from "../src/handlers/scheduler.js";
import {
  ask,
  Cede,
  cancel,
  cede,
  createPromise,
  DoeffError,
  delay,
  Effect,
  fn,
  gather,
  handle,
  listen,
  local,
  now,
  observe,
  program,
  reader,
  resume,
  retry,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  tell,
  timeout,
  UnhandledEffectError,
  wait,
  withHandler,
  writer,
} from "../src/index.js";

const batch = fn(function* batch(n: number, step: "cede" | "delay0") {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += i;
    if (step === "cede") yield* cede();
    else yield* delay(0);
  }
  return [sum, yield* now()];
});
const SUM = (200_000 * 199_999) / 2;

test("cede: a 200,000-item batch that cedes after each item, inside a timeout (a timer due later), ends under run + simulatedTime at the instant it began; the same batch of delay(0) is taken for a stuck clock", () => {
  const r = run(timeout(batch(200_000, "cede"), 1000), { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(r.value, [SUM, 0]);
  const d = run(timeout(batch(200_000, "delay0"), 1000), { handlers: [scheduler, simulatedTime()] });
  assert.ok(d.error instanceof DoeffError);
  assert.match(
    d.error.message,
    /^virtual time is stuck at 0 ms: timers fired at that instant 100000 times in a row/,
  );
});

test("cede: a batch beside a heartbeat task (a timer due later, always pending) ends, under run and under runAsync; the heartbeat's timers fire when every task waits", async () => {
  const log: string[] = [];
  const main = program(function* main() {
    const beat = yield* spawn(
      program(function* heartbeat() {
        for (let i = 0; ; i++) {
          yield* delay(10);
          log.push(`beat@${yield* now()}`);
        }
      }),
    );
    const b = yield* spawn(batch(200_000, "cede"));
    const v = yield* wait(b);
    log.push(`batch@${yield* now()}`);
    yield* delay(25); // every task waits now: the clock moves, the heartbeat beats twice
    return [v, beat.id];
  });
  for (const go of [
    () => Promise.resolve(run(main, { handlers: [scheduler, simulatedTime()] })),
    () => runAsync(main, { handlers: [scheduler, simulatedTime()] }),
  ]) {
    log.length = 0;
    const r = await go();
    assert.deepEqual(r.value, [[SUM, 0], 1]);
    assert.deepEqual(log, ["batch@0", "beat@10", "beat@20"]);
  }
});

test("cede: the task goes to the back of the ready queue, behind every task ready now (FIFO), and goes on at once when none is ready", () => {
  const log: string[] = [];
  const worker = fn(function* worker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      log.push(`${name}${i}`);
      yield* cede();
    }
  });
  const main = program(function* main() {
    const a = yield* spawn(worker("a", 3));
    const b = yield* spawn(worker("b", 2));
    yield* gather(a, b);
    log.push("main");
    yield* cede(); // nothing else ready: goes on
    yield* cede();
    log.push("main again");
  });
  const r = run(main, { handlers: [scheduler] });
  assert.equal(r.ok, true);
  assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "main", "main again"]);
});

test("cede: without a scheduler it is an UnhandledEffectError that names the handler to add (it is a scheduler effect, as spawn is: a no-op would hide that no other task can run)", () => {
  const r = run(
    program(function* alone() {
      yield* cede();
    }) as never, // (its type already says so: MissingHandlerError<Cede>)
  );
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.ok(r.error.effect instanceof Cede);
  assert.match(
    r.error.message,
    /^no handler takes Cede; no handlers are installed here\. Cede is answered by the standard handler scheduler: add it to the run's handlers\./,
  );
});

test("cede: observe and record show a program's own cede (it wrote it), not retry's internal turn", () => {
  let n = 0;
  const flaky = fn(function* flaky() {
    if (++n < 3) throw new Error(`fail ${n}`);
    return n;
  });
  const seen: string[] = [];
  const rec = record();
  const r = run(
    program(function* main() {
      yield* cede();
      return yield* retry(flaky(), { times: Infinity });
    }),
    {
      handlers: [
        scheduler,
        observe((e) => {
          seen.push((e as object).constructor.name);
        }),
        rec,
      ],
    },
  );
  assert.equal(r.value, 3);
  assert.deepEqual(seen, ["Cede"]);
  assert.deepEqual(
    rec.entries.map((e) => [(e.effect as object).constructor.name, e.status]),
    [["Cede", "passed"]],
  );
});

test("cede: tasks that cede for ever while main waits for a promise no one completes are stopped by runAsync's signal, as loops of delay(0) are", async () => {
  const spin = fn(function* spin() {
    for (;;) yield* cede();
  });
  const main = program(function* main() {
    yield* spawn(spin());
    yield* spawn(spin());
    const p = yield* createPromise<number>();
    return yield* wait(p.future);
  });
  const r = await runAsync(main, {
    handlers: [scheduler, simulatedTime()],
    signal: AbortSignal.timeout(100),
  });
  assert.equal((r.error as DOMException).name, "TimeoutError");
  const lines = r.format().split("\n");
  assert.deepEqual(lines.slice(1, 4), [
    "where the run was when its signal aborted it (outermost first):",
    "  main",
    "  blocked in wait(a promise)",
  ]);
  // and one task ceding alone (no other task ready: it goes on at once, never switching)
  const alone = await runAsync(spin(), { handlers: [scheduler], signal: AbortSignal.timeout(100) });
  assert.equal((alone.error as DOMException).name, "TimeoutError");
});

test("cede while a task is being finalized goes on at once (§9.4: no switch): a cancelled task's finally, and R9's cancel after main returned; main's own finally, before main returns, is ordinary code and switches", () => {
  const log: string[] = [];
  const ticker = fn(function* ticker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      log.push(`${name}${i}`);
      yield* cede();
    }
  });
  const victim = fn(function* victim(name: string) {
    try {
      yield* delay(100);
    } finally {
      log.push(`${name} finally`);
      yield* cede(); // the ticker is ready: not run now
      log.push(`${name} finally goes on`);
    }
  });
  const main = program(function* main() {
    const v = yield* spawn(victim("cancelled"));
    yield* spawn(victim("left")); // still in its delay when main returns: R9 cancels it
    yield* spawn(ticker("t", 5));
    yield* cede(); // the victims start their delays, the ticker logs t0
    log.push("cancel");
    yield* cancel(v);
    log.push("cancelled");
    try {
      return 1;
    } finally {
      yield* cede(); // main is not being finalized: the ticker runs
      log.push("main finally");
    }
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assert.equal(r.value, 1);
  assert.deepEqual(log, [
    "t0",
    "cancel",
    "cancelled finally",
    "cancelled finally goes on",
    "cancelled",
    "t1",
    "main finally",
    "left finally",
    "left finally goes on",
  ]);
});

test("cede in a handler's own code and inside local and listen: the switch keeps the task's env and log its own, and the handler resumes its program after the other tasks ran", () => {
  class Ping extends Effect<number> {
    constructor(readonly n: number) {
      super();
    }
  }
  const log: string[] = [];
  const slowPing = handle(Ping, function* (e, k) {
    log.push(`handler ${e.n}`);
    yield* cede();
    log.push(`handler ${e.n} goes on`);
    return yield* resume(k, e.n * 10);
  });
  const other = program(function* other() {
    for (let i = 0; i < 3; i++) {
      yield* tell(`other${i}`);
      log.push(`other sees x=${yield* ask("x")}`);
      yield* cede();
    }
  });
  const main = program(function* main() {
    const t = yield* spawn(other);
    const heard = yield* listen(
      local(
        { x: 2 },
        withHandler(
          slowPing,
          program(function* pinger() {
            const a = yield* new Ping(1);
            yield* tell(`a=${a}`);
            log.push(`pinger sees x=${yield* ask("x")}`);
            return a + (yield* new Ping(2));
          }),
        ),
      ),
    );
    yield* wait(t);
    return heard;
  });
  const r = run(main, { handlers: [scheduler, reader, writer], env: { x: 1 } });
  assert.deepEqual(r.value, { value: 30, log: ["a=10"] });
  assert.deepEqual(log, [
    "handler 1",
    "other sees x=1",
    "handler 1 goes on",
    "pinger sees x=2",
    "handler 2",
    "other sees x=1",
    "handler 2 goes on",
    "other sees x=1",
  ]);
});

test("cede in a different scheduler nested in a task takes turns with that world's tasks only: the outer world's tasks wait for the hosting task, as for any code it runs", () => {
  const log: string[] = [];
  const ticker = fn(function* ticker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      log.push(`${name}${i}`);
      yield* cede();
    }
  });
  const main = program(function* main() {
    const o = yield* spawn(ticker("outer", 3));
    const host = yield* spawn(
      withHandler(
        createScheduler(),
        program(function* inner() {
          const i = yield* spawn(ticker("inner", 2));
          yield* ticker("innerMain", 3);
          yield* wait(i);
        }),
      ),
    );
    yield* gather(o, host);
  });
  const r = run(main, { handlers: [scheduler] });
  assert.equal(r.ok, true);
  assert.deepEqual(log, [
    "outer0",
    "innerMain0",
    "inner0",
    "innerMain1",
    "inner1",
    "innerMain2",
    "outer1",
    "outer2",
  ]);
});

test("cede beside delays: a batch that cedes holds a delay(0) loop's timers back until it ends (no clock round for it), and does not hide that loop's stuck clock afterwards", () => {
  const log: string[] = [];
  const zeros = fn(function* zeros(n: number) {
    for (let i = 0; i < n; i++) {
      yield* delay(0);
      if (i < 2) log.push(`zero${i}`);
    }
    return n;
  });
  const small = program(function* small() {
    const z = yield* spawn(zeros(3));
    const b = yield* spawn(
      program(function* ceder() {
        for (let i = 0; i < 3; i++) {
          yield* cede();
          log.push(`cede${i}`);
        }
      }),
    );
    yield* gather(z, b);
  });
  assert.equal(run(small, { handlers: [scheduler, simulatedTime()] }).ok, true);
  assert.deepEqual(log, ["cede0", "cede1", "cede2", "zero0", "zero1"]);
  // a 10,000-item cede batch first, then 150,000 zero delays inside a timeout: still stuck
  const big = program(function* big() {
    yield* spawn(batch(10_000, "cede"));
    return yield* timeout(zeros(150_000), 1000);
  });
  const r = run(big, { handlers: [scheduler, simulatedTime()] });
  assert.ok(r.error instanceof DoeffError);
  assert.match(r.error.message, /^virtual time is stuck at 0 ms: timers fired at that instant 100000 times/);
});

/**
 * concurrencyLimiter and deadlocks: a slot held by a task of the waiter's own run is that run's,
 * not "another run's". When every task of a run waits and its limiter waits are for slots held
 * only by its own tasks, the run is deadlocked — a DeadlockError naming the tasks and where they
 * wait, under run and under runAsync (which used to wait for ever). A slot held by another run, or
 * by a task of this one that waits on the outside, is still a wait for the event loop.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AsyncRequiredError,
  awaitPromise,
  concurrencyLimited,
  concurrencyLimiter,
  DeadlockError,
  program,
  realTime,
  type RunResult,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  wait,
} from "../src/index.js";

type Limiter = ReturnType<typeof concurrencyLimiter>;

/** main takes the slot, then waits for a task that waits for it: nothing can go on. */
const holdAndWait = (l: Limiter, raw: boolean) =>
  program(function* main() {
    const release = yield* l.take();
    try {
      const job = program(function* job() {
        return 1;
      });
      const t = yield* spawn(
        raw
          ? program(function* rawTake() {
              const r = yield* l.take();
              r();
            })
          : concurrencyLimited(l, job),
      );
      return yield* wait(t);
    } finally {
      release();
    }
  });

const DEADLOCK = (where: string) =>
  `deadlock: every task is blocked (main, task 1) and nothing timed or external is pending; one waits for what no task will do (complete a promise, release a semaphore, send on or close a channel, finish; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks). Where they wait: main in main; task 1 in ${where}, blocked in limiter.take(). Thrown where task 1 blocked last`;

/** The run's result, or "hang" after 1 s. */
function settled<T>(p: Promise<RunResult<T>>): Promise<RunResult<T> | "hang"> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<"hang">((res) => {
      timer = setTimeout(() => res("hang"), 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

for (const raw of [false, true]) {
  const where = raw ? "rawTake" : "concurrencyLimited";
  test(`concurrencyLimiter: a run whose own task holds the slot its other task waits for is deadlocked — run (${where})`, () => {
    const l = concurrencyLimiter({ limit: 1 });
    const r = run(holdAndWait(l, raw), { handlers: [scheduler, simulatedTime({ start: 0 })] });
    assert.ok(!r.ok && r.error instanceof DeadlockError, String(r.error));
    assert.equal((r.error as Error).message, DEADLOCK(where));
    assert.deepEqual([l.inFlight, l.waiting, l.queued], [0, 0, 0]);
  });

  for (const [clock, hs] of [
    ["realTime", [scheduler, realTime]],
    ["simulatedTime", [scheduler, simulatedTime({ start: 0 })]],
    ["no clock", [scheduler]],
  ] as const) {
    test(`concurrencyLimiter: … and under runAsync the same DeadlockError, not a wait for ever (${where}, ${clock})`, async () => {
      const l = concurrencyLimiter({ limit: 1 });
      const r = await settled(runAsync(holdAndWait(l, raw), { handlers: [...hs] }));
      assert.ok(r !== "hang", "runAsync waited for a slot only its own deadlocked task could give back");
      assert.ok(!r.ok && r.error instanceof DeadlockError, String(r.error));
      assert.equal((r.error as Error).message, DEADLOCK(where));
      assert.deepEqual([l.inFlight, l.waiting, l.queued], [0, 0, 0]);
    });
  }
}

test("concurrencyLimiter: a deadlock's report says where the waiting task waits (blocked in limiter.take())", async () => {
  const l = concurrencyLimiter({ limit: 1 });
  const r = await settled(runAsync(holdAndWait(l, false), { handlers: [scheduler] }));
  assert.ok(r !== "hang");
  assert.match(r.format(), /\n {2}concurrencyLimited\n {2}blocked in limiter\.take\(\)\n/);
});

/** A JS promise settled from the test. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test("concurrencyLimiter: with one of the slots held by another run, the same wait is for that run — run: AsyncRequiredError; runAsync: it goes on when that run gives it back", async () => {
  const l = concurrencyLimiter({ limit: 2 });
  const gate = deferred();
  const other = runAsync(
    concurrencyLimited(
      l,
      awaitPromise(() => gate.promise),
    ),
    { handlers: [scheduler, realTime] },
  );
  assert.deepEqual([l.inFlight, l.waiting], [1, 0]);
  const r = run(holdAndWait(l, false), { handlers: [scheduler, simulatedTime({ start: 0 })] });
  assert.ok(!r.ok && r.error instanceof AsyncRequiredError, String(r.error));
  assert.deepEqual([l.inFlight, l.waiting], [1, 0]);
  const mine = settled(runAsync(holdAndWait(l, false), { handlers: [scheduler, realTime] }));
  await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual([l.inFlight, l.waiting], [2, 1]); // still waiting for the other run's slot
  gate.resolve();
  const [o, m] = await Promise.all([other, mine]);
  assert.ok(o.ok);
  assert.ok(m !== "hang" && m.ok && m.value === 1, String(m));
  assert.deepEqual([l.inFlight, l.waiting, l.queued], [0, 0, 0]);
});

test("concurrencyLimiter: a slot held by a task of the same run that waits on the outside is a wait, not a deadlock (runAsync goes on)", async () => {
  const l = concurrencyLimiter({ limit: 1 });
  const gate = deferred();
  const main = program(function* main() {
    const holder = yield* spawn(
      concurrencyLimited(
        l,
        awaitPromise(() => gate.promise.then(() => "held")),
      ),
    );
    const waiter = yield* spawn(
      concurrencyLimited(
        l,
        program(function* () {
          return "waited";
        }),
      ),
    );
    return [yield* wait(holder), yield* wait(waiter)];
  });
  const p = settled(runAsync(main, { handlers: [scheduler, realTime] }));
  await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual([l.inFlight, l.waiting], [1, 1]);
  gate.resolve();
  const r = await p;
  assert.ok(r !== "hang" && r.ok, String(r));
  assert.deepEqual(r.value, ["held", "waited"]);
  assert.deepEqual([l.inFlight, l.waiting, l.queued], [0, 0, 0]);
});

test("concurrencyLimiter: a run started inside another run's step counts its slots as its own, and the outer run's as the outer's", () => {
  const l = concurrencyLimiter({ limit: 1 });
  const outer = program(function* outer() {
    const release = yield* l.take();
    try {
      // an inner run (a nested run() in a program) waits for the slot the outer run holds: for
      // another run, which cannot go on while it runs — the inner run says it needs the event loop
      const inner = run(holdAndWait(concurrencyLimiter({ limit: 1 }), false), { handlers: [scheduler] });
      const waits = run(
        concurrencyLimited(
          l,
          program(function* () {}),
        ),
        { handlers: [scheduler] },
      );
      return [inner.error?.constructor.name, waits.error?.constructor.name];
    } finally {
      release();
    }
  });
  const r = run(outer, { handlers: [scheduler] });
  assert.deepEqual(r.value, ["DeadlockError", "AsyncRequiredError"]);
  assert.deepEqual([l.inFlight, l.waiting, l.queued], [0, 0, 0]);
});

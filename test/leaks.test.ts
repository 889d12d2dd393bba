/**
 * Memory a long-lived process must get back (docs/reliability-notes.md "Long-running processes").
 * Each test keeps a WeakRef to something only a leak would retain — a run's context (its world
 * hangs off it), a task's result — and checks after two full collections that it is gone. gc is
 * exposed at run time (v8.setFlagsFromString), so the file runs under the plain test command.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  ask,
  awaitPromise,
  cancel,
  createPromise,
  delay,
  Effect,
  failPromise,
  fn,
  getRunContext,
  handle,
  local,
  observe,
  program,
  now,
  reader,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  scoped,
  simulatedTime,
  spawn,
  Tell,
  tell,
  timeout,
  tracebackOf,
  transfer,
  wait,
  withHandler,
} from "../src/index.js";
import { clockIn } from "../src/handlers/time.js";

/** Two full collections, each after a turn of the event loop (a WeakRef's target lives to the end of its job). */
async function collectGarbage(): Promise<void> {
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  for (let i = 0; i < 2; i++) {
    await new Promise((done) => setImmediate(done));
    gc();
  }
}

/** A promise that never settles and outlives every run below: a server's `shutdown` promise. */
const forever = new Promise<never>(() => {});
const handlers = [scheduler, realTime];

/** Runs `body` (which may use the run's context) and answers a WeakRef to that context. */
async function runAndRef(
  body: () => Generator<unknown, unknown, any>,
  signal?: AbortSignal,
): Promise<{ ctx: WeakRef<object>; ok: boolean }> {
  let ctx: WeakRef<object> | null = null;
  const r = await runAsync(
    program(function* () {
      ctx = new WeakRef(yield* getRunContext());
      return yield* body();
    }),
    signal === undefined ? { handlers } : { handlers, signal },
  );
  return { ctx: ctx!, ok: r.ok };
}

test("a run whose task still awaits a never-settling promise at main's end is collected (the promise's callbacks keep only a cut link)", async () => {
  const { ctx, ok } = await runAndRef(function* () {
    yield* spawn(awaitPromise(() => forever));
    yield* delay(0); // the task is now awaiting `forever`
    return 1;
  });
  assert.equal(ok, true);
  await collectGarbage();
  assert.equal(ctx.deref(), undefined, "the run's context (and world) is retained by `forever`'s callbacks");
});

test("a run that cancelled a task awaiting a never-settling promise is collected", async () => {
  const { ctx, ok } = await runAndRef(function* () {
    const t = yield* spawn(awaitPromise(() => forever));
    yield* delay(0);
    yield* cancel(t);
    return 1;
  });
  assert.equal(ok, true);
  await collectGarbage();
  assert.equal(ctx.deref(), undefined, "the run's context is retained by `forever`'s callbacks");
});

test("a run whose timeout cut short an awaitPromise of a never-settling promise is collected", async () => {
  const { ctx, ok } = await runAndRef(function* () {
    const r = yield* safe(
      timeout(
        awaitPromise(() => forever),
        0,
      ),
    );
    return r.ok;
  });
  assert.equal(ok, true);
  await collectGarbage();
  assert.equal(ctx.deref(), undefined, "the run's context is retained by `forever`'s callbacks");
});

test("a run aborted by its signal while main awaits a never-settling promise is collected", async () => {
  const ac = new AbortController();
  const running = runAndRef(function* () {
    yield* spawn(delay(10_000)); // (another task: main's await is not awaited alone)
    yield* awaitPromise(() => forever);
  }, ac.signal);
  setImmediate(() => ac.abort(new Error("client went away")));
  const { ctx, ok } = await running;
  assert.equal(ok, false);
  await collectGarbage();
  assert.equal(ctx.deref(), undefined, "the run's context is retained by `forever`'s callbacks");
});

/** Spawn a task that awaits `forever`, cancel it once it awaits: a WeakRef to its handle. */
const awaitAndCancel = fn(function* awaitAndCancel() {
  const t = yield* spawn(awaitPromise(() => forever));
  yield* delay(0); // the task is now awaiting `forever`
  yield* cancel(t);
  return new WeakRef(t);
});

test("in a long run, a cancelled task that awaited a never-settling promise is collected while the run goes on", async () => {
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done))); // (a new job: see collectGarbage)
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 4; i++) refs.push(yield* awaitAndCancel());
      yield* awaitPromise(() => collectGarbage());
      // (the last one may still be reached from the switch the scheduler made after it: one, not one per await)
      return refs.slice(0, 3).map((ref) => ref.deref() === undefined);
    }),
    { handlers },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, [true, true, true], "`forever`'s callbacks keep the cancelled tasks");
});

test("a long scoped block lets go of the tasks it spawned that finished (their results are collected before it ends)", async () => {
  const r = await runAsync(
    scoped(
      program(function* () {
        yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
        const refs: WeakRef<object>[] = [];
        // a server loop inside scoped: a task per request, each waited for
        for (let i = 0; i < 200; i++) {
          const t = yield* spawn(
            program(function* () {
              const payload = { bytes: new Array(100).fill(i) };
              if (i < 3) refs.push(new WeakRef(payload));
              return payload;
            }),
          );
          yield* wait(t);
        }
        const pending = yield* spawn(delay(10_000)); // still cancelled at the scope's end
        yield* awaitPromise(() => collectGarbage());
        return [refs.map((ref) => ref.deref() === undefined), pending] as const;
      }),
    ),
    { handlers },
  );
  assert.equal(r.ok, true);
  const [collected] = r.value;
  assert.deepEqual(collected, [true, true, true], "finished tasks' results are kept by the scope");
});

test("a scoped block that forgot its finished tasks still cancels the running ones at its end, in spawn order", async () => {
  const order: number[] = [];
  const r = await runAsync(
    program(function* () {
      const inner = yield* scoped(
        program(function* () {
          for (let i = 0; i < 150; i++) {
            if (i % 50 === 0) {
              // a task that runs until the scope cancels it
              const id = i;
              yield* spawn(
                program(function* () {
                  try {
                    yield* delay(10_000);
                  } finally {
                    order.push(id);
                  }
                }),
              );
            } else yield* wait(yield* spawn(program(function* () {})));
          }
          return "body done";
        }),
      );
      return inner;
    }),
    { handlers },
  );
  assert.equal(r.ok, true);
  assert.equal(r.value, "body done");
  assert.deepEqual(order, [0, 50, 100]);
});

test("a scoped block whose end makes it list 64 tasks (a finally block spawns) still cancels every running one, in spawn order", () => {
  // 63 tasks running at the end; the first one's finally block spawns a 64th: the list was pruned
  // under the loop cancelling it, which then skipped task 1 (cancelled only at main's end, last)
  const cancelled: number[] = [];
  const main = program(function* () {
    yield* scoped(
      program(function* () {
        for (let i = 0; i < 63; i++) {
          yield* spawn(
            program(function* () {
              try {
                yield* delay(10_000);
              } finally {
                cancelled.push(i);
                if (i === 0) yield* spawn(program(function* cleanup() {}));
              }
            }),
          );
        }
        yield* delay(1);
      }),
    );
    cancelled.push(-1); // the scope's end
    return yield* now();
  });
  const r = run(main, { handlers: [scheduler, simulatedTime({ start: 0 })] });
  assert.equal(r.ok, true);
  assert.equal(r.value, 1);
  assert.deepEqual(cancelled, [...Array.from({ length: 63 }, (_, i) => i), -1]);
});

test("an error kept after its run failed (an error tracker's queue) keeps only its own traceback record: not its run's warnings' errors, nor the failing effect of a value thrown before it", async () => {
  class Upload extends Effect<string> {
    constructor(readonly body: Uint8Array) {
      super();
    }
  }
  const refs: WeakRef<object>[] = [];
  const kept = (() => {
    const payload = () => {
      const b = new Uint8Array(1 << 16);
      refs.push(new WeakRef(b));
      return b;
    };
    const r = run(
      program(function* main() {
        // a task failed with nothing waiting: a warning, whose error carries a payload
        yield* spawn(
          program(function* bg() {
            throw Object.assign(new Error("bg"), { payload: payload() });
          }),
        );
        // a task whose upload's handler threw a string (the run keeps a primitive's origin apart)
        yield* spawn(
          program(function* up() {
            yield* new Upload(payload());
          }),
        );
        yield* wait(yield* spawn(program(function* idle() {})));
        throw new Error("main failed");
      }),
      {
        handlers: [
          scheduler,
          handle(Upload, function* () {
            throw "upload refused";
          }),
        ],
      },
    );
    assert.equal(r.warnings.length, 2);
    return r.error;
  })();
  await collectGarbage();
  assert.ok(kept instanceof Error && tracebackOf(kept).outcome === "failed");
  assert.deepEqual(
    refs.map((r) => r.deref() === undefined),
    [true, true],
    "the kept error holds its run's warnings or another failure's effect",
  );
});

test("in a long run, a task's failure that a waiter caught is collected while the run goes on (a server loop's failed requests)", async () => {
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done))); // (a new job: see collectGarbage)
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 4; i++) {
        const request = yield* spawn(
          program(function* () {
            yield* delay(0); // main waits for it first: its failure wakes main
            const e = Object.assign(new Error("request failed"), { payload: new Uint8Array(1 << 12) });
            refs.push(new WeakRef(e));
            throw e;
          }),
        );
        try {
          yield* wait(request);
        } catch {
          // reported, and done with
        }
      }
      yield* awaitPromise(() => collectGarbage());
      return refs.slice(0, 3).map((ref) => ref.deref() === undefined);
    }),
    { handlers },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.value,
    [true, true, true],
    "the run keeps every failed task whose error a waiter received",
  );
  assert.deepEqual(r.warnings, []);
});

test("in a long run, a failed promise's error that its waiter caught is collected while the run goes on", async () => {
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 4; i++) {
        const p = yield* createPromise<number>();
        yield* spawn(
          program(function* () {
            const e = new Error("refused");
            refs.push(new WeakRef(e));
            yield* failPromise(p, e);
          }),
        );
        try {
          yield* wait(p.future);
        } catch {
          // handled
        }
      }
      yield* awaitPromise(() => collectGarbage());
      return refs.slice(0, 3).map((ref) => ref.deref() === undefined);
    }),
    { handlers },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.value,
    [true, true, true],
    "the run keeps every failed promise whose error a waiter received",
  );
});

test("in a long run, a lazy env value made per request (local) is collected, with its value, once the request is done", async () => {
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      const refs: WeakRef<object>[] = [];
      const sizes: number[] = [];
      for (let i = 0; i < 4; i++) {
        // a connection opened lazily, at the request's first ask, and cached for its later asks
        const conn = program(function* () {
          const c = { id: i, buffer: new Uint8Array(1 << 12) };
          refs.push(new WeakRef(c));
          return c;
        });
        const handled = program(function* () {
          const a = yield* ask<{ id: number; buffer: Uint8Array }>("conn");
          const b = yield* ask<{ id: number; buffer: Uint8Array }>("conn");
          return a === b ? a.id : -1; // the same value: evaluated once
        });
        sizes.push(yield* local({ conn }, handled));
      }
      yield* awaitPromise(() => collectGarbage());
      return [sizes, refs.slice(0, 3).map((ref) => ref.deref() === undefined)];
    }),
    { handlers: [...handlers, reader] },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.value,
    [
      [0, 1, 2, 3],
      [true, true, true],
    ],
    "the reader's cache keeps every request's lazy value",
  );
});

test("in a long run, a Tell handler that answers with transfer (docs/reliability-notes.md's logger) keeps no entry once it is handed on", async () => {
  const handed: number[] = [];
  const toLogger = handle(Tell, (effect, k) => {
    handed.push((effect.message as { n: number }).n); // kept by the logger: its number only
    return transfer(k, undefined); // (resume would keep this call, and the entry, until main ends)
  });
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      const refs: WeakRef<object>[] = [];
      for (let n = 0; n < 4; n++) {
        const entry = { n, body: new Uint8Array(1 << 12) };
        refs.push(new WeakRef(entry));
        yield* tell(entry);
      }
      yield* awaitPromise(() => collectGarbage());
      return refs.slice(0, 3).map((ref) => ref.deref() === undefined);
    }),
    { handlers: [...handlers, toLogger] },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, [true, true, true], "the run keeps the entries its Tell handler handed on");
  assert.deepEqual(handed, [0, 1, 2, 3]);
  assert.deepEqual(r.log, []);
});

test("in a long run under observe, an effect answered with an error (a caught failure, a timeout) leaves nothing behind", async () => {
  const outcomes: string[] = [];
  const metrics = observe((_effect) => (outcome) => {
    if (outcome.status === "threw") outcomes.push((outcome.error as Error).message);
  });
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 4; i++) {
        const request = yield* spawn(
          program(function* () {
            yield* delay(0);
            const e = Object.assign(new Error(`request ${i} failed`), { payload: new Uint8Array(1 << 12) });
            refs.push(new WeakRef(e));
            throw e;
          }),
        );
        yield* safe(wait(request)); // observe sees the Wait answered with the error
      }
      yield* awaitPromise(() => collectGarbage());
      return refs.slice(0, 3).map((ref) => ref.deref() === undefined);
    }),
    { handlers: [...handlers, metrics] },
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, [true, true, true], "observe's frames keep every error it saw thrown");
  assert.deepEqual(outcomes, [
    "request 0 failed",
    "request 1 failed",
    "request 2 failed",
    "request 3 failed",
  ]);
});

// (review of the weak heard/unheard: they are never iterated — a warning lives on the run's list —
// so letting go of the failed tasks mid-run must change none of the warnings, nor their order)
test("in a long run, the failures nobody received stay on the warnings, exactly and in order, once their tasks are collected; a caught one adds none", async () => {
  const fails = (message: string) =>
    fn(function* fails() {
      yield* delay(1);
      throw new Error(message);
    })();
  const tasks: WeakRef<object>[] = [];
  const failures = fn(function* failures(round: number) {
    const forgotten = yield* spawn(fails(`nobody waits ${round}`));
    const caught = yield* spawn(fails(`caught ${round}`));
    try {
      yield* wait(caught);
    } catch {
      // received: no warning
    }
    // t fails and wakes w, which is cancelled before it runs: unreceived (the weak map)
    const t = yield* spawn(fails(`woken, not received ${round}`));
    const w = yield* spawn(
      program(function* waiter() {
        return yield* wait(t);
      }),
    );
    // (its timer is due with t's and fires after it: it runs once w is woken, before w ran)
    yield* spawn(
      program(function* canceller() {
        yield* delay(1);
        yield* cancel(w);
      }),
    );
    yield* delay(5);
    for (const task of [forgotten, caught, t, w]) tasks.push(new WeakRef(task));
  });
  const r = await runAsync(
    program(function* main() {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done))); // (a new job: see collectGarbage)
      for (let round = 1; round <= 3; round++) yield* failures(round);
      yield* awaitPromise(() => collectGarbage());
      // (the last round's: the scheduler and the VM keep a link to the last task and job they ran)
      return tasks.slice(0, 8).map((ref) => ref.deref() === undefined);
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assert.deepEqual(r.value, new Array(8).fill(true), "the run keeps its failed tasks");
  assert.deepEqual(
    r
      .format()
      .split("\n")
      .filter((l) => !l.startsWith("  ")),
    [
      "Ok: [true,true,true,true,true,true,true,true]",
      "── 6 errors beside the outcome (RunResult.warnings) ──",
      "task 1 failed and nothing waited for it: Error: nobody waits 1",
      "task 4 was woken with this error and did not run to receive it: Error: woken, not received 1",
      "task 6 failed and nothing waited for it: Error: nobody waits 2",
      "task 9 was woken with this error and did not run to receive it: Error: woken, not received 2",
      "task 11 failed and nothing waited for it: Error: nobody waits 3",
      "task 14 was woken with this error and did not run to receive it: Error: woken, not received 3",
    ],
  );
});

test("in a long run, a simulatedTime() made per scope (docs/reliability-notes.md) is collected with its clock once the scope ended and its timers fired", async () => {
  const r = await runAsync(
    program(function* () {
      yield* awaitPromise(() => new Promise((done) => setImmediate(done)));
      const ctx = yield* getRunContext();
      const refs: [WeakRef<object>, WeakRef<object>][] = [];
      const ends: number[] = [];
      for (let i = 0; i < 4; i++) {
        const clock = simulatedTime({ start: 1000 * i });
        const scope = program(function* () {
          yield* delay(1); // under the scheduler: the clock is an idle source of its world
          yield* delay(2);
          return yield* now();
        });
        ends.push(yield* withHandler(clock, scope));
        refs.push([new WeakRef(clock), new WeakRef(clockIn(clock, ctx) as object)]);
      }
      yield* delay(1); // (realTime: an idle moment of the world, which asks the last scope's clock)
      yield* awaitPromise(() => collectGarbage());
      return [ends, refs.slice(0, 3).map(([h, c]) => [h.deref() === undefined, c.deref() === undefined])];
    }),
    { handlers },
  );
  assert.equal(r.ok, true, String(r.error));
  assert.deepEqual(
    r.value,
    [
      [3, 1003, 2003, 3003],
      [
        [true, true],
        [true, true],
        [true, true],
      ],
    ],
    "the run keeps each scope's handler (its per-run map) or clock (the scheduler's idle sources)",
  );
});

test("a long runAsync whose awaits settle at once (failing lookups under timeout) keeps nothing of the calls that ended", async () => {
  // every failure's traceback record holds a WeakRef to where it was thrown, and a WeakRef's target
  // lives to the end of the host's job: a run that never yielded to the event loop (its awaited
  // promises had settled already) kept every failed call's task, segments and error (~4 KB each)
  // until it ended — 30,000 calls, 130 MB
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  let first: WeakRef<Error> | null = null;
  const lookup = fn(function* lookup(i: number) {
    return yield* awaitPromise(() => {
      const e = new Error(`no row ${i}`);
      if (i === 0) first = new WeakRef(e);
      return Promise.reject(e);
    });
  });
  const r = await runAsync(
    program(function* () {
      for (let i = 0; i < 30_000; i++) {
        try {
          yield* timeout(lookup(i), 60_000);
        } catch {}
      }
      gc(); // inside the run, in the same job as its last await
      gc();
      return first!.deref() === undefined;
    }),
    { handlers },
  );
  assert.equal(r.value, true, "the first failed call's error was still held inside the run");
});

class Size extends Effect<number> {
  declare readonly _tag: "Size";
}

test("a synchronous loop of runs that fail keeps none of them until it ends (a batch job's loop; no WeakRef's target kept to the end of the job)", async () => {
  // a traceback's walk named the segments it passed by WeakRefs, and a WeakRef's target, made or
  // read, lives to the end of the host's job: a loop of `run`s whose programs threw kept every run's
  // segments — and what their handlers hold — until the loop ended (here 200 × 1 MB)
  (await import("node:v8")).setFlagsFromString("--expose-gc");
  const gc = (await import("node:vm")).runInNewContext("gc") as () => void;
  const once = (): void => {
    const big = new Uint8Array(1_000_000);
    const r = run(
      program(function* () {
        return yield* safe(
          withHandler(
            answer(Size, () => big.length),
            program(function* () {
              yield* new Size();
              throw new Error("x");
            }),
          ),
        );
      }),
      { handlers: [] },
    );
    assert.equal(r.ok && !r.value.ok && (r.value.error as Error).message, "x");
  };
  once();
  gc();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 200; i++) once();
  gc(); // in the same job as the loop (twice: one collection can leave what only a dead WeakSet held)
  gc();
  const kept = (process.memoryUsage().arrayBuffers - before) / 1e6;
  assert.ok(kept < 50, `${kept.toFixed(1)} MB of the runs' handlers' buffers kept (200 MB if every run is)`);
});

/**
 * The scheduler's FAST_PATH (answerAtSite / spawnAtSite in src/handlers/scheduler-ops.ts: spawn,
 * createPromise, createExternalPromise, wait / gather of settled waitables, completePromise, isDone,
 * getAbortSignal, registerIdleSource, cancel of an unstarted or finished task answered at the perform site)
 * against the general path (the handler invocation), on random task programs that also block, fail,
 * cancel and yield. Events with their order, outcome, store and log must be identical; the toolkit's
 * all / channel programs are compared the same way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { schedulerFastPaths } from "../src/handlers/scheduler-ops.js";
import { clockFastPaths } from "../src/handlers/time.js";
import { observed } from "./sched-helpers.js";
import {
  answer,
  Effect,
  all,
  cancel,
  close,
  completePromise,
  createChannel,
  createExternalPromise,
  createPromise,
  failPromise,
  fn,
  type Future,
  getHandlers,
  handle,
  resume,
  type Task,
  gather,
  getAbortSignal,
  isDone,
  type PromiseHandle,
  receive,
  run,
  scheduler,
  send,
  spawn,
  tell,
  wait,
  withHandler,
  writer,
  awaitPromise,
  program,
  race,
  runAsync,
  delay,
  raceAll,
  simulatedTime,
  timeout,
} from "../src/index.js";
import { cellOf, type TaskRec } from "../src/handlers/scheduler-task.js";

const CANCELLED_FIX = "expected after cancel(task): catch TaskCancelledError where you wait for it";

type Op =
  | { t: "promise" }
  | { t: "complete"; v: number }
  | { t: "fail"; v: number }
  | { t: "waitPromise" }
  | { t: "waitTask" }
  | { t: "gather" }
  | { t: "isDone" }
  | { t: "signal" }
  | { t: "cancel" }
  | { t: "throw"; v: number }
  | { t: "external"; v: number }
  | { t: "spawn"; ops: Op[] };

const leaf: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ t: "promise" } as Op),
  fc.record({ t: fc.constant("complete" as const), v: fc.nat(99) }),
  fc.record({ t: fc.constant("fail" as const), v: fc.nat(99) }),
  fc.constant({ t: "waitPromise" } as Op),
  fc.constant({ t: "waitTask" } as Op),
  fc.constant({ t: "gather" } as Op),
  fc.constant({ t: "isDone" } as Op),
  fc.constant({ t: "signal" } as Op),
  fc.constant({ t: "cancel" } as Op),
  fc.record({ t: fc.constant("throw" as const), v: fc.nat(99) }),
  fc.record({ t: fc.constant("external" as const), v: fc.nat(99) }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: leaf },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("spawn" as const), ops: fc.array(leaf, { maxLength: 6 }) }),
  },
);

function exec(ops: Op[], fast: boolean): unknown {
  const events: string[] = [];
  const promises: PromiseHandle<number>[] = []; // shared by all tasks of the run
  const body = fn(function* body(name: string, list: Op[]): Generator<any, string, any> {
    const mine: any[] = [];
    try {
      for (const op of list) {
        try {
          switch (op.t) {
            case "promise":
              promises.push(yield* createPromise<number>());
              break;
            case "complete": {
              const p = promises[op.v % Math.max(1, promises.length)];
              if (p !== undefined) yield* completePromise(p, op.v);
              break;
            }
            case "fail": {
              const p = promises[op.v % Math.max(1, promises.length)];
              if (p !== undefined) yield* failPromise(p, new Error(`f${op.v}`));
              break;
            }
            case "waitPromise": {
              const p = promises[0];
              if (p !== undefined) events.push(`${name} waited ${yield* wait(p.future)}`);
              break;
            }
            case "waitTask":
              if (mine.length > 0) events.push(`${name} waited ${yield* wait(mine[mine.length - 1])}`);
              break;
            case "gather":
              events.push(
                `${name} gathered ${(yield* gather(...mine, ...promises.map((p) => p.future))).join(",")}`,
              );
              break;
            case "isDone":
              for (const x of [...mine, ...promises.map((p) => p.future)])
                events.push(`${name} ${yield* isDone(x)}`);
              break;
            case "signal":
              events.push(`${name} signal ${(yield* getAbortSignal()).aborted}`);
              break;
            case "cancel":
              if (mine.length > 0) events.push(`${name} cancel ${yield* cancel(mine[0])}`);
              break;
            case "throw":
              throw new Error(`t${op.v}`);
            case "external": {
              // completed from "outside" at once (queued, applied by the scheduler: R7)
              const ext = yield* createExternalPromise<number>();
              if (op.v % 3 === 0) ext.fail(new Error(`x${op.v}`));
              else ext.complete(op.v);
              events.push(`${name} external ${ext.id} ${yield* wait(ext.future)}`);
              break;
            }
            case "spawn":
              mine.push(yield* spawn(body(`${name}.${mine.length}`, op.ops)));
              break;
          }
          yield* tell(`${name}:${op.t}`);
        } catch (e) {
          events.push(`${name} caught ${(e as Error).message}`);
        }
      }
      return name;
    } finally {
      events.push(`${name} finally`);
    }
  });
  schedulerFastPaths.atSite = fast;
  schedulerFastPaths.spawnAtSite = fast;
  schedulerFastPaths.doneAtSite = fast;
  schedulerFastPaths.blockAtSite = fast;
  try {
    const r = run(body("main", ops), { handlers: [writer, scheduler] });
    return observed(events, r);
  } finally {
    schedulerFastPaths.atSite = true;
    schedulerFastPaths.spawnAtSite = true;
    schedulerFastPaths.doneAtSite = true;
    schedulerFastPaths.blockAtSite = true;
  }
}

test("scheduler FAST_PATH: 600 random task programs give the same events, outcome and log as the general path", () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
      assert.deepEqual(exec(ops, true), exec(ops, false));
    }),
    { numRuns: 600, seed: 0x5c3ed },
  );
});

test("scheduler FAST_PATH: all({ concurrency }) and a channel give the same results as the general path", () => {
  const child = fn(function* child(i: number) {
    yield* tell(`c${i}`);
    if (i === 37) throw new Error("c37");
    return i * 2;
  });
  const producer = fn(function* producer(ch: any, n: number) {
    for (let i = 0; i < n; i++) yield* send(ch, i);
    yield* close(ch);
  });
  const main = fn(function* main(limit: number, n: number) {
    const out: unknown[] = [];
    try {
      out.push(
        (yield* all(
          Array.from({ length: 30 }, (_, i) => child(i)),
          { concurrency: limit },
        )).join(","),
      );
      out.push(
        (yield* all(
          Array.from({ length: 40 }, (_, i) => child(i)),
          { concurrency: limit },
        )).join(","),
      );
    } catch (e) {
      out.push(`caught ${(e as Error).message}`);
    }
    const ch = yield* createChannel<number>({ capacity: limit - 1 });
    yield* spawn(producer(ch, n));
    for (;;) {
      const r = yield* receive(ch);
      if (r.done) break;
      out.push(r.value);
    }
    return out;
  });
  for (const limit of [1, 2, 8]) {
    const go = (fast: boolean) => {
      schedulerFastPaths.atSite = fast;
      schedulerFastPaths.doneAtSite = fast;
      schedulerFastPaths.blockAtSite = fast;
      try {
        const r = run(main(limit, 20), { handlers: [writer, scheduler] });
        return { ok: r.ok, value: r.ok ? r.value : String(r.error), log: r.log };
      } finally {
        schedulerFastPaths.atSite = true;
        schedulerFastPaths.doneAtSite = true;
        schedulerFastPaths.blockAtSite = true;
      }
    };
    const general = go(false);
    assert.equal(general.ok, true);
    assert.deepEqual(go(true), general);
  }
});

class Ping extends Effect<string> {
  readonly _tag = "Ping";
  constructor(readonly n: number) {
    super();
  }
}

/** Run `f` with the at-site spawn, report switch and blocking switch on (`fast`) or off, then on again. */
function withSiteSwitches<T>(fast: boolean, f: () => T): T {
  schedulerFastPaths.spawnAtSite = fast;
  schedulerFastPaths.doneAtSite = fast;
  schedulerFastPaths.blockAtSite = fast;
  try {
    return f();
  } finally {
    schedulerFastPaths.spawnAtSite = true;
    schedulerFastPaths.doneAtSite = true;
    schedulerFastPaths.blockAtSite = true;
  }
}

test("scheduler FAST_PATH: spawn at the site wraps the child in the handlers between the site and the scheduler, as the general path does (results, log, traceback)", () => {
  const child = fn(function* child(n: number) {
    yield* tell(`child ${n}: ${yield* new Ping(n)}`);
    if (n === 3) throw new RangeError(`child ${n} failed`);
    return n;
  });
  const inner = answer(Ping, (e: Ping) => `inner pong ${e.n}`);
  const outer = answer(Ping, (e: Ping) => `outer pong ${e.n}`);
  const main = fn(function* main(upTo: number) {
    const a = yield* spawn(child(1)); // under outer only
    const b = yield* withHandler(
      inner,
      fn(function* spawner() {
        return [yield* spawn(child(2)), yield* spawn(child(upTo))];
      })(),
    );
    return [yield* wait(a), ...(yield* gather(...b))];
  });
  for (const upTo of [2, 3]) {
    const go = (fast: boolean) =>
      withSiteSwitches(fast, () => {
        const r = run(withHandler(outer, main(upTo)), { handlers: [writer, scheduler] });
        return { ok: r.ok, value: r.ok ? r.value : String(r.error), log: r.log, format: r.format() };
      });
    const general = go(false);
    assert.deepEqual(go(true), general);
    // (a failed gather merges the log of the task whose error it throws, not of the others)
    assert.deepEqual(
      general.log,
      upTo === 2
        ? ["child 1: outer pong 1", "child 2: inner pong 2", "child 2: inner pong 2"]
        : ["child 1: outer pong 1", "child 3: inner pong 3"],
    );
    if (upTo === 3) {
      assert.equal(general.ok, false);
      assert.match(general.format, /in task 3/);
      assert.match(general.format, /RangeError: child 3 failed/);
    } else assert.deepEqual(general.value, [1, 2, 2]);
  }
});

test("scheduler FAST_PATH: a task spawned inside handlers sees them (getHandlers); cancelled before or after it starts, as on the general path", () => {
  const inner = answer(Ping, (e: Ping) => `inner pong ${e.n}`);
  // the handlers visible where Visible is performed, by name (D6)
  class Visible extends Effect<string> {
    declare readonly _tag: "Visible";
  }
  const names = new Map<unknown, string>([
    [inner, "inner"],
    [scheduler, "scheduler"],
    [writer, "writer"],
  ]);
  const visible = handle(Visible, function* (_e, k) {
    const hs = yield* getHandlers();
    return yield* resume(k, hs.map((h) => names.get(h) ?? "?").join(","));
  });
  names.set(visible, "visible");
  const go = (fast: boolean) => {
    const events: string[] = [];
    const child = fn(function* child(n: number, never: Future<never>) {
      try {
        events.push(`child ${n} sees ${yield* new Visible()}: ${yield* new Ping(n)}`);
        return yield* wait(never);
      } finally {
        events.push(`child ${n} finally`);
      }
    });
    const main = fn(function* main() {
      const p = yield* createPromise<never>();
      const [a, b] = (yield* withHandler(
        inner,
        fn(function* spawner() {
          return [yield* spawn(child(1, p.future)), yield* spawn(child(2, p.future))];
        })(),
      )) as [Task<never>, Task<never>];
      yield* cancel(b); // before it started
      yield* wait(yield* spawn(fn(function* other() {})())); // a starts and blocks meanwhile
      yield* cancel(a); // after it started
      const out: string[] = [];
      for (const t of [a, b])
        try {
          yield* wait(t);
        } catch (e) {
          out.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      return out;
    });
    return withSiteSwitches(fast, () => {
      const r = run(main(), { handlers: [visible, writer, scheduler] });
      return { ok: r.ok, value: r.ok ? r.value : String(r.error), events };
    });
  };
  const general = go(false);
  assert.deepEqual(go(true), general);
  assert.deepEqual(general, {
    ok: true,
    value: [
      `TaskCancelledError: task 1 was cancelled (${CANCELLED_FIX})`,
      `TaskCancelledError: task 2 was cancelled (${CANCELLED_FIX})`,
    ],
    events: ["child 1 sees inner,scheduler,writer,visible: inner pong 1", "child 1 finally"],
  });
});

test("scheduler FAST_PATH: wait, gather (one cell twice) and race blocked on the same pending cells answer as on the general path", () => {
  const prog = program(function* () {
    const p1 = yield* createPromise<number>();
    const p2 = yield* createPromise<number>();
    const w = yield* spawn(
      program(function* () {
        return yield* wait(p1.future);
      }),
    );
    const g = yield* spawn(
      program(function* () {
        return yield* gather(p1.future, p1.future, p2.future);
      }),
    );
    const rc = yield* spawn(
      program(function* () {
        const o = yield* race(p2.future, p1.future);
        return [o.index, o.value, o.rest.length, o.rest[0] === p2.future];
      }),
    );
    const w2 = yield* spawn(
      program(function* () {
        return yield* wait(p1.future);
      }),
    );
    yield* completePromise(p1, 10);
    yield* completePromise(p2, 20);
    return yield* gather(w, g, rc, w2);
  });
  for (const fast of [true, false]) {
    const r = withSiteSwitches(fast, () => run(prog, { handlers: [scheduler] }));
    assert.ok(r.ok, String(r.error));
    assert.deepEqual(r.value, [10, [10, 10, 20], [1, 10, 1, true], 10], `fast paths ${fast}`);
  }
});

test("scheduler: a task no longer holds its awaitPromise's cell once the promise has settled", async () => {
  let held: unknown = "unread";
  const r = await runAsync(
    program(function* () {
      const ext = yield* createExternalPromise<number>();
      const t = yield* spawn(
        program(function* () {
          yield* awaitPromise(() => new Promise((res) => setTimeout(res, 1)));
          return yield* wait(ext.future);
        }),
      );
      yield* awaitPromise(() => new Promise((res) => setTimeout(res, 20)));
      held = (cellOf(t) as TaskRec).awaiting;
      ext.complete(1);
      return yield* wait(t);
    }),
    { handlers: [scheduler] },
  );
  assert.ok(r.ok, String(r.error));
  assert.equal(r.value, 1);
  assert.equal(held, null);
});

test("scheduler FAST_PATH: a task started where another finished (on its reused prompt) reports and traces as itself, as on the general path", () => {
  const child = fn(function* child(n: number) {
    yield* tell(`child ${n}`);
    if (n === 3) throw new RangeError(`child ${n} failed`);
    return n;
  });
  const main = fn(function* main(upTo: number) {
    const ts: Task<number>[] = [];
    for (let n = 1; n <= upTo; n++) ts.push(yield* spawn(child(n)));
    return yield* gather(...ts);
  });
  for (const upTo of [2, 3]) {
    const go = (fast: boolean) =>
      withSiteSwitches(fast, () => {
        const r = run(main(upTo), { handlers: [writer, scheduler] });
        return { ok: r.ok, value: r.ok ? r.value : String(r.error), log: r.log, format: r.format() };
      });
    const general = go(false);
    assert.deepEqual(go(true), general);
    if (upTo === 3) {
      assert.equal(general.ok, false);
      assert.match(general.format, /── in task 3 ──/);
      assert.doesNotMatch(general.format, /in task [12]\b/);
    } else {
      assert.deepEqual(general.value, [1, 2]);
      assert.deepEqual(general.log, ["child 1", "child 2"]);
    }
  }
});

type ToolOp =
  | { t: "timeout"; work: number; limit: number; fail: boolean }
  | { t: "raceAll"; a: number; b: number; failA: boolean }
  | { t: "all"; a: number; b: number; failB: boolean }
  | { t: "cancelUnstarted" }
  | { t: "cancelDone" };

const toolOpArb: fc.Arbitrary<ToolOp> = fc.oneof(
  fc.record({
    t: fc.constant("timeout" as const),
    work: fc.nat(3),
    limit: fc.nat(3),
    fail: fc.boolean(),
  }),
  fc.record({ t: fc.constant("raceAll" as const), a: fc.nat(3), b: fc.nat(3), failA: fc.boolean() }),
  fc.record({ t: fc.constant("all" as const), a: fc.nat(3), b: fc.nat(3), failB: fc.boolean() }),
  fc.constant({ t: "cancelUnstarted" } as ToolOp),
  fc.constant({ t: "cancelDone" } as ToolOp),
);

test("scheduler FAST_PATH: 300 random programs of timeout, raceAll, all (delays under simulatedTime) and cancels of unstarted and finished tasks give the same events, outcome, log and warnings as the general path", () => {
  const exec = (ops: ToolOp[], fast: boolean) => {
    const events: string[] = [];
    const job = fn(function* job(name: string, ms: number, fails: boolean): Generator<any, string, any> {
      try {
        yield* tell(`${name} start`);
        if (ms > 0) yield* delay(ms);
        if (fails) throw new Error(`${name} failed`);
        yield* tell(`${name} end`);
        return name;
      } finally {
        events.push(`${name} finally`);
      }
    });
    const main = fn(function* main() {
      for (const [i, op] of ops.entries()) {
        try {
          switch (op.t) {
            case "timeout":
              events.push(String(yield* timeout(job(`w${i}`, op.work, op.fail), op.limit)));
              break;
            case "raceAll":
              events.push(String(yield* raceAll([job(`a${i}`, op.a, op.failA), job(`b${i}`, op.b, false)])));
              break;
            case "all":
              events.push(String(yield* all([job(`a${i}`, op.a, false), job(`b${i}`, op.b, op.failB)])));
              break;
            case "cancelUnstarted": {
              const t = yield* spawn(job(`u${i}`, 1, false));
              events.push(`cancel ${yield* cancel(t)} ${yield* isDone(t)}`);
              break;
            }
            case "cancelDone": {
              const t = yield* spawn(job(`d${i}`, 0, false));
              events.push(`waited ${yield* wait(t)}, cancel ${yield* cancel(t)}`);
              break;
            }
          }
        } catch (e) {
          events.push(`caught ${(e as Error).message}`);
        }
      }
      return events.length;
    });
    schedulerFastPaths.atSite = fast;
    schedulerFastPaths.spawnAtSite = fast;
    schedulerFastPaths.doneAtSite = fast;
    schedulerFastPaths.blockAtSite = fast;
    clockFastPaths.delayAtSite = fast; // (the clock's delay at the site: test/clock-delay-at-site.test.ts)
    try {
      return observed(events, run(main(), { handlers: [writer, scheduler, simulatedTime()] }));
    } finally {
      schedulerFastPaths.atSite = true;
      schedulerFastPaths.spawnAtSite = true;
      schedulerFastPaths.doneAtSite = true;
      schedulerFastPaths.blockAtSite = true;
      clockFastPaths.delayAtSite = true;
    }
  };
  fc.assert(
    fc.property(fc.array(toolOpArb, { maxLength: 8 }), (ops) => {
      assert.deepEqual(exec(ops, true), exec(ops, false));
    }),
    { numRuns: 300, seed: 0x7001 },
  );
});

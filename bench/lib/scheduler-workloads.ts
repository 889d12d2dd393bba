/**
 * Workloads that need the scheduler (API §5: spawn, gather, awaitPromise, createPromise, wait and
 * the `scheduler` handler). They are looked up on the public entry point at load time, so the suite
 * builds and runs before the scheduler lands and picks it up as soon as src/index.ts exports it;
 * until then each of these workloads reports "n/a (scheduler not available)".
 */
import { Effect as Fx, Fiber, Queue } from "effect";
import { Effect as Fx3, Fiber as Fiber3 } from "effect3";
import * as effection from "effection";
import { runSaga } from "redux-saga";
import { call } from "redux-saga/effects";
import * as doeff from "../../src/index.js";
import type { Handler, Program } from "../../src/index.js";
import { collect, type Workload } from "./harness.js";

type Yieldable<T> = { [Symbol.iterator](): Iterator<unknown, T, any> };
interface SchedulerApi {
  scheduler: Handler;
  spawn(p: Yieldable<unknown>): Yieldable<unknown>;
  gather(...ws: unknown[]): Yieldable<unknown[]>;
  wait(w: unknown): Yieldable<unknown>;
  awaitPromise<T>(thunk: () => PromiseLike<T>): Yieldable<T>;
  createPromise(): Yieldable<{ future: unknown }>;
  completePromise(p: unknown, v: unknown): Yieldable<unknown>;
}

const NAMES = ["scheduler", "spawn", "gather", "wait", "awaitPromise", "createPromise", "completePromise"];

/** The scheduler API if src/index.ts exports all of it, else null. */
export function schedulerApi(): SchedulerApi | null {
  const ns = doeff as unknown as Record<string, unknown>;
  for (const k of NAMES) if (typeof ns[k] !== "function") return null;
  return ns as unknown as SchedulerApi;
}

export const SCHEDULER_NA = "n/a (scheduler not available)";

function ok<T>(r: { ok: boolean; error: unknown; value: T }): T {
  if (!r.ok) throw r.error;
  return r.value;
}
const eq = (expected: (n: number) => unknown) => (r: unknown, n: number) => r === expected(n);

/** Rounds of spawn-N-then-gather per sample: ops = total tasks, a multiple of `width`. */
function spawnGather(width: number, api: SchedulerApi | null): Workload {
  const w: Workload = {
    name: `spawn_gather_${width}`,
    op: "1 task (spawn + gather share)",
    ops: { full: 100_000, quick: 10_000 },
    note: `repeat: spawn ${width} trivial tasks, then gather them all`,
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const rounds = (n: number) => Math.max(1, Math.round(n / width));
  const child = doeff.fn(function* child(i: number) {
    return i;
  });
  const main = doeff.fn(function* spawnGatherMain(r: number) {
    let total = 0;
    for (let j = 0; j < r; j++) {
      const tasks: unknown[] = [];
      for (let i = 0; i < width; i++) tasks.push(yield* api.spawn(child(i)));
      const vs = yield* api.gather(...tasks);
      total += vs.length;
    }
    return total;
  });
  w.impls = {
    doeff: {
      prepare: (n) => {
        const p = main(rounds(n));
        return () => ok(doeff.run(p, { handlers: [api.scheduler] }));
      },
      check: (r, n) => r === rounds(n) * width,
    },
    effect: {
      note: "Effect.forkChild × width, then Fiber.joinAll; runPromise",
      prepare: (n) => {
        const r = rounds(n);
        const prog = Fx.gen(function* () {
          let total = 0;
          for (let j = 0; j < r; j++) {
            const fibers: Fiber.Fiber<number>[] = [];
            for (let i = 0; i < width; i++) fibers.push(yield* Fx.forkChild(Fx.succeed(i)));
            total += (yield* Fiber.joinAll(fibers)).length;
          }
          return total;
        });
        return () => Fx.runPromise(prog);
      },
      check: (r, n) => r === rounds(n) * width,
    },
    effect3: {
      note: "effect 3.x: Effect.fork × width, then Fiber.joinAll; runPromise",
      prepare: (n) => {
        const r = rounds(n);
        const prog = Fx3.gen(function* () {
          let total = 0;
          for (let j = 0; j < r; j++) {
            const fibers: Fiber3.RuntimeFiber<number>[] = [];
            for (let i = 0; i < width; i++) fibers.push(yield* Fx3.fork(Fx3.succeed(i)));
            total += (yield* Fiber3.joinAll(fibers)).length;
          }
          return total;
        });
        return () => Fx3.runPromise(prog);
      },
      check: (r, n) => r === rounds(n) * width,
    },
    effection: {
      scale: 1 / 20,
      note: "spawn × width, then all(tasks); runs 5% of the ops",
      prepare: (n) => {
        const r = rounds(n);
        return () =>
          effection.run(function* () {
            let total = 0;
            for (let j = 0; j < r; j++) {
              const tasks: effection.Task<number>[] = [];
              for (let i = 0; i < width; i++) {
                const v = i;
                tasks.push(
                  yield* effection.spawn(function* () {
                    return v;
                  }),
                );
              }
              total += (yield* effection.all(tasks)).length;
            }
            return total;
          });
      },
      check: (r, n) => r === rounds(n) * width,
    },
  };
  return w;
}

function asyncAwait(api: SchedulerApi | null): Workload {
  const w: Workload = {
    name: "async_await",
    op: "1 await of a resolved promise",
    ops: { full: 200_000, quick: 20_000 },
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const one = () => Promise.resolve(1);
  const loop = doeff.fn(function* awaitLoop(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* api.awaitPromise(one);
    return s;
  });
  w.impls = {
    doeff: {
      note: "awaitPromise(() => Promise.resolve(1)) under runAsync with [scheduler]",
      prepare: (n) => {
        const p = loop(n);
        return async () => ok(await doeff.runAsync(p, { handlers: [api.scheduler] }));
      },
      check: eq((n) => n),
    },
    floor: {
      note: "a plain `await Promise.resolve(1)` loop",
      prepare: (n) => async () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += await one();
        return s;
      },
      check: eq((n) => n),
    },
    effect: {
      note: "Effect.promise(() => Promise.resolve(1)); runPromise",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx.promise(one);
          return s;
        });
        return () => Fx.runPromise(prog);
      },
      check: eq((n) => n),
    },
    effect3: {
      note: "effect 3.x: Effect.promise(() => Promise.resolve(1)); runPromise",
      prepare: (n) => {
        const prog = Fx3.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx3.promise(one);
          return s;
        });
        return () => Fx3.runPromise(prog);
      },
      check: eq((n) => n),
    },
    effection: {
      scale: 1 / 20,
      note: "call(() => Promise.resolve(1)); runs 5% of the ops",
      prepare: (n) => () =>
        effection.run(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* effection.call(one);
          return s;
        }),
      check: eq((n) => n),
    },
    "redux-saga": {
      note: "call(() => Promise.resolve(1)) via runSaga",
      prepare: (n) => () =>
        runSaga({ getState: () => ({}), dispatch: () => {} }, function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += (yield call(one)) as number;
          return s;
        }).toPromise(),
      check: eq((n) => n),
    },
  };
  return w;
}

/** An await of a promise that settles on a later macrotask (setImmediate): real I/O's shape. */
function asyncAwaitMacrotask(api: SchedulerApi | null): Workload {
  const w: Workload = {
    name: "async_await_macrotask",
    op: "1 await of a promise settled by setImmediate",
    ops: { full: 20_000, quick: 2_000 },
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const later = () => new Promise<number>((resolve) => setImmediate(() => resolve(1)));
  const loop = doeff.fn(function* awaitLaterLoop(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* api.awaitPromise(later);
    return s;
  });
  w.impls = {
    doeff: {
      note: "awaitPromise(() => setImmediate-settled promise) under runAsync with [scheduler]",
      prepare: (n) => {
        const p = loop(n);
        return async () => ok(await doeff.runAsync(p, { handlers: [api.scheduler] }));
      },
      check: eq((n) => n),
    },
    floor: {
      note: "a plain `await` loop",
      prepare: (n) => async () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += await later();
        return s;
      },
      check: eq((n) => n),
    },
    effect: {
      note: "Effect.promise; runPromise",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx.promise(later);
          return s;
        });
        return () => Fx.runPromise(prog);
      },
      check: eq((n) => n),
    },
    effection: {
      scale: 1 / 5,
      note: "call(later); runs 20% of the ops",
      prepare: (n) => () =>
        effection.run(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* effection.call(later);
          return s;
        }),
      check: eq((n) => n),
    },
  };
  return w;
}

const ALL_WIDTH = 10_000;

/** Toolkit: 10,000 trivial programs through `all(programs, { concurrency: 8 })` per round. */
function allConcurrency8(api: SchedulerApi | null): Workload {
  const w: Workload = {
    name: "all_concurrency_8",
    op: "1 program (of 10,000 per all)",
    ops: { full: 100_000, quick: 10_000 },
    note: "repeat: all(10,000 trivial programs, { concurrency: 8 })",
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const rounds = (n: number) => Math.max(1, Math.round(n / ALL_WIDTH));
  const child = doeff.fn(function* trivial(i: number) {
    return i;
  });
  const progs = Array.from({ length: ALL_WIDTH }, (_, i) => child(i));
  const main = doeff.fn(function* allMain(r: number) {
    let total = 0;
    for (let j = 0; j < r; j++) total += (yield* doeff.all(progs, { concurrency: 8 })).length;
    return total;
  });
  const items = Array.from({ length: ALL_WIDTH }, (_, i) => i);
  w.impls = {
    doeff: {
      note: "all(programs, { concurrency: 8 }) under [scheduler]",
      prepare: (n) => {
        const p = main(rounds(n));
        return () => ok(doeff.run(p, { handlers: [api.scheduler] }));
      },
      check: (r, n) => r === rounds(n) * ALL_WIDTH,
    },
    effect: {
      note: "Effect.forEach(items, (i) => Effect.succeed(i), { concurrency: 8 }); runPromise",
      prepare: (n) => {
        const r = rounds(n);
        const prog = Fx.gen(function* () {
          let total = 0;
          for (let j = 0; j < r; j++)
            total += (yield* Fx.forEach(items, (i) => Fx.succeed(i), { concurrency: 8 })).length;
          return total;
        });
        return () => Fx.runPromise(prog);
      },
      check: (r, n) => r === rounds(n) * ALL_WIDTH,
    },
  };
  return w;
}

const CHANNEL_CAPACITY = 16;

/** Toolkit: a producer task sends n values over a channel, main receives them (1 op = 1 message). */
function channelPingpong(api: SchedulerApi | null): Workload {
  const w: Workload = {
    name: "channel_pingpong",
    op: "1 message (send + receive)",
    ops: { full: 200_000, quick: 20_000 },
    note: `a producer task and a consumer (main) over a channel of capacity ${CHANNEL_CAPACITY}`,
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const producer = doeff.fn(function* producer(ch: doeff.Channel<number>, n: number) {
    for (let i = 0; i < n; i++) yield* doeff.send(ch, 1);
    yield* doeff.close(ch);
  });
  const main = doeff.fn(function* channelMain(n: number) {
    const ch = yield* doeff.createChannel<number>({ capacity: CHANNEL_CAPACITY });
    yield* api.spawn(producer(ch, n));
    let s = 0;
    for (;;) {
      const r = yield* doeff.receive(ch);
      if (r.done) return s;
      s += r.value;
    }
  });
  w.impls = {
    doeff: {
      note: `createChannel({ capacity: ${CHANNEL_CAPACITY} }), spawn(producer: send × n, close), receive until done`,
      prepare: (n) => {
        const p = main(n);
        return () => ok(doeff.run(p, { handlers: [api.scheduler] }));
      },
      check: eq((n) => n),
    },
    effect: {
      note: `Queue.bounded(${CHANNEL_CAPACITY}), forkChild(producer: Queue.offer × n), Queue.take × n; runPromise`,
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          const q = yield* Queue.bounded<number>(CHANNEL_CAPACITY);
          yield* Fx.forkChild(
            Fx.gen(function* () {
              for (let i = 0; i < n; i++) yield* Queue.offer(q, 1);
            }),
          );
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Queue.take(q);
          return s;
        });
        return () => Fx.runPromise(prog);
      },
      check: eq((n) => n),
    },
  };
  return w;
}

/**
 * A task inside 20 `handle(Other, …)` handlers that performs `get` (state, outside them all), then
 * spawns a trivial task and waits for it: each wait switches away and back. A blocked task dropped
 * its search cache, so every round walked the 20 handlers again for Get, Spawn and Wait (65 prompts).
 */
function taskSwitchInHandlers(api: SchedulerApi | null): Workload {
  const depth = 20;
  const w: Workload = {
    name: "task_switch_in_handlers",
    op: `1 round (get + spawn + wait, past ${depth} handlers)`,
    ops: { full: 50_000, quick: 5_000 },
    note: `a task inside ${depth} handle(Other, …) handlers: get (state answers), then wait(spawn(trivial task))`,
    impls: {},
  };
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const handlers: Handler[] = [];
  for (let i = 0; i < depth; i++) {
    class Other extends doeff.Effect<number> {
      declare readonly _tag: "Other";
    }
    handlers.push(doeff.handle(Other, (_e, k) => doeff.transfer(k, i)));
  }
  const child = doeff.fn(function* child() {
    return 1;
  });
  const body = doeff.fn(function* taskBody(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += yield* doeff.get<number>("c");
      s += (yield* api.wait(yield* api.spawn(child()))) as number;
    }
    return s;
  });
  const main = doeff.fn(function* taskSwitchMain(n: number) {
    let p: doeff.AnyProgramLike = body(n);
    for (const h of handlers) p = doeff.withHandler(h, p);
    return yield* api.wait(yield* api.spawn(p));
  });
  w.impls = {
    doeff: {
      prepare: (n) => {
        const p = main(n);
        return () => ok(doeff.run(p, { handlers: [api.scheduler, doeff.state], store: { c: 1 } }));
      },
      check: eq((n) => 2 * n),
    },
  };
  return w;
}

export function schedulerWorkloads(): Workload[] {
  const api = schedulerApi();
  return [
    ...[100, 1000, 10000].map((n) => spawnGather(n, api)),
    asyncAwait(api),
    asyncAwaitMacrotask(api),
    allConcurrency8(api),
    channelPingpong(api),
    taskSwitchInHandlers(api),
  ];
}

/**
 * Retained heap per pending task: spawn `n` tasks that each wait on one never-completed promise, let
 * them all start, then measure (after GC) from inside the run; finally complete the promise so the
 * run ends normally. Returns bytes per task, or null without the scheduler.
 */
export function pendingTaskBytes(n: number): number | null {
  const api = schedulerApi();
  if (api === null) return null;
  const heap = () => {
    collect();
    return process.memoryUsage().heapUsed;
  };
  let before = 0;
  let after = 0;
  const waiter = doeff.fn(function* waiter(future: unknown) {
    return yield* api.wait(future);
  });
  const main: Program<number> = doeff.program(function* pendingTasks() {
    const pr = (yield* api.createPromise()) as { future: unknown };
    before = heap();
    const tasks: unknown[] = [];
    for (let i = 0; i < n; i++) tasks.push(yield* api.spawn(waiter(pr.future)));
    // the probe is spawned last, so it runs once every waiter has started and blocked
    const probe = yield* api.spawn(
      doeff.program(function* probe() {
        after = heap();
        return 0;
      }),
    );
    yield* api.wait(probe);
    yield* api.completePromise(pr, 1);
    const vs = yield* api.gather(...tasks);
    return vs.length;
  });
  const r = doeff.run(main, { handlers: [api.scheduler] });
  if (!r.ok) throw r.error;
  return (after - before) / n;
}

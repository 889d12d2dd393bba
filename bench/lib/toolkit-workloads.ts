/**
 * The structured-concurrency toolkit against Effect 4's equivalents: what users write first —
 * `timeout`, `retry`, a race, a semaphore — each in a loop of calls that succeed, the common case
 * (a deadline that is kept, a call that succeeds on its third attempt, a race the fast side wins,
 * an uncontended permit). One op = one toolkit call. Each side runs under its own run function:
 * `run` / `Effect.runSync` where nothing waits on the event loop, `runAsync` / `Effect.runPromise`
 * where a real timer is set (and cleared when the call ends in time).
 */
import { Effect as Fx, Semaphore } from "effect";
import * as doeff from "../../src/index.js";
import type { Workload } from "./harness.js";
import { SCHEDULER_NA, schedulerApi } from "./scheduler-workloads.js";

function ok<T>(r: { ok: boolean; error: unknown; value: T }): T {
  if (!r.ok) throw r.error;
  return r.value;
}
const sumTo = (n: number) => (n * (n - 1)) / 2;
const trivial = doeff.fn(function* trivial(i: number) {
  return i;
});

/** `timeout(trivial(i), 1000)` under realTime: a timer set and cleared per call. */
function timeoutInTime(): Workload {
  const w: Workload = {
    name: "toolkit_timeout",
    op: "1 timeout(program, 1000) kept",
    ops: { full: 50_000, quick: 5_000 },
    note: "a trivial program under a 1 s deadline it keeps (a real timer set and cleared per call)",
    impls: {},
  };
  const api = schedulerApi();
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const main = doeff.fn(function* timeoutLoop(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* doeff.timeout(trivial(i), 1000);
    return s;
  });
  w.impls = {
    doeff: {
      note: "timeout(trivial(i), 1000) under runAsync with [scheduler, realTime]",
      prepare: (n) => {
        const p = main(n);
        return async () => ok(await doeff.runAsync(p, { handlers: [api.scheduler, doeff.realTime] }));
      },
      check: (r, n) => r === sumTo(n),
    },
    effect: {
      note: 'Effect.timeout(Effect.succeed(i), "1 second"); runPromise',
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx.timeout(Fx.succeed(i), "1 second");
          return s;
        });
        return () => Fx.runPromise(prog);
      },
      check: (r, n) => r === sumTo(n),
    },
  };
  return w;
}

/** A call that fails twice, then succeeds, under `retry({ times: 2 })` (no delay). */
function retryThird(): Workload {
  const w: Workload = {
    name: "toolkit_retry",
    op: "1 retry call (3 attempts: 2 failures, then a success)",
    ops: { full: 100_000, quick: 10_000 },
    note: "a call that fails on its first two attempts, retried with { times: 2 } and no delay",
    impls: {},
  };
  const api = schedulerApi();
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const failure = new Error("transient");
  let attempts = 0;
  const flaky = doeff.fn(function* flaky(i: number) {
    if (++attempts % 3 !== 0) throw failure;
    return i;
  });
  const main = doeff.fn(function* retryLoop(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* doeff.retry(flaky(i), { times: 2 });
    return s;
  });
  w.impls = {
    doeff: {
      note: "retry(flaky(i), { times: 2 }) under run with [scheduler]",
      prepare: (n) => {
        const p = main(n);
        return () => {
          attempts = 0;
          return ok(doeff.run(p, { handlers: [api.scheduler] }));
        };
      },
      check: (r, n) => r === sumTo(n),
    },
    effect: {
      note: "Effect.retry(flaky(i), { times: 2 }), flaky an Effect.suspend failing with Effect.fail; runSync",
      prepare: (n) => {
        let fxAttempts = 0;
        const fxFlaky = (i: number) =>
          Fx.suspend(() => (++fxAttempts % 3 !== 0 ? Fx.fail(failure) : Fx.succeed(i)));
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx.retry(fxFlaky(i), { times: 2 });
          return s;
        });
        return () => {
          fxAttempts = 0;
          return Fx.runSync(prog);
        };
      },
      check: (r, n) => r === sumTo(n),
    },
  };
  return w;
}

/** A race of a trivial program against a 1 s delay: the trivial side wins, the delay is cancelled. */
function raceFastWins(): Workload {
  const w: Workload = {
    name: "toolkit_race",
    op: "1 race (a trivial program vs a 1 s delay)",
    ops: { full: 50_000, quick: 5_000 },
    note: "the trivial side wins; the loser's real timer is cleared",
    impls: {},
  };
  const api = schedulerApi();
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const slow = doeff.fn(function* slow() {
    yield* doeff.delay(1000);
    return -1;
  });
  const main = doeff.fn(function* raceLoop(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* doeff.raceAll([trivial(i), slow()]);
    return s;
  });
  w.impls = {
    doeff: {
      note: "raceAll([trivial(i), delay(1000)]) under runAsync with [scheduler, realTime]",
      prepare: (n) => {
        const p = main(n);
        return async () => ok(await doeff.runAsync(p, { handlers: [api.scheduler, doeff.realTime] }));
      },
      check: (r, n) => r === sumTo(n),
    },
    effect: {
      note: 'Effect.race(Effect.succeed(i), Effect.sleep("1 second") as -1); runPromise',
      prepare: (n) => {
        const fxSlow = Fx.as(Fx.sleep("1 second"), -1);
        const prog = Fx.gen(function* () {
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* Fx.race(Fx.succeed(i), fxSlow);
          return s;
        });
        return () => Fx.runPromise(prog);
      },
      check: (r, n) => r === sumTo(n),
    },
  };
  return w;
}

/** `withPermit` on a semaphore of 1 that nobody else holds. */
function semaphoreUncontended(): Workload {
  const w: Workload = {
    name: "toolkit_semaphore",
    op: "1 withPermit(sem, program), uncontended",
    ops: { full: 200_000, quick: 20_000 },
    impls: {},
  };
  const api = schedulerApi();
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  const main = doeff.fn(function* permitLoop(n: number) {
    const sem = yield* doeff.createSemaphore(1);
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* doeff.withPermit(sem, trivial(i));
    return s;
  });
  w.impls = {
    doeff: {
      note: "createSemaphore(1), withPermit(sem, trivial(i)) under run with [scheduler]",
      prepare: (n) => {
        const p = main(n);
        return () => ok(doeff.run(p, { handlers: [api.scheduler] }));
      },
      check: (r, n) => r === sumTo(n),
    },
    effect: {
      note: "Semaphore.make(1), sem.withPermits(1)(Effect.succeed(i)); runSync",
      prepare: (n) => {
        const prog = Fx.gen(function* () {
          const sem = yield* Semaphore.make(1);
          let s = 0;
          for (let i = 0; i < n; i++) s += yield* sem.withPermits(1)(Fx.succeed(i));
          return s;
        });
        return () => Fx.runSync(prog);
      },
      check: (r, n) => r === sumTo(n),
    },
  };
  return w;
}

export function toolkitWorkloads(): Workload[] {
  return [timeoutInTime(), retryThird(), raceFastWins(), semaphoreUncontended()];
}

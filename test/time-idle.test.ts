/**
 * Idle sources that are dropped once they have nothing pending (SEMANTICS §9.2 R6): a
 * `simulatedTime()` made per scope of a long run, and the protocol's `pending()` behind it. The
 * scheduler asks a dropped source no more; registered again, it is asked at its first place in the
 * order, so R6's order is that of first registration whatever was dropped meanwhile.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  awaitPromise,
  completePromise,
  createPromise,
  delay,
  gather,
  getRunContext,
  type IdleSource,
  now,
  type PromiseHandle,
  registerIdleSource,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  wait,
  withHandler,
} from "../src/index.js";
import { World } from "../src/handlers/scheduler-world.js";
import { assertOk, P } from "./sched-helpers.js";

/** The idle sources the run's scheduler world holds now. */
const idleSources = P(function* () {
  const ctx = yield* getRunContext();
  for (const v of ctx.user.values()) if (v instanceof World && !v.closed) return v.idleSources.length;
  return -1;
});

test("simulatedTime: a clock made per scope of a long run is dropped from the scheduler's idle sources once its timers are done — 1,000 scopes leave none, not 1,000 asked at every idle moment", () => {
  const r = run(
    P(function* () {
      const counts: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const t = yield* withHandler(
          simulatedTime({ start: 100 * i }),
          P(function* scope() {
            yield* delay(1);
            yield* delay(2);
            return yield* now();
          }),
        );
        if (t !== 100 * i + 3) throw new Error(`scope ${i} ended at ${t}`);
        if (i % 250 === 0) counts.push(yield* idleSources);
      }
      // the outer clock's first delay registers it; the idle moment it fires at drops the last
      // scope's clock, asked first (registered first) and done
      yield* delay(10);
      counts.push(yield* idleSources);
      return [counts, yield* now()];
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  // at each count: the scope's own clock, just done (dropped when next asked), and no other; at the
  // end the outer clock alone (1,000 before: every clock ever made)
  assertOk(r, [[1, 1, 1, 1, 1], 10]);
});

test("simulatedTime: a clock dropped while empty and registered again by its next delay is asked at its first place — before a clock registered after it, as if it had never been dropped (R6)", () => {
  const inner = simulatedTime({ start: 1000 });
  const r = run(
    P(function* () {
      const log: string[] = [];
      yield* delay(1); // the outer clock: registered first; empty once this fired
      const p = yield* createPromise<undefined>();
      const t = yield* spawn(
        withHandler(
          inner,
          P(function* task() {
            yield* delay(1); // the inner clock registers; at this idle moment the outer one is dropped
            yield* completePromise(p, undefined);
            yield* delay(100);
            log.push(`inner at ${yield* now()}`);
          }),
        ),
      );
      yield* wait(p.future);
      // both clocks now hold a timer: the outer one, registered again, is asked first
      yield* delay(5);
      log.push(`outer at ${yield* now()}`);
      yield* wait(t);
      return log;
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  // (registered again at the end, after the inner clock: ["inner at 1101", "outer at 6"])
  assertOk(r, ["outer at 6", "inner at 1101"]);
});

/** An idle source that completes its waiters one per idle moment, and logs what it is asked. */
class Gate implements IdleSource {
  readonly waiters: PromiseHandle<undefined>[] = [];
  constructor(
    readonly name: string,
    readonly log: string[],
  ) {}
  progress(complete: (promise: PromiseHandle<undefined>, value: undefined) => boolean): boolean {
    const p = this.waiters.shift();
    this.log.push(`${this.name}.progress${p === undefined ? "" : " fires"}`);
    return p !== undefined && complete(p, undefined);
  }
  pending(): boolean {
    this.log.push(`${this.name}.pending ${this.waiters.length > 0}`);
    return this.waiters.length > 0;
  }
}

test("registerIdleSource: a source whose pending() says false after a progress that did nothing is dropped — not asked again — and registering it again answers true and puts it back at its first place; one without pending() stays", () => {
  const log: string[] = [];
  const x = new Gate("x", log);
  const y = new Gate("y", log);
  const z: IdleSource = {
    progress: () => {
      log.push("z.progress");
      return false;
    },
  };
  const r = run(
    P(function* () {
      const regs = [
        yield* registerIdleSource(x),
        yield* registerIdleSource(y),
        yield* registerIdleSource(z),
        yield* registerIdleSource(x),
      ];
      const gate = function* (g: Gate) {
        const p = yield* createPromise<undefined>();
        g.waiters.push(p);
        return p.future;
      };
      yield* wait(yield* gate(x)); // x fires
      log.push("--");
      yield* wait(yield* gate(y)); // x did nothing and has nothing pending: dropped; y fires
      log.push("--");
      regs.push(yield* registerIdleSource(x), yield* registerIdleSource(y));
      const fx = yield* gate(x);
      const fy = yield* gate(y);
      const t = yield* spawn(
        P(function* () {
          yield* wait(fy);
          log.push("y's waiter");
        }),
      );
      yield* wait(fx);
      log.push("x's waiter");
      yield* wait(t);
      log.push("--");
      // nothing pending anywhere: y is dropped too, z (no pending()) is asked and stays; a deadlock
      const stuck = yield* createPromise<undefined>();
      const dead = yield* safe(wait(stuck.future));
      log.push(dead.ok ? "woken" : (dead.error as Error).name);
      return [regs, yield* idleSources];
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, [[true, true, true, false, true, false], 1]);
  assert.deepEqual(log, [
    "x.progress fires",
    "--",
    "x.progress",
    "x.pending false",
    "y.progress fires",
    "--",
    // x back before y: x fires first, its waiter (main) goes first
    "x.progress fires",
    "x's waiter",
    "x.progress",
    "x.pending false",
    "y.progress fires",
    "y's waiter",
    "--",
    "y.progress",
    "y.pending false",
    "z.progress",
    "DeadlockError",
  ]);
});

test("runAsync + simulatedTime: promises that settle in one turn of the event loop wake their tasks together, before what the first one makes ready — also once the clock, its timers done, was dropped (idle step (0) still turns the event loop first)", async () => {
  // settles after `n` turns of the event loop (setImmediate), no real time
  const turns = (n: number) => () =>
    new Promise<number>((resolve) => {
      const go = (k: number): void => void (k === 0 ? resolve(n) : setImmediate(() => go(k - 1)));
      go(n);
    });
  const log: string[] = [];
  const r = await runAsync(
    P(function* () {
      yield* delay(1);
      // three turns: the idle moment's one turn finds it pending, asks the clock (nothing left:
      // dropped), and the run waits for the next completion
      yield* awaitPromise(turns(3));
      log.push(`main at ${yield* now()}`);
      const a = yield* spawn(
        P(function* () {
          yield* awaitPromise(turns(1));
          log.push(`a at ${yield* now()}`);
          yield* spawn(
            P(function* () {
              log.push(`c at ${yield* now()}`);
            }),
          );
        }),
      );
      const b = yield* spawn(
        P(function* () {
          yield* awaitPromise(turns(1));
          log.push(`b at ${yield* now()}`);
        }),
      );
      yield* gather(a, b);
      return yield* now();
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assertOk(r, 1);
  // a and b settled in the same turn: both woken, in call order, before c (a spawned it): as while
  // the clock was registered — not a, c, b (the run woken by a's completion alone)
  assert.deepEqual(log, ["main at 1", "a at 1", "b at 1", "c at 1"]);
});

test("registerIdleSource: a pending() that throws ends the run with its error, as a throwing progress() does — the finally blocks of the tasks run, and a safe() around the waiting program does not catch it", () => {
  for (const which of ["pending", "progress"] as const) {
    const log: string[] = [];
    const boom = new Error(`${which} boom`);
    const raise = (): never => {
      throw boom;
    };
    const r = run(
      P(function* () {
        let calls = 0;
        const source: IdleSource =
          which === "pending"
            ? { progress: () => false, pending: () => (++calls === 1 ? raise() : true) }
            : { progress: () => (++calls === 1 ? raise() : false) };
        yield* registerIdleSource(source); // asked first, before the clock
        yield* spawn(
          P(function* child() {
            try {
              yield* delay(100);
            } finally {
              log.push("child finally");
            }
          }),
        );
        const s = yield* safe(delay(5));
        log.push(`safe ${s.ok}`);
        return "main done";
      }),
      { handlers: [scheduler, simulatedTime()] },
    );
    assert.equal(r.ok, false, which);
    if (!r.ok) assert.equal(r.error, boom, which);
    assert.deepEqual(log, ["child finally"], which);
  }
});

/**
 * `all`'s children run bare (bench all_concurrency_8): when no handler stands between `all` and the
 * scheduler, the scheduler runs each child's program as the task's body without `all`'s wrapper
 * frame and tells `all` of its outcome itself (OwnedChild, effects/scheduler.ts), completing the
 * wake-up promise where the wrapper would have. Nothing of it may show: these runs are made both
 * ways — handlers outside the scheduler (bare) and inside it (the wrapper) — and must give the
 * very same values, errors, logs, warnings, events and tracebacks, each asserted exactly.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  all,
  cancel,
  delay,
  fn,
  forEach,
  getTaskInfo,
  type Handler,
  now,
  program,
  run,
  type RunResult,
  scheduler,
  simulatedTime,
  spawn,
  Spawn,
  tell,
  wait,
  writer,
} from "../src/index.js";
import { OwnedChild, ownedSpawn, type PromiseHandle } from "../src/effects/scheduler.js";

const events: string[] = [];
beforeEach(() => {
  events.length = 0;
});

/** Handlers outside the scheduler (all's children run bare), or inside it (through the wrapper). */
const BARE = (): Handler[] => [simulatedTime(), writer, scheduler];
const WRAPPED = (): Handler[] => [scheduler, simulatedTime(), writer];

/** Finishes at once, without a single effect. */
const quick = fn(function* quick(i: number) {
  events.push(`quick ${i}`);
  return i;
});
/** Logs, waits `ms`, logs again. */
const slow = fn(function* slow(i: number, ms: number) {
  try {
    events.push(`slow ${i} starts`);
    yield* tell(`slow ${i} a`);
    yield* delay(ms);
    events.push(`slow ${i} ends at ${yield* now()}`);
    yield* tell(`slow ${i} b`);
    return -i;
  } finally {
    events.push(`slow ${i} finally`);
  }
});
const boom = fn(function* boom(i: number, ms: number) {
  yield* tell(`boom ${i}`);
  if (ms > 0) yield* delay(ms);
  events.push(`boom ${i} throws`);
  throw new RangeError(`boom ${i}`);
});

interface Seen {
  ok: boolean;
  value: unknown;
  log: unknown[];
  warnings: string[];
  events: string[];
  format: string;
}

/** Run `make()` both ways; assert they agree exactly and answer what they saw. */
function bothWays(make: () => Parameters<typeof run>[0], sites = false): Seen {
  const once = (handlers: Handler[]): Seen => {
    events.length = 0;
    const r: RunResult<unknown> = run(make() as never, { handlers, trace: { sites } });
    return {
      ok: r.ok,
      value: r.ok ? r.value : r.error,
      log: [...r.log],
      warnings: r.warnings.map((w) => String((w as Error).message ?? w)),
      events: [...events],
      format: r.format(),
    };
  };
  const bare = once(BARE());
  const wrapped = once(WRAPPED());
  assert.deepEqual(bare, wrapped);
  return bare;
}

test("all bare: programs finishing at once mixed with ones that wait, concurrency 2 — values in input order, events in start order", () => {
  const s = bothWays(() =>
    all([quick(0), slow(1, 10), quick(2), slow(3, 5), quick(4), slow(5, 1), quick(6)], { concurrency: 2 }),
  );
  assert.equal(s.ok, true);
  assert.deepEqual(s.value, [0, -1, 2, -3, 4, -5, 6]);
  assert.deepEqual(s.events, [
    "quick 0",
    "slow 1 starts",
    "quick 2",
    "slow 3 starts",
    "slow 3 ends at 5",
    "slow 3 finally",
    "quick 4",
    "slow 5 starts",
    "slow 5 ends at 6",
    "slow 5 finally",
    "quick 6",
    "slow 1 ends at 10",
    "slow 1 finally",
  ]);
  assert.deepEqual(s.log, ["slow 1 a", "slow 1 b", "slow 3 a", "slow 3 b", "slow 5 a", "slow 5 b"]);
});

test("all bare: concurrency 1 runs one program after the other, in input order", () => {
  const s = bothWays(() => all([slow(0, 3), quick(1), slow(2, 2), quick(3)], { concurrency: 1 }));
  assert.deepEqual(s.value, [-0, 1, -2, 3]);
  assert.deepEqual(s.events, [
    "slow 0 starts",
    "slow 0 ends at 3",
    "slow 0 finally",
    "quick 1",
    "slow 2 starts",
    "slow 2 ends at 5",
    "slow 2 finally",
    "quick 3",
  ]);
  assert.deepEqual(s.log, ["slow 0 a", "slow 0 b", "slow 2 a", "slow 2 b"]);
});

test("all bare: every program finishing at once, at each concurrency, answers them in input order", () => {
  for (const concurrency of [1, 2, 3, 8, Number.POSITIVE_INFINITY]) {
    const s = bothWays(() => all([quick(0), quick(1), quick(2), quick(3), quick(4)], { concurrency }));
    assert.deepEqual(s.value, [0, 1, 2, 3, 4], `concurrency ${concurrency}`);
    assert.deepEqual(s.events, ["quick 0", "quick 1", "quick 2", "quick 3", "quick 4"]);
  }
});

test("all bare: fail-fast while others wait or have finished at once — the others cancelled in ascending id, the failed task's log alone", () => {
  for (const sites of [false, true]) {
    const s = bothWays(
      () => all([slow(0, 10), quick(1), boom(2, 5), slow(3, 20), quick(4), slow(5, 1)], { concurrency: 4 }),
      sites,
    );
    assert.equal(s.ok, false);
    assert.ok(s.value instanceof RangeError);
    assert.equal((s.value as Error).message, "boom 2");
    assert.deepEqual(s.events, [
      "slow 0 starts",
      "quick 1",
      "slow 3 starts",
      "quick 4",
      "slow 5 starts",
      "slow 5 ends at 1",
      "slow 5 finally",
      "boom 2 throws",
      "slow 0 finally",
      "slow 3 finally",
    ]);
    assert.deepEqual(s.log, ["boom 2"]);
    assert.deepEqual(s.warnings, []);
    assert.match(s.format, /── in task 3 ──\n {2}boom/);
    assert.match(s.format, /RangeError: boom 2$/);
  }
});

test("all bare: a program that throws before any effect, first or among others; two failing at once (the second a warning)", () => {
  const now0 = fn(function* now0(i: number) {
    events.push(`now0 ${i}`);
    throw new TypeError(`now0 ${i}`);
  });
  const first = bothWays(() => all([now0(0), slow(1, 1), quick(2)], { concurrency: 8 }));
  assert.equal((first.value as Error).message, "now0 0");
  assert.deepEqual(first.events, ["now0 0", "slow 1 starts", "quick 2", "slow 1 finally"]);
  const two = bothWays(() => all([boom(0, 5), boom(1, 5), slow(2, 10)], { concurrency: 3 }));
  assert.equal((two.value as Error).message, "boom 0");
  assert.deepEqual(two.events, ["slow 2 starts", "boom 0 throws", "boom 1 throws", "slow 2 finally"]);
  assert.deepEqual(two.log, ["boom 0"]);
  assert.deepEqual(two.warnings, ["boom 1"]);
});

test("all bare: the children are tasks numbered in spawn order, spawned by all's task", () => {
  const info = fn(function* info(i: number) {
    const t = yield* getTaskInfo();
    events.push(`${i}: task ${t.id} of ${t.parent}`);
    return t.id;
  });
  const s = bothWays(() =>
    program(function* () {
      const other = yield* spawn(quick(9));
      const ids = yield* all([info(0), info(1), info(2)], { concurrency: 2 });
      yield* wait(other);
      return ids;
    }),
  );
  assert.deepEqual(s.value, [2, 3, 4]);
  // the task spawned first runs first (R4): all's children queue behind it
  assert.deepEqual(s.events, ["quick 9", "0: task 2 of 0", "1: task 3 of 0", "2: task 4 of 0"]);
});

test("all bare: cancelled from outside while its children wait — their finally blocks run, in ascending id", () => {
  const s = bothWays(() =>
    program(function* () {
      const t = yield* spawn(
        forEach([0, 1, 2, 3], (i) => (i === 1 ? quick(i) : slow(i, 50)), { concurrency: 3 }),
      );
      yield* delay(20);
      yield* cancel(t);
      return yield* now();
    }),
  );
  assert.deepEqual(s.value, 20);
  assert.deepEqual(s.events, [
    "slow 0 starts",
    "quick 1",
    "slow 2 starts",
    "slow 3 starts",
    "slow 0 finally",
    "slow 2 finally",
    "slow 3 finally",
  ]);
  assert.deepEqual(s.log, []);
});

/** A child that records what the scheduler tells it. */
class Probe extends OwnedChild {
  readonly told: string[] = [];
  done(ok: boolean, value: unknown): PromiseHandle<undefined> | null {
    this.told.push(`done ${ok} ${ok ? value : (value as Error).message}`);
    return null;
  }
  ended(): PromiseHandle<undefined> | null {
    this.told.push("ended");
    return null;
  }
}

test("OwnedChild: run bare when no handler stands between the spawn and the scheduler, told the outcome; else the Spawn's program runs", () => {
  const inner = fn(function* inner(n: number) {
    yield* tell(`inner ${n}`);
    if (n < 0) throw new Error("negative");
    return n * 2;
  });
  const wrapper = fn(function* wrapper(n: number) {
    events.push("wrapper");
    return yield* inner(n);
  });
  const probes: Probe[] = [];
  const main = (n: number) =>
    program(function* () {
      const probe = new Probe(inner(n));
      probes.push(probe);
      const t = yield ownedSpawn(wrapper(n), null, probe);
      try {
        return yield* wait(t as never);
      } catch (e) {
        return (e as Error).message;
      }
    });
  // bare: the probe's program is the body, and it is told
  assert.equal(run(main(3), { handlers: [writer, scheduler] }).value, 6);
  assert.equal(run(main(-1), { handlers: [writer, scheduler] }).value, "negative");
  assert.deepEqual(
    probes.map((p) => p.told),
    [["done true 6"], ["done false negative"]],
  );
  assert.deepEqual(events, []);
  // a handler between (writer inside the scheduler): the Spawn's own program, the probe never told
  probes.length = 0;
  assert.equal(run(main(3), { handlers: [scheduler, writer] }).value, 6);
  assert.deepEqual(
    probes.map((p) => p.told),
    [[]],
  );
  assert.deepEqual(events, ["wrapper"]);
});

test("ownedSpawn: a combinator's Spawn has the public Spawn's own properties (its mark is private)", () => {
  const p = quick(1);
  const owned = ownedSpawn(p, null);
  assert.ok(owned instanceof Spawn);
  assert.equal(owned.owned, true);
  assert.equal(new Spawn(p, "shared").owned, false);
  assert.deepEqual(Object.getOwnPropertyNames(owned), ["program", "store"]);
  assert.deepEqual({ ...owned }, { ...new Spawn(p, "shared") });
});

/** §9.8 all / forEach / raceAll under run + simulatedTime(): exact interleavings, virtual times, logs. */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  all,
  cancel,
  delay,
  fn,
  forEach,
  get,
  now,
  program,
  type Program,
  put,
  raceAll,
  run,
  safe,
  scoped,
  spawn,
  type Task,
  tell,
  wait,
  Effect,
  handle,
  resume,
  scheduler,
  simulatedTime,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import {
  abortingPing,
  events,
  failing,
  handlerBoom,
  job,
  mark,
  Ping,
  TK,
  throwingPing,
} from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

test("all: values in input order, logs merged in input order though completion order differs", () => {
  const told = fn(function* told(name: string, ms: number) {
    yield* tell(`${name} begins`);
    yield* delay(ms);
    yield* tell(`${name} ends`);
    return name.toUpperCase();
  });
  const main = program(function* () {
    yield* tell("before");
    const vs = yield* all([told("a", 30), told("b", 10), told("c", 20)]);
    return { vs, t: yield* now() };
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, { vs: ["A", "B", "C"], t: 30 });
  assert.deepEqual(r.log, ["before", "a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]);
});

test("all: 10,000 programs with concurrency 8 — peak in flight is exactly 8, started in input order", () => {
  let inFlight = 0;
  let peak = 0;
  const order: number[] = [];
  const item = fn(function* item(i: number) {
    order.push(i);
    inFlight++;
    peak = Math.max(peak, inFlight);
    yield* delay(1);
    inFlight--;
    return i * 2;
  });
  const programs = Array.from({ length: 10_000 }, (_, i) => item(i));
  const main = program(function* () {
    const vs = yield* all(programs, { concurrency: 8 });
    return { n: vs.length, first: vs.slice(0, 3), last: vs[9_999], t: yield* now() };
  });
  const r = run(main, { handlers: TK() });
  const v = assertOk(r);
  assert.equal(peak, 8);
  assert.equal(inFlight, 0);
  assert.deepEqual(
    order,
    Array.from({ length: 10_000 }, (_, i) => i),
  );
  // 8 at a time, 1 ms each: 10,000 / 8 = 1,250 ms of virtual time
  assert.deepEqual(v, { n: 10_000, first: [0, 2, 4], last: 19_998, t: 1_250 });
  // same run again: identical (INV-13), and the same virtual end time
  const again = run(main, { handlers: TK() });
  assert.deepEqual(assertOk(again), v);
});

test("all: concurrency 2 — the third starts when the first slot frees up", () => {
  const main = program(function* () {
    return yield* all([job("a", 10, 1), job("b", 5, 2), job("c", 10, 3), job("d", 1, 4)], { concurrency: 2 });
  });
  assertOk(run(main, { handlers: TK() }), [1, 2, 3, 4]);
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "5: b done",
    "5: b finally",
    "5: c start",
    "10: a done",
    "10: a finally",
    "10: d start",
    "11: d done",
    "11: d finally",
    "15: c done",
    "15: c finally",
  ]);
});

test("all fail-fast: the first failure cancels the started tasks (ascending id, finally blocks run), starts no more, and is rethrown with its log", () => {
  const boom = new Error("boom");
  const loud = fn(function* loud(name: string, ms: number) {
    yield* tell(`${name} log`);
    return yield* failing(name, ms, boom);
  });
  const main = program(function* () {
    try {
      yield* all([job("a", 20, 1), loud("b", 5), job("c", 30, 3), job("d", 1, 4), job("e", 1, 5)], {
        concurrency: 3,
      });
    } finally {
      yield* mark("all left");
    }
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.error, boom);
  assert.deepEqual(r.log, ["b log"]);
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "0: c start",
    "5: b fails",
    "5: a finally", // cancelled, ascending id
    "5: c finally",
    "5: all left", // d and e were never started: no code of theirs ran
  ]);
});

test("all fail-fast without a limit: spawned tasks not yet started run no code", () => {
  const boom = new Error("sync boom");
  const bad = program(function* bad() {
    yield* mark("bad runs");
    throw boom;
  });
  const main = program(function* () {
    return yield* all([bad, job("x", 5, 1), job("y", 5, 2)]);
  });
  const r = run(main, { handlers: TK() });
  assert.equal(r.error, boom);
  // every task gets a turn before the woken caller (R4): x and y start, then are cancelled at once
  assert.deepEqual(events, ["0: bad runs", "0: x start", "0: y start", "0: x finally", "0: y finally"]);
});

test("all: shared state — tasks see and update the caller's state", () => {
  const bump = fn(function* bump(ms: number) {
    yield* delay(ms);
    const n = yield* get<number>("n");
    yield* put("n", n + 1);
    return n;
  });
  const main = program(function* () {
    yield* put("n", 0);
    const seen = yield* all([bump(3), bump(1), bump(2)]);
    return { seen, n: yield* get<number>("n") };
  });
  assertOk(run(main, { handlers: TK() }), { seen: [2, 0, 1], n: 3 });
});

test("forEach = all(items.map(f)): items with an index, at most `concurrency` at once", () => {
  const main = program(function* () {
    return yield* forEach(["x", "y", "z"], (s, i) => job(s, 10, `${s}${i}`), { concurrency: 2 });
  });
  assertOk(run(main, { handlers: TK() }), ["x0", "y1", "z2"]);
  assert.deepEqual(events.slice(0, 3), ["0: x start", "0: y start", "10: x done"]);
  assert.equal(events.at(-1), "20: z finally");
});

test("all([]) → [] at once; all inside scoped leaves no task behind", () => {
  const main = program(function* () {
    const empty = yield* all([]);
    const vs = yield* scoped(all([job("a", 1, "a")]));
    return { empty, vs };
  });
  assertOk(run(main, { handlers: TK() }), { empty: [], vs: ["a"] });
});

test("raceAll: the first success wins; losers are cancelled (finally runs) before it returns; its log merged", () => {
  const told = fn(function* told(name: string, ms: number) {
    yield* tell(`${name} told`);
    return yield* job(name, ms, name);
  });
  const main = program(function* () {
    const v = yield* raceAll([
      told("slow", 30),
      failing("bad", 1, new Error("x")),
      told("fast", 10),
      told("mid", 20),
    ]);
    yield* mark(`winner ${v}`);
    return v;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "fast");
  assert.deepEqual(r.log, ["fast told"]);
  assert.deepEqual(events, [
    "0: slow start",
    "0: bad start",
    "0: fast start",
    "0: mid start",
    "1: bad fails",
    "10: fast done",
    "10: fast finally",
    "10: slow finally",
    "10: mid finally",
    "10: winner fast",
  ]);
});

test("raceAll: all fail → AggregateError with the errors in input order", () => {
  const e1 = new Error("one");
  const e2 = new Error("two");
  const e3 = new Error("three");
  const main = raceAll([failing("a", 3, e1), failing("b", 1, e2), failing("c", 2, e3)]);
  const r = run(main, { handlers: TK() });
  const err = assertErr(r, AggregateError) as AggregateError;
  assert.deepEqual(err.errors, [e1, e2, e3]);
  assert.equal(err.message, "raceAll: all 3 programs failed (errors in input order in .errors)");
  assert.deepEqual(r.log, []);
});

test("raceAll: types are the union of the items' results", () => {
  const main = program(function* () {
    const v = yield* raceAll([job("n", 2, 1), job("s", 1, "one")]);
    const w: number | string = v;
    return w;
  });
  assertOk(run(main, { handlers: TK() }), "one");
});

test("raceAll of a Set (any iterable, as all): typed as the union of the items' results", () => {
  const main = program(function* () {
    const v = yield* raceAll(new Set([job("n", 2, 1), job("s", 1, "one")]));
    const w: number | string = v;
    return w;
  });
  assertOk(run(main, { handlers: TK() }), "one");
});

test("all: the calling task cancelled → its tasks cancelled (ascending id) before the cancel returns", () => {
  const main = program(function* () {
    const t = yield* spawn(all([job("a", 50, 1), job("b", 50, 2)]));
    yield* delay(10);
    yield* mark("cancelling");
    yield* cancelTask(t);
    yield* mark("cancelled");
    return yield* safeWait(t);
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, "TaskCancelledError");
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "10: cancelling",
    "10: a finally",
    "10: b finally",
    "10: cancelled",
  ]);
});

const cancelTask = (t: Task<unknown>) => cancel(t);
const safeWait = fn(function* safeWait(t: Task<unknown>) {
  const r = yield* safe(wait(t));
  return r.ok ? "ok" : (r.error as Error).name;
});

test("all: the traceback shows the all(...) call site and where its failed task was spawned", () => {
  const fetchUser = fn(function* fetchUser(id: number) {
    yield* delay(id);
    if (id === 2) throw new Error("user 2 missing");
    return id;
  });
  const main = program(function* main() {
    return yield* all([fetchUser(1), fetchUser(2), fetchUser(3)]);
  });
  const r = run(main, { handlers: TK(), trace: { sites: true } });
  const report = r.format();
  const line = Number(/main at test\/toolkit-all\.test\.ts:(\d+)/.exec(report)?.[1]);
  const f = "test/toolkit-all.test.ts";
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at ${f}:${line}`,
    `  all at ${f}:${line}`,
    `  ── in task 2 (spawned at ${f}:${line}) ──`,
    `  fetchUser at ${f}:${line - 5}`, // its last yield (the delay)
    `  thrown at ${f}:${line - 4}`,
    "Error: user 2 missing",
  ]);
});

/**
 * The failing program at any position, and run one at a time: the traceback is always the waiting
 * site (main, all), the failed task's separator once, then the task's own chain. (Regression: when
 * the failing task was the last to run a delay — last in the input, alone, or under concurrency 1 —
 * its error was recorded as rethrown inside its own task, so the report showed `── in task N ──`
 * twice and lost main and all.) Each case: [label, each program's delay, the failing program's
 * index, all's options, the failed task's id].
 */
const tracebackCases: [string, number[], number, { concurrency: number } | undefined, number][] = [
  ["first", [1, 10], 0, undefined, 1],
  ["last", [10, 1], 1, undefined, 2],
  ["only", [5], 0, undefined, 1],
  ["last of three", [10, 20, 5], 2, undefined, 3],
  ["last, concurrency 1", [10, 5], 1, { concurrency: 1 }, 2],
  ["first, concurrency 1", [5, 10], 0, { concurrency: 1 }, 1],
];
for (const [label, delays, failing, options, failedTask] of tracebackCases) {
  test(`all: the traceback of a failed task is the waiting site, then the task (failing ${label})`, () => {
    const work = fn(function* work(ms: number, fail: boolean) {
      yield* delay(ms);
      if (fail) throw new Error(`work ${ms} failed`);
      return ms;
    });
    const main = program(function* main() {
      return yield* all(
        delays.map((ms, i) => work(ms, i === failing)),
        options,
      );
    });
    const r = run(main, { handlers: TK(), trace: { sites: true } });
    const failedMs = delays[failing];
    const report = r.format();
    const line = Number(/main at test\/toolkit-all\.test\.ts:(\d+)/.exec(report)?.[1]);
    const f = "test/toolkit-all.test.ts";
    assert.deepEqual(report.split("\n"), [
      "doeff traceback (outermost first):",
      `  main at ${f}:${line}`,
      `  all at ${f}:${line}`,
      `  ── in task ${failedTask} (spawned at ${f}:${line}) ──`,
      `  work at ${f}:${line - 5}`, // its last yield (the delay)
      `  thrown at ${f}:${line - 4}`,
      `Error: work ${failedMs} failed`,
    ]);
  });
}

test("forEach: the traceback of the last item's failure is the waiting site (a frame named forEach, not all), then the task", () => {
  const work = fn(function* work(ms: number) {
    yield* delay(ms);
    if (ms === 1) throw new Error("item failed");
    return ms;
  });
  const main = program(function* main() {
    return yield* forEach([10, 1], (ms) => work(ms));
  });
  const r = run(main, { handlers: TK(), trace: { sites: true } });
  const report = r.format();
  const line = Number(/main at test\/toolkit-all\.test\.ts:(\d+)/.exec(report)?.[1]);
  const f = "test/toolkit-all.test.ts";
  assert.deepEqual(report.split("\n"), [
    "doeff traceback (outermost first):",
    `  main at ${f}:${line}`,
    `  forEach at ${f}:${line}`,
    `  ── in task 2 (spawned at ${f}:${line}) ──`,
    `  work at ${f}:${line - 5}`,
    `  thrown at ${f}:${line - 4}`,
    "Error: item failed",
  ]);
});

test("all under a handler inside the scheduler that recovers a task's error: all fails with the program's error, never answers a non-array", () => {
  class Recoverable extends Effect<undefined> {
    declare readonly _tag: "Recoverable";
  }
  const recover = handle(Recoverable, function* (_e, k) {
    try {
      return yield* resume(k, undefined);
    } catch (err) {
      return `fallback(${(err as Error).message})`;
    }
  });
  const failed = new Error("a");
  const job = (name: string, ms: number, error: Error | null) =>
    program(function* () {
      yield* new Recoverable();
      yield* delay(ms);
      if (error !== null) throw error;
      return name;
    });
  const r = run(all([job("a", 1, failed), job("b", 2, null)]), {
    handlers: [scheduler, simulatedTime(), recover],
  });
  assert.equal(r.error, failed);
});

test("raceAll under a handler inside the scheduler that fails a task after its program succeeded: that one does not win; the first task to succeed does", () => {
  class Tx extends Effect<undefined> {
    declare readonly _tag: "Tx";
    constructor(readonly name: string) {
      super();
    }
  }
  const commitFailed = new Error("commit failed");
  // a transaction handler: commits after the program returned; the commit of "early" fails at 5
  const tx = handle(Tx, function* (e, k) {
    const v = yield* resume(k, undefined);
    yield* delay(5);
    if (e.name === "early") throw commitFailed;
    return v;
  });
  const job = (name: string, ms: number) =>
    program(function* () {
      yield* new Tx(name);
      yield* delay(ms);
      return name;
    });
  const r = run(raceAll([job("early", 1), job("later", 3)]), {
    handlers: [scheduler, simulatedTime(), tx],
  });
  assertOk(r, "later");
  const all2 = run(raceAll([job("early", 1)]), { handlers: [scheduler, simulatedTime(), tx] });
  assert.ok(all2.error instanceof AggregateError);
  assert.deepEqual((all2.error as AggregateError).errors, [commitFailed]);
});

test("all / raceAll under a handler inside the scheduler that ends a task before its program completes (throws, or answers without resuming): the combinator hears of it", () => {
  const [boom, throwing, aborting] = [handlerBoom, throwingPing, abortingPing];
  const pinger = program(function* () {
    try {
      yield* delay(1);
      return yield* new Ping();
    } finally {
      events.push(`${yield* now()}: pinger finally`);
    }
  });
  const slow = program(function* () {
    try {
      yield* delay(5);
      return 5;
    } finally {
      events.push(`${yield* now()}: slow finally`);
    }
  });
  const at = (h: typeof throwing | typeof aborting, p: Program<unknown>) =>
    run(
      program(function* () {
        const r = yield* safe(p);
        return [r.ok ? r.value : r.error, yield* now()];
      }),
      { handlers: [scheduler, simulatedTime(), h] },
    );
  // was a DeadlockError: all waited for a completion its child never reported
  let r = at(throwing, all([pinger, slow]));
  assertOk(r, [boom, 1]);
  assert.deepEqual(events, ["1: pinger finally", "1: slow finally"]);
  assert.deepEqual(r.warnings, []);
  events.length = 0;
  r = at(aborting, all([pinger, slow]));
  assertOk(r, [["aborted-by-handler", 5], 5]);
  assert.deepEqual(events, ["1: pinger finally", "5: slow finally"]);
  events.length = 0;
  r = at(throwing, raceAll([pinger]));
  const [e, t] = r.value as [AggregateError, number];
  assert.ok(e instanceof AggregateError);
  assert.deepEqual([e.errors, t], [[boom], 1]);
  assert.deepEqual(r.warnings, []);
  events.length = 0;
  r = at(throwing, raceAll([pinger, slow]));
  assertOk(r, [5, 5]);
  assert.deepEqual(r.warnings, []);
});

/** Tells `name`, waits `ms`, then pings (a handler inside the scheduler ends its task) or returns / throws. */
const teller = (name: string, ms: number, end: "ping" | "ok" | "fail") =>
  program(function* () {
    yield* tell(name);
    yield* delay(ms);
    if (end === "ping") return yield* new Ping();
    if (end === "fail") throw new Error(name);
    return name;
  });

test("all with a task a handler inside the scheduler ended with a value: a later failure delivers the failed task's log alone; a success every task's log in input order", () => {
  const hs = [...TK(), abortingPing];
  const failed = run(all([teller("fails", 2, "fail"), teller("ended", 1, "ping")]), { handlers: hs });
  assert.equal((assertErr(failed, Error) as Error).message, "fails");
  assert.deepEqual(failed.log, ["fails"]); // was ["ended", "fails"]: the ended task's log merged at once
  const ok = run(all([teller("second", 2, "ok"), teller("ended", 1, "ping")]), { handlers: hs });
  assertOk(ok, ["second", "aborted-by-handler"]);
  assert.deepEqual(ok.log, ["second", "ended"]); // was ["ended", "second"]
});

test("raceAll with a task a handler inside the scheduler failed: it did not win, so its log is not merged (only the winner's)", () => {
  const hs = [...TK(), throwingPing];
  const won = run(raceAll([teller("ended", 1, "ping"), teller("winner", 2, "ok")]), { handlers: hs });
  assertOk(won, "winner");
  assert.deepEqual(won.log, ["winner"]); // was ["ended", "winner"]
  const none = run(raceAll([teller("ended", 1, "ping"), teller("fails", 2, "fail")]), { handlers: hs });
  assertErr(none, AggregateError);
  assert.deepEqual(none.log, []); // was ["ended"]: all failed, no log merged
});

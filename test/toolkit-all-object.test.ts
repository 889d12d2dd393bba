/**
 * §9.8 `all({ a, b })`, the object form (redux-saga's `all({ … })`): as the array form, in key order
 * (Object.keys order), answering `{ a, b }` of the values. Under run + simulatedTime().
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { all, delay, fn, now, program, run, tell } from "../src/index.js";
import { assertOk } from "./sched-helpers.js";
import { abortingPing, events, failing, job, mark, Ping, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

const told = fn(function* told(name: string, ms: number) {
  yield* tell(`${name} begins`);
  yield* delay(ms);
  yield* tell(`${name} ends`);
  return name.toUpperCase();
});

test("all({ … }): values by key; logs merged in key order though completion order differs", () => {
  const main = program(function* () {
    yield* tell("before");
    const vs = yield* all({ a: told("a", 30), b: told("b", 10), c: told("c", 20) });
    return { vs, keys: Object.keys(vs), t: yield* now() };
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, { vs: { a: "A", b: "B", c: "C" }, keys: ["a", "b", "c"], t: 30 });
  assert.deepEqual(r.log, ["before", "a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]);
});

test("all({ … }, { concurrency: 2 }): started in Object.keys order (integer keys first), the next as a slot frees up", () => {
  const main = program(function* () {
    // Object.keys order: "1", "2", then "b", "a" as written
    return yield* all(
      { b: job("b", 10, "B"), 2: job("2", 5, 2), a: job("a", 10, "A"), 1: job("1", 10, 1) },
      {
        concurrency: 2,
      },
    );
  });
  const v = assertOk(run(main, { handlers: TK() }), { 1: 1, 2: 2, b: "B", a: "A" });
  assert.deepEqual(Object.keys(v), ["1", "2", "b", "a"]);
  assert.deepEqual(events, [
    "0: 1 start",
    "0: 2 start",
    "5: 2 done",
    "5: 2 finally",
    "5: b start",
    "10: 1 done",
    "10: 1 finally",
    "10: a start",
    "15: b done",
    "15: b finally",
    "20: a done",
    "20: a finally",
  ]);
});

test("all({ … }) fail-fast: the first failure cancels the started tasks (ascending id), starts no more, is thrown with its log; a second failure's warning names its key", () => {
  const boom = new Error("boom");
  const second = new Error("second");
  const loud = fn(function* loud(name: string, ms: number, e: Error) {
    yield* tell(`${name} log`);
    return yield* failing(name, ms, e);
  });
  const main = program(function* () {
    try {
      return yield* all(
        { a: job("a", 20, 1), b: loud("b", 5, boom), c: loud("c", 5, second), d: job("d", 1, 4) },
        { concurrency: 3 },
      );
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
    "5: c fails",
    "5: a finally", // cancelled; d was never started
    "5: all left",
  ]);
  assert.deepEqual(r.warnings, [second]);
  assert.match(
    r.format(),
    /task 3 \(key "c" of all\) failed too, after all had thrown the first failure \(task 2's\); to receive every failure, wrap each program in safe\(\): Error: second/,
  );
});

test("all({}) → {} and all([]) → [] at once; a key __proto__ is a key, not the answer's prototype", () => {
  const main = program(function* () {
    const empty = yield* all({});
    const none = yield* all([]);
    const proto = yield* all({ ["__proto__"]: job("p", 1, "p") });
    return {
      empty,
      none,
      proto,
      own: Object.keys(proto),
      plain: Object.getPrototypeOf(proto) === Object.prototype,
    };
  });
  const v = assertOk(run(main, { handlers: TK() }));
  assert.deepEqual(v.empty, {});
  assert.deepEqual(v.none, []);
  assert.deepEqual(
    [v.own, v.plain, Object.getOwnPropertyDescriptor(v.proto, "__proto__")?.value],
    [["__proto__"], true, "p"],
  );
  // an object without a prototype is a plain object too
  const bare = Object.assign(Object.create(null) as Record<string, never>, { x: job("x", 1, 7) });
  assertOk(run(all(bare), { handlers: TK() }), { x: 7 });
});

test("all({ … }) with a task a handler inside the scheduler ended with a value: its value under its key, the logs in key order", () => {
  const pinger = program(function* () {
    yield* tell("pinger");
    yield* delay(1);
    return yield* new Ping();
  });
  const hs = [...TK(), abortingPing];
  const r = run(all({ slow: told("slow", 2), ping: pinger }), { handlers: hs });
  assertOk(r, { slow: "SLOW", ping: "aborted-by-handler" });
  assert.deepEqual(r.log, ["slow begins", "slow ends", "pinger"]);
});

test("all({ … }) bad input: a value that is not a program names its key; other shapes keep the array path's errors", () => {
  const loose = all as (p: unknown, o?: unknown) => unknown;
  const p = job("p", 1, 1);
  assert.throws(() => loose({ a: p, b: 7 }), {
    name: "TypeError",
    message: 'all (key "b") expects a Program, Effect or primitive, got 7',
  });
  assert.throws(
    () =>
      loose({
        gen: (function* () {
          yield 1;
        })(),
      }),
    {
      name: "TypeError",
      message:
        'all (key "gen") got a raw generator object; wrap the generator function with fn(function* name() {...}) and pass name(...), or use program(function* () {...})',
    },
  );
  assert.throws(() => loose({ a: p }, { concurrency: 0 }), {
    name: "RangeError",
    message: "all option concurrency must be an integer ≥ 1 (or Infinity for no limit), got 0",
  });
  // an array keeps the array path, a class instance or a Map today's errors
  assert.throws(() => loose([p, 7]), {
    name: "TypeError",
    message: "all (item 1) expects a Program, Effect or primitive, got 7",
  });
  class Jobs {
    a = p;
  }
  assert.throws(() => loose(new Jobs()), {
    name: "TypeError",
    message: "all expects an array (or another iterable) of programs, e.g. all([a(), b()]), got Jobs object",
  });
  assert.throws(() => loose(new Map([["a", p]])), {
    name: "TypeError",
    message: "all (item 0) expects a Program, Effect or primitive, got Array(2)",
  });
  // a program where the object goes: still one program, not an object of its fields
  assert.throws(() => loose(p), {
    name: "TypeError",
    message:
      "all expects an array of programs, got a single Program object: put the programs in one array, all([a, b])",
  });
  // nothing was run by a call that threw
  assert.deepEqual(events, []);
});

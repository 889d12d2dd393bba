/** Channel overflow policies ("dropping", "sliding") and raceAll's object form, under run + simulatedTime(). */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  ChannelClosedError,
  close,
  createChannel,
  delay,
  eventChannel,
  fn,
  forEach,
  now,
  program,
  raceAll,
  receive,
  retry,
  run,
  safe,
  send,
  spawn,
  tell,
  wait,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { events, failing, job, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** Send 1..n without a receiver (none blocks), then drain: [values received, dropped, time]. */
const fill = fn(function* fill(capacity: number, overflow: "dropping" | "sliding", n: number) {
  const ch = yield* createChannel<number>({ capacity, overflow });
  for (let i = 1; i <= n; i++) yield* send(ch, i);
  const size = ch.size;
  yield* close(ch);
  const got: number[] = [];
  for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) got.push(r.value);
  return { got, size, dropped: ch.dropped, overflow: ch.overflow, t: yield* now() };
});

test("dropping: a send to a full channel drops the value sent, without waiting", () => {
  assertOk(run(fill(2, "dropping", 5), { handlers: TK() }), {
    got: [1, 2],
    size: 2,
    dropped: 3,
    overflow: "dropping",
    t: 0,
  });
});

test("sliding: a send to a full channel drops the oldest buffered value, without waiting", () => {
  assertOk(run(fill(2, "sliding", 5), { handlers: TK() }), {
    got: [4, 5],
    size: 2,
    dropped: 3,
    overflow: "sliding",
    t: 0,
  });
});

test("capacity 0: a dropping or sliding channel hands a value to a waiting receiver, and drops it when none waits", () => {
  for (const overflow of ["dropping", "sliding"] as const) {
    const main = program(function* () {
      const ch = yield* createChannel<string>({ overflow });
      yield* send(ch, "nobody waits"); // dropped
      const r = yield* spawn(receive(ch));
      yield* delay(1); // r waits
      yield* send(ch, "taken");
      return { r: yield* wait(r), size: ch.size, dropped: ch.dropped };
    });
    assertOk(run(main, { handlers: TK() }), { r: { done: false, value: "taken" }, size: 0, dropped: 1 });
  }
});

test("a dropping channel with room or a waiting receiver delivers as a blocking one does; closed, send throws", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1, overflow: "dropping" });
    const r = yield* spawn(receive(ch));
    yield* delay(1);
    yield* send(ch, 1); // to r
    yield* send(ch, 2); // buffered
    yield* send(ch, 3); // dropped
    yield* mark("sent");
    yield* close(ch);
    const late = yield* safe(send(ch, 4));
    return {
      r: yield* wait(r),
      rest: [yield* receive(ch), yield* receive(ch)],
      late: late.ok ? "sent" : (late.error as Error).constructor,
      dropped: ch.dropped,
    };
  });
  assertOk(run(main, { handlers: TK() }), {
    r: { done: false, value: 1 },
    rest: [{ done: false, value: 2 }, { done: true }],
    late: ChannelClosedError,
    dropped: 1,
  });
  assert.deepEqual(events, ["1: sent"]);
});

test("the default overflow is block (a full channel's sender waits)", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1 });
    yield* send(ch, 1);
    yield* spawn(
      program(function* () {
        yield* delay(5);
        yield* receive(ch);
      }),
    );
    yield* send(ch, 2); // waits for the receive at 5
    return [ch.overflow, yield* now(), ch.dropped];
  });
  assertOk(run(main, { handlers: TK() }), ["block", 5, 0]);
});

test("createChannel: a bad overflow is a TypeError at the call that lists the policies", () => {
  const loose = createChannel as (o: unknown) => unknown;
  assert.throws(() => loose({ capacity: 1, overflow: "lifo" }), {
    name: "TypeError",
    message: 'createChannel option overflow must be "block", "dropping", "sliding", got "lifo"',
  });
  assert.throws(() => loose({ capacity: 1, overfow: "dropping" }), {
    name: "TypeError",
    message: 'unknown createChannel option "overfow"; the options are capacity, overflow',
  });
});

test("raceAll({ … }): the first success as { key, value }; the others cancelled before it returns; its log merged", () => {
  const told = fn(function* told(name: string, ms: number) {
    yield* tell(`${name} told`);
    return yield* job(name, ms, name.length);
  });
  const main = program(function* () {
    const won = yield* raceAll({
      slow: told("slow", 30),
      bad: failing("bad", 1, new Error("x")),
      fast: told("fast", 10),
    });
    yield* mark(`winner ${won.key}`);
    return won;
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, { key: "fast", value: 4 });
  assert.deepEqual(r.log, ["fast told"]);
  assert.deepEqual(events, [
    "0: slow start",
    "0: bad start",
    "0: fast start",
    "1: bad fails",
    "10: fast done",
    "10: fast finally",
    "10: slow finally",
    "10: winner fast",
  ]);
});

test("raceAll({ … }): all fail → AggregateError with the errors in key order", () => {
  const e1 = new Error("one");
  const e2 = new Error("two");
  const r = run(raceAll({ a: failing("a", 3, e1), b: failing("b", 1, e2) }), { handlers: TK() });
  const err = assertErr(r, AggregateError) as AggregateError;
  assert.deepEqual(err.errors, [e1, e2]);
  assert.equal(err.message, "raceAll: all 2 programs failed (errors in key order in .errors)");
});

test("raceAll({ … }): bad objects are TypeErrors at the call", () => {
  const loose = raceAll as (x: unknown) => unknown;
  assert.throws(() => loose({}), {
    name: "TypeError",
    message: "raceAll needs at least one program (a race of nothing never ends), got an object with no keys",
  });
  assert.throws(() => loose({ a: delay(1), b: 2 }), {
    name: "TypeError",
    message: 'raceAll (key "b") expects a Program, Effect or primitive, got 2',
  });
  // not a plain object: as before, an array is expected
  assert.throws(() => loose(new Date(0)), {
    name: "TypeError",
    message:
      /^raceAll expects an array \(or another iterable\) of programs, e\.g\. raceAll\(\[a\(\), b\(\)\]\), got /,
  });
});

test('a program where the options go: the message says what the options are (it read all\'s "takes its programs as one array")', () => {
  const loose = (f: unknown) => f as (...args: unknown[]) => unknown;
  const p = delay(1);
  const made = program(function* made() {
    return 1;
  });
  const message = (call: () => unknown) => {
    try {
      call();
      return "no error";
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  assert.deepEqual(
    [
      message(() => loose(createChannel)(made)),
      message(() => loose(eventChannel)(() => () => {}, p)),
      message(() => loose(retry)(made, made)),
      message(() => loose(forEach)([1], () => made, made)),
      message(() => loose(createChannel)([1])), // (not a program: as it was)
    ],
    [
      "TypeError: createChannel options must be an object ({ capacity, overflow }), got a Program object",
      "TypeError: eventChannel options must be an object ({ capacity, overflow }), got a Delay object",
      "TypeError: retry options must be an object ({ times, delay, while, onRetry }), got a Program object",
      "TypeError: forEach options must be an object ({ concurrency }), got a Program object",
      "TypeError: createChannel options must be an object ({ capacity, overflow }), got Array(1)",
    ],
  );
});

/** §9.8 under runAsync + realTime, and the async-iterable bridges (outcomes and order only; no wall-clock bounds). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  awaitPromise,
  channelStream,
  close,
  createChannel,
  createSemaphore,
  DoeffError,
  eventChannel,
  delay,
  fn,
  forEachAsync,
  isDone,
  next,
  now,
  type Program,
  program,
  raceAll,
  realTime,
  receive,
  retry,
  run,
  runAsync,
  safe,
  scheduler,
  scoped,
  send,
  spawn,
  state,
  TaskCancelledError,
  TimeoutError,
  tell,
  timeout,
  wait,
  withPermit,
  writer,
} from "../src/index.js";
import { virtualClock } from "../src/testing/index.js";
import { assertOk, sleep } from "./sched-helpers.js";

const RT = [scheduler, realTime, state, writer];

test("runAsync + realTime: all with concurrency 2 over real promises — at most 2 in flight, values in input order", async () => {
  let inFlight = 0;
  let peak = 0;
  const item = fn(function* item(i: number) {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const v = yield* awaitPromise(() => sleep(5 + (i % 3) * 5, i * 10));
    inFlight--;
    return v;
  });
  const r = await runAsync(
    all(
      Array.from({ length: 9 }, (_, i) => item(i)),
      { concurrency: 2 },
    ),
    { handlers: RT },
  );
  assertOk(r, [0, 10, 20, 30, 40, 50, 60, 70, 80]);
  assert.equal(peak, 2);
});

test("runAsync + realTime: timeout cancels a slow program (its finally runs, its timer is cleared) and lets a fast one through", async () => {
  const marks: string[] = [];
  const slow = program(function* slow() {
    try {
      yield* delay(60_000);
      return "late";
    } finally {
      marks.push("slow finally");
    }
  });
  const fast = program(function* fast() {
    yield* delay(1);
    yield* tell("fast told");
    return "fast";
  });
  const main = program(function* () {
    const a = yield* timeout(fast, 5_000);
    try {
      yield* timeout(slow, 20);
    } catch (e) {
      marks.push(e instanceof TimeoutError ? `TimeoutError ${e.ms}` : "other");
    }
    return a;
  });
  const r = await runAsync(main, { handlers: RT });
  assertOk(r, "fast");
  assert.deepEqual(marks, ["slow finally", "TimeoutError 20"]);
  assert.deepEqual(r.log, ["fast told"]);
});

test("runAsync + realTime: retry with a real delay; raceAll of real promises cancels the loser", async () => {
  let n = 0;
  const flaky = program(function* flaky() {
    n++;
    if (n < 3) throw new Error(`try ${n}`);
    return n;
  });
  assertOk(await runAsync(retry(flaky, { times: 5, delay: 2 }), { handlers: RT }), 3);
  const marks: string[] = [];
  const loser = program(function* loser() {
    try {
      return yield* awaitPromise(() => new Promise<string>(() => {})); // never settles
    } finally {
      marks.push("loser finally");
    }
  });
  const winner = program(function* winner() {
    return yield* awaitPromise(() => sleep(1, "won"));
  });
  // the loser's promise itself cannot be stopped from here (that is what awaitPromise's signal is
  // for); its task is cancelled, and the run does not wait for the promise
  const r = await runAsync(raceAll([loser, winner]), { handlers: RT });
  assertOk(r, "won");
  assert.deepEqual(marks, ["loser finally"]);
});

test("runAsync + realTime: a semaphore of 2 over real promises; a rendezvous channel; scoped cancels a real delay", async () => {
  let held = 0;
  let peak = 0;
  const main = program(function* () {
    const sem = yield* createSemaphore(2);
    const use = (i: number) =>
      withPermit(
        sem,
        program(function* () {
          held++;
          peak = Math.max(peak, held);
          yield* awaitPromise(() => sleep(3, i));
          held--;
          return i;
        }),
      );
    const tasks = [];
    for (let i = 0; i < 6; i++) tasks.push(yield* spawn(use(i)));
    let sum = 0;
    for (const t of tasks) sum += yield* wait(t);
    const ch = yield* createChannel<string>();
    const sender = yield* spawn(send(ch, "hello"));
    const got = yield* receive(ch);
    yield* wait(sender);
    const marks: string[] = [];
    yield* scoped(
      program(function* () {
        yield* spawn(
          program(function* () {
            try {
              yield* delay(60_000);
            } finally {
              marks.push("long delay cancelled");
            }
          }),
        );
        yield* delay(1);
      }),
    );
    return { sum, got, marks };
  });
  assertOk(await runAsync(main, { handlers: RT }), {
    sum: 15,
    got: { done: false, value: "hello" },
    marks: ["long delay cancelled"],
  });
  assert.equal(peak, 2);
});

async function* numbers(n: number, log: string[]): AsyncGenerator<number> {
  try {
    for (let i = 1; i <= n; i++) {
      await sleep(1, 0);
      yield i;
    }
  } finally {
    log.push("iterator closed");
  }
}

test("next(iterator) and forEachAsync: a program consumes an AsyncIterable; breaking early closes the iterator", async () => {
  const log: string[] = [];
  const viaNext = program(function* () {
    const it = numbers(3, log)[Symbol.asyncIterator]();
    const got: number[] = [];
    for (let r = yield* next(it); !r.done; r = yield* next(it)) got.push(r.value);
    return got;
  });
  assertOk(await runAsync(viaNext, { handlers: RT }), [1, 2, 3]);
  assert.deepEqual(log, ["iterator closed"]);

  log.length = 0;
  const stop = new Error("stop at 2");
  const viaForEach = forEachAsync(numbers(100, log), (i) =>
    program(function* () {
      yield* tell(`item ${i}`);
      if (i === 2) throw stop;
    }),
  );
  const r = await runAsync(viaForEach, { handlers: RT });
  assert.equal(r.error, stop);
  assert.deepEqual(r.log, ["item 1", "item 2"]);
  await sleep(5, 0);
  assert.deepEqual(log, ["iterator closed"]);
});

test("forEachAsync: the loop's own error stands, as with for await — a return() that throws is dropped, and an iterator whose next() rejected is not closed", async () => {
  const calls: string[] = [];
  const failing = (nextFailsAt: number): AsyncIterable<number> => ({
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: async () => {
          if (i === nextFailsAt) throw new Error(`next rejected at ${i}`);
          return { done: false, value: i++ };
        },
        return() {
          calls.push("return");
          throw new Error("return threw synchronously");
        },
      };
    },
  });
  const stop = new Error("f failed at 1");
  const r1 = await runAsync(
    forEachAsync(failing(10), (x) =>
      program(function* () {
        if (x === 1) throw stop;
      }),
    ),
    { handlers: RT },
  );
  assert.equal(r1.error, stop);
  assert.deepEqual(calls, ["return"]);
  calls.length = 0;
  const r2 = await runAsync(
    forEachAsync(failing(3), () => program(function* () {})),
    { handlers: RT },
  );
  assert.equal((r2.error as Error).message, "next rejected at 3");
  assert.deepEqual(calls, []);
  assert.deepEqual([r1.warnings, r2.warnings], [[], []]);
});

test("forEachAsync: a function that returns no program (a JS caller) is a TypeError naming forEachAsync's function and the item, not a missing `*`", async () => {
  const log: string[] = [];
  const bad: unknown[] = [undefined, Promise.resolve(3)];
  const messages: string[] = [];
  for (const x of bad) {
    log.length = 0;
    const f = ((i: number) => (i === 2 ? x : tell(`item ${i}`))) as unknown as (i: number) => Program<void>;
    const r = await runAsync(forEachAsync(numbers(5, log), f), { handlers: RT });
    assert.ok(r.error instanceof TypeError);
    messages.push(r.error.message);
    assert.deepEqual(r.log, ["item 1"]);
    await sleep(5, 0);
    assert.deepEqual(log, ["iterator closed"]);
  }
  assert.deepEqual(messages, [
    "forEachAsync's function (for item 1) returned undefined, not a program: return one for each item, e.g. (line) => send(ch, line)",
    "forEachAsync's function (for item 1) returned Promise object, not a program: return one for each item, e.g. (line) => send(ch, line); for async work, return awaitPromise(() => work(line))",
  ]);
});

test("timeout(next(iterator)): a timed-out next loses no item — the following next takes the item it was fetching", async () => {
  let asked = 0;
  async function* items() {
    for (const [i, ms] of [5, 150, 5].entries()) {
      asked++;
      await sleep(ms, undefined);
      yield i;
    }
  }
  const r = await runAsync(
    program(function* () {
      const it = items()[Symbol.asyncIterator]();
      const got: unknown[] = [];
      for (;;) {
        const x = yield* safe(timeout(next(it), 100));
        if (!x.ok) {
          got.push((x.error as Error).constructor.name);
          continue;
        }
        if (x.value.done) return got;
        got.push(x.value.value);
      }
    }),
    { handlers: RT },
  );
  // item 1 came after the second next's deadline; it was lost ([0, "TimeoutError", 2])
  assertOk(r, [0, "TimeoutError", 1, 2]);
  assert.equal(asked, 3);
});

test("next under run → AsyncRequiredError (it awaits a JS promise)", () => {
  const r = run(next(numbers(1, [])), { handlers: [scheduler] });
  assert.equal((r.error as Error).name, "AsyncRequiredError");
});

test("channelStream: a channel read from outside the run with for await; the slow outside consumer holds the producer back", async () => {
  const stream = channelStream<number>();
  const sent: number[] = [];
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1 });
    const pump = yield* spawn(stream.pump(ch));
    for (let i = 1; i <= 5; i++) {
      yield* send(ch, i);
      sent.push(i);
    }
    yield* close(ch);
    yield* wait(pump);
    return "produced";
  });
  const running = runAsync(main, { handlers: RT });
  const seen: string[] = [];
  for await (const v of stream) {
    // when the consumer has taken v, at most v + 1 sends have returned (1 buffered; the next blocks)
    assert.ok(sent.length <= v + 1, `consumer at ${v}, producer sent ${sent.length}`);
    seen.push(String(v));
    await sleep(2, 0);
  }
  assertOk(await running, "produced");
  assert.deepEqual(seen, ["1", "2", "3", "4", "5"]);
  assert.deepEqual(sent, [1, 2, 3, 4, 5]);
});

test("channelStream: the consumer breaking early closes the channel (the producer's send fails); a pump cut short rejects pulls", async () => {
  const stream = channelStream<number>();
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    yield* spawn(stream.pump(ch));
    let i = 0;
    try {
      for (;;) yield* send(ch, ++i);
    } catch (e) {
      return `${(e as Error).name} after ${i}`;
    }
  });
  const running = runAsync(main, { handlers: RT });
  const got: number[] = [];
  for await (const v of stream) {
    got.push(v);
    if (v === 3) break;
  }
  assertOk(await running, "ChannelClosedError after 4");
  assert.deepEqual(got, [1, 2, 3]);

  const cut = channelStream<number>();
  const r = await runAsync(
    program(function* () {
      const ch = yield* createChannel<number>();
      yield* spawn(cut.pump(ch));
      yield* delay(1);
      return "main done"; // R9 cancels the pump
    }),
    { handlers: RT },
  );
  assertOk(r, "main done");
  await assert.rejects(cut[Symbol.asyncIterator]().next(), (e: unknown) => {
    assert.ok(e instanceof DoeffError);
    assert.match((e as Error).message, /pump stopped before the channel was closed/);
    assert.ok(e.cause instanceof TaskCancelledError); // main's end cancelled the pump
    return true;
  });
});

test("channelStream: a pump cut short by the run's abort rejects the pulls with the abort reason as cause", async () => {
  const stream = channelStream<number>();
  const gone = new Error("client disconnected");
  const ac = new AbortController();
  const running = runAsync(
    program(function* () {
      const ch = yield* createChannel<number>();
      yield* spawn(stream.pump(ch));
      for (let i = 1; ; i++) {
        yield* delay(1);
        yield* send(ch, i);
      }
    }),
    { handlers: RT, signal: ac.signal },
  );
  const got: number[] = [];
  const pulled = (async () => {
    for await (const v of stream) {
      got.push(v);
      if (v === 2) ac.abort(gone);
    }
  })();
  await assert.rejects(pulled, (e: unknown) => {
    assert.ok(e instanceof DoeffError);
    assert.match(e.message, /pump stopped before the channel was closed/);
    assert.equal(e.cause, gone);
    return true;
  });
  assert.deepEqual(got, [1, 2]);
  const r = await running;
  assert.equal(r.error, gone);
  assert.deepEqual(r.warnings, []);
});

test("channelStream: the consumer stopping while a pull is pending closes the channel at once; no value is taken and dropped", async () => {
  const stream = channelStream<number>();
  const accepted: number[] = [];
  const events: string[] = [];
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    const pump = yield* spawn(stream.pump(ch));
    const producer = yield* spawn(
      program(function* () {
        for (let i = 1; i <= 3; i++) {
          yield* delay(30);
          const r = yield* safe(send(ch, i));
          if (!r.ok) {
            events.push(`send(${i}): ${(r.error as Error).name}`);
            return;
          }
          accepted.push(i);
        }
      }),
    );
    yield* wait(pump);
    yield* wait(producer);
    return "end";
  });
  const running = runAsync(main, { handlers: RT });
  const it = stream[Symbol.asyncIterator]();
  const delivered: number[] = [];
  const first = await it.next();
  if (!first.done) delivered.push(first.value);
  const pending = it.next(); // a pull outstanding while the pump waits in receive
  await new Promise((r) => setTimeout(r, 5));
  await it.return!(); // the consumer gives up
  await it.return!(); // (twice: harmless)
  assert.deepEqual(await pending, { done: true, value: undefined });
  assertOk(await running, "end");
  assert.deepEqual(delivered, [1]);
  assert.deepEqual(accepted, [1]); // every value a send gave away reached the consumer
  assert.deepEqual(events, ["send(2): ChannelClosedError"]);
});

test("forEachAsync under a virtual clock: a source that needs no real time gives its items at the current instant; one that does, lets the clock move on", async () => {
  // what docs/concurrency.md §5 says of a stream under simulatedTime(), both halves
  async function* inMemory() {
    yield 1;
    yield 2;
    yield 3;
  }
  const seen: string[] = [];
  const clock = virtualClock();
  const r = await clock.runAsync(
    timeout(
      forEachAsync(
        inMemory(),
        (i) =>
          program(function* () {
            seen.push(`${i} at ${yield* now()}`);
            yield* delay(10);
          }),
        { concurrency: 3 },
      ),
      20,
    ),
  );
  assert.equal(r.ok, true, r.ok ? "" : r.format());
  assert.deepEqual(seen, ["1 at 0", "2 at 0", "3 at 0"]); // before any task's delay ended
  assert.equal(clock.now, 10);
  async function* overTheNetwork() {
    await new Promise((resolve) => setTimeout(resolve, 50)); // real time
    yield 1;
  }
  const slow = await virtualClock().runAsync(
    timeout(
      forEachAsync(overTheNetwork(), () => delay(1)),
      1000,
    ),
  );
  assert.ok(slow.error instanceof TimeoutError, String(slow.error)); // at virtual 1000 ms, at once
});

test("channelStream.pump(ch) checks its channel at the call (§9.8), not at the consumer's first pull", () => {
  const stream = channelStream<number>();
  // (it was accepted, and the pump's task failed in receive only once the outside consumer pulled)
  assert.throws(() => stream.pump(5 as never), {
    name: "TypeError",
    message: "channelStream.pump expects a Channel (from yield* createChannel()), got 5",
  });
  // the program that makes a channel, as receive / send / close / forEachLatest say it (typed: a
  // compile error with the same advice, ChannelExpectedError, checked by types-matrix)
  assert.throws(() => stream.pump(createChannel<number>() as never), {
    name: "TypeError",
    message:
      "channelStream.pump expects a Channel, got a Program: yield* it first to get its channel, e.g. const ch = yield* eventChannel(subscribe) (or createChannel())",
  });
});

/**
 * A channel closed with an error under a pump nothing waits for: the outside consumer's pull is
 * rejected with the error — received — so the pump's task failing with it is no run warning ("task
 * N failed and nothing waited for it" said the consumer had not got it). A `wait` on the pump still
 * receives it (toolkit-event-channel.test.ts); an error no pull took is still a warning.
 */
test("channelStream: a channel closed with an error, a pump nothing waits for: the consumer's pull rejects with it, and no warning", async () => {
  const stream = channelStream<number>();
  const boom = new Error("producer failed");
  const told: [unknown, string, string][] = [];
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    const pump = yield* spawn(stream.pump(ch));
    yield* send(ch, 1);
    yield* send(ch, 2);
    yield* close(ch, boom);
    while (!(yield* isDone(pump))) yield* delay(1); // (not a wait: nothing receives its outcome)
    return "produced";
  });
  const running = runAsync(main, {
    handlers: RT,
    onWarning: (e, info) => told.push([e, info.where, info.status]),
  });
  const seen: unknown[] = [];
  try {
    for await (const v of stream) seen.push(v);
  } catch (e) {
    seen.push(e === boom ? "boom" : e);
  }
  const r = await running;
  assert.deepEqual([assertOk(r, "produced"), seen], ["produced", [1, 2, "boom"]]);
  assert.deepEqual(r.warnings, []);
  // (task 4: the pump's receive of the error, a task of its own, whose failure the pump received;
  // nothing of task 1, the pump: it said "provisional", then "final")
  const where = "task 4 failed and nothing waited for it";
  assert.deepEqual(told, [
    [boom, where, "provisional"],
    [boom, where, "retracted"],
  ]);
});

test("channelStream: a pump's error no pull took (closing the channel after a break threw) is still a warning", async () => {
  const stream = channelStream<number>();
  const offFailed = new Error("off failed");
  const told: [unknown, string, string][] = [];
  const main = program(function* () {
    const ch = yield* eventChannel<number>((emit) => {
      setTimeout(() => emit(1), 1);
      return () => {
        throw offFailed; // thrown at close(ch) in the pump, after the consumer's break
      };
    });
    const pump = yield* spawn(stream.pump(ch));
    while (!(yield* isDone(pump))) yield* delay(1);
    return "done";
  });
  const running = runAsync(main, {
    handlers: RT,
    onWarning: (e, info) => told.push([e, info.where, info.status]),
  });
  const seen: number[] = [];
  for await (const v of stream) {
    seen.push(v);
    break;
  }
  const r = await running;
  assert.deepEqual([assertOk(r, "done"), seen], ["done", [1]]);
  assert.deepEqual(r.warnings, [offFailed]);
  assert.deepEqual(told, [
    [offFailed, "task 2 failed and nothing waited for it", "provisional"],
    [offFailed, "task 2 failed and nothing waited for it", "final"],
  ]);
});

/**
 * eventChannel: a channel fed from outside the run — under run + simulatedTime() (the source is
 * driven from inside the run, as a test does) and runAsync + realTime (driven from outside).
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { beforeEach, test } from "node:test";
import {
  AsyncRequiredError,
  type Channel,
  cancel,
  channelStream,
  close,
  createPromise,
  DeadlockError,
  delay,
  eventChannel,
  fn,
  program,
  realTime,
  receive,
  run,
  runAsync,
  safe,
  scheduler,
  scoped,
  send,
  spawn,
  timeout,
  wait,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** An EventEmitter source: `emit("x", v)` for values, `emit("end")` to close; counts unsubscribes. */
function source() {
  const em = new EventEmitter();
  const s = {
    em,
    unsubscribed: 0,
    listeners: () => em.listenerCount("x") + em.listenerCount("end"),
    subscribe: (emit: (v: number) => boolean, end: () => void) => {
      em.on("x", emit);
      em.on("end", end);
      return () => {
        s.unsubscribed++;
        em.off("x", emit);
        em.off("end", end);
      };
    },
  };
  return s;
}

/** Receive until done, marking each value. */
const drain = fn(function* drain(ch: Channel<number>) {
  const got: number[] = [];
  for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) {
    yield* mark(`got ${r.value}`);
    got.push(r.value);
  }
  yield* mark("done");
  return got;
});

test("values emitted at virtual times reach the receiver then, in order; close() from the source ends it and unsubscribes once", () => {
  const s = source();
  const main = program(function* () {
    const ch = yield* eventChannel(s.subscribe);
    yield* spawn(
      program(function* () {
        for (const [t, v] of [
          [10, 1],
          [10, 2],
          [25, 3],
        ] as const) {
          yield* delay(t);
          s.em.emit("x", v);
        }
        yield* delay(5);
        s.em.emit("end");
        s.em.emit("x", 4); // after close: nobody listens any more
      }),
    );
    return yield* drain(ch);
  });
  assertOk(run(main, { handlers: TK() }), [1, 2, 3]);
  assert.deepEqual(events, ["10: got 1", "20: got 2", "45: got 3", "50: done"]);
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 0]);
});

test("values emitted while nobody receives are buffered (also during subscribe); close() keeps them for the receivers; emit after close is ignored", () => {
  let emitLater: ((v: number) => boolean) | undefined;
  let endLater: (() => void) | undefined;
  let unsubscribed = 0;
  const main = program(function* () {
    const ch = yield* eventChannel<number>((emit, end) => {
      emit(1); // synchronously, while subscribing
      emitLater = emit;
      endLater = end;
      return () => void unsubscribed++;
    });
    const answers = [emitLater!(2), emitLater!(3)];
    endLater!();
    answers.push(emitLater!(4)); // ignored: closed
    endLater!(); // idempotent
    return { answers, unsubscribed, size: ch.size, closed: ch.closed, got: yield* drain(ch) };
  });
  assertOk(run(main, { handlers: TK() }), {
    answers: [true, true, false],
    unsubscribed: 1,
    size: 3,
    closed: true,
    got: [1, 2, 3],
  });
  assert.equal(unsubscribed, 1);
});

test("close(ch) inside the run unsubscribes at once; main's end unsubscribes an open one (its guard task is cancelled)", () => {
  const a = source();
  const b = source();
  const main = program(function* () {
    const chA = yield* eventChannel(a.subscribe);
    yield* eventChannel(b.subscribe); // never closed: main returns right away
    yield* close(chA);
    return [a.unsubscribed, a.listeners(), b.unsubscribed, b.em.emit("x", 1)];
  });
  assertOk(run(main, { handlers: TK() }), [1, 0, 0, true]);
  assert.deepEqual([a.unsubscribed, b.unsubscribed, b.listeners()], [1, 1, 0]);
});

test("a scoped block around eventChannel closes it and unsubscribes at its end; receivers outside see done", () => {
  const s = source();
  const main = program(function* () {
    let ch: Channel<number> | undefined;
    yield* scoped(
      program(function* () {
        ch = yield* eventChannel(s.subscribe);
        s.em.emit("x", 7);
      }),
    );
    const after = [s.unsubscribed, s.listeners(), ch!.closed];
    return { after, got: yield* drain(ch!) };
  });
  assertOk(run(main, { handlers: TK() }), { after: [1, 0, true], got: [7] });
});

test("run: a receive that only the outside can answer is AsyncRequiredError (naming eventChannel); the listener is removed", () => {
  const s = source();
  const main = program(function* () {
    const ch = yield* eventChannel(s.subscribe);
    return yield* receive(ch);
  });
  const e = assertErr(run(main, { handlers: TK() }), AsyncRequiredError) as Error;
  assert.equal(
    e.message,
    "waiting for an external promise (awaitPromise, createExternalPromise, a receive on an eventChannel) needs the event loop; use runAsync(program, options) instead of run()",
  );
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 0]);
});

test("a receive that left (timed out) is not outside work any more: a later deadlock is a DeadlockError, not AsyncRequiredError", () => {
  const s = source();
  const main = program(function* () {
    const ch = yield* eventChannel(s.subscribe);
    for (let i = 0; i < 3; i++) assert.equal((yield* safe(timeout(receive(ch), 5))).ok, false);
    const never = yield* createPromise<undefined>();
    yield* wait(never.future);
  });
  assertErr(run(main, { handlers: TK() }), DeadlockError);
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 0]);
});

// (review: a source's close() could perform no effect, so the guard task of every channel its
// source closed waited until main's end — one task per closed WebSocket in a long-lived server)
test("a channel its source closed ends its guard task once a receive sees the close, or close(ch) is called: only main is left blocked", () => {
  const sources = [source(), source(), source()];
  const main = program(function* () {
    const [a, b, c] = sources;
    const chA = yield* eventChannel(a!.subscribe);
    const chB = yield* eventChannel(b!.subscribe);
    const chC = yield* eventChannel(c!.subscribe);
    a!.em.emit("x", 1);
    a!.em.emit("end"); // a receive sees it after the buffered value
    yield* spawn(
      program(function* () {
        yield* delay(5);
        c!.em.emit("end"); // a receive waits when it comes
      }),
    );
    const got = [yield* drain(chA), yield* drain(chC)];
    b!.em.emit("end");
    yield* close(chB); // already closed by its source
    const never = yield* createPromise<undefined>();
    yield* wait(never.future);
    return got;
  });
  const e = assertErr(run(main, { handlers: TK() }), DeadlockError) as Error;
  assert.deepEqual(events, ["0: got 1", "0: done", "5: done"]);
  assert.match(
    e.message,
    /^deadlock: every task is blocked \(main\) and nothing timed or external is pending;/,
  );
  assert.match(e.message, /Where they wait: main in \(anonymous\)\. Thrown where main blocked last$/);
  assert.deepEqual(
    sources.map((s) => [s.unsubscribed, s.listeners()]),
    [
      [1, 0],
      [1, 0],
      [1, 0],
    ],
  );
});

test("a value handed from outside to a receiver cancelled before it took it goes to the next receiver", () => {
  const s = source();
  const main = program(function* () {
    const ch = yield* eventChannel(s.subscribe);
    const first = yield* spawn(receive(ch));
    yield* delay(1); // first waits
    s.em.emit("x", 1); // handed to first
    yield* cancel(first);
    return [yield* receive(ch), ch.size];
  });
  assertOk(run(main, { handlers: TK() }), [{ done: false, value: 1 }, 0]);
});

test("send inside the run on an event channel: to a waiting receiver at once, else buffered by its policy (it never blocks)", () => {
  const main = program(function* () {
    const ch = yield* eventChannel<number>(() => () => {}, { capacity: 1, overflow: "dropping" });
    const r = yield* spawn(receive(ch));
    yield* delay(1);
    yield* send(ch, 1); // to r
    yield* send(ch, 2); // buffered
    yield* send(ch, 3); // dropped
    return { r: yield* wait(r), next: yield* receive(ch), dropped: ch.dropped };
  });
  assertOk(run(main, { handlers: TK() }), {
    r: { done: false, value: 1 },
    next: { done: false, value: 2 },
    dropped: 1,
  });
});

test("bounded: dropping and sliding event channels; emit answers false for a dropped value", () => {
  for (const overflow of ["dropping", "sliding"] as const) {
    let answers: boolean[] = [];
    const main = program(function* () {
      const ch = yield* eventChannel<number>(
        (emit, end) => {
          answers = [1, 2, 3, 4].map(emit);
          end();
          return () => {};
        },
        { capacity: 2, overflow },
      );
      return { got: yield* drain(ch), dropped: ch.dropped };
    });
    const r = run(main, { handlers: TK() });
    if (overflow === "dropping") {
      assertOk(r, { got: [1, 2], dropped: 2 });
      assert.deepEqual(answers, [true, true, false, false]);
    } else {
      assertOk(r, { got: [3, 4], dropped: 2 });
      assert.deepEqual(answers, [true, true, true, true]);
    }
  }
});

test("subscribe throwing is thrown at the call, and nothing is left running (no deadlock, no warning)", () => {
  const boom = new Error("no such element");
  const main = program(function* () {
    return yield* safe(
      eventChannel<number>(() => {
        throw boom;
      }),
    );
  });
  const r = run(main, { handlers: TK() });
  const v = assertOk(r);
  assert.equal(v.ok ? "ok" : v.error, boom);
  assert.deepEqual(r.warnings, []);
});

test("bad arguments: TypeError / RangeError at the call, saying what to pass", () => {
  const loose = eventChannel as (s: unknown, o?: unknown) => unknown;
  const sub = () => () => {};
  assert.throws(() => loose(undefined), {
    name: "TypeError",
    message:
      'eventChannel expects a function, e.g. (emit) => { source.on("data", emit); return () => source.off("data", emit); }, got undefined',
  });
  assert.throws(() => loose(sub, { capacity: 10 }), {
    name: "RangeError",
    message:
      'eventChannel of capacity 10 needs overflow "dropping" or "sliding": a full channel cannot make an outside producer wait, so say which value to drop — or leave capacity out (unbounded)',
  });
  assert.throws(() => loose(sub, { capacity: 10, overflow: "block" }), {
    name: "RangeError",
    message:
      'eventChannel of capacity 10 needs overflow "dropping" or "sliding" (got "block"): a full channel cannot make an outside producer wait, so say which value to drop — or leave capacity out (unbounded)',
  });
  assert.throws(() => loose(sub, { capacity: -1, overflow: "dropping" }), {
    name: "RangeError",
    message: "eventChannel option capacity must be an integer ≥ 0 or Infinity, got -1",
  });
  // subscribe that returns no unsubscribe function: an error of the call, inside the run
  const r = run(loose(() => undefined) as never, { handlers: TK() });
  const e = assertErr(r, TypeError) as Error;
  assert.equal(
    e.message,
    `eventChannel's subscribe must return the function that unsubscribes, e.g. (emit) => { source.on("data", emit); return () => source.off("data", emit); }; it returned undefined`,
  );
});

test("runAsync: values emitted from outside (timers) are received; the run waits for them and ends at close()", async () => {
  const s = source();
  const main = program(function* () {
    const ch = yield* eventChannel(s.subscribe);
    const got: number[] = [];
    for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) got.push(r.value);
    return got;
  });
  const p = runAsync(main, { handlers: [scheduler, realTime] });
  setTimeout(() => {
    s.em.emit("x", 1);
    s.em.emit("x", 2);
    setTimeout(() => {
      s.em.emit("x", 3);
      s.em.emit("end");
    }, 5);
  }, 5);
  assertOk(await p, [1, 2, 3]);
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 0]);
});

test("runAsync: an aborted run unsubscribes", async () => {
  const s = source();
  const ac = new AbortController();
  const p = runAsync(
    program(function* () {
      return yield* receive(yield* eventChannel(s.subscribe));
    }),
    { handlers: [scheduler, realTime], signal: ac.signal },
  );
  setTimeout(() => ac.abort(new Error("unmounted")), 5);
  const r = await p;
  assert.equal(r.ok, false);
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 0]);
});

test("close(err) from the source: the buffered values first, then the pending receive and every later one throw err; unsubscribed once, no warning", () => {
  const broken = new Error("the socket failed");
  const em = new EventEmitter();
  let unsubscribed = 0;
  const main = program(function* () {
    const ch = yield* eventChannel<number>((emit, end) => {
      em.on("x", emit);
      em.on("error", (e: Error) => end(e));
      return () => {
        unsubscribed++;
        em.removeAllListeners();
      };
    });
    const pending = yield* spawn(receive(ch));
    yield* delay(1); // pending waits
    em.emit("x", 1); // handed to pending
    em.emit("x", 2); // buffered
    em.emit("error", broken);
    const answers = [yield* wait(pending), yield* receive(ch)];
    const thrown: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const r = yield* safe(receive(ch));
      thrown.push(r.ok ? r.value : r.error);
    }
    const waiting = yield* spawn(receive(ch)); // closed and drained: throws at once, does not wait
    const w = yield* safe(wait(waiting));
    return { answers, thrown, w: w.ok ? w.value : w.error, closed: ch.closed, size: ch.size };
  });
  const r = run(main, { handlers: TK() });
  const v = assertOk(r);
  assert.deepEqual(v.answers, [
    { done: false, value: 1 },
    { done: false, value: 2 },
  ]);
  assert.equal(v.thrown[0], broken);
  assert.equal(v.thrown[1], broken);
  assert.equal(v.w, broken);
  assert.deepEqual([v.closed, v.size, unsubscribed, em.listenerCount("x")], [true, 0, 1, 0]);
  assert.deepEqual(r.warnings, []);
});

test("close(err) wakes every waiting receiver with err; a later close() or close(ch) changes nothing, nor does close(err) after close()", () => {
  const broken = new Error("broken");
  let end: ((e?: Error) => void) | undefined;
  const main = program(function* () {
    const ch = yield* eventChannel<number>((_emit, close) => {
      end = close;
      return () => {};
    });
    const a = yield* spawn(receive(ch));
    const b = yield* spawn(receive(ch));
    yield* delay(1);
    end!(broken);
    end!(); // ignored: closed
    yield* close(ch); // a no-op
    const got = [yield* safe(wait(a)), yield* safe(wait(b)), yield* safe(receive(ch))];
    // close() first, then close(err): done, not an error
    let end2: ((e?: Error) => void) | undefined;
    const plain = yield* eventChannel<number>((_emit, close) => {
      end2 = close;
      return () => {};
    });
    end2!();
    end2!(broken);
    return { got: got.map((r) => (r.ok ? r.value : r.error)), plain: yield* receive(plain) };
  });
  const r = run(main, { handlers: TK() });
  const v = assertOk(r);
  assert.deepEqual([v.got.map((e) => e === broken), v.plain], [[true, true, true], { done: true }]);
  assert.deepEqual(r.warnings, []);
});

test("close(err) during subscribe: the values emitted before it, then err", () => {
  const broken = new Error("refused");
  const main = program(function* () {
    const ch = yield* eventChannel<number>((emit, end) => {
      emit(1);
      end(broken);
      return () => {};
    });
    const first = yield* receive(ch);
    const second = yield* safe(receive(ch));
    return [first, second.ok ? second.value : second.error];
  });
  const [first, second] = assertOk(run(main, { handlers: TK() }));
  assert.deepEqual(first, { done: false, value: 1 });
  assert.equal(second, broken);
});

test("runAsync: a source failing from outside (a WebSocket's error event) fails the loop that receives, after the values it sent", async () => {
  const ws = new EventEmitter();
  const broken = new Error("the WebSocket failed");
  const got: number[] = [];
  const main = program(function* () {
    const ch = yield* eventChannel<number>((emit, close) => {
      const onError = () => close(broken);
      ws.on("message", emit);
      ws.on("error", onError);
      return () => {
        ws.off("message", emit);
        ws.off("error", onError);
      };
    });
    for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) got.push(r.value);
    return "ended";
  });
  const p = runAsync(main, { handlers: [scheduler, realTime] });
  setTimeout(() => {
    ws.emit("message", 1);
    ws.emit("message", 2);
    ws.emit("error", new Event("error"));
  }, 5);
  const r = await p;
  assert.equal(r.error, broken);
  assert.deepEqual([got, ws.listenerCount("message"), ws.listenerCount("error")], [[1, 2], 0, 0]);
});

test("runAsync: a channelStream fed from an event channel closed with an error rejects its pull with it, after the values", async () => {
  const broken = new Error("broken");
  let emit: ((v: number) => boolean) | undefined;
  let end: ((e?: Error) => void) | undefined;
  const stream = channelStream<number>();
  const main = program(function* () {
    const ch = yield* eventChannel<number>((e, close) => {
      emit = e;
      end = close;
      return () => {};
    });
    return yield* wait(yield* spawn(stream.pump(ch)));
  });
  const p = runAsync(main, { handlers: [scheduler, realTime] });
  setTimeout(() => {
    emit!(1);
    emit!(2);
    end!(broken);
  }, 5);
  const got: unknown[] = [];
  try {
    for await (const v of stream) got.push(v);
  } catch (e) {
    got.push(e);
  }
  const r = await p;
  assert.deepEqual(got.slice(0, 2), [1, 2]);
  assert.equal(got[2], broken);
  assert.equal(r.error, broken);
  assert.deepEqual(r.warnings, []);
});

test("trace sites: the channel's task is spawned at the eventChannel call and shows there, not at the run's call", async () => {
  const s = source();
  const watch = fn(function* watch() {
    const ch = yield* eventChannel<number>(s.subscribe);
    return yield* receive(ch);
  });
  const controller = new AbortController();
  const p = runAsync(watch(), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    trace: { sites: true },
  });
  setTimeout(() => controller.abort(new Error("unmount")), 5);
  const lines = (await p).format().split("\n");
  // (the lines of this test's own calls, wherever a reformat puts them)
  const src = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const from = src.findIndex((l) => l.startsWith(`test("trace sites: the channel's task`));
  const at = (text: string) => `test/toolkit-event-channel.test.ts:${src.indexOf(text, from) + 1}`;
  const call = at("    const ch = yield* eventChannel<number>(s.subscribe);");
  assert.deepEqual(lines.slice(1, 8), [
    "where the run was when its signal aborted it (outermost first):",
    `  watch at ${at("    return yield* receive(ch);")}`,
    "  blocked in receive(an event channel of capacity Infinity)",
    `  ── in task 1 (spawned at ${call}) ──`,
    `  eventChannel at ${call}`,
    "  blocked in wait(a promise)",
    `the signal's reason (made at ${at('  setTimeout(() => controller.abort(new Error("unmount")), 5);')}):`,
  ]);
  assert.equal(s.unsubscribed, 1);
});

test("runAsync subscribes before it returns, and an abort right after unsubscribes (React StrictMode's mount, unmount, mount)", async () => {
  const s = source();
  const watch = fn(function* watch() {
    const ch = yield* eventChannel<number>(s.subscribe);
    for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) yield* mark(`got ${r.value}`);
  });
  const first = new AbortController();
  const p1 = runAsync(watch(), { handlers: [scheduler, realTime], signal: first.signal });
  assert.equal(s.listeners(), 2); // subscribed during the runAsync call
  first.abort();
  const second = new AbortController();
  const p2 = runAsync(watch(), { handlers: [scheduler, realTime], signal: second.signal });
  const r1 = await p1;
  assert.equal((r1.error as Error).name, "AbortError");
  assert.deepEqual([s.unsubscribed, s.listeners()], [1, 2]); // the first run's listeners only are gone
  s.em.emit("x", 7);
  await new Promise((r) => setTimeout(r, 5));
  second.abort();
  await p2;
  assert.deepEqual([s.unsubscribed, s.listeners()], [2, 0]);
  assert.deepEqual(
    events.map((e) => e.replace(/^\d+: /, "")),
    ["got 7"],
  );
});

/**
 * eventChannel's `close` given something other than an Error — `close` passed as a listener,
 * `socket.on("close", close)`, is handed the event's arguments (net.Socket's `hadError`, a child
 * process's exit code): the receives throw a TypeError saying so (the value as its cause), not the
 * bare value (`thrown: false`). An Error of another realm is still the error itself.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import {
  delay,
  eventChannel,
  program,
  realTime,
  receive,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
} from "../src/index.js";
import { assertOk } from "./sched-helpers.js";

/** A socket-like source whose `close` event carries `args`; `close` subscribed as the listener itself. */
function closeWith(...args: unknown[]) {
  const sock = new EventEmitter();
  const seen: string[] = [];
  const main = program(function* () {
    const ch = yield* eventChannel<string>((emit, close) => {
      sock.on("data", emit);
      sock.on("close", close);
      return () => {
        seen.push("unsubscribed");
        sock.off("data", emit);
        sock.off("close", close);
      };
    });
    yield* spawn(
      program(function* () {
        yield* delay(5);
        sock.emit("data", "hello");
        sock.emit("close", ...args);
      }),
    );
    for (;;) {
      const r = yield* safe(receive(ch));
      if (!r.ok) return { seen, error: r.error, listeners: sock.listenerCount("close") };
      if (r.value.done) return { seen, error: "done", listeners: sock.listenerCount("close") };
      seen.push(r.value.value);
    }
  });
  const r = run(main, { handlers: [scheduler, simulatedTime()] });
  assert.deepEqual(r.warnings, []);
  return assertOk(r);
}

const fix = `(as a listener, source.on("close", close), it gets the event's arguments): write () => close()`;

test("eventChannel: close given a listener's argument (false, 0, a string, an object) fails the receives with a TypeError naming it, after the values emitted before it", () => {
  for (const [arg, shown] of [
    [false, "false"],
    [0, "0"],
    ["going away", '"going away"'],
    [{ code: 1006 }, "object"],
  ] as const) {
    const v = closeWith(arg);
    // (unsubscribed at the close, before the receiver runs)
    assert.deepEqual([v.seen, v.listeners], [["unsubscribed", "hello"], 0]);
    assert.ok(v.error instanceof TypeError, `for ${shown}`);
    assert.equal(
      (v.error as TypeError).message,
      `eventChannel's close was given ${shown}, not an Error ${fix}`,
    );
    assert.equal((v.error as TypeError).cause, arg);
  }
});

test("eventChannel: close() with no argument ends the channel; close(error) with an Error, of this realm or another, fails it with that very error", () => {
  assert.equal(closeWith().error, "done");
  const own = new RangeError("reset");
  assert.equal(closeWith(own).error, own);
  const foreign = runInNewContext('new Error("from a vm context")') as Error;
  assert.equal(foreign instanceof Error, false);
  assert.equal(closeWith(foreign).error, foreign);
  const abort = new DOMException("aborted", "AbortError");
  assert.equal(closeWith(abort).error, abort);
});

/**
 * The source's close() runs in its listener — inside `EventEmitter.emit`, a socket's handler —
 * where an unsubscribe that throws used to be thrown: into the emitter's caller (a Node process's
 * uncaught exception, from a real source). Now close() never throws: the channel is closed as the
 * source said, and the unsubscribe's error is kept on the run's warnings (told to onWarning).
 */
test("eventChannel: an unsubscribe that throws at the source's close() is a run warning, not thrown into the source's emit; the receivers end as the source said", () => {
  const sock = new EventEmitter();
  const offFailed = new Error("off failed");
  const events: string[] = [];
  const told: [unknown, string, string][] = [];
  const main = program(function* () {
    const ch = yield* eventChannel<string>((emit, close) => {
      sock.on("data", emit);
      sock.on("end", () => close());
      return () => {
        events.push("unsubscribe");
        throw offFailed;
      };
    });
    yield* spawn(
      program(function* () {
        yield* delay(5);
        sock.emit("data", "a");
        try {
          sock.emit("end");
          events.push("emit(end) returned");
        } catch (e) {
          events.push(`emit(end) threw ${(e as Error).message}`);
        }
        sock.emit("end"); // closed already: nothing to unsubscribe, nothing thrown
        events.push("second emit(end) returned");
      }),
    );
    for (;;) {
      const r = yield* receive(ch);
      if (r.done) {
        events.push("done");
        return events;
      }
      events.push(`got ${r.value}`);
    }
  });
  const r = run(main, {
    handlers: [scheduler, simulatedTime()],
    onWarning: (e, info) => told.push([e, info.where, info.status]),
  });
  assert.deepEqual(assertOk(r), [
    "unsubscribe",
    "emit(end) returned",
    "second emit(end) returned",
    "got a",
    "done",
  ]);
  const where =
    "the function that unsubscribes an eventChannel from its source threw when the source called close() (the channel is closed)";
  assert.deepEqual(r.warnings, [offFailed]);
  assert.equal(r.warnings[0], offFailed); // the very error
  assert.deepEqual(told, [[offFailed, where, "final"]]);
});

test("eventChannel: close(error) from the source with an unsubscribe that throws: the receives throw the source's error, the unsubscribe's is a warning", async () => {
  const sock = new EventEmitter();
  const reset = new Error("connection reset");
  const offFailed = new TypeError("off failed");
  const main = program(function* () {
    const ch = yield* eventChannel<string>((emit, close) => {
      sock.on("data", emit);
      sock.on("error", (e: Error) => close(e));
      return () => {
        throw offFailed;
      };
    });
    const got: unknown[] = [];
    for (;;) {
      const r = yield* safe(receive(ch));
      if (!r.ok) return [...got, r.error];
      if (r.value.done) return [...got, "done"];
      got.push(r.value.value);
    }
  });
  const told: [unknown, string, string][] = [];
  const p = runAsync(main, {
    handlers: [scheduler, realTime],
    onWarning: (e, info) => told.push([e, info.where, info.status]),
  });
  const thrown: unknown[] = [];
  setTimeout(() => {
    try {
      sock.emit("data", "x");
      sock.emit("error", reset); // (a throw here, in a timer of a real source, ended the process)
    } catch (e) {
      thrown.push(e);
    }
  }, 5);
  const r = await p;
  assert.deepEqual([assertOk(r), thrown], [["x", reset], []]);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0], offFailed);
  assert.deepEqual(told, [
    [
      offFailed,
      "the function that unsubscribes an eventChannel from its source threw when the source called close() (the channel is closed)",
      "final",
    ],
  ]);
});

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
  receive,
  run,
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

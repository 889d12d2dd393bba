/**
 * `close(ch, error)`: a channel closed with an error. Its buffered values are still taken; then
 * receives — the one blocked at the close and every later one — throw that very error instead of
 * answering `{ done: true }`; a blocked sender gets ChannelClosedError as with `close(ch)`. Before,
 * the error was silently ignored (the call takes one argument; JavaScript passed two anyway) and the
 * consumers saw a clean end of a failed stream.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChannelClosedError,
  close,
  createChannel,
  delay,
  program,
  now,
  receive,
  retry,
  run,
  scheduler,
  send,
  simulatedTime,
  spawn,
  wait,
} from "../src/index.js";
import { assertOk } from "./sched-helpers.js";

const handlers = [scheduler, simulatedTime()];

test("close(ch, error): buffered values first, then every receive throws the error itself", () => {
  const boom = new Error("source failed");
  const events: string[] = [];
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 2 });
    yield* send(ch, 1);
    yield* send(ch, 2);
    yield* close(ch, boom);
    yield* close(ch, new Error("second")); // ignored: already closed
    yield* close(ch); // ignored too
    for (let i = 0; i < 4; i++) {
      try {
        const r = yield* receive(ch);
        events.push(r.done ? "done" : `value ${r.value}`);
      } catch (e) {
        events.push(e === boom ? "threw boom" : `threw ${String(e)}`);
      }
    }
    return events;
  });
  const r = run(main, { handlers });
  assertOk(r);
  assert.deepEqual(r.value, ["value 1", "value 2", "threw boom", "threw boom"]);
});

test("close(ch, error): a blocked receiver is woken with the error, a blocked sender with ChannelClosedError", () => {
  const boom = new Error("producer failed");
  const main = program(function* () {
    const ch = yield* createChannel<string>();
    const reader = yield* spawn(receive(ch));
    const closer = program(function* () {
      yield* delay(10);
      yield* close(ch, boom);
      return "closed";
    });
    yield* delay(1); // the reader blocks first
    const c = yield* spawn(closer);
    let readerOutcome: string;
    try {
      yield* wait(reader);
      readerOutcome = "no error";
    } catch (e) {
      readerOutcome = e === boom ? "reader: boom" : `reader: ${String(e)}`;
    }
    yield* wait(c);
    // a sender blocked on a channel then closed with an error
    const ch2 = yield* createChannel<string>();
    const sender = yield* spawn(send(ch2, "x"));
    yield* delay(1);
    yield* close(ch2, new Error("gone"));
    let senderOutcome: string;
    try {
      yield* wait(sender);
      senderOutcome = "sent";
    } catch (e) {
      senderOutcome = e instanceof ChannelClosedError ? "sender: ChannelClosedError" : `sender: ${String(e)}`;
    }
    return [readerOutcome, senderOutcome];
  });
  const r = run(main, { handlers });
  assertOk(r);
  assert.deepEqual(r.value, ["reader: boom", "sender: ChannelClosedError"]);
});

test("close(ch) then close(ch, error): the channel stays closed without an error", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1 });
    yield* close(ch);
    yield* close(ch, new Error("late"));
    return yield* receive(ch);
  });
  const r = run(main, { handlers });
  assertOk(r);
  assert.deepEqual(r.value, { done: true });
});

test("close(ch, error) given something other than an Error: a TypeError at the call", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    // from JavaScript (TypeScript refuses it)
    yield* (close as (ch: unknown, e: unknown) => ReturnType<typeof close>)(ch, "failed");
  });
  const r = run(main, { handlers });
  assert.equal(r.ok, false);
  const e = r.ok ? null : r.error;
  assert.ok(e instanceof TypeError);
  assert.equal(
    e.message,
    'close(ch, error): error must be an Error, got "failed" (write close(ch, new Error(…)), or close(ch) to end it without one)',
  );
});

/**
 * retry around a send on a closed channel: a closed channel never opens again, so each attempt threw
 * ChannelClosedError anew and `times: Infinity` retried for ever. Never retried now, as an abort
 * reason is not; `while` is not asked, onRetry not called. (A guard stops the old code's loop.)
 */
function retriedSend(blockFirst: boolean) {
  const events: string[] = [];
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    if (!blockFirst) yield* close(ch);
    else
      yield* spawn(
        program(function* () {
          yield* delay(10);
          events.push(`close at ${yield* now()}`);
          yield* close(ch);
        }),
      );
    try {
      yield* retry(
        program(function* () {
          events.push(`attempt at ${yield* now()}`);
          yield* send(ch, 1);
        }),
        {
          times: Number.POSITIVE_INFINITY,
          delay: 5,
          while: (e) => {
            events.push(`while asked: ${(e as Error).name}`);
            return true;
          },
          onRetry: (attempt) => {
            events.push(`retry ${attempt}`);
            if (attempt > 3) throw new Error("still retrying a closed channel");
          },
        },
      );
      events.push("sent");
    } catch (e) {
      events.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
    return events;
  });
  const r = run(main, { handlers });
  assert.deepEqual(r.warnings, []);
  return assertOk(r);
}

test("retry never retries ChannelClosedError: a send on a closed channel fails at the first attempt", () => {
  assert.deepEqual(retriedSend(false), [
    "attempt at 0",
    "ChannelClosedError: send on a closed channel; stop sending before close(ch), or check for the error",
  ]);
});

test("retry never retries ChannelClosedError: a send blocked when the channel is closed fails then, no retry", () => {
  assert.deepEqual(retriedSend(true), [
    "attempt at 0",
    "close at 10",
    "ChannelClosedError: the channel was closed while this send was waiting; its value was not delivered",
  ]);
});

test("retry retries the error a channel was closed with as any error (it cannot tell it from a fresh one); while: () => !ch.closed stops at once", () => {
  const boom = new Error("producer failed");
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1 });
    yield* send(ch, 7);
    yield* close(ch, boom);
    const out: unknown[] = [];
    let attempts = 0;
    const counted = program(function* () {
      attempts++;
      return yield* receive(ch);
    });
    out.push(yield* retry(counted, { times: 2 })); // the buffered value first
    for (const options of [{ times: 2 }, { times: 2, while: () => !ch.closed }]) {
      attempts = 0;
      try {
        yield* retry(counted, options);
      } catch (e) {
        out.push([e === boom ? "boom" : e, attempts]);
      }
    }
    return out;
  });
  const r = run(main, { handlers });
  assert.deepEqual(assertOk(r), [{ done: false, value: 7 }, ["boom", 3], ["boom", 1]]);
});

/**
 * A receiver cancelled after it was handed a value gives it back: FIFO is kept — the values given
 * back come before the buffered ones, in the order they were handed, whatever the order of the
 * cancellations — and a give-back does not move a long buffer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancel,
  createChannel,
  delay,
  program,
  receive,
  run,
  safe,
  scheduler,
  send,
  simulatedTime,
  spawn,
  timeout,
  type Task,
  wait,
} from "../src/index.js";

const H = () => ({ handlers: [scheduler, simulatedTime({ start: 0 })] });

/**
 * `k` receivers blocked on an unbounded channel, handed 1..k (none has run since), then `buffered`
 * more values sent (k+1, …); the receivers cancelled in `order` (their indices); → every value
 * received after, in order, and the channel's size before.
 */
function putBack(k: number, buffered: number, order: readonly number[]) {
  const r = run(
    program(function* () {
      const ch = yield* createChannel<number>({ capacity: Number.POSITIVE_INFINITY });
      const receivers: Task<unknown>[] = [];
      for (let i = 0; i < k; i++) receivers.push(yield* spawn(receive(ch)));
      yield* delay(1); // (each blocked: the buffer is empty)
      for (let v = 1; v <= k; v++) yield* send(ch, v); // handed, one to each receiver
      for (let v = k + 1; v <= k + buffered; v++) yield* send(ch, v); // buffered
      for (const i of order) yield* cancel(receivers[i]!);
      const size = ch.size;
      const got: number[] = [];
      while (ch.size > 0) got.push((yield* receive(ch)).value!);
      return { size, got };
    }),
    H(),
  );
  assert.equal(r.ok, true, r.ok ? "" : String(r.error));
  return r.ok ? r.value : { size: -1, got: [] };
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test("channel: receivers handed 1, 2, 3 and cancelled in that order give them back in order, before the buffered 4, 5, 6", () => {
  // (each was put back at the very front: 3, 2, 1, 4, 5, 6)
  assert.deepEqual(putBack(3, 3, [0, 1, 2]), { size: 6, got: upTo(6) });
});

test("channel: cancelled in reverse, or in any order, the values still come back in the order they were handed", () => {
  assert.deepEqual(putBack(3, 3, [2, 1, 0]), { size: 6, got: upTo(6) });
  assert.deepEqual(putBack(4, 2, [1, 3, 0, 2]), { size: 6, got: upTo(6) });
  assert.deepEqual(putBack(4, 0, [2, 0, 3, 1]), { size: 4, got: upTo(4) });
});

test("channel: 2,000 values given back onto a buffer of 100,000 — all of them, in order", () => {
  const order = Array.from({ length: 2000 }, (_, i) => i);
  const { size, got } = putBack(2000, 100_000, order);
  assert.equal(size, 102_000);
  assert.equal(got.length, 102_000);
  for (let i = 0; i < got.length; i++)
    if (got[i] !== i + 1) assert.fail(`value ${i + 1} came at ${i}: ${got[i]}`);
});

test("channel: a value given back goes to a receiver waiting by then; another, to the front, before a later send", () => {
  const r = run(
    program(function* () {
      const ch = yield* createChannel<number>({ capacity: 2 });
      const a = yield* spawn(receive(ch));
      const b = yield* spawn(receive(ch));
      const c = yield* spawn(receive(ch));
      yield* delay(1); // (each blocked)
      yield* send(ch, 1); // handed to a
      yield* send(ch, 2); // handed to b; c still waits
      yield* cancel(b); // 2 goes to c
      yield* cancel(a); // 1 is buffered
      yield* send(ch, 3);
      const fromC = (yield* wait(c)).value;
      return [fromC, (yield* receive(ch)).value, (yield* receive(ch)).value, ch.size];
    }),
    H(),
  );
  assert.equal(r.ok, true, r.ok ? "" : String(r.error));
  assert.deepEqual(r.ok ? r.value : null, [2, 1, 3, 0]);
});

test("channel: a send cancelled after a receiver took its value has delivered it (docs: a send cannot be taken back)", () => {
  // the receiver's timer fires before the deadline at the same instant: it takes 1 from the blocked
  // sender, then the deadline cancels the sender, whose caller gets TimeoutError
  const seen: string[] = [];
  const r = run(
    program(function* () {
      const ch = yield* createChannel<number>();
      const receiver = yield* spawn(
        program(function* () {
          yield* delay(10);
          return yield* receive(ch);
        }),
      );
      const sent = yield* safe(timeout(send(ch, 1), 10));
      seen.push(sent.ok ? "sent" : (sent.error as Error).name);
      return [yield* wait(receiver), ch.size];
    }),
    H(),
  );
  assert.equal(r.ok, true, r.ok ? "" : String(r.error));
  assert.deepEqual(r.value, [{ done: false, value: 1 }, 0]);
  assert.deepEqual(seen, ["TimeoutError"]);
});

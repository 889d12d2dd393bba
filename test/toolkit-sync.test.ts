/** §9.8 Semaphore and Channel under run + simulatedTime(): FIFO, no barging, cancellation, backpressure. */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  acquire,
  all,
  cancel,
  ChannelClosedError,
  close,
  createChannel,
  createPromise,
  createSemaphore,
  DoeffError,
  delay,
  fn,
  forEach,
  now,
  program,
  race,
  receive,
  release,
  run,
  safe,
  type Semaphore,
  send,
  spawn,
  TimeoutError,
  timeout,
  wait,
  withPermit,
} from "../src/index.js";
import { cellOf } from "../src/handlers/scheduler-task.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

test("semaphore used by 1,000 tasks: at most 3 hold a permit, served FIFO (spawn order)", () => {
  let held = 0;
  let peak = 0;
  const order: number[] = [];
  const worker = fn(function* worker(sem: Semaphore, i: number) {
    return yield* withPermit(
      sem,
      program(function* () {
        order.push(i);
        held++;
        peak = Math.max(peak, held);
        yield* delay(1);
        held--;
        return i;
      }),
    );
  });
  const main = program(function* () {
    const sem = yield* createSemaphore(3);
    const tasks = [];
    for (let i = 0; i < 1000; i++) tasks.push(yield* spawn(worker(sem, i)));
    let sum = 0;
    for (const t of tasks) sum += yield* wait(t);
    return { sum, t: yield* now(), available: sem.available, waiting: sem.waiting };
  });
  // 1,000 / 3 → 334 rounds of 1 ms
  assertOk(run(main, { handlers: TK() }), { sum: 499_500, t: 334, available: 3, waiting: 0 });
  assert.equal(peak, 3);
  assert.deepEqual(
    order,
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

test("semaphore: no barging — a permit released goes to the first waiter, not to a later acquire", () => {
  const main = program(function* () {
    const sem = yield* createSemaphore(1);
    yield* acquire(sem);
    const waiter = yield* spawn(
      program(function* () {
        yield* acquire(sem);
        yield* mark("waiter got it");
        yield* release(sem);
      }),
    );
    yield* delay(1); // the waiter is queued
    yield* release(sem); // handed straight to the waiter
    const barging = yield* spawn(
      program(function* () {
        yield* acquire(sem); // must queue behind: the permit is taken
        yield* mark("late acquirer got it");
        yield* release(sem);
      }),
    );
    yield* wait(waiter);
    yield* wait(barging);
    return sem.available;
  });
  assertOk(run(main, { handlers: TK() }), 1);
  assert.deepEqual(events, ["1: waiter got it", "1: late acquirer got it"]);
});

test("semaphore: a cancelled waiter leaves the queue; the permit goes to the next one", () => {
  const main = program(function* () {
    const sem = yield* createSemaphore(1);
    yield* acquire(sem);
    const w = (name: string) =>
      spawn(
        program(function* () {
          try {
            yield* acquire(sem);
            yield* mark(`${name} acquired`);
            yield* release(sem);
          } finally {
            yield* mark(`${name} finally`);
          }
        }),
      );
    const a = yield* w("a");
    const b = yield* w("b");
    yield* delay(5);
    const waitingBefore = sem.waiting;
    yield* cancel(a);
    yield* release(sem);
    yield* wait(b);
    return { waitingBefore, available: sem.available };
  });
  assertOk(run(main, { handlers: TK() }), { waitingBefore: 2, available: 1 });
  assert.deepEqual(events, ["5: a finally", "5: b acquired", "5: b finally"]);
});

test("semaphore: a waiter cancelled after being handed the permit passes it on", () => {
  const main = program(function* () {
    const sem = yield* createSemaphore(1);
    yield* acquire(sem);
    const a = yield* spawn(acquire(sem));
    const b = yield* spawn(
      program(function* () {
        yield* acquire(sem);
        yield* mark("b acquired");
      }),
    );
    yield* delay(1);
    yield* release(sem); // handed to a (not yet resumed)
    yield* cancel(a); // a never used it: b gets it
    yield* wait(b);
    return sem.available;
  });
  assertOk(run(main, { handlers: TK() }), 0); // b holds it
  assert.deepEqual(events, ["1: b acquired"]);
});

test("withPermit: waiters handed the permit while cancelled pass it on and never run their program", () => {
  // all's finally cancels tasks 1, 2, 3 in order (a timeout around a request's jobs): 1's release
  // hands the permit to 2, still waiting; cancelled next, 2 must pass it on to 3, not start its job
  const main = program(function* () {
    const sem = yield* createSemaphore(1);
    const jobs = [0, 1, 2].map((i) =>
      withPermit(
        sem,
        program(function* () {
          try {
            yield* mark(`job ${i} start`);
            yield* delay(100);
          } finally {
            yield* mark(`job ${i} finally`);
          }
        }),
      ),
    );
    const r = yield* safe(timeout(all(jobs), 10));
    return {
      timedOut: !r.ok && r.error instanceof TimeoutError,
      available: sem.available,
      waiting: sem.waiting,
    };
  });
  const r = run(main, { handlers: TK() });
  assertOk(r, { timedOut: true, available: 1, waiting: 0 });
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(events, ["0: job 0 start", "10: job 0 finally"]);
});

test("semaphore: release without acquire → DoeffError at the release (catchable)", () => {
  const main = program(function* () {
    const sem = yield* createSemaphore(2);
    yield* acquire(sem);
    yield* release(sem);
    yield* release(sem);
  });
  const e = assertErr(run(main, { handlers: TK() }), DoeffError) as Error;
  assert.equal(
    e.message,
    "release without a matching acquire (semaphore of 2 permit(s), none held); release once per acquire, or use withPermit(sem, program)",
  );
});

test("channel: bounded (capacity 2) between a fast producer and a slow consumer — the producer blocks", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 2 });
    const producer = yield* spawn(
      program(function* () {
        for (let i = 1; i <= 5; i++) {
          yield* send(ch, i);
          yield* mark(`sent ${i}`);
        }
        yield* close(ch);
        yield* mark("closed");
      }),
    );
    const got: number[] = [];
    for (;;) {
      yield* delay(10);
      const r = yield* receive(ch);
      if (r.done) break;
      yield* mark(`received ${r.value}`);
      got.push(r.value);
    }
    yield* wait(producer);
    return got;
  });
  assertOk(run(main, { handlers: TK() }), [1, 2, 3, 4, 5]);
  assert.deepEqual(events, [
    "0: sent 1",
    "0: sent 2", // buffer full: send 3 blocks
    "10: received 1",
    "10: sent 3",
    "20: received 2",
    "20: sent 4",
    "30: received 3",
    "30: sent 5",
    "30: closed",
    "40: received 4",
    "50: received 5",
  ]);
});

test("channel: rendezvous (capacity 0) — each send waits for a receiver; FIFO for blocked senders", () => {
  const main = program(function* () {
    const ch = yield* createChannel<string>();
    const s = (v: string) =>
      spawn(
        program(function* () {
          yield* send(ch, v);
          yield* mark(`${v} delivered`);
        }),
      );
    yield* s("a");
    yield* s("b");
    yield* delay(5);
    const x = yield* receive(ch);
    const y = yield* receive(ch);
    yield* delay(0);
    return [x, y];
  });
  assertOk(run(main, { handlers: TK() }), [
    { done: false, value: "a" },
    { done: false, value: "b" },
  ]);
  assert.deepEqual(events, ["5: a delivered", "5: b delivered"]);
});

test("channel: rendezvous — a value put back by a receiver cancelled after it was handed it does not let later senders through early", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>();
    const r = yield* spawn(receive(ch));
    yield* delay(1);
    yield* send(ch, 1); // handed to r
    yield* cancel(r); // r never ran: 1 is put back
    const size = ch.size;
    yield* spawn(
      program(function* () {
        yield* send(ch, 2);
        yield* mark("2 delivered");
      }),
    );
    yield* delay(10);
    const a = yield* receive(ch);
    yield* mark(`received ${a.value}`);
    yield* delay(10);
    const b = yield* receive(ch);
    yield* mark(`received ${b.value}`);
    yield* delay(0);
    return [size, ch.size];
  });
  assertOk(run(main, { handlers: TK() }), [1, 0]);
  assert.deepEqual(events, ["11: received 1", "21: received 2", "21: 2 delivered"]);
});

test("channel: close wakes blocked receivers with done, fails blocked senders; values buffered before close drain; close is idempotent", () => {
  const main = program(function* () {
    const empty = yield* createChannel<number>({ capacity: 1 });
    const r1 = yield* spawn(receive(empty));
    const r2 = yield* spawn(receive(empty));
    const full = yield* createChannel<number>({ capacity: 1 });
    yield* send(full, 1);
    const blocked = yield* spawn(safe(send(full, 2)));
    yield* delay(1);
    yield* close(empty);
    yield* close(full);
    yield* close(full);
    const late = yield* safe(send(full, 3));
    return {
      r1: yield* wait(r1),
      r2: yield* wait(r2),
      blocked: (yield* wait(blocked)).error instanceof ChannelClosedError,
      late: late.error instanceof ChannelClosedError,
      drained: [yield* receive(full), yield* receive(full)],
    };
  });
  assertOk(run(main, { handlers: TK() }), {
    r1: { done: true },
    r2: { done: true },
    blocked: true,
    late: true,
    drained: [{ done: false, value: 1 }, { done: true }],
  });
});

test("channel: unbounded (Infinity) never blocks a sender; a cancelled receiver leaves the queue", () => {
  const main = program(function* () {
    const ch = yield* createChannel<number>({ capacity: Number.POSITIVE_INFINITY });
    yield* forEach([1, 2, 3], (i) => send(ch, i));
    const a = [yield* receive(ch), yield* receive(ch), yield* receive(ch)].map((r) => r.value);
    const gone = yield* spawn(receive(ch));
    const stays = yield* spawn(receive(ch));
    yield* delay(1);
    yield* cancel(gone);
    yield* send(ch, 4);
    return { a, stays: yield* wait(stays) };
  });
  assertOk(run(main, { handlers: TK() }), { a: [1, 2, 3], stays: { done: false, value: 4 } });
});

test("channel + all: a worker pool of 3 draining a queue of jobs", () => {
  const main = program(function* () {
    const jobs = yield* createChannel<number>({ capacity: 10 });
    for (let i = 1; i <= 7; i++) yield* send(jobs, i);
    yield* close(jobs);
    const worker = fn(function* worker(id: string) {
      const done: number[] = [];
      for (let r = yield* receive(jobs); !r.done; r = yield* receive(jobs)) {
        yield* delay(r.value);
        done.push(r.value);
      }
      return `${id}:${done.join(",")}`;
    });
    return { done: yield* all([worker("w1"), worker("w2"), worker("w3")]), t: yield* now() };
  });
  // w1 1→4→7 (t 1, 5, 12), w2 2→5 (t 2, 7), w3 3→6 (t 3, 9)
  assertOk(run(main, { handlers: TK() }), { done: ["w1:1,4,7", "w2:2,5", "w3:3,6"], t: 12 });
});

test("waiters that leave are not kept: 1,000 timed-out receives on an idle channel, acquires of a held semaphore, races against a pending future", () => {
  const r = run(
    program(function* () {
      const ch = yield* createChannel<number>();
      const sem = yield* createSemaphore(1);
      yield* acquire(sem); // held for good
      const shutdown = yield* createPromise<undefined>();
      for (let i = 0; i < 1000; i++) {
        assert.equal((yield* safe(timeout(receive(ch), 1))).ok, false);
        assert.equal((yield* safe(timeout(acquire(sem), 1))).ok, false);
        yield* race(yield* spawn(delay(1)), shutdown.future);
      }
      const ws = cellOf(shutdown.future)!.waiters;
      // each used to keep all 1,000 (and every cancelled task behind them) until the channel got a
      // value, the semaphore a release, the future a value
      return [
        ch.receivers.length <= 32,
        sem.waiters.length <= 64,
        sem.waiting,
        Array.isArray(ws) && ws.length <= 32,
      ];
    }),
    { handlers: TK() },
  );
  assertOk(r, [true, true, 0, true]);
});

test("channel: a value handed to a receiver that is cancelled before it runs, after close, goes to the next receiver (not stranded in the closed channel)", () => {
  const r = run(
    program(function* () {
      const ch = yield* createChannel<string>();
      const got: string[] = [];
      const producer = yield* spawn(
        program(function* () {
          yield* delay(10);
          yield* send(ch, "v"); // handed to w1's receive, which has not run yet
          yield* close(ch);
        }),
      );
      const w1 = yield* spawn(
        program(function* () {
          // its deadline is the same instant: it is cancelled before it takes "v"
          const x = yield* safe(timeout(receive(ch), 10));
          got.push(`w1: ${x.ok ? String(x.value.value) : (x.error as Error).constructor.name}`);
        }),
      );
      const w2 = yield* spawn(
        program(function* () {
          yield* delay(1);
          for (let x = yield* receive(ch); !x.done; x = yield* receive(ch)) got.push(`w2 got ${x.value}`);
          got.push("w2 saw done");
        }),
      );
      yield* wait(producer);
      yield* wait(w1);
      yield* wait(w2);
      return [got, ch.size];
    }),
    { handlers: TK() },
  );
  // w2 was told done at close, and "v" was put back into the closed channel: [w1: TimeoutError, w2 saw done], 1
  assertOk(r, [["w1: TimeoutError", "w2 got v", "w2 saw done"], 0]);
});

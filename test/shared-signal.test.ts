/**
 * One AbortSignal given to many runs at once: a server's shutdown signal passed to each request's
 * `runAsync`. Each run (and its scheduler, and a real sleep without one) added an "abort" listener
 * of its own, so Node warned of a leak from the sixth request in flight on
 * (MaxListenersExceededWarning) — a false alarm in the logs of every busy server. Now the signal
 * carries one listener however many runs listen, none once they ended, and an abort still ends each
 * run with its finally blocks run.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { offAbort, onAbort } from "../src/run/abort-listeners.js";
import {
  abortable,
  delay,
  Effect,
  fn,
  handle,
  program,
  realTime,
  run,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  wait,
  withHandler,
} from "../src/index.js";

const warnings: string[] = [];
process.on("warning", (w) => warnings.push(w.name));

test("runs sharing a signal: one abort listener on it while 60 are in flight, none after; no leak warning", async () => {
  warnings.length = 0;
  const shutdown = new AbortController();
  const request = fn(function* request(n: number) {
    yield* delay(30);
    return n;
  });
  const withScheduler = Array.from({ length: 40 }, (_, i) =>
    runAsync(request(i), { handlers: [scheduler, realTime], signal: shutdown.signal }),
  );
  // a real delay without a scheduler listens to the signal too (to clear its timer on an abort)
  const plain = Array.from({ length: 20 }, (_, i) =>
    runAsync(request(100 + i), { handlers: [realTime], signal: shutdown.signal }),
  );
  // runAsync runs each program synchronously up to its first wait: all 60 are in flight here, each
  // waiting for its delay (no sleep before this check: under load a 1 ms sleep could outlast the
  // 30 ms delays, and the check then saw the runs already ended)
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 1);
  await Promise.resolve();
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 1);
  const results = await Promise.all([...withScheduler, ...plain]);
  assert.deepEqual(
    results.map((r) => r.value),
    [...Array.from({ length: 40 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 100 + i)],
  );
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 0);
  await new Promise((r) => setImmediate(r)); // (Node emits the warning on the next tick)
  assert.deepEqual(warnings, []);
});

test("an abort of the shared signal ends every run in flight with its finally blocks run, and leaves no listener", async () => {
  const shutdown = new AbortController();
  const closed: number[] = [];
  const request = fn(function* request(n: number) {
    try {
      yield* delay(60_000);
    } finally {
      closed.push(n);
    }
  });
  const runs = Array.from({ length: 30 }, (_, i) =>
    runAsync(request(i), { handlers: [scheduler, realTime], signal: shutdown.signal }),
  );
  // an abortable call inside a run shares the listener too
  const inner = runAsync(
    program(function* () {
      return yield* abortable(delay(60_000), shutdown.signal);
    }),
    { handlers: [scheduler, realTime] },
  );
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 1);
  const reason = new Error("shutting down");
  shutdown.abort(reason);
  const results = await Promise.all(runs);
  assert.deepEqual(
    results.map((r) => r.error),
    runs.map(() => reason),
  );
  assert.deepEqual(
    closed.sort((a, b) => a - b),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.equal((await inner).error, reason);
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 0);
});

test("onAbort: subscribers are called once, in the order they subscribed; one removed is not; the last removed takes the listener", () => {
  const c = new AbortController();
  const calls: string[] = [];
  const a = () => calls.push("a");
  const b = () => calls.push("b");
  const gone = () => calls.push("gone");
  onAbort(c.signal, a);
  onAbort(c.signal, gone);
  onAbort(c.signal, b);
  offAbort(c.signal, gone);
  assert.equal(getEventListeners(c.signal, "abort").length, 1);
  c.abort();
  c.abort();
  assert.deepEqual(calls, ["a", "b"]);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
  const c2 = new AbortController();
  onAbort(c2.signal, a);
  onAbort(c2.signal, b);
  offAbort(c2.signal, a);
  assert.equal(getEventListeners(c2.signal, "abort").length, 1);
  offAbort(c2.signal, b);
  assert.equal(getEventListeners(c2.signal, "abort").length, 0);
});

test("every way a run ends leaves no listener on its signal, and an aborted signal reused ends the next runs at once", async () => {
  class Query extends Effect<string> {
    declare readonly _tag: "Query";
  }
  const refused = new Error("refused");
  const db = handle(Query, function* db() {
    throw refused;
  });
  const ticker = fn(function* ticker() {
    yield* delay(3);
    return 1;
  });
  const ac = new AbortController();
  const signal = ac.signal;
  const ways: [string, () => unknown][] = [
    [
      "run, scheduler",
      () =>
        run(
          program(function* () {
            return yield* wait(yield* spawn(ticker()));
          }),
          { handlers: [scheduler, simulatedTime()], signal },
        ),
    ],
    [
      "run, main throws",
      () =>
        run(
          program(function* () {
            yield* spawn(ticker());
            throw refused;
          }),
          { handlers: [scheduler, simulatedTime()], signal },
        ),
    ],
    [
      "run, scheduler abandoned",
      () =>
        run(
          program(function* () {
            return yield* withHandler(
              scheduler,
              program(function* () {
                yield* spawn(ticker());
                return yield* new Query();
              }),
            );
          }),
          { handlers: [db, simulatedTime()], signal },
        ),
    ],
    [
      "runAsync, sleep alone",
      () =>
        runAsync(
          program(function* () {
            return yield* delay(1);
          }),
          { handlers: [realTime], signal },
        ),
    ],
    [
      "runAsync, scheduler",
      () =>
        runAsync(
          program(function* () {
            return yield* wait(yield* spawn(ticker()));
          }),
          { handlers: [scheduler, realTime], signal },
        ),
    ],
    [
      "runAsync, timeout",
      () =>
        runAsync(
          program(function* () {
            return yield* timeout(delay(50), 1);
          }),
          { handlers: [scheduler, realTime], signal },
        ),
    ],
    [
      "runAsync, abortable",
      () =>
        runAsync(
          program(function* () {
            return yield* abortable(delay(1), signal);
          }),
          { handlers: [scheduler, realTime], signal },
        ),
    ],
    [
      "runAsync, handler throws",
      () =>
        runAsync(
          program(function* () {
            yield* spawn(ticker());
            return yield* new Query();
          }),
          { handlers: [db, scheduler, realTime], signal },
        ),
    ],
  ];
  for (const [name, go] of ways) {
    await go();
    assert.equal(getEventListeners(signal, "abort").length, 0, name);
  }
  const stop = new Error("stop");
  ac.abort(stop);
  for (const [name, go] of ways) {
    const r = (await go()) as { ok: boolean; error?: unknown };
    assert.equal(r.ok, false, name);
    assert.equal(r.error, stop, name);
    assert.equal(getEventListeners(signal, "abort").length, 0, name);
  }
});

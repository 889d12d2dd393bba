/**
 * §9.8 retry's `onRetry` option: called once per retry, after retry decided to retry and knows the
 * wait, before the wait; it cannot change what retry does, and a throw from it is handled as a
 * throwing `delay` is (the program's error as the cause, or rethrown as it is). A program it returns
 * is performed there, in the retrying task, before the wait; its throw is handled as onRetry's.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  ask,
  cancel,
  createChannel,
  DeadlockError,
  delay,
  fn,
  handle,
  program,
  reader,
  receive,
  resume,
  retry,
  run,
  safe,
  spawn,
  TaskCancelledError,
  Tell,
  tell,
  timeout,
  TimeoutError,
  UnhandledEffectError,
  wait,
  writer,
} from "../src/index.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** Fails with the errors given, one per attempt, then returns "ok"; each attempt is marked. */
function flaky(errors: unknown[]) {
  let n = 0;
  return program(function* flaky() {
    n++;
    yield* mark(`attempt ${n}`);
    if (n <= errors.length) throw errors[n - 1];
    return "ok";
  });
}

test("retry onRetry: one call per retry, (attempt, error, delayMs), after the failure and before the wait (virtual clock)", () => {
  const errors = [new TypeError("a"), new HttpError(503), new HttpError(502)];
  const calls: unknown[][] = [];
  const r = run(
    retry(flaky(errors), {
      times: 5,
      delay: (attempt) => 100 * 2 ** (attempt - 1),
      onRetry: (attempt, error, delayMs) => {
        calls.push([attempt, error, delayMs]);
        events.push(`onRetry ${attempt}: ${(error as Error).message}, waiting ${delayMs} ms`);
      },
    }),
    { handlers: TK() },
  );
  assert.equal(r.ok && r.value, "ok");
  assert.deepEqual(events, [
    "0: attempt 1",
    "onRetry 1: a, waiting 100 ms",
    "100: attempt 2",
    "onRetry 2: HTTP 503, waiting 200 ms",
    "300: attempt 3",
    "onRetry 3: HTTP 502, waiting 400 ms",
    "700: attempt 4",
  ]);
  // the very error objects, and the delay as a number
  assert.deepEqual(calls, [
    [1, errors[0], 100],
    [2, errors[1], 200],
    [3, errors[2], 400],
  ]);
  assert.equal(calls[1]![1], errors[1]);
});

test("retry onRetry: not called for the failure retry gives up on (out of retries, or `while` says no); delayMs 0 without a delay", () => {
  const calls: string[] = [];
  const onRetry = (attempt: number, error: unknown, delayMs: number) => {
    calls.push(`${attempt} ${(error as Error).message} ${delayMs}`);
  };
  const out = run(retry(flaky([new Error("e1"), new Error("e2"), new Error("e3")]), { times: 2, onRetry }), {
    handlers: TK(),
  });
  assert.equal((out.error as Error).message, "e3");
  assert.deepEqual(calls, ["1 e1 0", "2 e2 0"]);

  calls.length = 0;
  const stopped = run(
    retry(flaky([new HttpError(503), new HttpError(404), new HttpError(503)]), {
      times: 9,
      while: (e) => e instanceof HttpError && e.status >= 500,
      delay: 5,
      onRetry,
    }),
    { handlers: TK() },
  );
  assert.equal((stopped.error as HttpError).status, 404);
  assert.deepEqual(calls, ["1 HTTP 503 5"]);
});

test("retry onRetry: a throw fails retry with an Error whose cause is the program's error; throwing that error itself rethrows it", () => {
  const real = new HttpError(503);
  const oops = new RangeError("logger is closed");
  let attempts = 0;
  const failing = program(function* failing() {
    attempts++;
    throw real;
  });
  const r = run(
    retry(failing, {
      times: 3,
      onRetry: () => {
        throw oops;
      },
    }),
    { handlers: [] },
  );
  assert.equal(attempts, 1); // no retry after the hook threw
  assert.ok(r.error instanceof Error && !(r.error instanceof HttpError));
  assert.equal(
    r.error.message,
    "retry's `onRetry` function (attempt 1) threw RangeError: logger is closed while deciding on the program's error (this error's cause; what it threw is .optionError)",
  );
  assert.equal(r.error.cause, real);
  assert.equal((r.error as Error & { optionError: unknown }).optionError, oops);
  assert.equal(real.cause, undefined); // not changed

  attempts = 0;
  const given = run(
    retry(failing, {
      times: 3,
      onRetry: (attempt, error) => {
        if (attempt === 2) throw error; // give up: the program's error, as it is
      },
    }),
    { handlers: [] },
  );
  assert.equal(attempts, 2);
  assert.equal(given.error, real);
});

test("retry onRetry: a generator function, or a generator object returned, is refused (its body would never run); a non-function at the call", () => {
  const failing = program(function* failing() {
    throw new Error("down");
  });
  function* rawLog(attempt: number) {
    yield* tell(`retry ${attempt}`);
  }
  const r = run(retry(failing, { times: 2, onRetry: (attempt) => rawLog(attempt) as unknown as void }), {
    handlers: [writer],
  });
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "retry option onRetry returned a generator object (attempt 1), whose body would never run: wrap the generator function with fn, e.g. const logRetry = fn(function* (attempt, error) { … }) and onRetry: (attempt, error) => logRetry(attempt, error) (the cause: the program's error)",
  );
  assert.equal((r.error.cause as Error).message, "down");
  assert.throws(
    // biome-ignore lint/correctness/useYield: the mistake tested
    () => retry(failing, { times: 1, onRetry: function* () {} as unknown as () => void }),
    {
      name: "TypeError",
      message:
        "retry option onRetry is a generator function, so its body would never run: wrap it with fn, onRetry: fn(function* (attempt, error, delayMs) { … }), or pass a plain function, (attempt, error, delayMs) => console.warn(error)",
    },
  );
  assert.throws(() => retry(failing, { times: 1, onRetry: "log" as unknown as () => void }), {
    name: "TypeError",
    message:
      'retry option onRetry expects a function, e.g. { onRetry: (attempt, error, delayMs) => console.warn(error) }, got "log"',
  });
});

// (it was ignored as a plain function's value: the log line never told, without a word)
test("retry onRetry: a function fn made, returned without calling it (() => logRetry), is refused: its body would never run", () => {
  const failing = program(function* failing() {
    throw new Error("down");
  });
  const logRetry = fn(function* logRetry(attempt: number) {
    yield* tell(`retry ${attempt}`);
  });
  const r = run(retry(failing, { times: 2, onRetry: () => logRetry as unknown as void }), {
    handlers: [writer],
  });
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "retry option onRetry returned [doeff fn logRetry] without calling it (attempt 1), a function that makes a program, whose body would never run: call it, onRetry: (attempt, error) => logRetry(attempt, error) (the cause: the program's error)",
  );
  assert.equal((r.error.cause as Error).message, "down");
  assert.deepEqual(r.log, []);
  // a plain function's value is still ignored, a function among them
  let calls = 0;
  const plain = run(
    retry(failing, {
      times: 1,
      onRetry: () => () => calls++,
    }),
    { handlers: [writer] },
  );
  assert.equal((plain.error as Error).message, "down");
  assert.equal(calls, 0);
});

test("retry onRetry: a Promise returned is not waited for (a logger's call), nor an error", () => {
  let started = 0;
  const r = run(
    retry(flaky([new Error("e1")]), {
      times: 2,
      onRetry: () => {
        started++;
        return Promise.resolve("logged");
      },
    }),
    { handlers: TK() },
  );
  assert.equal(r.ok && r.value, "ok");
  assert.equal(started, 1);
  assert.deepEqual(events, ["0: attempt 1", "0: attempt 2"]);
});

/** Tell, kept as it comes: each line stamped with the virtual time, in `events`. */
const toldHere = handle(Tell, function* toldHere(e, k) {
  yield* mark(`tell ${String(e.message)}`);
  return yield* resume(k, undefined);
});

test("retry onRetry returns a program: performed after the failure, before the wait, in the retrying task with its handlers (virtual clock)", () => {
  const logRetry = fn(function* logRetry(attempt: number, error: unknown, delayMs: number) {
    const id = yield* ask<string>("requestId");
    yield* delay(5); // (its time is before the wait: the wait starts when it returns)
    yield* tell(`${id}: retry ${attempt} after ${(error as Error).message}, waiting ${delayMs} ms`);
    return "ignored";
  });
  const r = run(
    retry(flaky([new HttpError(503), new HttpError(502)]), {
      times: 3,
      delay: (attempt) => 100 * attempt,
      onRetry: (attempt, error, delayMs) => logRetry(attempt, error, delayMs),
    }),
    { handlers: [...TK(), toldHere, reader], env: { requestId: "req-7" } },
  );
  assert.equal(r.ok && r.value, "ok");
  assert.deepEqual(events, [
    "0: attempt 1",
    "5: tell req-7: retry 1 after HTTP 503, waiting 100 ms",
    "105: attempt 2",
    "110: tell req-7: retry 2 after HTTP 502, waiting 200 ms",
    "310: attempt 3",
  ]);

  // an effect itself, and fn's function as onRetry, under the standard writer: its log has the lines
  events.length = 0;
  const viaWriter = run(
    retry(flaky([new Error("e1"), new Error("e2")]), {
      times: 3,
      onRetry: fn(function* (attempt: number, error: unknown) {
        yield* tell(`retry ${attempt}: ${(error as Error).message}`);
      }),
    }),
    { handlers: TK() },
  );
  assert.equal(viaWriter.ok && viaWriter.value, "ok");
  assert.deepEqual(viaWriter.log, ["retry 1: e1", "retry 2: e2"]);
  const effectOnly = run(
    retry(flaky([new Error("e1")]), { times: 1, onRetry: (attempt) => tell(`retry ${attempt}`) }),
    { handlers: TK() },
  );
  assert.deepEqual(effectOnly.log, ["retry 1"]);
});

test("retry onRetry's program throws: retry fails as for a throwing onRetry (cause: the program's error, optionError: what it threw); rethrowing the error stops as it is", () => {
  const real = new HttpError(503);
  const oops = new RangeError("log sink closed");
  let attempts = 0;
  const failing = program(function* failing() {
    attempts++;
    throw real;
  });
  const r = run(
    retry(failing, {
      times: 3,
      delay: 10,
      onRetry: () =>
        program(function* sink() {
          yield* mark("hook");
          throw oops;
        }),
    }),
    { handlers: TK() },
  );
  assert.equal(attempts, 1); // no wait, no retry after the hook's program threw
  assert.deepEqual(events, ["0: hook"]);
  assert.ok(r.error instanceof Error && !(r.error instanceof HttpError) && !(r.error instanceof RangeError));
  assert.equal(
    r.error.message,
    "retry's `onRetry` program (attempt 1) threw RangeError: log sink closed while deciding on the program's error (this error's cause; what it threw is .optionError)",
  );
  assert.equal(r.error.cause, real);
  assert.equal((r.error as Error & { optionError: unknown }).optionError, oops);
  assert.equal(real.cause, undefined);
  assert.equal(oops.cause, undefined);

  // a missing handler in it is its throw too (the Tell unhandled: no writer)
  attempts = 0;
  const unhandled = run(retry(failing, { times: 3, onRetry: () => tell("retrying") as never }), {
    handlers: [],
  }); // (cast: its row has Tell, so this run is a compile error)
  assert.equal(attempts, 1);
  assert.ok(unhandled.error instanceof Error);
  assert.equal(unhandled.error.cause, real);
  assert.ok(
    (unhandled.error as Error & { optionError: unknown }).optionError instanceof UnhandledEffectError,
  );

  attempts = 0;
  const given = run(
    retry(failing, {
      times: 3,
      onRetry: (_attempt, error) =>
        program(function* giveUp() {
          throw error;
        }),
    }),
    { handlers: [] },
  );
  assert.equal(attempts, 1);
  assert.equal(given.error, real);
});

test("retry onRetry's program meets an error no attempt gets past (a deadlock): it passes as it is, not wrapped", () => {
  const r = run(
    retry(flaky([new Error("e1")]), {
      times: 3,
      onRetry: () =>
        program(function* waitsForever() {
          const ch = yield* createChannel<string>();
          yield* receive(ch); // nothing will ever send: every task waits
        }),
    }),
    { handlers: TK() },
  );
  assert.deepEqual(events, ["0: attempt 1"]);
  assert.equal(r.error instanceof DeadlockError, true);
  assert.equal((r.error as { optionError?: unknown }).optionError, undefined);
});

test("retry onRetry's program cancelled while it sleeps: its finally runs, retry stops (no wait, no attempt)", () => {
  const r = run(
    program(function* main() {
      const t = yield* spawn(
        retry(flaky([new Error("e1"), new Error("e2")]), {
          times: 5,
          delay: 100,
          onRetry: (attempt) =>
            program(function* slowLog() {
              try {
                yield* mark(`hook ${attempt} start`);
                yield* delay(50);
                yield* mark(`hook ${attempt} done`);
              } finally {
                yield* mark(`hook ${attempt} finally`);
              }
            }),
        }),
      );
      yield* delay(20);
      yield* mark("cancel");
      yield* cancel(t);
      const out = yield* safe(wait(t));
      yield* delay(500); // nothing more of retry's happens
      yield* mark("end");
      return out;
    }),
    { handlers: TK() },
  );
  // (assert.equal, not assert.ok: Node 20's assert.ok, failing, reads the source for its message,
  // which hung here under tsx)
  assert.deepEqual(events, [
    "0: attempt 1",
    "0: hook 1 start",
    "20: cancel",
    "20: hook 1 finally",
    "520: end",
  ]);
  const out = r.ok ? r.value : null;
  assert.equal(out?.ok, false);
  assert.equal(out !== null && !out.ok && out.error instanceof TaskCancelledError, true);
});

test("retry onRetry under a timeout: the retry cut short by the timeout was announced; the hook runs in the retrying task's turn", () => {
  const calls: string[] = [];
  const r = run(
    program(function* main() {
      const t = yield* spawn(
        timeout(
          retry(flaky([new Error("e1"), new Error("e2"), new Error("e3")]), {
            times: 5,
            delay: 40,
            onRetry: (attempt, _e, ms) => {
              calls.push(`retry ${attempt} in ${ms}`);
            },
          }),
          60,
        ),
      );
      return yield* safe(wait(t));
    }),
    { handlers: TK() },
  );
  assert.ok(r.ok && !r.value.ok && r.value.error instanceof TimeoutError);
  assert.deepEqual(events, ["0: attempt 1", "40: attempt 2"]);
  assert.deepEqual(calls, ["retry 1 in 40", "retry 2 in 40"]);
});

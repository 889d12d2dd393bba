/**
 * §9.8 retry's `onRetry` option: called once per retry, after retry decided to retry and knows the
 * wait, before the wait; it cannot change what retry does, and a throw from it is handled as a
 * throwing `delay` is (the program's error as the cause, or rethrown as it is).
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { program, retry, run, safe, spawn, tell, timeout, TimeoutError, wait } from "../src/index.js";
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

test("retry onRetry: returning a program is a TypeError (its effects would never run); a generator function or a non-function is refused at the call", () => {
  const failing = program(function* failing() {
    throw new Error("down");
  });
  const r = run(
    retry(failing, {
      times: 2,
      onRetry: (attempt) => tell(`retry ${attempt}`) as unknown as void,
    }),
    { handlers: [] },
  );
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "retry option onRetry returned a Tell object, whose effects would never run (its result is ignored): log from onRetry directly, or perform the effect in a catch block of the program retried",
  );
  assert.equal((r.error.cause as Error).message, "down");
  assert.throws(
    // biome-ignore lint/correctness/useYield: the mistake tested
    () => retry(failing, { times: 1, onRetry: function* () {} as unknown as () => void }),
    {
      name: "TypeError",
      message:
        "retry option onRetry is a generator function, so its body would never run: pass a plain function, e.g. (attempt, error, delayMs) => console.warn(error)",
    },
  );
  assert.throws(() => retry(failing, { times: 1, onRetry: "log" as unknown as () => void }), {
    name: "TypeError",
    message:
      'retry option onRetry expects a function, e.g. { onRetry: (attempt, error, delayMs) => console.warn(error) }, got "log"',
  });
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

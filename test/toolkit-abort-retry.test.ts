/**
 * retry around abortable: an abort means stop. The reason of an aborted signal that abortable throws
 * is never retried (else, the signal staying aborted, `times: Infinity` retried it for ever).
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { abortable, delay, fn, program, retry, run, spawn } from "../src/index.js";
import { events, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

/** A task that aborts `c` with `reason` after `ms` of the run's clock (code inside the run). */
const abortAfter = fn(function* abortAfter(c: AbortController, ms: number, reason: unknown) {
  yield* delay(ms);
  yield* mark("abort");
  c.abort(reason);
});

/** Each attempt: marked, 10 ms, then a failure worth retrying. */
function flaky() {
  let attempts = 0;
  const p = program(function* attempt() {
    const n = ++attempts;
    yield* mark(`attempt ${n}`);
    try {
      yield* delay(10);
      throw new Error(`flaky ${n}`);
    } finally {
      yield* mark(`attempt ${n} finally`);
    }
  });
  return { p, attempts: () => attempts };
}

/** retry { times: Infinity, delay: 5 } of abortable(p, signal), an abort at 32 ms; what was decided. */
function abortedRetry(reason: unknown) {
  const c = new AbortController();
  const f = flaky();
  const retried: string[] = [];
  const asked: string[] = [];
  const main = program(function* () {
    yield* spawn(abortAfter(c, 32, reason));
    return yield* retry(abortable(f.p, c.signal), {
      times: Number.POSITIVE_INFINITY,
      delay: 5,
      while: (e) => {
        asked.push(e instanceof Error ? e.message : String(e));
        return true;
      },
      onRetry: (attempt, e) => {
        retried.push(`${attempt}: ${e instanceof Error ? e.message : String(e)}`);
        // (a guard: the old code retried the abort for ever, each retry 5 ms of simulated time)
        if (attempt > 50) throw new Error("still retrying after the abort");
      },
    });
  });
  const r = run(main, { handlers: TK() });
  return { r, attempts: f.attempts(), retried, asked };
}

const timeline = [
  "0: attempt 1",
  "10: attempt 1 finally",
  "15: attempt 2",
  "25: attempt 2 finally",
  "30: attempt 3",
  "32: abort",
  "32: attempt 3 finally",
];

test("retry(abortable(p, signal), { times: Infinity }): an abort stops it — the reason thrown after exactly 3 attempts, `while` never asked about it", () => {
  const reason = new Error("shutdown");
  const { r, attempts, retried, asked } = abortedRetry(reason);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? null : r.error, reason);
  assert.equal(attempts, 3);
  assert.deepEqual(retried, ["1: flaky 1", "2: flaky 2"]);
  assert.deepEqual(asked, ["flaky 1", "flaky 2"]);
  assert.deepEqual(events, timeline);
});

test('retry(abortable(…)): a primitive reason (abort("shutdown")) stops it too, after exactly 3 attempts', () => {
  const { r, attempts, retried, asked } = abortedRetry("shutdown");
  assert.equal(r.ok, false);
  assert.equal(r.ok ? null : r.error, "shutdown");
  assert.equal(attempts, 3);
  assert.deepEqual(retried, ["1: flaky 1", "2: flaky 2"]);
  assert.deepEqual(asked, ["flaky 1", "flaky 2"]);
  assert.deepEqual(events, timeline);
});

test("retry(abortable(…)): abort() with no reason (its AbortError DOMException) stops it, after exactly 3 attempts", () => {
  const { r, attempts, retried } = abortedRetry(undefined);
  assert.equal(r.ok, false);
  const e = r.ok ? null : (r.error as DOMException);
  assert.equal(e?.name, "AbortError");
  assert.equal(attempts, 3);
  assert.deepEqual(retried, ["1: flaky 1", "2: flaky 2"]);
});

test("retry(abortable(…)): a signal aborted before → no attempt, no retry: the reason at once", () => {
  const c = new AbortController();
  c.abort("gone");
  const f = flaky();
  let retries = 0;
  const r = run(
    retry(abortable(f.p, c.signal), {
      times: Number.POSITIVE_INFINITY,
      onRetry: () => {
        if (++retries > 50) throw new Error("still retrying after the abort"); // (the old code: for ever)
      },
    }),
    { handlers: TK() },
  );
  assert.equal(r.ok ? null : r.error, "gone");
  assert.equal(f.attempts(), 0);
  assert.equal(retries, 0);
});

test("retry(abortable(p, signal)): p itself failing with the signal's reason (it listens to the signal too) is not retried either", () => {
  const c = new AbortController();
  const reason = new Error("client went away");
  let attempts = 0;
  let retries = 0;
  // (as a fetch given the signal: the program ends with signal.reason, before abortable's own listener is applied)
  const p = program(function* listening() {
    attempts++;
    yield* delay(10);
    c.abort(reason);
    throw c.signal.reason;
  });
  const r = run(retry(abortable(p, c.signal), { times: 3, onRetry: () => void retries++ }), {
    handlers: TK(),
  });
  assert.equal(r.ok ? null : r.error, reason);
  assert.equal(attempts, 1);
  assert.equal(retries, 0);
});

test("retry: other failures are still retried, also a primitive other than an abort reason, and an abort reason's class", () => {
  const c = new AbortController();
  c.abort(new Error("shutdown"));
  run(
    abortable(
      program(function* () {}),
      c.signal,
    ),
    { handlers: TK() },
  ); // (noted: that object only)
  let attempts = 0;
  const r = run(
    retry(
      program(function* () {
        attempts++;
        if (attempts === 1) throw "other";
        if (attempts === 2) throw new Error("shutdown"); // (equal message, another object)
        return attempts;
      }),
      { times: 5 },
    ),
    { handlers: TK() },
  );
  assert.equal(r.ok ? r.value : r.error, 3);
});

// (an abort means stop there too: the reason thrown unchanged, as from an attempt, where it was an
// Error of retry's whose cause was the attempt's failure and whose optionError was the reason)
test("retry: the reason abortable throws in onRetry's program (an Error, or a primitive) passes as it is: no wait, no attempt after", () => {
  for (const reason of [new Error("shutdown"), "shutdown"]) {
    events.length = 0;
    const c = new AbortController();
    const f = flaky();
    const main = program(function* () {
      yield* spawn(abortAfter(c, 12, reason));
      return yield* retry(f.p, {
        times: 3,
        delay: 5,
        onRetry: () =>
          abortable(
            program(function* report() {
              yield* mark("report");
              yield* delay(20);
              yield* mark("reported");
            }),
            c.signal,
          ),
      });
    });
    const r = run(main, { handlers: TK() });
    assert.equal(r.ok ? null : r.error, reason);
    assert.equal(f.attempts(), 1);
    assert.deepEqual(events, ["0: attempt 1", "10: attempt 1 finally", "10: report", "12: abort"]);
  }
});

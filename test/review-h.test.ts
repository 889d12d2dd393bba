/**
 * Second-opinion review of abortable's shared listener + CANCEL_ONLY, concurrencyLimiter, retry's
 * hopeless errors and observe's task hook, taken together (each was reviewed alone).
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import {
  abortable,
  AsyncRequiredError,
  CreateExternalPromise,
  concurrencyLimited,
  concurrencyLimiter,
  createPromise,
  delay,
  Effect,
  answer,
  getRunContext,
  type Handler,
  observe,
  program,
  retry,
  run,
  realTime,
  runAsync,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  TimeoutError,
  wait,
} from "../src/index.js";
import { assertErr, assertOk } from "./sched-helpers.js";
import { TK } from "./toolkit-helpers.js";

test("abortable: two calls on one signal, the first ends before the abort: the second is still aborted; no listener is left", () => {
  const c = new AbortController();
  const reason = new Error("gone");
  const log: string[] = [];
  const main = program(function* () {
    const a = yield* spawn(abortable(delay(1), c.signal));
    const b = yield* spawn(
      abortable(
        program(function* () {
          try {
            yield* delay(10);
            log.push("b done");
          } finally {
            log.push("b finally");
          }
        }),
        c.signal,
      ),
    );
    yield* wait(a);
    log.push(`listeners ${getEventListeners(c.signal, "abort").length}`);
    yield* delay(2);
    c.abort(reason); // from inside the run: b's promise completed, applied at the next step
    try {
      yield* wait(b);
    } catch (e) {
      log.push(e === reason ? "b: reason" : `b: ${String(e)}`);
    }
    return getEventListeners(c.signal, "abort").length;
  });
  assertOk(run(main, { handlers: TK() }), 0);
  assert.deepEqual(log, ["listeners 1", "b finally", "b: reason"]);
});

test("abortable: one signal, calls in two runs at once: an abort ends both, each with the reason", async () => {
  const c = new AbortController();
  const reason = new Error("shutdown");
  const hang = program(function* () {
    const p = yield* createPromise<number>();
    return yield* wait(p.future);
  });
  const r1 = runAsync(abortable(hang, c.signal), { handlers: [scheduler] });
  const r2 = runAsync(abortable(hang, c.signal), { handlers: [scheduler] });
  await new Promise((r) => setImmediate(r));
  assert.equal(getEventListeners(c.signal, "abort").length, 1);
  c.abort(reason);
  const [a, b] = await Promise.all([r1, r2]);
  assert.equal(a.ok ? null : a.error, reason);
  assert.equal(b.ok ? null : b.error, reason);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
});

test("abortable: the signal aborted by a handler while abortable makes its promise (after its aborted check, before it listens): the reason is still thrown", () => {
  const c = new AbortController();
  const reason = new Error("aborted in between");
  const spy = observe([CreateExternalPromise], () => {
    c.abort(reason);
  });
  const hang = program(function* () {
    const p = yield* createPromise<number>();
    return yield* wait(p.future);
  });
  const r = run(abortable(hang, c.signal), { handlers: [scheduler, spy] });
  assert.equal(r.ok ? null : r.error, reason);
});

test("concurrencyLimited waiting inside abortable under run, the slot held by another run: AsyncRequiredError naming the limiter, not a DeadlockError", () => {
  const l = concurrencyLimiter({ limit: 1 });
  assert.equal(l.tryTake(), true); // held by "another run"
  const c = new AbortController();
  const r = run(abortable(concurrencyLimited(l, delay(1)), c.signal), { handlers: TK() });
  const e = assertErr(r, AsyncRequiredError) as Error;
  assert.match(e.message, /concurrencyLimiter\(\{ limit: 1 \}\)/);
  assert.equal(l.waiting, 0);
  assert.equal(getEventListeners(c.signal, "abort").length, 0);
  l.release();
  assert.equal(l.inFlight, 0);
});

test("retry (times: Infinity) around concurrencyLimited whose slot another run holds, under run: AsyncRequiredError at once, one attempt", () => {
  const l = concurrencyLimiter({ limit: 1 });
  assert.equal(l.tryTake(), true);
  let attempts = 0;
  const attempt = program(function* () {
    attempts++;
    return yield* concurrencyLimited(l, delay(1));
  });
  assertErr(run(retry(attempt, { times: Number.POSITIVE_INFINITY }), { handlers: TK() }), AsyncRequiredError);
  assert.equal(attempts, 1);
  assert.equal(l.waiting, 0);
  l.release();
});

test("timeout around a limiter waiter: TimeoutError, the waiter leaves the queue, the slot goes on to the next", () => {
  const l = concurrencyLimiter({ limit: 1 });
  const log: string[] = [];
  const main = program(function* () {
    const holder = yield* spawn(concurrencyLimited(l, delay(10)));
    yield* delay(1);
    try {
      yield* timeout(concurrencyLimited(l, delay(1)), 2);
    } catch (e) {
      log.push(e instanceof TimeoutError ? "timeout" : String(e));
    }
    log.push(`waiting ${l.waiting}`);
    const next = yield* spawn(
      concurrencyLimited(
        l,
        program(function* () {
          log.push("next in");
        }),
      ),
    );
    yield* wait(holder);
    yield* wait(next);
    return l.inFlight;
  });
  assertOk(run(main, { handlers: [scheduler, simulatedTime()] }), 0);
  assert.deepEqual(log, ["timeout", "waiting 0", "next in"]);
});

test("limiter.take() in a run that ended without releasing; a later run waits; release() called after the first run hands it the slot", async () => {
  const l = concurrencyLimiter({ limit: 1 });
  const first = run(l.take(), { handlers: [scheduler] });
  const release = assertOk(first) as () => void;
  const second = runAsync(
    concurrencyLimited(
      l,
      program(function* () {
        return "in";
      }),
    ),
    { handlers: [scheduler] },
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(l.waiting, 1);
  release();
  assertOk(await second, "in");
  assert.equal(l.inFlight, 0);
});

test("abortable aborted while its program waits for a limiter slot: the waiter leaves the queue", async () => {
  const l = concurrencyLimiter({ limit: 1 });
  assert.equal(l.tryTake(), true);
  const c = new AbortController();
  const reason = new Error("client gone");
  const r = runAsync(abortable(concurrencyLimited(l, delay(1)), c.signal), {
    handlers: [scheduler, realTime],
  });
  await new Promise((res) => setImmediate(res));
  assert.equal(l.waiting, 1);
  c.abort(reason);
  const x = await r;
  assert.equal(x.ok ? null : x.error, reason);
  assert.equal(l.waiting, 0);
  l.release();
  assert.equal(l.inFlight, 0);
});

test("abortable around retry (times: Infinity, a delay): the abort cancels it mid-delay; the finalizing cancel is not retried", () => {
  const c = new AbortController();
  const reason = new Error("stop");
  let attempts = 0;
  const flaky = program(function* () {
    attempts++;
    if (attempts === 3) c.abort(reason);
    throw new Error("flaky");
  });
  const r = run(abortable(retry(flaky, { times: Number.POSITIVE_INFINITY, delay: 5 }), c.signal), {
    handlers: TK(),
  });
  assert.equal(r.ok ? null : r.error, reason);
  assert.equal(attempts, 3);
});

class Ping extends Effect<string> {
  declare readonly _tag: "Ping";
}
const pong = answer(Ping, () => "pong");

test("observe: a callback that starts a nested run with the same observer; the observer twice in one chain: every callback gets its own run's context and task", () => {
  const seen: string[] = [];
  let depth = 0;
  const obs: Handler<undefined> = observe([Ping], (_e, ctx, task) => {
    seen.push(
      `${depth} ${task === null ? "null" : `${task.id}/${task.parent}`} ${ctx === outerCtx ? "outer" : "inner"}`,
    );
    if (depth === 0) {
      depth++;
      const inner = run(
        program(function* () {
          const t = yield* spawn(ping);
          return yield* wait(t);
        }),
        { handlers: [scheduler, pong, obs] },
      );
      depth--;
      assert.equal(inner.ok, true);
    }
  });
  let outerCtx: unknown = null;
  const ping = program(function* () {
    return yield* new Ping();
  });
  const main = program(function* () {
    outerCtx = yield* getRunContext();
    const t = yield* spawn(ping);
    return yield* wait(t);
  });
  assertOk(run(main, { handlers: [scheduler, pong, obs, obs] }), "pong");
  assert.deepEqual(seen, ["0 1/0 outer", "1 1/0 inner", "0 1/0 outer", "1 1/0 inner"]);
});

test("observe: a run aborted between the hook and the invocation (traced: its step callback aborts it) leaves the hook's finding; another run's invocation of the same effect object does not take it", () => {
  const X = new Ping();
  const got: unknown[] = [];
  const obs = observe([Ping], (_e, ctx) => {
    got.push(ctx);
  });
  let inNested = false;
  // before each step of the outer run: a run of the same effect object, aborted by its own step
  // callback right after observe's hook found the effect (its 4th step line) and before the invocation
  const nested = () => {
    if (inNested) return;
    inNested = true;
    const c = new AbortController();
    let n = 0;
    const r = run(
      program(function* () {
        return yield* X;
      }),
      {
        handlers: [pong, obs],
        signal: c.signal,
        trace: {
          steps: () => {
            if (++n === 4) c.abort();
          },
        },
      },
    );
    assert.equal(r.ok, false);
    inNested = false;
  };
  let outerCtx: unknown = null;
  const r = run(
    program(function* () {
      outerCtx = yield* getRunContext();
      return yield* X;
    }),
    { handlers: [pong, obs], trace: { steps: nested } },
  );
  assertOk(r, "pong");
  assert.equal(got.length, 1);
  assert.equal(got[0], outerCtx);
});

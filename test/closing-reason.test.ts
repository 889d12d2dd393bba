/**
 * closingReason() (vm/introspect.ts): asked in a `finally` block, why the program is being closed.
 * A user-written tracing wrapper around a program tells "the handler of my effect threw" (a `handle`
 * handler whose own code threw abandons the program up to its `withHandler`: no `try` in the
 * program sees the error) from "my program was cancelled" (a task cancelled, a timeout, an abort, a
 * handler that returned without resuming), and both from a body that returned or threw by itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnyProgramLike,
  awaitPromise,
  cancel,
  type ClosingReason,
  closingReason,
  delay,
  Effect,
  handle,
  type Handler,
  program,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  spawn,
  timeout,
  TimeoutError,
  transfer,
  wait,
} from "../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

/** A span-like wrapper: records how `p` ended — returned, threw, or closed with closingReason's answer. */
function traced<P extends AnyProgramLike>(seen: string[], name: string, p: P) {
  return program(function* traced() {
    let ended = false;
    try {
      const v = yield* p;
      ended = true;
      seen.push(`${name}: returned`);
      return v;
    } catch (e) {
      ended = true;
      seen.push(`${name}: threw ${(e as Error).message}`);
      throw e;
    } finally {
      const why: ClosingReason | null = yield* closingReason();
      if (!ended) seen.push(`${name}: ${why === null ? "null" : show(why)}`);
      else if (why !== null) seen.push(`${name}: closing ${show(why)} after it ended`); // never
    }
  });
}
const show = (why: ClosingReason) => (why.status === "threw" ? `threw ${String(why.error)}` : why.status);

test("closingReason: a handle handler whose own code threw abandons the program: threw, with its error", async () => {
  const seen: string[] = [];
  const db = handle(Query, function* db(q, k) {
    const rows = yield* awaitPromise(() => Promise.reject(new Error(`db down: ${q.sql}`)));
    return yield* transfer(k, rows);
  });
  const r = await runAsync(traced(seen, "query", new Query("select 1")), {
    handlers: [scheduler, realTime, db],
  });
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).message, "db down: select 1");
  assert.deepEqual(seen, ["query: threw Error: db down: select 1"]);
});

test("closingReason: the same under run, a handler throwing synchronously", () => {
  const seen: string[] = [];
  const boom = new Error("no connection");
  const db = handle(Query, () => {
    throw boom;
  });
  const r = run(traced(seen, "query", new Query("select 1")), { handlers: [db] });
  assert.equal(r.error, boom);
  assert.deepEqual(seen, ["query: threw Error: no connection"]);
});

test("closingReason: a cancelled task, a timeout, an aborted run, a handler that did not resume: cancelled", async () => {
  const seen: string[] = [];
  const main = program(function* () {
    const t = yield* spawn(traced(seen, "task", delay(100)));
    yield* delay(1);
    yield* cancel(t);
    yield* safe(wait(t));
    const r = yield* safe(timeout(traced(seen, "slow call", delay(100)), 10));
    return r.ok ? "no" : r.error instanceof TimeoutError;
  });
  assert.equal(run(main, { handlers: [scheduler, simulatedTime()] }).value, true);
  // a handler that returns a value without resuming ends its withHandler with that value
  const early = handle(Query, function* () {
    return "cached";
  });
  const r = run(traced(seen, "abandoned", new Query("q")), { handlers: [early] });
  assert.equal(r.value, "cached");
  const controller = new AbortController();
  const aborted = runAsync(
    traced(
      seen,
      "aborted",
      awaitPromise(() => new Promise(() => {})),
    ),
    { handlers: [scheduler, realTime], signal: controller.signal },
  );
  setTimeout(() => controller.abort(new Error("shutdown")), 1);
  assert.equal(((await aborted).error as Error).message, "shutdown");
  assert.deepEqual(seen, [
    "task: cancelled",
    "slow call: cancelled",
    "abandoned: cancelled",
    "aborted: cancelled",
  ]);
});

test("closingReason: null when the body returned or threw by itself, when the handler ended by transfer, and outside a finally", () => {
  const seen: string[] = [];
  const answered = handle(Query, (q, k) => transfer(k, `rows of ${q.sql}`));
  const r = run(
    program(function* () {
      const v = yield* traced(seen, "ok", new Query("a"));
      const e = yield* safe(
        traced(
          seen,
          "failing",
          program(function* () {
            throw new Error("bad input");
          }),
        ),
      );
      return [v, e.ok, yield* closingReason()];
    }),
    { handlers: [answered] },
  );
  assert.deepEqual(r.value, ["rows of a", false, null]);
  assert.deepEqual(seen, ["ok: returned", "failing: threw bad input"]);
  // a handler's own finally, closed as it ends by transfer: not abandoned
  const whys: unknown[] = [];
  const h: Handler = function* h(_e: unknown, k) {
    try {
      return yield* transfer(k, "x");
    } finally {
      whys.push(yield* closingReason());
    }
  };
  assert.equal(run(new Query("q"), { handlers: [h] }).value, "x");
  assert.deepEqual(whys, [null]);
});

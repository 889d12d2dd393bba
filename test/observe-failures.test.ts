/**
 * observe's outcome when the handling of an effect fails outside the perform site: a `handle`
 * handler whose own code throws (a database handler whose `awaitPromise` rejected, with no
 * try/catch) ends its `withHandler` with that error and abandons the program. An SRE's span for
 * that query must say what failed — `{ status: "threw", error }` with the database's error — not
 * "cancelled", which is kept for an effect whose task was cancelled, whose run was aborted, or whose
 * handler returned without answering.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  delegate,
  Effect,
  type EffectOutcome,
  handle,
  observe,
  program,
  realTime,
  run,
  runAsync,
  safe,
  scheduler,
  simulatedTime,
  transfer,
  transferWith,
  fn,
  forEach,
  awaitPromise,
  delay,
} from "../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

const outcomes = (into: string[]) =>
  observe([Query], (q) => (o: EffectOutcome) => {
    into.push(`${q.sql}: ${o.status}${o.status === "threw" ? ` ${String(o.error)}` : ""}`);
  });

test("observe: a handler whose own code threw (in a spawned task, after an await) reports threw with its error", async () => {
  const seen: string[] = [];
  const db = handle(Query, function* db(q, k) {
    // the driver's promise rejects: the error is thrown here, in the handler, not at the perform site
    const rows = yield* awaitPromise(() =>
      q.sql.includes("boom") ? Promise.reject(new Error(`db failed: ${q.sql}`)) : Promise.resolve("rows"),
    );
    return yield* transfer(k, rows);
  });
  const main = program(function* () {
    return yield* safe(all([new Query("orders"), new Query("boom")]));
  });
  const r = await runAsync(main, { handlers: [scheduler, realTime, db, outcomes(seen)] });
  assert.equal(r.ok, true);
  assert.equal(r.value.ok, false);
  assert.equal((r.value as { error: Error }).error.message, "db failed: boom");
  assert.deepEqual(seen, ["orders: answered", "boom: threw Error: db failed: boom"]);
});

test("observe: the error of a handler further out, reached through delegate, is the one reported", () => {
  const seen: string[] = [];
  const boom = new Error("pool exhausted");
  const pool = handle(Query, function* pool() {
    throw boom;
  });
  // a middle handler that asks the one outside it and answers with what it gets
  const cache = handle(Query, function* cache(_q, k) {
    const rows = (yield* delegate()) as string;
    return yield* transfer(k, rows);
  });
  const r = run(new Query("x"), { handlers: [pool, cache, outcomes(seen)] });
  assert.equal(r.error, boom);
  assert.deepEqual(seen, ["x: threw Error: pool exhausted"]);
});

test("observe: cancellations stay cancelled — a task cancelled, a run aborted, a handler that returned without answering", async () => {
  const seen: string[] = [];
  const slowDb = handle(Query, function* slowDb(q, k) {
    yield* delay(q.sql.length * 10);
    return yield* transfer(k, "rows");
  });
  // all's first failure cancels the sibling still waiting for its query
  const failing = program(function* () {
    yield* delay(5);
    throw new Error("sibling failed");
  });
  const main = program(function* () {
    return yield* safe(all([new Query("long query"), failing]));
  });
  run(main, { handlers: [scheduler, simulatedTime(), slowDb, outcomes(seen)] });
  assert.deepEqual(seen, ["long query: cancelled"]);

  // the run's signal aborts it while the query waits
  const aborted: string[] = [];
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("shutdown")), 5);
  const ra = await runAsync(new Query("x".repeat(1000)), {
    handlers: [scheduler, realTime, slowDb, outcomes(aborted)],
    signal: controller.signal,
  });
  assert.equal((ra.error as Error).message, "shutdown");
  assert.deepEqual(aborted, [`${"x".repeat(1000)}: cancelled`]);

  // a handler that ends the program with a value of its own (a circuit breaker) answers nothing
  const breaker: string[] = [];
  const open = handle(Query, function* open() {
    return "circuit open";
  });
  const rb = run(new Query("y"), { handlers: [open, outcomes(breaker)] });
  assert.equal(rb.value, "circuit open");
  assert.deepEqual(breaker, ["y: cancelled"]);
});

test("a handler that answers with transferWith(k, program) whose program throws: the traceback is the one without observe (observe neither ✗ nor on the effect line), the span 'threw'", () => {
  const runQuery = fn(function* runQuery(sql: string) {
    yield* delay(10);
    if (sql.includes("3")) throw new Error(`query failed: ${sql}`);
    return `rows of ${sql}`;
  });
  const db = handle(Query, function* db(e, k) {
    return yield* transferWith(k, runQuery(e.sql));
  });
  const fetchOne = fn(function* fetchOne(id: number) {
    return yield* new Query(`select ${id}`);
  });
  const main = program(function* main() {
    return yield* forEach([1, 3], fetchOne, { concurrency: 2 });
  });
  const seen: string[] = [];
  const plain = run(main, { handlers: [scheduler, simulatedTime(), db] });
  const observed = run(main, { handlers: [scheduler, simulatedTime(), db, outcomes(seen)] });
  assert.equal(
    observed.format().replace(/(thrown at test\/observe-failures\.test\.ts):\d+/, "$1:N"),
    [
      "doeff traceback (outermost first):",
      "  main",
      "  forEach",
      "  ── in task 2 ──",
      "  fetchOne",
      '  handler db for Query("select 3") ⇢',
      "  runQuery",
      "  thrown at test/observe-failures.test.ts:N",
      "Error: query failed: select 3",
    ].join("\n"),
  );
  assert.equal(observed.format(), plain.format());
  assert.deepEqual(seen, ["select 1: answered", "select 3: threw Error: query failed: select 3"]);
  // observe around the whole run too (listed before the handler: it sees nothing of the tasks')
  const direct = run(fetchOne(3), { handlers: [scheduler, simulatedTime(), db, outcomes([])] });
  assert.equal(direct.format(), run(fetchOne(3), { handlers: [scheduler, simulatedTime(), db] }).format());
});

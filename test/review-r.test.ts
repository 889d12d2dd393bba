/**
 * Review of two merged changes (review-r): the warning for tasks main returned before they started
 * (scheduler-unstarted.ts), and user-effect's traceback changes (an observe out of a report when an
 * outer handler's transferWith program throws; the message for a yielded Error).
 */
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { test } from "node:test";
import {
  cede,
  DoeffError,
  delay,
  delegate,
  Effect,
  type EffectOutcome,
  fn,
  type Handler,
  handle,
  observe,
  program,
  resume,
  run,
  scheduler,
  simulatedTime,
  spawn,
  transferWith,
  type WarningInfo,
  withHandler,
} from "../src/index.js";
import { assertOk, withSCH } from "./sched-helpers.js";

const yielding = (v: unknown) =>
  program(function* () {
    yield v as never;
  });
const yieldedMessage = (v: unknown) => (run(yielding(v)).error as TypeError).message;

test("a yielded error's message: grammatical for every class, its base class when minified, no recover hint across realms", () => {
  const hint = (name: string) =>
    `yielded an error (${name}); to fail, throw it: \`throw error\` (caught by try/catch, safe or recover(program, ${name}, f))`;
  // was "yielded a Error error", "yielded a AggregateError error"
  assert.equal(yieldedMessage(new Error("x")), hint("Error"));
  assert.equal(yieldedMessage(new AggregateError([], "x")), hint("AggregateError"));
  assert.equal(yieldedMessage(new DOMException("x", "AbortError")), hint("DOMException"));
  class UserNotFound extends Error {}
  assert.equal(yieldedMessage(new UserNotFound("x")), hint("UserNotFound"));
  // a minifier's class name (`t`), which recover would not find in the user's source: the base's
  class t extends TypeError {}
  assert.equal(yieldedMessage(new t("x")), hint("TypeError"));
  class Ot extends Error {
    static displayName = "Ot"; // named on purpose: stands
  }
  assert.equal(yieldedMessage(new Ot("x")), hint("Ot"));
  // an Error of another realm (node:vm, Jest's environment) is one too: was "yielded Error object,
  // which is not an Effect, Program or primitive"; recover's instanceof would not match it
  const foreign = "; to fail, throw it: `throw error` (caught by try/catch or safe)";
  assert.equal(
    yieldedMessage(runInNewContext("new RangeError('x')")),
    `yielded an error (RangeError)${foreign}`,
  );
  assert.equal(
    yieldedMessage(runInNewContext("class QueryFailed extends Error {}; new QueryFailed('x')")),
    `yielded an error (QueryFailed)${foreign}`,
  );
  // an object that only looks like one is not
  assert.match(yieldedMessage({ name: "Error", message: "x" }), /^yielded object, which is not an Effect/);
});

/** the never-ran warning's messages (scheduler-unstarted.ts) */
const waitFix = (it: string) =>
  `wait for ${it} before main returns (\`yield* wait(task)\`, or gather ${it}), in a test end main with \`yield* quiescent()\`, or spawn a task that should not outlive its block in \`scoped(…)\``;
const inFinally = "do that work in the finally block itself (its effects that do not block still run there)";

test("a task a finally block spawned as the run ended: named so, told to do the work in the finally block (main could not have waited for it)", () => {
  const flushed: string[] = [];
  const flush = fn(function* flush() {
    flushed.push("flushed");
  });
  const poller = fn(function* poller() {
    try {
      for (;;) yield* delay(1000);
    } finally {
      yield* spawn(flush()); // as R9 cancels it: task 2, spawned after main returned
    }
  });
  const told: [string, WarningInfo][] = [];
  const r = run(
    program(function* () {
      yield* spawn(poller());
      yield* cede(); // task 1 starts and blocks
      return "done";
    }),
    { ...withSCH(), onWarning: (e, info) => told.push([(e as Error).message, info]) },
  );
  assertOk(r, "done");
  assert.deepEqual(flushed, []);
  const message = `task 2 (flush, spawned by task 1 as the run ended) was spawned after main returned, by a finally block that ending the run ran, and a task spawned then is cancelled before it runs any code: ${inFinally}`;
  const where = "task 2 (flush, spawned by task 1 as the run ended) never ran: spawned as the run ended";
  // was "main returned before task 2 (flush, spawned by task 1) started, … wait for it before main returns"
  assert.deepEqual(told, [[message, { where, status: "final" }]]);
  assert.deepEqual(
    r.warnings.map((e) => [(e as Error).constructor, (e as Error).message]),
    [[DoeffError, message]],
  );

  // with a task main forgot too: one warning, the late one named as such, both fixes said
  const r2 = run(
    program(function* () {
      yield* spawn(poller());
      yield* cede();
      yield* spawn(flush()); // task 2: main's own mistake
      return "done";
    }),
    withSCH(),
  );
  assert.deepEqual(
    r2.warnings.map((e) => (e as Error).message),
    [
      `main returned before task 2 (flush), task 3 (flush, spawned by task 1 as the run ended) started, so ending the run cancelled them before they ran any code: ${waitFix("them")}; for a task spawned as the run ended, by a finally block, ${inFinally}`,
    ],
  );
  assert.equal(
    r2.format().split("\n").at(-1)!.split(": DoeffError")[0],
    "2 tasks never ran: main returned before they started",
  );
});

test("a task spawned as `spawn(withHandler(h, audit()))` is named by its program (was anonymous: `task 1`)", () => {
  class Lookup extends Effect<number> {
    declare readonly _tag: "Lookup";
  }
  const lookup = handle(Lookup, function* lookup(_e, k) {
    return yield* resume(k, 1);
  });
  const audit = fn(function* audit() {
    yield* new Lookup();
  });
  const r = run(
    program(function* () {
      yield* spawn(withHandler(lookup, audit()));
      yield* spawn(withHandler(lookup, withHandler(lookup, audit())));
      return 0;
    }),
    withSCH(),
  );
  assert.deepEqual(
    r.warnings.map((e) => (e as Error).message),
    [
      `main returned before task 1 (audit), task 2 (audit) started, so ending the run cancelled them before they ran any code: ${waitFix("them")}`,
    ],
  );
});

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

test("observe between a delegating handler and one answering with transferWith(k, program) that throws: the report is the one without observe (the delegator ✗ and the effect's line kept)", () => {
  const runQuery = fn(function* runQuery(sql: string) {
    yield* delay(10);
    throw new Error(`query failed: ${sql}`);
  });
  const db = handle(Query, function* db(e, k) {
    return yield* transferWith(k, runQuery(e.sql));
  });
  // a handler that hands the effect on (a cache that missed) and returns what came back
  const cache = handle(Query, function* cache() {
    return yield* delegate();
  });
  const spans: string[] = [];
  const span = (name: string) =>
    observe([Query], (q) => (o: EffectOutcome) => {
      spans.push(`${name} ${q.sql}: ${o.status}`);
    });
  const fetchOne = fn(function* fetchOne(id: number) {
    return yield* new Query(`select ${id}`);
  });
  const report = (hs: Handler<any, any, any>[]) =>
    run(fetchOne(3), { handlers: [scheduler, simulatedTime(), ...hs] })
      .format()
      .replace(/(thrown at test\/review-r\.test\.ts):\d+/, "$1:N");
  const plain = report([db, cache]);
  assert.equal(
    plain,
    [
      "doeff traceback (outermost first):",
      "  fetchOne",
      '  handler cache for Query("select 3") ✗',
      '  handler db for Query("select 3") ⇢',
      "  runQuery",
      '  effect Query("select 3"): cache ✗, db ⇢, simulatedTime ·, scheduler ·',
      "  thrown at test/review-r.test.ts:N",
      "Error: query failed: select 3",
    ].join("\n"),
  );
  // was: `handler cache for Query("select 3")` unmarked and no effect line
  assert.equal(report([db, span("a"), cache]), plain);
  assert.equal(report([db, span("a"), span("b"), cache]), plain);
  assert.equal(report([db, span("a"), cache, span("b")]), plain);
  assert.equal(report([db, cache, span("a")]), plain);
  // each span says its query threw, observe inside or outside the delegating handler
  assert.deepEqual(spans, [
    "a select 3: threw",
    "a select 3: threw",
    "b select 3: threw",
    "a select 3: threw",
    "b select 3: threw",
    "a select 3: threw",
  ]);
});

/**
 * Cookbook: structured logging, error reports and metrics (docs/observability.md, "Structured
 * logs, error reports and metrics"). Every log line is one JSON object carrying the request id and
 * the task without passing them by hand; a failure is reported as JSON data with doeff's traceback;
 * counters and gauges come from `observe` and from the toolkit's own objects. It runs on a virtual
 * clock so that its output is the same every time.
 */
import { type AnyProgramLike, all, ask, Effect, type Err, fn, getTaskInfo } from "../../src/index.js";
import { handle, local, now, observe, program, reader, type RunResult } from "../../src/index.js";
import { type Semaphore, safe, Spawn, spawn, tracebackOf, transfer } from "../../src/index.js";
import { createSemaphore, delay, withPermit } from "../../src/index.js";
import { virtualClock } from "../../src/testing/index.js";

// the service's own effect: a database query
class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

// ── The logger: one JSON object per line. The request id is read from the env (`local` sets it
// for the request and every task it spawns), the task from the scheduler, the time from the clock.
const out: string[] = []; // production: process.stdout.write(`${line}\n`), or pino's destination
const log = fn(function* log(level: "info" | "warn" | "error", msg: string, fields: object = {}) {
  const requestId = yield* ask<string>("requestId");
  const { id: task } = yield* getTaskInfo();
  out.push(JSON.stringify({ t: yield* now(), level, requestId, task, msg, ...fields }));
});

// ── An error as data for an error tracker: doeff's traceback as data — the error (class, message,
// cause; a worker's or queue job's own traceback as lines when it came from one), the chain of
// programs, tasks and handlers, the failing effect, where it was thrown — which JSON writes as is,
// one log line.
const errorData = (r: Err) => {
  const { error, chain, effect, thrownAt } = tracebackOf(r);
  return { ...error, chain, effect, thrownAt };
};

// ── Metrics: effects counted by class (observe, installed only when metrics are on: without it
// nothing is added to any step), tasks spawned, time spent waiting for a permit, and the gauge of
// callers waiting for one.
const metrics = { effects: {} as Record<string, number>, spawned: 0, permitWaitMs: 0, maxWaiting: 0 };
const counting = observe([Query, Spawn], (effect) => {
  const name = effect.constructor.name;
  metrics.effects[name] = (metrics.effects[name] ?? 0) + 1;
  if (effect instanceof Spawn) metrics.spawned++;
});

// withPermit, timed: the wait is from the call to the start of the program it guards
const timedPermit = <P extends AnyProgramLike>(sem: Semaphore, p: P) =>
  program(function* timedPermit() {
    const asked = yield* now();
    metrics.maxWaiting = Math.max(metrics.maxWaiting, sem.waiting + 1);
    return yield* withPermit(
      sem,
      program(function* permitted() {
        metrics.permitWaitMs += (yield* now()) - asked;
        return yield* p;
      }),
    );
  });

// ── The service: a query effect answered by a handler that takes time (and logs: the handler's
// `ask` sees the env of the task that performed the query), a connection pool of 2.
const db = handle(Query, function* db(q, k) {
  yield* delay(10);
  if (q.sql.includes("missing")) throw new Error(`no table in: ${q.sql}`, { cause: { code: "42P01" } });
  yield* log("info", "query", { sql: q.sql, ms: 10 });
  return yield* transfer(k, `rows of ${q.sql}`);
});

const handleRequest = fn(function* handleRequest(pool: Semaphore, user: string) {
  yield* log("info", "start", { user });
  const rows = yield* all([
    timedPermit(pool, new Query(`orders of ${user}`)),
    timedPermit(pool, new Query(`${user === "bob" ? "missing" : "invoices"} of ${user}`)),
  ]);
  // a fire-and-forget task of the request: it logs with the request's id as well
  yield* spawn(log("info", "audit written", { rows: rows.length }));
  return rows.length;
});

// one request: its id in the env, its failure logged as data (the run goes on serving the others)
const serve = (pool: Semaphore, requestId: string, user: string) =>
  local(
    { requestId },
    program(function* serve() {
      const r = yield* safe(handleRequest(pool, user));
      if (r.ok) yield* log("info", "done", { rows: r.value });
      else yield* log("error", "request failed", { error: errorData(r) });
      return r.ok;
    }),
  );

// ── A server's run: two requests at once, sharing the pool. In production: runAsync(…, { handlers:
// [scheduler, realTime, reader, db, ...(metricsOn ? [counting] : [])] }).
const clock = virtualClock();
const main = program(function* main() {
  const pool = yield* createSemaphore(2);
  return yield* all([serve(pool, "req-1", "ada"), serve(pool, "req-2", "bob")]);
});
const result: RunResult<boolean[]> = clock.run(main, {
  handlers: [reader, db, counting],
  env: { requestId: "-" },
});

for (const line of out) console.log(line);
// the run's own outcome, and what it kept beside it (errors no program received) even when it succeeded
console.log(JSON.stringify({ ok: result.ok, value: result.value, warnings: result.warnings.length }));
console.log(JSON.stringify(metrics));

// failure-report.ts: Effect.withSpan and Cause.pretty — observe, and a failed run's format()
import {
  delay,
  Effect,
  fn,
  forEach,
  handle,
  observe,
  program,
  retry,
  run,
  scheduler,
  simulatedTime,
  transferWith,
} from "../../src/index.js";

class Query extends Effect<string> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}
class DbError extends Error {
  constructor(
    readonly sql: string,
    options?: ErrorOptions,
  ) {
    super(`query failed: ${sql}`, options);
  }
}

const runQuery = fn(function* runQuery(sql: string) {
  yield* delay(10);
  if (sql.endsWith("3")) throw new DbError(sql, { cause: new Error("ECONNRESET") });
  return `rows of ${sql}`;
});
const db = handle(Query, (e, k) => transferWith(k, runQuery(e.sql)));

const fetchOne = fn(function* fetchOne(id: number) {
  return yield* new Query(`select ${id}`);
});
const main = program(function* main() {
  return yield* forEach([1, 2, 3], (id) => retry(fetchOne(id), { times: 1 }), { concurrency: 2 });
});

// Effect.withSpan: a span per Query, ended with how the query ended (installed last: in every task)
const spans: string[] = [];
const tracing = observe([Query], (q) => (outcome) => void spans.push(`${q.sql}: ${outcome.status}`));

const r = run(main, { handlers: [scheduler, simulatedTime(), db, tracing], trace: { sites: true } });
console.log(spans.join("\n"));
console.log(r.format()); // Cause.pretty: where it failed, in your code

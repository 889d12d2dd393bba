import { all, ask, Delay, delay, Effect, fn, getTaskInfo, handle, local, observe } from "../../src/index.js";
import { type AnyProgramLike, program, reader, retry, safe, TimeoutError } from "../../src/index.js";
import { timeout, transfer } from "../../src/index.js";
import { virtualClock } from "../../src/testing/index.js";

// ── A minimal tracer with the shape of OpenTelemetry's API (startSpan, setAttribute, addEvent,
// recordException, setStatus, end): replace it with trace.getTracer("shop") from @opentelemetry/api.
type Attributes = Record<string, string | number | boolean>;
const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

class Span {
  readonly attributes: Attributes = {};
  readonly events: { name: string; attributes: Attributes }[] = [];
  status: { code: number; message?: string } = { code: SpanStatusCode.UNSET };
  endTime: number | undefined;
  constructor(
    readonly spanId: string, // OTel: span.spanContext().spanId
    readonly name: string,
    readonly parent: Span | undefined,
    readonly startTime: number,
    private readonly clock: () => number,
  ) {}
  setAttribute(key: string, value: string | number | boolean): this {
    this.attributes[key] = value;
    return this;
  }
  addEvent(name: string, attributes: Attributes = {}): this {
    this.events.push({ name, attributes });
    return this;
  }
  recordException(e: { name: string; message: string; stack?: string }): void {
    const attributes = { "exception.type": e.name, "exception.message": e.message };
    this.addEvent("exception", { ...attributes, "exception.stacktrace": e.stack ?? "" });
  }
  setStatus(status: { code: number; message?: string }): this {
    this.status = status;
    return this;
  }
  end(): void {
    this.endTime ??= this.clock();
  }
}

class Tracer {
  readonly spans: Span[] = [];
  constructor(private readonly clock: () => number) {}
  // OTel: tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent))
  startSpan(name: string, options: { attributes?: Attributes } = {}, parent?: Span): Span {
    const span = new Span(String(this.spans.length + 1), name, parent, this.clock(), this.clock);
    Object.assign(span.attributes, options.attributes);
    this.spans.push(span);
    return span;
  }
}

// ── Instrumentation: the active span lives in the env, so `local` scopes it and a spawned task
// (all's, timeout's, retry's) inherits the one active where it was spawned.
const ACTIVE = "otel.span";
const metrics = { retries: 0, timeouts: 0, cancellations: 0 };

// a span around a program: the task it runs in, its error (with doeff's traceback) or its cancellation
const traced = <P extends AnyProgramLike>(tracer: Tracer, name: string, p: P) =>
  program(function* traced() {
    const task = yield* getTaskInfo();
    const span = tracer.startSpan(
      name,
      { attributes: { "doeff.task.id": task.id, "doeff.task.parent": task.parent ?? -1 } },
      yield* ask<Span | undefined>(ACTIVE),
    );
    let ended = false;
    try {
      const r = yield* safe(local({ [ACTIVE]: span }, p));
      ended = true;
      if (r.ok) return r.value;
      const e = r.error as Error;
      span.recordException({ name: e.name, message: e.message, stack: r.format() }); // the doeff traceback
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      if (e instanceof TimeoutError) metrics.timeouts++;
      throw e;
    } finally {
      if (!ended) {
        metrics.cancellations++; // cancelled by timeout / all / a run's signal: finally still runs
        span.setStatus({ code: SpanStatusCode.ERROR, message: "cancelled" });
      }
      span.end();
    }
  });

// a span for each effect of the classes listed, timed until the handler that answers it is done
const effectSpans = (tracer: Tracer) =>
  observe([Query, Delay], (effect, ctx) => {
    const span = tracer.startSpan(
      effect.constructor.name,
      {},
      ctx.current.env.get(ACTIVE) as Span | undefined,
    );
    if (effect instanceof Query) span.setAttribute("db.statement", effect.sql);
    return (outcome) => {
      if (outcome.status === "threw")
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(outcome.error) });
      if (outcome.status === "cancelled")
        span.setStatus({ code: SpanStatusCode.ERROR, message: "cancelled" });
      span.end();
    };
  });

const logs: string[] = [];
const log = fn(function* log(message: string) {
  const requestId = yield* ask<string>("requestId");
  const span = yield* ask<Span | undefined>(ACTIVE);
  span?.addEvent("log", { message });
  logs.push(`[${requestId} span ${span?.spanId}] ${message}`);
});

// ── The service: queries answered by a handler that takes time, a flaky call, a slow one.
class Query extends Effect<string[]> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}
const db = handle(Query, function* (q, k) {
  yield* delay(q.sql.length); // the handler's own work: inside the Query's span
  return yield* transfer(k, [`row of ${q.sql}`]);
});

const backoff = (attempt: number) => {
  metrics.retries++; // called before each retry only
  return 10 * attempt;
};

let pricingCalls = 0;
const pricing = fn(function* pricing() {
  yield* delay(20);
  if (++pricingCalls < 3) throw new Error("pricing: 503");
  return 42;
});

const handleRequest = (tracer: Tracer) =>
  fn(function* handleRequest(user: string) {
    yield* log(`start for ${user}`);
    const [orders, price] = yield* all([
      traced(tracer, "orders", new Query(`orders of ${user}`)),
      traced(tracer, "pricing", retry(traced(tracer, "call", pricing()), { times: 3, delay: backoff })),
    ]);
    const slow = traced(tracer, "call", delay(500)); // cancelled at the deadline
    const recs = yield* safe(traced(tracer, "recommendations", timeout(slow, 100)));
    yield* log(
      `done: ${orders.length} order(s), price ${price}, recommendations ${recs.ok ? "ok" : "timed out"}`,
    );
    return price;
  });

// ── A run, then the export: deterministic on a virtual clock here; in production the tracer's
// clock is performance.now and the run runAsync(…, { handlers: [scheduler, realTime, reader, db, effectSpans(tracer)] }).
const clock = virtualClock();
const tracer = new Tracer(() => clock.now);
const request = local({ requestId: "req-7" }, traced(tracer, "GET /checkout", handleRequest(tracer)("ada")));
const result = clock.run(request, {
  handlers: [reader, db, effectSpans(tracer)],
  env: { [ACTIVE]: undefined },
});

for (const line of logs) console.log(line);
const depth = (s: Span): number => (s.parent === undefined ? 0 : 1 + depth(s.parent));
const byParent = (p: Span | undefined) => tracer.spans.filter((s) => s.parent === p);
const print = (s: Span): void => {
  const status = s.status.code === SpanStatusCode.ERROR ? ` ERROR ${s.status.message}` : "";
  const task = s.attributes["doeff.task.id"] === undefined ? "" : ` task ${s.attributes["doeff.task.id"]}`;
  const line = `${s.spanId} ${s.name} ${s.startTime}..${s.endTime} ms${task}${status}`;
  console.log(`${"  ".repeat(depth(s))}${line}`);
  for (const c of byParent(s)) print(c);
};
for (const root of byParent(undefined)) print(root);
const failed = tracer.spans.find((s) => s.events.some((e) => e.name === "exception"));
console.log(`span ${failed?.spanId} exception.stacktrace:`);
console.log(failed?.events.find((e) => e.name === "exception")?.attributes["exception.stacktrace"]);
console.log(JSON.stringify(metrics), result.ok ? `value ${result.value}` : String(result.error));

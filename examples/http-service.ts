/**
 * A JSON service on node:http, a `runAsync` per request: what docs/cookbook.md's "An HTTP API: a run
 * per request" describes, with the parts a service adds around it:
 *  - the request's context (`requestId`, `user`) in the run's env, read with `ask`;
 *  - log lines written as they happen, with that context: `tell` in the routes, answered by a
 *    handler that writes a JSON line (a test collects the same `tell`s with `writer`);
 *  - a deadline per request (`timeout`: 504), expected failures as replies (`recover`);
 *  - a downstream call retried on a 503 or a timeout, each failed attempt logged, and at most
 *    `limit` calls in flight for the whole process: one `concurrencyLimiter` shared by every run;
 *  - a client that disconnects aborts its run: the call in flight is aborted, the limiter's slot
 *    given back, the route's `finally` runs (synchronous cleanup first: an aborted run's `finally`
 *    cannot wait for a promise, so what must be awaited is started and not awaited);
 *  - graceful shutdown: stop accepting, let the runs in flight finish within a grace period, then
 *    abort the rest.
 * Run it (`node --import tsx examples/http-service.ts`) and it serves a fake inventory service too,
 * sends itself a few requests (one client gives up mid-call), shuts down and prints what happened.
 * Its routes are tested with doeff/testing in test/example-http-service.test.ts.
 */
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import {
  answer,
  ask,
  awaitPromise,
  type ConcurrencyLimiter,
  concurrencyLimited,
  concurrencyLimiter,
  Effect,
  fn,
  handle,
  program,
  reader,
  realTime,
  recover,
  retry,
  runAsync,
  scheduler,
  Tell,
  TimeoutError,
  tell,
  timeout,
  tracebackOf,
  transfer,
  transferWith,
} from "../src/index.js";

// ── The service's I/O, as effects ────────────────────────────────────────────────────────────────
export interface User {
  id: string;
  name: string;
}
export class FindUser extends Effect<User | undefined> {
  declare readonly _tag: "FindUser";
  readonly id: string;
  constructor(id: string) {
    super();
    this.id = id;
  }
}
/** A call to the inventory service: how many of `sku` are in stock. */
export class Stock extends Effect<number> {
  declare readonly _tag: "Stock";
  readonly sku: string;
  constructor(sku: string) {
    super();
    this.sku = sku;
  }
}
export class NotFound extends Error {
  override name = "NotFound";
}
/** The inventory service answered 503. */
export class Unavailable extends Error {
  override name = "Unavailable";
}
export type Reply = { status: number; body: unknown };

// ── The routes ───────────────────────────────────────────────────────────────────────────────────
const user = fn(function* user(id: string) {
  const found = yield* new FindUser(id);
  if (found === undefined) throw new NotFound(`no user ${id}`);
  return found;
});

/** One try: 300 ms at most, in a slot of the shared limiter; a failure is logged, then rethrown. */
const tryStock = fn(function* tryStock(sku: string, limiter: ConcurrencyLimiter) {
  try {
    return yield* concurrencyLimited(limiter, timeout(new Stock(sku), 300));
  } catch (e) {
    // (a `tell` here logs every failed try, the last one too; retry's `onRetry` returning
    // `tell(…)` would log only the tries that are retried)
    yield* tell({ msg: "inventory call failed", sku, error: String(e) });
    throw e;
  }
});

const stock = fn(function* stock(sku: string, limiter: ConcurrencyLimiter) {
  // 2 retries, 100 then 200 ms apart, for a 503 or a try that timed out; anything else at once
  const count = yield* retry(tryStock(sku, limiter), {
    times: 2,
    while: (e) => e instanceof Unavailable || e instanceof TimeoutError,
    delay: (attempt) => 100 * attempt,
  });
  return { sku, count };
});

/** A request's reply; a failure not listed (a bug) fails the run, answered 500 by the server. */
export const route = fn(function* route(method: string, path: string, limiter: ConcurrencyLimiter) {
  yield* tell({ msg: "request", method, path });
  try {
    const [, kind, arg = ""] = path.split("/");
    const work =
      method !== "GET"
        ? undefined
        : kind === "users"
          ? user(arg)
          : kind === "stock"
            ? stock(arg, limiter)
            : undefined;
    if (work === undefined) return { status: 404, body: `no route ${method} ${path}` };
    const reply: Reply = yield* recover(
      timeout(
        program(function* () {
          return { status: 200, body: yield* work };
        }),
        1000,
      ),
      [NotFound, Unavailable, TimeoutError],
      (e) => ({
        status: e instanceof NotFound ? 404 : e instanceof Unavailable ? 503 : 504,
        body: e.message,
      }),
    );
    return reply;
  } finally {
    // runs however the request ends: a reply, a bug, the client gone, the shutdown's deadline
    yield* tell({ msg: "route done" });
  }
});

// ── Production handlers ──────────────────────────────────────────────────────────────────────────
export const users = new Map<string, User>([["u1", { id: "u1", name: "Ada" }]]);
const database = answer(FindUser, (e) => users.get(e.id));
/** The inventory over HTTP; the task's signal aborts the request (a try's timeout, a client gone). */
const inventory = (base: string) =>
  handle(Stock, (e, k) =>
    transferWith(
      k,
      awaitPromise(async (signal) => {
        const res = await fetch(`${base}/${e.sku}`, { signal });
        if (res.status === 503) throw new Unavailable(`inventory answered 503 for ${e.sku}`);
        return Number(await res.text());
      }),
    ),
  );
/** Each `tell` as a JSON line at once, with the request's id and user (the handler runs in the task
 * that told, so `ask` reads that request's env, inside `timeout`'s and `retry`'s tasks too). */
const jsonLines = (write: (line: string) => void) =>
  handle(Tell, function* jsonLines(e, k) {
    const requestId = yield* ask<string>("requestId");
    const user = yield* ask<string | undefined>("user");
    write(JSON.stringify({ requestId, user, ...(e.message as object) }));
    return yield* transfer(k, undefined); // not resume: it would keep a frame per line
  });

export interface ServiceOptions {
  port: number;
  inventory: string;
  /** one for the process: every request's run shares it */
  limiter: ConcurrencyLimiter;
  write: (line: string) => void;
}

/** A run per request, with its env, its signal (the client leaving, or the drain's deadline). */
export async function startService(o: ServiceOptions) {
  const handlers = [scheduler, realTime, reader, jsonLines(o.write), database, inventory(o.inventory)];
  const inflight = new Map<Promise<void>, AbortController>();
  const shutdown = new Error("shutting down"); // the reason of the runs the drain cuts
  let ids = 0;
  let draining = false;
  const server: Server = createServer((req, res) => {
    if (draining) return void res.writeHead(503, { connection: "close" }).end();
    const requestId = `req-${++ids}`;
    const stop = new AbortController(); // one per request: no AbortSignal.any (cookbook.md says why)
    res.on("close", () => res.writableFinished || stop.abort(new Error(`the client of ${requestId} left`)));
    const header = req.headers["x-user"];
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const run = runAsync(route(req.method ?? "GET", path, o.limiter), {
      handlers,
      env: { requestId, user: typeof header === "string" ? header : undefined },
      signal: stop.signal,
    }).then((r) => {
      // (while draining, a reply closes its connection: server.close() closed only the idle ones)
      const headers = { "content-type": "application/json", ...(draining ? { connection: "close" } : {}) };
      const send = (status: number, body: unknown): void =>
        void res.writeHead(status, headers).end(JSON.stringify(body));
      if (r.ok) return send(r.value.status, r.value.body);
      // an aborted run's error is its signal's reason, the very object: tell a bug from the rest
      if (r.error === shutdown) return send(503, "shutting down");
      if (stop.signal.aborted) return o.write(JSON.stringify({ requestId, msg: "client left" }));
      o.write(JSON.stringify({ requestId, msg: "failed", traceback: tracebackOf(r) }));
      send(500, "internal error");
    });
    inflight.set(run, stop);
    void run.finally(() => inflight.delete(run));
  });
  server.listen(o.port, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    /** Stop accepting; the runs in flight get `graceMs` to finish, then are aborted. */
    async close(graceMs: number) {
      draining = true;
      server.close(); // new connections refused, idle kept-alive ones closed
      const timer = setTimeout(() => {
        for (const stop of inflight.values()) stop.abort(shutdown);
      }, graceMs);
      while (inflight.size > 0) await Promise.all(inflight.keys());
      clearTimeout(timer);
    },
  };
}

// ── Run directly: a fake inventory, a few requests, a shutdown ───────────────────────────────────
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // the inventory: "apple" answers 503 once, then 7; "slow" answers only when its client gives up
  const seen: string[] = [];
  const fake = createServer((req, res) => {
    seen.push(req.url ?? "");
    if (req.url === "/slow") return void res.on("close", () => seen.push("/slow aborted"));
    if (req.url === "/apple" && seen.filter((u) => u === "/apple").length === 1)
      return void res.writeHead(503).end();
    res.end("7");
  });
  fake.listen(0, "127.0.0.1");
  await once(fake, "listening");
  const limiter = concurrencyLimiter({ limit: 10 });
  const app = await startService({
    port: 0,
    inventory: `http://127.0.0.1:${(fake.address() as { port: number }).port}`,
    limiter,
    write: (line) => console.log(`  log ${line}`),
  });
  const base = `http://127.0.0.1:${app.port}`;
  const get = async (path: string) => {
    const res = await fetch(base + path, { headers: { "x-user": "ada" } });
    console.log(`GET ${path} → ${res.status} ${await res.text()}`);
  };
  await get("/users/u1");
  await get("/users/u9");
  await get("/stock/apple");
  // a client that gives up after 100 ms, while its request waits on the inventory
  await new Promise<void>((resolve) => {
    const req = request(`${base}/stock/slow`, () => {});
    req.on("error", () => resolve()).end();
    setTimeout(() => req.destroy(), 100);
  });
  await new Promise((r) => setTimeout(r, 50)); // (the server hears of the client's leaving)
  console.log(
    `a client left: the limiter has ${limiter.inFlight} in flight, the inventory saw ${seen.at(-1)}`,
  );
  // a request still in flight at shutdown: its run is aborted after the 100 ms grace (well before
  // its inventory call's 300 ms timeout, even on a loaded machine)
  const last = get("/stock/slow");
  await new Promise((r) => setTimeout(r, 50));
  await app.close(100);
  await last;
  fake.close();
  console.log("shut down");
}

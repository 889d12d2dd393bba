import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { answer, ask, awaitPromise, Effect, fn, handle, rateLimited, rateLimiter } from "../../src/index.js";
import { type RateLimiter, reader, realTime, recover, retry, runAsync, scheduler } from "../../src/index.js";
import { TimeoutError, timeout, tracebackOf, transfer, transferWith } from "../../src/index.js";

// ── The service's I/O, as effects: production answers them below, tests with mocks ──────────────
export interface User {
  id: string;
  name: string;
}
export class FindUser extends Effect<User | undefined> {
  declare readonly _tag: "FindUser";
  constructor(readonly id: string) {
    super();
  }
}
export class SaveOrder extends Effect<number> {
  declare readonly _tag: "SaveOrder";
  constructor(readonly order: { user: string; sku: string; price: number }) {
    super();
  }
}
/** A call to the pricing service: slow at times, and it answers 503 when overloaded. */
export class Quote extends Effect<number> {
  declare readonly _tag: "Quote";
  constructor(readonly sku: string) {
    super();
  }
}
export class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(
    readonly msg: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super();
  }
}
export class NotFound extends Error {
  override name = "NotFound";
}
export class Unavailable extends Error {
  override name = "Unavailable";
}

// ── The routes: programs over those effects ──────────────────────────────────────────────────────
export type Reply = { status: number; body: unknown };

const quote = fn(function* quote(sku: string, limit: RateLimiter) {
  // 300 ms per try, 3 retries 100, 200, 400 ms apart, at most `limit` calls per second for all requests
  return yield* retry(rateLimited(limit, timeout(new Quote(sku), 300)), {
    times: 3,
    while: (e) => e instanceof Unavailable || e instanceof TimeoutError,
    delay: (attempt) => 100 * 2 ** (attempt - 1),
  });
});

const findUser = fn(function* findUser(id: string) {
  const user = yield* new FindUser(id);
  if (user === undefined) throw new NotFound(`no user ${id}`);
  return user;
});

const createOrder = fn(function* createOrder(sku: string, limit: RateLimiter) {
  const user = yield* findUser((yield* ask<string | undefined>("user")) ?? "(anonymous)");
  const price = yield* quote(sku, limit);
  const id = yield* new SaveOrder({ user: user.id, sku, price });
  yield* new Log("order created", { id, price });
  return { id, sku, price };
});

/** A request's reply; a failure not listed here (a bug) fails the run: the server answers 500. */
export const route = fn(function* route(method: string, url: URL, limit: RateLimiter) {
  const work =
    method === "POST" && url.pathname === "/orders"
      ? createOrder(url.searchParams.get("sku") ?? "", limit)
      : findUser(url.pathname.replace(/^\/users\//, ""));
  const reply = yield* recover(
    timeout(work, 1000), // the request's deadline
    [NotFound, Unavailable, TimeoutError],
    (e): Reply => ({
      status: e instanceof NotFound ? 404 : e instanceof Unavailable ? 503 : 504,
      body: e.message,
    }),
  );
  return "status" in reply ? reply : { status: method === "POST" ? 201 : 200, body: reply };
});

// ── Production handlers ──────────────────────────────────────────────────────────────────────────
export const users = new Map<string, User>([["u1", { id: "u1", name: "Ada" }]]);
const orders: SaveOrder["order"][] = [];
const database = [answer(FindUser, (e) => users.get(e.id)), answer(SaveOrder, (e) => orders.push(e.order))];
// the call gets the task's signal: a try cut by its timeout, or a client gone, aborts the request
const pricing = (call: (sku: string, signal: AbortSignal) => Promise<number>) =>
  handle(Quote, (e, k) =>
    transferWith(
      k,
      awaitPromise((signal) => call(e.sku, signal)),
    ),
  );
// a JSON line per Log, as it happens, with the request id (the handler runs in the performing task)
const jsonLog = (write: (line: string) => void) =>
  handle(Log, function* (e, k) {
    write(JSON.stringify({ requestId: yield* ask<string>("requestId"), msg: e.msg, ...e.fields }));
    return yield* transfer(k, undefined); // not resume: it would keep a frame per line until the end
  });

export interface ServerOptions {
  port: number;
  quote: (sku: string, signal: AbortSignal) => Promise<number>;
  write: (line: string) => void;
  limit: RateLimiter; // one for the process: shared by every request's run
}

/** A run per request: its own env, deadline, signal (the client went away) and result. */
export async function startServer(o: ServerOptions) {
  const handlers = [scheduler, realTime, reader, ...database, pricing(o.quote), jsonLog(o.write)];
  const inflight = new Map<Promise<void>, AbortController>(); // each run, and what aborts it
  const shutdown = new Error("shutting down"); // the reason given to the runs the drain cuts
  let ids = 0;
  let draining = false;
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    // while draining, a reply closes its connection: close() closed only the idle ones, and one kept
    // alive would hold the process for node's keepAliveTimeout (5 s) after the last run ended
    const close = draining ? { connection: "close" } : {};
    res.writeHead(status, { "content-type": "application/json", ...close }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    if (draining) return void res.writeHead(503, { connection: "close" }).end();
    const requestId = `req-${++ids}`;
    const stop = new AbortController(); // the client leaving, or the drain's deadline
    res.on("close", () => res.writableFinished || stop.abort(new Error(`the client of ${requestId} left`)));
    const run = runAsync(route(req.method ?? "GET", new URL(req.url ?? "/", "http://localhost"), o.limit), {
      handlers,
      env: { requestId, user: req.headers["x-user"] },
      signal: stop.signal,
    }).then((r) => {
      for (const w of r.warnings) o.write(JSON.stringify({ requestId, warning: tracebackOf(w) }));
      if (r.ok) return send(res, r.value.status, r.value.body);
      // an aborted run's error is its signal's reason; anything else is a bug: its traceback as data
      const cut = r.error === shutdown;
      if (stop.signal.aborted && !cut) return o.write(JSON.stringify({ requestId, msg: "client left" }));
      o.write(
        JSON.stringify({ requestId, msg: cut ? "cut by shutdown" : "failed", traceback: tracebackOf(r) }),
      );
      send(res, cut ? 503 : 500, cut ? "shutting down" : "internal error");
    });
    inflight.set(run, stop);
    void run.finally(() => inflight.delete(run));
  });
  server.listen(o.port, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    /** Stop accepting; let the requests in flight finish within `graceMs`, then abort the rest. */
    async close(graceMs: number) {
      draining = true;
      server.close(); // new connections are refused, idle kept-alive ones closed
      const timer = setTimeout(() => {
        for (const stop of inflight.values()) stop.abort(shutdown);
      }, graceMs);
      while (inflight.size > 0) await Promise.all(inflight.keys());
      clearTimeout(timer);
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
    });
  const app = await startServer({
    port: Number(process.env.PORT ?? 8080),
    // a pricing service that is overloaded one call in three
    quote: async (sku, signal) => {
      await sleep(50, signal);
      if (Math.random() < 1 / 3) throw new Unavailable("the pricing service answered 503");
      return sku.length * 100;
    },
    write: (line) => console.log(line),
    limit: rateLimiter({ limit: 20, interval: 1000 }),
  });
  console.log(`listening on port ${app.port}`);
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => void app.close(5000));
}

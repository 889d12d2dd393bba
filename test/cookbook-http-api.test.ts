/**
 * examples/cookbook/http-api.ts: the routes tested with doeff/testing on a virtual clock (mocks for
 * the database, a scripted pricing service, exact virtual times), then the server itself on real
 * timers: a client that leaves mid-retry, a bug's traceback in the log, a graceful shutdown.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { test } from "node:test";
import { ask, delay, fn, handle, now, rateLimiter, reader, transfer, transferWith } from "../src/index.js";
import { mock, virtualClock } from "../src/testing/index.js";
import {
  FindUser,
  Log,
  NotFound,
  Quote,
  route,
  SaveOrder,
  startServer,
  Unavailable,
} from "../examples/cookbook/http-api.js";

const root = new URL("..", import.meta.url).pathname;

// ── the routes, on a virtual clock ───────────────────────────────────────────────────────────────

/** The pricing service as a script: each call takes `ms` of virtual time, then answers or throws. */
function scriptedQuote(script: (Error | number)[], ms = 50) {
  const calls: number[] = [];
  const call = fn(function* call() {
    calls.push(yield* now());
    const next = script.shift() ?? new Error("the script ran out");
    yield* delay(ms);
    if (next instanceof Error) throw next;
    return next;
  });
  return { calls, handler: handle(Quote, (_e, k) => transferWith(k, call())) };
}

function harness(quote: ReturnType<typeof scriptedQuote>) {
  const lines: string[] = [];
  const log = handle(Log, function* (e, k) {
    lines.push(`${yield* now()} ms ${yield* ask<string>("requestId")} ${e.msg} ${JSON.stringify(e.fields)}`);
    return yield* transfer(k, undefined);
  });
  const find = mock(FindUser, (e) => (e.id === "u1" ? { id: "u1", name: "Ada" } : undefined));
  const save = mock(SaveOrder, 7);
  // a limiter per test: one made at module scope would carry its start times from one virtual
  // clock into the next test's, which starts at 0 again
  const limit = rateLimiter({ limit: 10, interval: 1000 });
  return { lines, save, limit, handlers: [reader, find, save, quote.handler, log] };
}
const order = (sku: string) => new URL(`http://localhost/orders?sku=${sku}`);

test("http-api route: a pricing service that answers 503 twice is retried 100 and 200 ms later; the order is saved and logged with the request id", () => {
  const quote = scriptedQuote([new Unavailable("503"), new Unavailable("503"), 42]);
  const h = harness(quote);
  const clock = virtualClock();
  const r = clock.run(route("POST", order("abc"), h.limit), {
    handlers: h.handlers,
    env: { requestId: "req-1", user: "u1" },
  });
  assert.deepEqual(r.value, { status: 201, body: { id: 7, sku: "abc", price: 42 } });
  assert.deepEqual(quote.calls, [0, 150, 400]); // 50 ms each, then 100 and 200 ms of back-off
  assert.equal(clock.now, 450);
  assert.deepEqual(
    h.save.calls.map((e) => e.order),
    [{ user: "u1", sku: "abc", price: 42 }],
  );
  assert.deepEqual(h.lines, ['450 ms req-1 order created {"id":7,"price":42}']);
});

test("http-api route: a pricing service that never answers: each try cut at 300 ms, the request at its 1000 ms deadline with 504", () => {
  const quote = scriptedQuote([1, 2, 3, 4], 10_000);
  const h = harness(quote);
  const clock = virtualClock();
  const r = clock.run(route("POST", order("abc"), h.limit), {
    handlers: h.handlers,
    env: { requestId: "req-1", user: "u1" },
  });
  assert.deepEqual(r.value, {
    status: 504,
    body: "createOrder timed out after 1000 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  });
  assert.deepEqual(quote.calls, [0, 400, 900]); // cut at 300 and 700; the third cut by the deadline
  assert.equal(clock.now, 1000);
  assert.deepEqual([h.save.calls, h.lines], [[], []]);
});

test("http-api route: an unknown user is 404 and the pricing service is not called; GET /users/u1 is 200", () => {
  const quote = scriptedQuote([42]);
  const h = harness(quote);
  const clock = virtualClock();
  const options = { handlers: h.handlers, env: { requestId: "req-1", user: "nobody" } };
  assert.deepEqual(clock.run(route("POST", order("abc"), h.limit), options).value, {
    status: 404,
    body: "no user nobody",
  });
  assert.deepEqual(clock.run(route("GET", new URL("http://localhost/users/u1"), h.limit), options).value, {
    status: 200,
    body: { id: "u1", name: "Ada" },
  });
  assert.deepEqual(quote.calls, []);
  assert.ok(new NotFound("x") instanceof Error);
});

// ── the server, on real timers ───────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (done: () => boolean) => {
  while (!done()) await sleep(5);
};
/** `status body`, the connection error's code, or "left" for a request this client destroyed when `leave` resolved. */
function call(port: number, method: string, path: string, leave?: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, headers: { "x-user": "u1" }, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve(`${res.statusCode} ${body}`));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve(leave === undefined ? (e.code ?? String(e)) : "left"),
    );
    void leave?.then(() => req.destroy());
    req.end();
  });
}
/** A pricing service that answers by sku: "fail" 503 at once, "hang" never (until aborted), else after 20 ms. */
function fakePricing() {
  const calls: { sku: string; aborted?: string }[] = [];
  const quote = (sku: string, signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      const c: { sku: string; aborted?: string } = { sku };
      calls.push(c);
      if (sku === "fail" || (sku === "failOnce" && calls.length === 1)) return reject(new Unavailable("503"));
      const t = sku === "hang" ? undefined : setTimeout(() => resolve(sku.length * 100), 20);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        c.aborted = String((signal.reason as Error).message);
        reject(signal.reason);
      });
    });
  return { calls, quote };
}

test("http-api server: a client that leaves mid-retry aborts its run: the pricing call in flight is aborted, no retry follows, the log says so", async () => {
  const pricing = fakePricing();
  const lines: string[] = [];
  const app = await startServer({
    port: 0,
    quote: (sku, signal) => pricing.quote(pricing.calls.length === 0 ? "fail" : sku, signal),
    write: (l) => lines.push(l),
    limit: rateLimiter({ limit: 100, interval: 1000 }),
  });
  // the first try fails at once, the retry (100 ms later) hangs: the client leaves during it
  const during = until(() => pricing.calls.length === 2);
  assert.equal(await call(app.port, "POST", "/orders?sku=hang", during), "left");
  await until(() => lines.length > 0);
  await sleep(400); // a retry would have come 200 ms after the try cut at 300 ms
  assert.deepEqual(pricing.calls, [{ sku: "fail" }, { sku: "hang", aborted: "the client of req-1 left" }]);
  assert.deepEqual(lines, ['{"requestId":"req-1","msg":"client left"}']);
  await app.close(1000);
});

test("http-api server: a bug (an error no route expects) is 500, and its log line carries the traceback as data", async () => {
  const lines: string[] = [];
  const app = await startServer({
    port: 0,
    quote: async () => {
      throw new TypeError("price.toFixed is not a function");
    },
    write: (l) => lines.push(l),
    limit: rateLimiter({ limit: 100, interval: 1000 }),
  });
  assert.equal(await call(app.port, "POST", "/orders?sku=a"), '500 "internal error"');
  await app.close(1000);
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.deepEqual([line.requestId, line.msg, line.traceback.outcome], ["req-1", "failed", "failed"]);
  assert.deepEqual(line.traceback.error, {
    text: "TypeError: price.toFixed is not a function",
    name: "TypeError",
    message: "price.toFixed is not a function",
  });
  const programs = line.traceback.chain.filter((e: { kind: string }) => e.kind === "program");
  assert.deepEqual(
    programs.map((e: { name: string }) => e.name),
    ["route", "timeout", "createOrder", "quote", "retry", "rateLimited", "timeout"], // (recover rethrew it unchanged: no line)
  );
});

test("http-api server: shutdown lets the requests in flight finish, refuses new ones, and aborts what outlives the grace period with 503", async () => {
  const pricing = fakePricing();
  const lines: string[] = [];
  const app = await startServer({
    port: 0,
    quote: pricing.quote,
    write: (l) => lines.push(l),
    limit: rateLimiter({ limit: 100, interval: 1000 }),
  });
  const quick = call(app.port, "POST", "/orders?sku=ab"); // 20 ms
  const stuck = call(app.port, "POST", "/orders?sku=hang"); // tries cut at 300 ms, retried
  await until(() => pricing.calls.length === 2); // both received (close() resets a connection still idle)
  const closed = app.close(500);
  assert.equal(await call(app.port, "GET", "/users/u1"), "ECONNREFUSED");
  assert.match(await quick, /^201 \{"id":\d+,"sku":"ab","price":200\}$/);
  assert.equal(await stuck, '503 "shutting down"');
  await closed;
  const cut = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "cut by shutdown");
  assert.deepEqual(
    cut.map((l) => [l.requestId, l.traceback.outcome, l.traceback.error.message]),
    [["req-2", "aborted", "shutting down"]],
  );
});

test("http-api server: a reply sent while draining closes its kept-alive connection, so nothing holds the process after close()", async () => {
  const pricing = fakePricing();
  const app = await startServer({
    port: 0,
    quote: pricing.quote,
    write: () => {},
    limit: rateLimiter({ limit: 100, interval: 1000 }),
  });
  const agent = new http.Agent({ keepAlive: true });
  let socketClosed = false;
  const reply = new Promise<string>((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: app.port,
        method: "POST",
        path: "/orders?sku=hang",
        headers: { "x-user": "u1" },
        agent,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(`${res.statusCode} ${res.headers.connection}`));
      },
    );
    req.on("socket", (socket) => socket.on("close", () => (socketClosed = true)));
    req.end();
  });
  await until(() => pricing.calls.length === 1); // in flight: close() leaves its connection open
  await app.close(100);
  // without `connection: close` the reply kept the connection alive for node's keepAliveTimeout (5 s)
  assert.equal(await reply, "503 close");
  // (well before the 5 s: the client closes its side as soon as the reply says so)
  for (let i = 0; i < 200 && !socketClosed; i++) await sleep(5);
  assert.equal(socketClosed, true);
  agent.destroy();
});

test("cookbook http-api.ts: docs/cookbook.md shows exactly this file", () => {
  const doc = readFileSync(`${root}docs/cookbook.md`, "utf8");
  const src = readFileSync(`${root}examples/cookbook/http-api.ts`, "utf8").replaceAll(
    '"../../src/index.js"',
    '"doeff"',
  );
  const marker = "<!-- example: examples/cookbook/http-api.ts -->\n```ts\n";
  const at = doc.indexOf(marker);
  assert.ok(at >= 0, "docs/cookbook.md has a block for http-api.ts");
  assert.equal(doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length)), src);
});

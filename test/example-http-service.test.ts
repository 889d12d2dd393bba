/**
 * examples/http-service.ts: its route tested as a user would with doeff/testing (mocks, `writer` for
 * the `tell`s, a virtual clock: exact times), then the service on real sockets: clients that leave
 * while their calls wait for the shared limiter give their slots back and abort their calls, and
 * the example run as a program prints its session and exits on its own, promptly.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import { test } from "node:test";
import {
  concurrencyLimiter,
  delay,
  fn,
  handle,
  reader,
  Tell,
  transfer,
  transferWith,
  writer,
} from "../src/index.js";
import { mock, virtualClock } from "../src/testing/index.js";
import { FindUser, route, Stock, startService, Unavailable } from "../examples/http-service.js";

const root = new URL("..", import.meta.url).pathname;

/** The inventory as a script: each call takes `ms` of virtual time, then answers or throws. */
function scriptedStock(script: (Error | number)[], ms = 20) {
  const calls: string[] = [];
  const call = fn(function* call(sku: string) {
    calls.push(sku);
    const next = script.shift() ?? new Error("the script ran out");
    yield* delay(ms);
    if (next instanceof Error) throw next;
    return next;
  });
  return { calls, handler: handle(Stock, (e, k) => transferWith(k, call(e.sku))) };
}
const env = { requestId: "req-1", user: "ada" };
/** The `tell`s as they happen, as production's handler writes them: `writer`'s log keeps no entry of
 * a program that a `timeout` cancelled (a try cut at its deadline), this keeps them all. */
function told() {
  const lines: unknown[] = [];
  const handler = handle(Tell, (e, k) => {
    lines.push(e.message);
    return transfer(k, undefined);
  });
  return { lines, handler };
}
const users = mock(FindUser, (e) => (e.id === "u1" ? { id: "u1", name: "Ada" } : undefined));

test("http-service route: a 503 is logged and retried 100 ms later; the log has every line with its fields", () => {
  const stock = scriptedStock([new Unavailable("inventory answered 503"), 7]);
  const clock = virtualClock();
  const r = clock.run(route("GET", "/stock/apple", concurrencyLimiter({ limit: 1 })), {
    handlers: [reader, writer, users, stock.handler],
    env,
  });
  assert.deepEqual(r.value, { status: 200, body: { sku: "apple", count: 7 } });
  assert.equal(clock.now, 140); // 20 ms, 100 ms of back-off, 20 ms
  assert.deepEqual(stock.calls, ["apple", "apple"]);
  assert.deepEqual(r.log, [
    { msg: "request", method: "GET", path: "/stock/apple" },
    { msg: "inventory call failed", sku: "apple", error: "Unavailable: inventory answered 503" },
    { msg: "route done" },
  ]);
});

test("http-service route: an inventory that never answers: tries cut at 300 ms, the request at 1000 ms with 504", () => {
  const stock = scriptedStock([1, 2, 3], 10_000);
  const clock = virtualClock();
  const log = told();
  const r = clock.run(route("GET", "/stock/apple", concurrencyLimiter({ limit: 1 })), {
    handlers: [reader, log.handler, users, stock.handler],
    env,
  });
  assert.equal(r.ok && r.value.status, 504);
  assert.equal(clock.now, 1000);
  // the delays that ran out, as [from, ms]: two tries' deadlines, two back-offs, the request's deadline
  assert.deepEqual(
    clock.delays.map((d) => [d.from, d.ms]),
    [
      [0, 300],
      [300, 100],
      [400, 300],
      [700, 200],
      [0, 1000],
    ],
  );
  assert.deepEqual(stock.calls, ["apple", "apple", "apple"]);
  // the third try was cut by the request's deadline, not by its own: it is not logged as failed
  assert.deepEqual(
    log.lines.map((l) => (l as { msg: string }).msg),
    ["request", "inventory call failed", "inventory call failed", "route done"],
  );
  // writer's log of the same run: the lines told inside the timed-out program are gone
  const collected = virtualClock().run(route("GET", "/stock/apple", concurrencyLimiter({ limit: 1 })), {
    handlers: [reader, writer, users, scriptedStock([1, 2, 3], 10_000).handler],
    env,
  });
  assert.deepEqual(collected.log, [
    { msg: "request", method: "GET", path: "/stock/apple" },
    { msg: "route done" },
  ]);
});

test("http-service route: users and unknown routes, without the inventory", () => {
  const clock = virtualClock();
  const limiter = concurrencyLimiter({ limit: 1 });
  const stock = scriptedStock([]);
  const options = { handlers: [reader, writer, users, stock.handler], env };
  assert.deepEqual(clock.run(route("GET", "/users/u1", limiter), options).value, {
    status: 200,
    body: { id: "u1", name: "Ada" },
  });
  assert.deepEqual(clock.run(route("GET", "/users/u9", limiter), options).value, {
    status: 404,
    body: "no user u9",
  });
  assert.deepEqual(clock.run(route("POST", "/users/u1", limiter), options).value, {
    status: 404,
    body: "no route POST /users/u1",
  });
  assert.deepEqual(stock.calls, []);
});

test("http-service: clients that leave while their calls wait for the shared limiter give their slots back; their calls are aborted", async () => {
  const seen: string[] = [];
  let open = 0;
  const fake = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    open++;
    res.on("close", () => open--); // never answers: only its client's abort ends it
  });
  fake.listen(0, "127.0.0.1");
  await once(fake, "listening");
  const limiter = concurrencyLimiter({ limit: 2 });
  const lines: string[] = [];
  const app = await startService({
    port: 0,
    inventory: `http://127.0.0.1:${(fake.address() as { port: number }).port}`,
    limiter,
    write: (line) => lines.push(line),
  });
  const clients = ["a", "b", "c", "d"].map((sku) => {
    const req = http.request({ host: "127.0.0.1", port: app.port, path: `/stock/${sku}`, agent: false });
    req.on("error", () => {});
    req.end();
    return req;
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  };
  await until(() => limiter.inFlight === 2 && limiter.waiting === 2 && open === 2);
  assert.deepEqual([limiter.inFlight, limiter.waiting, open], [2, 2, 2]); // two calls out, two waiting
  for (const c of clients) c.destroy();
  await until(() => lines.filter((l) => l.includes("client left")).length === 4 && open === 0);
  assert.deepEqual([limiter.inFlight, limiter.waiting, open], [0, 0, 0]);
  assert.equal(seen.length, 2); // the two waiting never called the inventory
  assert.equal(lines.filter((l) => l.includes('"route done"')).length, 4); // every route's finally ran
  await app.close(0);
  fake.close();
});

test("examples/http-service.ts prints its session and exits on its own at once", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/http-service.ts"], { cwd: root });
  let out = "";
  let shutDownAt = 0;
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    if (shutDownAt === 0 && out.includes("shut down\n")) shutDownAt = Date.now();
  });
  const killer = setTimeout(() => child.kill(), 20_000);
  const [code] = await once(child, "exit");
  clearTimeout(killer);
  const lingered = Date.now() - shutDownAt;
  assert.equal(code, 0);
  assert.deepEqual(out.trimEnd().split("\n"), [
    '  log {"requestId":"req-1","user":"ada","msg":"request","method":"GET","path":"/users/u1"}',
    '  log {"requestId":"req-1","user":"ada","msg":"route done"}',
    'GET /users/u1 → 200 {"id":"u1","name":"Ada"}',
    '  log {"requestId":"req-2","user":"ada","msg":"request","method":"GET","path":"/users/u9"}',
    '  log {"requestId":"req-2","user":"ada","msg":"route done"}',
    'GET /users/u9 → 404 "no user u9"',
    '  log {"requestId":"req-3","user":"ada","msg":"request","method":"GET","path":"/stock/apple"}',
    '  log {"requestId":"req-3","user":"ada","msg":"inventory call failed","sku":"apple","error":"Unavailable: inventory answered 503 for apple"}',
    '  log {"requestId":"req-3","user":"ada","msg":"route done"}',
    'GET /stock/apple → 200 {"sku":"apple","count":7}',
    '  log {"requestId":"req-4","msg":"request","method":"GET","path":"/stock/slow"}',
    '  log {"requestId":"req-4","msg":"route done"}',
    '  log {"requestId":"req-4","msg":"client left"}',
    "a client left: the limiter has 0 in flight, the inventory saw /slow aborted",
    '  log {"requestId":"req-5","user":"ada","msg":"request","method":"GET","path":"/stock/slow"}',
    '  log {"requestId":"req-5","user":"ada","msg":"route done"}',
    'GET /stock/slow → 503 "shutting down"',
    "shut down",
  ]);
  // a reply sent while draining closes its connection: nothing kept alive holds the process for
  // node's keepAliveTimeout (5 s) after the shutdown (without it: about 3 s more, measured)
  assert.ok(lingered < 1000, `the process ended ${lingered} ms after "shut down"`);
});

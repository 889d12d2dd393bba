/**
 * doeff's structured concurrency toolkit against a real HTTP server.
 *
 * Starts a local HTTP server (127.0.0.1, an ephemeral port) that counts requests in flight and
 * requests aborted by the client. Then:
 *  1. fetches 50 items with at most 5 requests in flight (`forEach` with `concurrency`), each with a
 *     deadline (`timeout`) and retried on a timeout or a 5xx (`retry`): item 7 answers 503 once, item
 *     13 hangs once — its request is aborted when the timeout cancels it;
 *  2. fetches 5 more where one fails for good (404): `forEach` cancels the 4 still in flight, and
 *     their requests are aborted.
 * Everything runs under runAsync with the scheduler and the real clock.
 * Run with: node --import tsx examples/concurrency.ts
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  awaitPromise,
  fn,
  forEach,
  program,
  realTime,
  retry,
  runAsync,
  safe,
  scheduler,
  TimeoutError,
  timeout,
  writer,
} from "../src/index.js";

// ── the server ───────────────────────────────────────────────────────────────────────────────
const stats = { requests: 0, inFlight: 0, peak: 0, aborted: 0 };
const attempts = new Map<string, number>();
const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const attempt = (attempts.get(path) ?? 0) + 1;
  attempts.set(path, attempt);
  stats.requests++;
  stats.inFlight++;
  stats.peak = Math.max(stats.peak, stats.inFlight);
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    stats.inFlight--;
    if (aborted) stats.aborted++; // the client gave up before the answer
  };
  res.on("finish", () => end(false));
  res.on("close", () => end(!res.writableFinished));
  const answer = (ms: number, status: number, body: string) => {
    const timer = setTimeout(() => reply(res, status, body), ms);
    res.on("close", () => clearTimeout(timer));
  };
  if (path === "/item/7" && attempt === 1) return answer(0, 503, "busy");
  if (path === "/item/13" && attempt === 1) return answer(60_000, 200, "too late");
  if (path.startsWith("/item/")) return answer(50, 200, `item ${path.slice(6)}`);
  if (path.startsWith("/slow/")) return answer(60_000, 200, "slow");
  return answer(0, 404, "not found");
});
function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
}
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ── programs ─────────────────────────────────────────────────────────────────────────────────
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`GET ${path} → ${status}`);
    this.name = "HttpError";
  }
}

/** GET a path: the body text, or HttpError. The signal aborts the request when its task is cancelled. */
const get = fn(function* get(path: string) {
  const res = yield* awaitPromise((signal) => fetch(base + path, { signal }));
  const body = yield* awaitPromise(() => res.text());
  if (!res.ok) throw new HttpError(res.status, path);
  return body;
});

/** A deadline of 1 s per attempt; a timeout or a 5xx is retried twice, 50 ms apart. */
const robustGet = (path: string) =>
  retry(timeout(get(path), 1_000), {
    times: 2,
    delay: 50,
    while: (e) => e instanceof TimeoutError || (e instanceof HttpError && e.status >= 500),
  });

const main = program(function* main() {
  const ids = Array.from({ length: 50 }, (_, i) => i + 1);
  const items = yield* forEach(ids, (id) => robustGet(`/item/${id}`), { concurrency: 5 });
  const phase1 = { ...stats };
  // one request fails for good: the others in flight are cancelled, their requests aborted
  const paths = ["/slow/1", "/slow/2", "/missing", "/slow/3", "/slow/4"];
  const failed = yield* safe(forEach(paths, (path) => robustGet(path), { concurrency: 5 }));
  return { items, phase1, failure: failed.ok ? "none" : String(failed.error) };
});

// ── run ──────────────────────────────────────────────────────────────────────────────────────
const result = await runAsync(main, { handlers: [scheduler, realTime, writer] });
// let the server see every connection close
for (let i = 0; i < 200 && stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
if (result.isOk()) {
  const { items, phase1, failure } = result.value;
  console.log(`fetched ${items.length} items: ${items[0]} … ${items[49]}`);
  console.log(`at most 5 in flight: server saw a peak of ${phase1.peak}`);
  console.log(`requests: ${phase1.requests} (50 + a 503 and a timeout retried), aborted: ${phase1.aborted}`);
  console.log(`then: ${failure}`);
  console.log(
    `requests: ${stats.requests - phase1.requests}, aborted when the failure cancelled the rest: ${stats.aborted - phase1.aborted}`,
  );
} else {
  console.error(result.format());
  process.exitCode = 1;
}
server.closeAllConnections();
server.close();

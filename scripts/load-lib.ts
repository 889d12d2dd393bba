/**
 * The server load harness (issue 15): a node:http server on 127.0.0.1 (an ephemeral port, loopback
 * only) answering each request either with one `runAsync` program (a few effects and one
 * awaitPromise) or with the same work in plain async/await; a keep-alive client keeps `concurrency`
 * requests in flight. Every response is checked against the value it must carry. Used by
 * scripts/load.ts (`npm run load`) and, at a tiny size, by test/load.test.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as d from "../src/index.js";

export type Mode = "doeff" | "plain";

/** What a request for `id` must answer (both modes compute it the same way). */
export function expected(id: number): string {
  return JSON.stringify({ id, user: `u${id % 7}`, total: id * 2 + 1, log: 2 });
}

/** Stand-in for I/O: a value that arrives on a later microtask. */
const lookup = (id: number): Promise<number> => Promise.resolve(id * 2);

const handleDoeff = d.fn(function* handleRequest(id: number) {
  const user = (yield* d.ask("user")) as string;
  yield* d.tell(`start ${id}`);
  const fetched = yield* d.awaitPromise(() => lookup(id));
  const total = yield* d.modify("total", (t) => (t as number) + fetched);
  yield* d.tell(`done ${id}`);
  return { id, user, total };
});
const HANDLERS = [d.scheduler, d.state, d.reader, d.writer];

async function answerDoeff(id: number): Promise<string> {
  const r = await d.runAsync(handleDoeff(id), {
    handlers: HANDLERS,
    env: { user: `u${id % 7}` },
    store: { total: 1 },
  });
  const v = r.value as { id: number; user: string; total: number };
  return JSON.stringify({ id: v.id, user: v.user, total: v.total, log: r.log.length });
}

async function answerPlain(id: number): Promise<string> {
  const env = { user: `u${id % 7}` };
  const store = { total: 1 };
  const log: string[] = [];
  const user = env.user;
  log.push(`start ${id}`);
  const fetched = await lookup(id);
  store.total += fetched;
  log.push(`done ${id}`);
  return JSON.stringify({ id, user, total: store.total, log: log.length });
}

/** Start the server on 127.0.0.1 (ephemeral port). URL: /<mode>/<id>. */
export async function startServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const m = /^\/(doeff|plain)\/(\d+)$/.exec(req.url ?? "");
    if (m === null) {
      res.writeHead(404).end();
      return;
    }
    const id = Number(m[2]);
    (m[1] === "doeff" ? answerDoeff(id) : answerPlain(id)).then(
      (body) => res.writeHead(200, { "content-type": "application/json" }).end(body),
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RoundResult {
  readonly mode: Mode;
  readonly requests: number;
  readonly wrong: number;
  readonly failed: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("request timed out after 10 s")));
  });
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** One round: `requests` requests of `mode`, `concurrency` in flight, ids from `firstId`. */
export async function round(
  port: number,
  mode: Mode,
  requests: number,
  concurrency: number,
  firstId = 0,
): Promise<RoundResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let wrong = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < requests) {
      const id = firstId + next++;
      const s = performance.now();
      try {
        const r = await get(agent, port, `/${mode}/${id}`);
        if (r.status !== 200 || r.body !== expected(id)) wrong++;
      } catch {
        failed++;
      }
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    mode,
    requests,
    wrong,
    failed,
    seconds,
    rps: requests / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** In-process cost of one request's work, without HTTP: `n` answers in sequence, µs per answer. */
export async function inProcess(mode: Mode, n: number): Promise<{ usPerRequest: number; wrong: number }> {
  const answer = mode === "doeff" ? answerDoeff : answerPlain;
  let wrong = 0;
  const t0 = performance.now();
  for (let id = 0; id < n; id++) if ((await answer(id)) !== expected(id)) wrong++;
  return { usPerRequest: ((performance.now() - t0) * 1000) / n, wrong };
}

/**
 * doeff concurrency: tasks, awaitPromise, gather, and a timeout made of race + delay.
 *
 * Starts a local HTTP server (127.0.0.1, an ephemeral port), fetches three URLs concurrently from
 * spawned tasks, then fetches with a timeout: the request that is too slow loses the race and its
 * task is cancelled — its `finally` aborts the HTTP request. Everything runs under runAsync with
 * the scheduler and the real clock. Run with: node --import tsx examples/concurrency.ts
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  awaitPromise,
  cancel,
  delay,
  fn,
  gather,
  type Program,
  program,
  race,
  realTime,
  runAsync,
  scheduler,
  spawn,
  tell,
  writer,
} from "../src/index.js";

// ── a tiny server: GET /<name>?delay=<ms> answers "<name> after <ms>ms" after that many ms ──────
const finished: string[] = [];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const name = url.pathname.slice(1);
  const ms = Number(url.searchParams.get("delay") ?? 0);
  const timer = setTimeout(() => {
    finished.push(name);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${name} after ${ms}ms`);
  }, ms);
  req.socket.on("close", () => clearTimeout(timer)); // the client gave up (aborted)
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ── programs ─────────────────────────────────────────────────────────────────────────────────
/** GET a path and answer the body text. If the task running it is cancelled, the request is aborted. */
const fetchText = fn(function* fetchText(path: string) {
  const controller = new AbortController();
  try {
    const res = yield* awaitPromise(() => fetch(base + path, { signal: controller.signal }));
    const text = yield* awaitPromise(() => res.text());
    yield* tell(`fetched ${path}`);
    return text;
  } finally {
    controller.abort(); // no-op when the request already finished
  }
});

/** Run `p` in a task with a deadline: its value, or "timeout" (the loser of the race is cancelled). */
function withTimeout<T, E>(p: Program<T, E>, ms: number) {
  return program(function* withTimeout() {
    const work = yield* spawn(p);
    const timer = yield* spawn(
      program(function* timer() {
        yield* delay(ms);
        return "timeout" as const;
      }),
    );
    const winner = yield* race(work, timer);
    yield* cancel(winner.index === 0 ? timer : work);
    return winner.value;
  });
}

const main = program(function* main() {
  // three requests at once: the server answers them in reverse order, gather keeps input order
  const tasks = [];
  for (const [name, ms] of [
    ["alpha", 300],
    ["beta", 200],
    ["gamma", 100],
  ] as const) {
    tasks.push(yield* spawn(fetchText(`/${name}?delay=${ms}`)));
  }
  const texts = yield* gather(...tasks);
  const fast = yield* withTimeout(fetchText("/fast?delay=10"), 2000);
  const slow = yield* withTimeout(fetchText("/slow?delay=5000"), 200);
  return { texts, fast, slow };
});

// ── run ──────────────────────────────────────────────────────────────────────────────────────
const result = await runAsync(main, { handlers: [scheduler, realTime, writer] });
if (result.isOk()) {
  const { texts, fast, slow } = result.value;
  console.log(`gathered: ${texts.join(" | ")}`);
  console.log(`server finished: ${finished.slice(0, 3).join(", ")}`);
  console.log(`with timeout 2000ms: ${fast}`);
  console.log(`with timeout 200ms: ${slow}`);
  console.log(`log: ${result.log.join("; ")}`);
} else {
  console.error(result.format());
  process.exitCode = 1;
}
server.closeAllConnections();
server.close();

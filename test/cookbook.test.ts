/** docs/cookbook.md: each recipe is examples/cookbook/<name>.ts, runs, and prints this. */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function runExample(file: string): string[] {
  return execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" })
    .trimEnd()
    .split("\n");
}

const expected: Record<string, string[]> = {
  "timeout.ts": [
    "fetchReport(50) finished or cancelled",
    "fetchReport(500) finished or cancelled",
    "report after 50 ms",
    "TimeoutError: fetchReport timed out after 100 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  ],
  "retry-backoff.ts": [
    "attempt 1 at 0 ms",
    "attempt 2 at 100 ms",
    "attempt 3 at 300 ms",
    "attempt 4 at 700 ms",
    "ok",
  ],
  "worker-pool.ts": [
    "a.png: done, bb.png: done, ccc.png: done, dddd.png: done, e.png: done, ff.png: done, ggg.png: done",
    "at most 3 at once, 180 ms in all",
  ],
  // 100,000 rows, 10 of them bad, through a cached lookup on real timers; then the same chunks under run
  "etl.ts": [
    "loaded 99990 rows (99990 written), 10 bad, in 100 batches",
    "500 customers cached",
    '3 [{"rows":2,"bad":1},{"rows":1,"bad":0}] 1:eu 3:eu 4:us',
  ],
  "producer-consumer.ts": [
    "0 ms: produced 1",
    "0 ms: produced 2",
    "0 ms: produced 3", // the consumer took 1 at once, then works for 100 ms: 2 and 3 fill the buffer
    "100 ms: consumed 1",
    "100 ms: produced 4",
    "200 ms: consumed 2",
    "200 ms: produced 5",
    "300 ms: consumed 3",
    "400 ms: consumed 4",
    "500 ms: consumed 5",
    "15",
  ],
  // two conversations on real timers: bob leaves at 300 ms, ada waits for the rate limit
  "llm-agent.ts": [
    "stream 1 closed",
    'bob: token "Let"',
    'bob: token " me"',
    'bob: token " check."',
    "stream 2 closed",
    "bob: tool weather(Paris) started",
    "bob: tool weather(Tokyo) started",
    "bob: tool weather(Paris) → sun",
    "bob: tool weather(Lima) started",
    "bob: tool weather(Tokyo) → rain",
    "weather(Lima) cancelled",
    'ada: token "Let"',
    'ada: token " me"',
    'ada: token " check."',
    "stream 3 closed",
    "ada: tool weather(Paris) started",
    "ada: tool weather(Tokyo) started",
    "ada: tool weather(Paris) → sun",
    "ada: tool weather(Lima) started",
    "ada: tool weather(Tokyo) → rain",
    "ada: tool weather(Lima) → error: timed out",
    "weather(Lima) cancelled",
    'ada: token "Sunny"',
    'ada: token " in"',
    'ada: token " Paris."',
    "stream 4 closed",
    "ada: done, 21 tokens",
    "ada: Sunny in Paris.",
    "bob: Error: the client went away",
  ],
  // docs/observability.md: spans (id, name, virtual start..end, task, status), an exported traceback, counters
  "tracing.ts": [
    "[req-7 span 1] start for ada",
    "[req-7 span 1] done: 1 order(s), price 42, recommendations timed out",
    "1 GET /checkout 0..190 ms task 0",
    "  2 orders 0..13 ms task 1",
    "    3 Query 0..13 ms",
    "  4 pricing 0..90 ms task 2",
    "    5 call 0..20 ms task 2 ERROR pricing: 503",
    "      6 Delay 0..20 ms",
    "    7 Delay 20..30 ms",
    "    8 call 30..50 ms task 2 ERROR pricing: 503",
    "      9 Delay 30..50 ms",
    "    10 Delay 50..70 ms",
    "    11 call 70..90 ms task 2",
    "      12 Delay 70..90 ms",
    "  13 recommendations 90..190 ms task 0 ERROR traced timed out after 100 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
    "    14 Delay 90..190 ms",
    "    15 call 90..190 ms task 4 ERROR cancelled",
    "      16 Delay 90..190 ms ERROR cancelled",
    "span 5 exception.stacktrace:",
    "doeff traceback (outermost first):",
    "  ── in task 2 ──",
    "  traced",
    "  retry",
    "  traced",
    "  pricing",
    "  thrown at examples/cookbook/tracing.ts:135",
    "Error: pricing: 503",
    '{"retries":2,"timeouts":1,"cancellations":1} value 42',
  ],
};

// docs/cookbook.md's crawler: each page as it completes, on the virtual clock — a retried 503 at
// 330 ms, a 404 not retried, a page past its timeout tried three times — then the report
expected["crawler.ts"] = [
  "  50 ms  https://a.test/: 3 link(s), attempts: 1",
  " 220 ms  https://a.test/2: 1 link(s), attempts: 1",
  " 230 ms  https://b.test/: 1 link(s), attempts: 1",
  " 330 ms  https://a.test/1: 2 link(s), attempts: 2",
  " 410 ms  https://a.test/gone: NotFound: 404 https://a.test/gone, attempts: 1",
  "3630 ms  https://b.test/slow: timed out (1000 ms), attempts: 3",
  "done: 6 pages at 3630 ms",
];

// a warehouse on the virtual clock: the log's first lines, the totals, and the replay check
expected["discrete-event.ts"] = [
  "    25 ms  bob ships order 2",
  "    33 ms  ann ships order 1",
  "    39 ms  cy ships order 3",
  "    45 ms  di ships order 4",
  "10 s: 1426 orders done, 1374 shipped in time",
  "seed 7 replays exactly, under run and runAsync",
];

// docs/testing.md's simulation-testing section: 100 seeds of a 5-node leader election (each run
// twice: the same events), then the seed that finds a planted bug, with its traceback
const thrownAt =
  readFileSync(`${root}examples/cookbook/simulation-testing.ts`, "utf8")
    .split("\n")
    .findIndex((l) => l.includes("throw new Error(`election safety")) + 1;
expected["simulation-testing.ts"] = [
  "  150 ms  n1 runs (term 1)",
  "  186 ms  n1 leads (term 1)",
  "  244 ms  n0 runs (term 2)",
  "  276 ms  n0 leads (term 2)",
  "  424 ms  n0 crashes",
  "  571 ms  n3 runs (term 3)",
  "100 seeds: one leader per term in each, and each replays event for event",
  "a node that votes twice in a term: seed 5 fails",
  "Ok: undefined",
  "── 1 error beside the outcome (RunResult.warnings) ──",
  "task 4 failed and nothing waited for it: Error: election safety: n1 and n3 both lead term 2",
  "  ── in task 4 ──",
  "  node",
  '  handler handle(Note) for Note(3, "leads", 2) ✗',
  '  effect Note(3, "leads", 2): answer(Random) ↗, handle(Send) ↗, handle(Note) ✗, simulatedTime ·, scheduler ·',
  `  thrown at examples/cookbook/simulation-testing.ts:${thrownAt}`,
];
// docs/observability.md's structured logs: JSON lines with the request id and task, a failure as
// data with doeff's traceback, the run's outcome, the counters
const loggingThrownAt =
  readFileSync(`${root}examples/cookbook/structured-logging.ts`, "utf8")
    .split("\n")
    .findIndex((l) => l.includes("throw new Error(`no table in")) + 1;
expected["structured-logging.ts"] = [
  '{"t":0,"level":"info","requestId":"req-1","task":1,"msg":"start","user":"ada"}',
  '{"t":0,"level":"info","requestId":"req-2","task":2,"msg":"start","user":"bob"}',
  '{"t":10,"level":"info","requestId":"req-1","task":3,"msg":"query","sql":"orders of ada","ms":10}',
  '{"t":10,"level":"info","requestId":"req-1","task":4,"msg":"query","sql":"invoices of ada","ms":10}',
  '{"t":10,"level":"info","requestId":"req-1","task":1,"msg":"done","rows":2}',
  '{"t":10,"level":"info","requestId":"req-1","task":7,"msg":"audit written","rows":2}',
  '{"t":20,"level":"info","requestId":"req-2","task":5,"msg":"query","sql":"orders of bob","ms":10}',
  `{"t":20,"level":"error","requestId":"req-2","task":2,"msg":"request failed","error":{"text":"Error: no table in: missing of bob","name":"Error","message":"no table in: missing of bob","cause":{"text":"thrown: {\\"code\\":\\"42P01\\"}","value":{"code":"42P01"}},"chain":[{"kind":"task","name":"in task 2","tasks":[2],"count":1},{"kind":"program","name":"serve"},{"kind":"program","name":"handleRequest"},{"kind":"program","name":"all"},{"kind":"task","name":"in task 6 (spawned by task 2)","tasks":[6],"count":1,"spawnedBy":[2]},{"kind":"program","name":"timedPermit"},{"kind":"program","name":"withPermit"},{"kind":"program","name":"permitted"},{"kind":"handler","name":"db","effect":"Query(\\"missing of bob\\")","marker":"✗","outcome":"threw"}],"effect":{"text":"Query(\\"missing of bob\\")","class":"Query","handlers":[{"kind":"handler","name":"db","marker":"✗","outcome":"threw"},{"kind":"handler","name":"reader","marker":"·","outcome":"not reached"},{"kind":"handler","name":"clockProbe","marker":"·","outcome":"not reached"},{"kind":"handler","name":"simulatedTime","marker":"·","outcome":"not reached"},{"kind":"handler","name":"scheduler","marker":"·","outcome":"not reached"}]},"thrownAt":{"file":"examples/cookbook/structured-logging.ts","line":${loggingThrownAt}}}}`,
  '{"ok":true,"value":[true,false],"warnings":0}',
  '{"effects":{"Spawn":7,"Query":4},"spawned":7,"permitWaitMs":20,"maxWaiting":2}',
];
const doc = readFileSync(`${root}docs/cookbook.md`, "utf8");

test("cookbook simulation-testing.ts: docs/testing.md shows what it prints", () => {
  const page = readFileSync(`${root}docs/testing.md`, "utf8");
  assert.ok(page.includes(`\n\`\`\`\n${expected["simulation-testing.ts"]!.join("\n")}\n\`\`\`\n`));
});

/** The page that shows each recipe (docs/cookbook.md unless named here). */
const pages: Record<string, string> = {
  "tracing.ts": "observability.md",
  "structured-logging.ts": "observability.md",
  "simulation-testing.ts": "testing.md",
};

for (const [name, lines] of Object.entries(expected)) {
  test(`cookbook ${name}: runs and prints what the docs say`, () => {
    assert.deepEqual(runExample(`examples/cookbook/${name}`), lines);
  });
  const page = pages[name] ?? "cookbook.md";
  test(`cookbook ${name}: docs/${page} shows exactly this file`, () => {
    const shown = readFileSync(`${root}docs/${page}`, "utf8");
    const src = readFileSync(`${root}examples/cookbook/${name}`, "utf8")
      .replaceAll('"../../src/index.js"', '"doeff"')
      .replaceAll('"../../src/testing/index.js"', '"doeff/testing"');
    const marker = `<!-- example: examples/cookbook/${name} -->\n\`\`\`ts\n`;
    const at = shown.indexOf(marker);
    assert.ok(at >= 0, `docs/${page} has a block for ${name}`);
    const body = shown.slice(at + marker.length, shown.indexOf("```\n", at + marker.length));
    assert.equal(body, src);
  });
}

test("cookbook cancel-on-signal.ts: SIGINT aborts the run; every finally block runs", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/cookbook/cancel-on-signal.ts"], {
    cwd: root,
  });
  let out = "";
  let sent = false;
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // fail rather than hang
  const code = await new Promise<number | null>((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
      if (!sent && out.includes("working")) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 120); // let the workers run a few rounds
      }
    });
    child.on("exit", (c) => resolve(c));
    child.on("error", reject);
  });
  clearTimeout(guard);
  assert.equal(code, 130); // runMain: 128 + SIGINT
  assert.deepEqual(out.trimEnd().split("\n"), [
    "working; press Ctrl-C to stop",
    "worker 1 stopped",
    "worker 2 stopped",
    "cleaned up",
    "stopped: interrupted by SIGINT",
  ]);
});

test("cookbook cancel-on-signal.ts: docs/cookbook.md shows exactly this file", () => {
  const src = readFileSync(`${root}examples/cookbook/cancel-on-signal.ts`, "utf8")
    .replaceAll('"../../src/index.js"', '"doeff"')
    .replaceAll('"../../src/node/index.js"', '"doeff/node"');
  const marker = "<!-- example: examples/cookbook/cancel-on-signal.ts -->\n```ts\n";
  const at = doc.indexOf(marker);
  assert.ok(at >= 0);
  assert.equal(doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length)), src);
});

// ── http-server.ts: real requests on 127.0.0.1, a shutdown in the middle of a burst ─────────────

/** The recipe as a child process on a free port, its stdout lines, and its exit code. */
async function startServer() {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/cookbook/http-server.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0" },
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // fail rather than hang
  let out = "";
  child.stdout.setEncoding("utf8");
  const exited = new Promise<{ code: number | null; lines: string[] }>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, lines: out.trimEnd().split("\n") });
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: string) => {
      out += d;
      const m = /^listening on port (\d+)$/m.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error(`the server exited first: ${out}`)));
  });
  return { child, port, exited };
}

/** `GET /?ms=…`: `status body`, or the connection error's code; "no reply" after 10 s. */
function get(port: number, ms: number, agent: http.Agent | false = false): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: `/?ms=${ms}`, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(`${res.statusCode} ${body}`));
    });
    req.setTimeout(10_000, () => {
      resolve("no reply");
      req.destroy();
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
  });
}

/**
 * Two requests on one kept-alive connection: `ms`, then `then` once its reply came and `after`
 * resolved. Resolves with the replies' lines when the server closes the connection.
 */
function keptAlive(port: number, ms: number, after: Promise<unknown>, then: number): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const request = (n: number) => socket.write(`GET /?ms=${n} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const replied = new Promise<void>((r) =>
      socket.on("data", (d: string) => {
        data += d;
        if (data.includes(`took ${ms} ms`)) r();
      }),
    );
    socket.setEncoding("utf8");
    socket.setTimeout(10_000, () => socket.destroy()); // (no reply: fail rather than hang)
    socket.on("error", () => {}); // (reset: the lines so far)
    const lines = () => data.replace(/request \d+ took/g, "request N took").split("\r\n");
    socket.on("close", () => resolve(lines().filter((l) => /^(HTTP|request|shutting)/.test(l))));
    request(ms);
    void Promise.all([replied, after]).then(() => request(then));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const strip = (s: string) => s.replace(/^200 request \d+ took/, "200 request N took");
const ctrlC = (child: ChildProcess) => {
  child.kill("SIGINT");
  return sleep(0);
};

test("cookbook http-server.ts: Ctrl-C in the middle of a burst: in-flight requests finish, requests during the drain get 503 at once, new connections are refused, and the process ends on its own", async () => {
  const { child, port, exited } = await startServer();
  assert.equal(strip(await get(port, 0)), "200 request N took 0 ms"); // (the server is serving)
  let sent!: () => void;
  const stopping = new Promise<void>((r) => (sent = r));
  const order: string[] = [];
  // in flight at Ctrl-C (200), then a request on the same connection during the drain: 503 at once,
  // before the drain ends (tooSlow's 504)
  const kept = keptAlive(port, 300, stopping, 0).finally(() => order.push("kept-alive"));
  const tooSlow = get(port, 1000).finally(() => order.push("504")); // past its 500 ms timeout
  const agent = new http.Agent({ keepAlive: true, maxSockets: 3 });
  const burst = Array.from({ length: 15 }, () => get(port, 100, agent)); // 3 at a time, 500 ms
  await sleep(100);
  await ctrlC(child);
  sent();
  assert.deepEqual(await kept, [
    "HTTP/1.1 200 OK",
    "request N took 300 ms",
    "HTTP/1.1 503 Service Unavailable",
    "shutting down",
  ]);
  assert.equal(
    await tooSlow,
    "504 TimeoutError: handle timed out after 500 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  );
  assert.deepEqual(order, ["kept-alive", "504"]);
  // the burst's requests: served; then, during the drain, 503 on the kept-alive connections (which
  // it closes); new connections refused once close() took effect; and reset, one sent on a kept-alive
  // connection at the moment close() closed it as idle (under load; not received: the client's to
  // retry) — each one answered or refused, none left waiting
  const outcomes = (await Promise.all(burst)).map((r) => strip(r).replace(/ .*/, ""));
  const seen = (o: string) => outcomes.filter((x) => x === o).length;
  assert.ok(seen("200") > 0, outcomes.join(","));
  const answered = seen("200") + seen("503") + seen("ECONNREFUSED") + seen("ECONNRESET");
  assert.equal(answered, 15, outcomes.join(","));
  agent.destroy();
  const { code, lines } = await exited; // no open handle left: it exits by itself
  assert.equal(code, 0);
  assert.deepEqual(lines, [`listening on port ${port}`, "drained"]);
});

test("cookbook http-server.ts: a request on a kept-alive connection whose reply the last in-flight one holds back gets its 503", async () => {
  // (it had no listener once the loop's was gone, and no reply; then a second server.close() after
  // the run dropped the connection with its 503 queued)
  const { child, port, exited } = await startServer();
  const kept = keptAlive(
    port,
    300,
    sleep(100).then(() => ctrlC(child)),
    0,
  );
  assert.deepEqual(await kept, [
    "HTTP/1.1 200 OK",
    "request N took 300 ms",
    "HTTP/1.1 503 Service Unavailable",
    "shutting down",
  ]);
  const { code, lines } = await exited;
  assert.equal(code, 0);
  assert.deepEqual(lines, [`listening on port ${port}`, "drained"]);
});

test("cookbook http-server.ts: a second Ctrl-C aborts the run; the requests whose tasks it cancelled get 503", async () => {
  const { child, port, exited } = await startServer();
  const inFlight = [get(port, 300), get(port, 300), get(port, 300)];
  assert.equal(strip(await get(port, 0)), "200 request N took 0 ms");
  child.kill("SIGINT");
  await sleep(50);
  child.kill("SIGINT");
  // (answered after the run, from the set of responses not sent: a task the abort cancelled before
  // it started runs no code, not even a finally block, and none of these tasks replies in one)
  assert.deepEqual(await Promise.all(inFlight), [
    "503 shutting down",
    "503 shutting down",
    "503 shutting down",
  ]);
  const { code, lines } = await exited;
  assert.equal(code, 0);
  assert.deepEqual(lines, [`listening on port ${port}`, "stopped: AbortError: This operation was aborted"]);
});

test("cookbook http-server.ts: docs/cookbook.md shows exactly this file", () => {
  const src = readFileSync(`${root}examples/cookbook/http-server.ts`, "utf8").replaceAll(
    '"../../src/index.js"',
    '"doeff"',
  );
  const marker = "<!-- example: examples/cookbook/http-server.ts -->\n```ts\n";
  const at = doc.indexOf(marker);
  assert.ok(at >= 0);
  assert.equal(doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length)), src);
});

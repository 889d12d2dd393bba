/**
 * Server load test: `npm run load [-- --requests N --rounds R --concurrency C --max-seconds S]`.
 *
 * Loopback only (127.0.0.1, an ephemeral port) and bounded: R rounds of N requests per mode (doeff
 * `runAsync` per request vs plain async/await), C in flight, and it stops by itself after S seconds
 * of rounds at the latest. Prints requests/s, p50 and p99 per mode and round; exits 1 if any response
 * is wrong or missing, or if the heap (after GC, between rounds) grows by more than 25% + 4 MB from the
 * first measured round to the last (run with --expose-gc, as `npm run load` does).
 */
import { inProcess, type Mode, type RoundResult, round, startServer } from "./load-lib.js";

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: npm run load -- [--requests N] [--rounds R] [--concurrency C] [--max-seconds S]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]) {
  const o = { requests: 20_000, rounds: 6, concurrency: 50, maxSeconds: 120 };
  const names: Record<string, keyof typeof o> = {
    "--requests": "requests",
    "--rounds": "rounds",
    "--concurrency": "concurrency",
    "--max-seconds": "maxSeconds",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i] ?? ""];
    const v = Number(argv[i + 1]);
    if (key === undefined) usage(`unknown argument ${argv[i]}`);
    if (!Number.isSafeInteger(v) || v < 1) usage(`${argv[i]} needs a positive integer`);
    o[key] = v;
  }
  return o;
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapMB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const fmt = (r: RoundResult) =>
  `${r.mode.padEnd(5)} ${String(r.requests).padStart(6)} req  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms` +
  (r.wrong + r.failed > 0 ? `  WRONG ${r.wrong} FAILED ${r.failed}` : "");

const opts = parseArgs(process.argv.slice(2));
if (gc === undefined) process.stdout.write("note: no --expose-gc, heap figures include garbage\n");
process.stdout.write(
  `load: ${opts.rounds} rounds × ${opts.requests} requests per mode, ${opts.concurrency} concurrent, 127.0.0.1, node ${process.version}\n`,
);
const server = await startServer();
const started = Date.now();
const all: RoundResult[] = [];
const heap: number[] = [];
let nextId = 0;
try {
  // warm-up (not counted)
  for (const mode of ["doeff", "plain"] as Mode[]) await round(server.port, mode, 1000, opts.concurrency, 0);
  for (let i = 0; i < opts.rounds; i++) {
    if (Date.now() - started > opts.maxSeconds * 1000) {
      process.stdout.write(`stopping after ${i} rounds: --max-seconds ${opts.maxSeconds} reached\n`);
      break;
    }
    for (const mode of (i % 2 === 0 ? ["doeff", "plain"] : ["plain", "doeff"]) as Mode[]) {
      const r = await round(server.port, mode, opts.requests, opts.concurrency, nextId);
      nextId += opts.requests;
      all.push(r);
      process.stdout.write(`round ${i + 1}  ${fmt(r)}\n`);
    }
    heap.push(heapMB());
    process.stdout.write(`round ${i + 1}  heap after GC ${heap[heap.length - 1]!.toFixed(1)} MB\n`);
  }
} finally {
  await server.close();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
process.stdout.write("\nmedian over rounds:\n");
for (const mode of ["doeff", "plain"] as Mode[]) {
  const rs = all.filter((r) => r.mode === mode);
  process.stdout.write(
    `  ${mode.padEnd(5)} ${median(rs.map((r) => r.rps)).toFixed(0)} req/s  p50 ${median(rs.map((r) => r.p50)).toFixed(2)} ms  p99 ${median(rs.map((r) => r.p99)).toFixed(2)} ms\n`,
  );
}
let inProcessWrong = 0;
for (const mode of ["doeff", "plain"] as Mode[]) {
  await inProcess(mode, 2000); // warm-up
  const r = await inProcess(mode, opts.requests);
  inProcessWrong += r.wrong;
  process.stdout.write(
    `  ${mode.padEnd(5)} in-process (no HTTP): ${r.usPerRequest.toFixed(1)} µs per request\n`,
  );
}
const bad = all.reduce((n, r) => n + r.wrong + r.failed, 0) + inProcessWrong;
const total = all.reduce((n, r) => n + r.requests, 0);
let ok = true;
if (bad > 0) {
  process.stdout.write(`FAIL: ${bad} of ${total} responses wrong or missing\n`);
  ok = false;
} else process.stdout.write(`ok: all ${total} responses correct\n`);
if (heap.length >= 2 && gc !== undefined) {
  const first = heap[0]!;
  const last = heap[heap.length - 1]!;
  const flat = last <= first * 1.25 + 4;
  process.stdout.write(
    `${flat ? "ok" : "FAIL"}: heap ${first.toFixed(1)} MB after round 1, ${last.toFixed(1)} MB after round ${heap.length}\n`,
  );
  ok &&= flat;
}
process.exit(ok ? 0 : 1);

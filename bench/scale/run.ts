/**
 * Scale-out figures (issue 14): `npm run bench:scale [workers|queue]`.
 *  - workers speedup: 16 CPU-bound fib programs, a 2-thread pool vs the same programs on one thread
 *  - workers overhead: trivial jobs through doeff/workers vs raw piscina (same pool size, same load)
 *  - queue overhead: jobs/s of trivial programs through doeff/queue with 2 workers vs BullMQ with plain
 *    async functions (needs redis-server; one is started on a free loopback port)
 * Workers: raw piscina and doeff/workers run in this one process, interleaved (the order alternates
 * each round), for ROUNDS rounds (env, default 7); each figure is the median of the rounds with the
 * min–max spread, each ratio is the median of the per-round ratios, except one job at a time (fresh
 * pools each round, see oneAtATime; its ratio is the ratio of the medians). Queue: after QUEUE_WARM warm-up rounds per side (default 6), plain and doeff alternate for QUEUE_ROUNDS rounds (default 15); the ratio is the median of the per-round ratios.
 * `--write` also puts the figures (with the date, commit and load average) into bench/scale/README.md,
 * between the `bench:scale` markers.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Piscina } from "piscina";
import { fn, program, realTime, run, runAsync, scheduler, spawn, wait } from "../../src/index.js";
import { runInWorker, workers } from "../../src/workers/index.js";
import { startRedis } from "../../test/redis-server.js";
import { fib as fibProgram } from "./jobs.js";

// Bundled (the default, see relaunch below) or under tsx (`--tsx`): the files beside this module.
const BUNDLED = !import.meta.url.endsWith(".ts");
const HERE = BUNDLED ? new URL(`file://${process.env.DOEFF_SCALE_DIR}/`) : new URL(".", import.meta.url);
const JOBS = new URL(BUNDLED ? "./jobs.js" : "./jobs.ts", import.meta.url).href;
const RAW = new URL("./raw-worker.mjs", HERE).href;
const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith("--")) ?? "all";
const write = args.includes("--write");

async function time(f: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `median (min–max)` of a list of figures */
function spread(xs: readonly number[], digits = 2): string {
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

const FIB_N = 32;
const FIB_JOBS = 16;
const TRIVIAL = 2000;
const SEQ = 500;
// 15 rounds: one round is ~140 ms and single rounds read 0.85–1.47× (7 gave medians 1.09–1.25×)
const QUEUE_ROUNDS = Number(process.env.QUEUE_ROUNDS ?? 15);
const WARM_SEQ = Number(process.env.WARM_SEQ ?? 16);
const QUEUE_WARM = Number(process.env.QUEUE_WARM ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const out: string[] = [];
const report = (line: string) => {
  out.push(line);
  console.log(line);
};

/** run `count` jobs `make(i)` as tasks on the pool (all submitted at once), check the sum */
async function manyJobs(
  pool: ReturnType<typeof workers>,
  count: number,
  make: (i: number) => ReturnType<typeof runInWorker>,
): Promise<number> {
  const r = await runAsync(
    program(function* () {
      const tasks = [];
      for (let i = 0; i < count; i++) tasks.push(yield* spawn(make(i)));
      let sum = 0;
      for (const t of tasks) sum += (yield* wait(t)) as number;
      return sum;
    }),
    { handlers: [scheduler, realTime, pool] },
  );
  if (!r.ok) throw r.error;
  return r.value;
}

const expectSum = (n: number) => (n * (n - 1)) / 2;
function check(got: number, want: number): void {
  if (got !== want) throw new Error(`bench: wrong sum ${got}, expected ${want}`);
}

/**
 * One job at a time, on **fresh pools each round**. A pool's one-at-a-time latency is set when its
 * threads start: two identical raw piscina pools in one process, alternated, differ by up to 3×
 * (p50 21 vs 62 µs per job) and keep that for the life of the pool, which pool drawing the fast
 * thread wake-ups at random. Measured on one pool each, the doeff/raw ratio is that coin flip; over
 * fresh pools it is the median of the draws. A second raw pool each round is the A/A control.
 */
async function oneAtATime(): Promise<void> {
  const rounds = Math.max(ROUNDS, 9);
  const rawSeq = async (p: Piscina) => {
    let sum = 0;
    for (let i = 0; i < SEQ; i++) sum += (await p.run({ x: i })) as number;
    check(sum, expectSum(SEQ));
  };
  const doeffSeq = async (pool: ReturnType<typeof workers>) => {
    const r = await runAsync(
      program(function* () {
        let sum = 0;
        for (let i = 0; i < SEQ; i++) sum += (yield* runInWorker<number>(JOBS, "noop", i)) as number;
        return sum;
      }),
      { handlers: [scheduler, realTime, pool] },
    );
    if (!r.ok) throw r.error;
    check(r.value, expectSum(SEQ));
  };
  const raw: number[] = [];
  const control: number[] = [];
  const doeff: number[] = [];
  const coldRaw: number[] = [];
  const coldDoeff: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const T = Number(process.env.SEQ_THREADS ?? 2);
    const a = new Piscina({ filename: RAW, minThreads: T, maxThreads: T });
    const b = new Piscina({ filename: RAW, minThreads: T, maxThreads: T });
    const d = workers({ size: T });
    try {
      // warm up: threads started, modules loaded, JITs settled. A fresh thread runs doeff's VM
      // cold: its run of a trivial job takes 20–55 µs for the first ~1,000 jobs and ~3 µs after
      // ~8,000 (stamped inside the thread); raw piscina's plain function has nothing to warm. Two
      // rounds (1,000 jobs per pool) measured that warm-up as a 2–3× "latency" — so WARM_SEQ rounds
      // (default 16: 8,000 jobs per pool, every pool alike) before the figures; the cold cost is
      // reported on its own line (the pools' second 500 jobs).
      for (let i = 0; i < WARM_SEQ; i++) {
        const tr = await time(() => rawSeq(a));
        await rawSeq(b);
        const td = await time(() => doeffSeq(d));
        if (i === 1) {
          coldRaw.push((tr / SEQ) * 1000);
          coldDoeff.push((td / SEQ) * 1000);
        }
      }
      const order = [0, 1, 2].map((k) => (k + round) % 3); // rotated each round
      for (const k of order) {
        if (k === 0) raw.push(((await time(() => rawSeq(a))) / SEQ) * 1000);
        if (k === 1) control.push(((await time(() => rawSeq(b))) / SEQ) * 1000);
        if (k === 2) doeff.push(((await time(() => doeffSeq(d))) / SEQ) * 1000);
      }
    } finally {
      await a.destroy();
      await b.destroy();
      await d.close();
    }
  }
  report(
    `workers: ${SEQ} trivial jobs one at a time, µs/job, median (min–max) of ${rounds} rounds, fresh pools each round, after ${(WARM_SEQ * SEQ).toLocaleString("en-US")} warm-up jobs per pool`,
  );
  report(`           raw piscina              ${spread(raw, 1)}`);
  report(`           raw piscina, second pool ${spread(control, 1)} (A/A control)`);
  report(`           doeff/workers            ${spread(doeff, 1)}`);
  report(
    `         latency vs raw piscina        ${(median(doeff) / median(raw)).toFixed(2)}× (ratio of the medians; target ≤ 1.3×)`,
  );
  report(`         raw vs raw (control)          ${(median(control) / median(raw)).toFixed(2)}×`);
  report(
    `         cold: a fresh pool's jobs 501–1,000: raw ${spread(coldRaw, 1)}, doeff ${spread(coldDoeff, 1)} (${(median(coldDoeff) / median(coldRaw)).toFixed(2)}×; the thread's VM not yet optimized)`,
  );
}

async function benchWorkers(): Promise<void> {
  report(`workers: node ${process.version}, ${ROUNDS} interleaved rounds, load average before: ${load()}`);
  const pool2 = workers({ size: 2 });
  const raw = new Piscina({ filename: RAW, minThreads: 2, maxThreads: 2 });
  try {
    // warm up: start the threads, load the modules, let the JITs settle
    for (let i = 0; i < 3; i++) {
      await manyJobs(pool2, TRIVIAL, (j) => runInWorker(JOBS, "noop", j));
      await Promise.all(Array.from({ length: TRIVIAL }, (_, j) => raw.run({ x: j })));
    }
    await manyJobs(pool2, 4, () => runInWorker(JOBS, "fib", 20));

    // trivial jobs: raw piscina vs doeff/workers, same pool size, interleaved in each round
    const rawBatch = () => Promise.all(Array.from({ length: TRIVIAL }, (_, i) => raw.run({ x: i })));
    const doeffBatch = () => manyJobs(pool2, TRIVIAL, (i) => runInWorker(JOBS, "noop", i));
    const batch = { raw: [] as number[], doeff: [] as number[], ratio: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // alternate which goes first, so a slow moment of the machine does not always hit the same side
      const first = round % 2 === 0;
      let r = 0;
      let d = 0;
      if (first) r = await time(rawBatch);
      d = await time(async () => check(await doeffBatch(), expectSum(TRIVIAL)));
      if (!first) r = await time(rawBatch);
      batch.raw.push((r / TRIVIAL) * 1000);
      batch.doeff.push((d / TRIVIAL) * 1000);
      batch.ratio.push(d / r);
    }
    report(`workers: ${TRIVIAL} trivial jobs at once, µs/job, median (min–max) of ${ROUNDS} rounds`);
    report(`           raw piscina    ${spread(batch.raw, 1)}`);
    report(`           doeff/workers  ${spread(batch.doeff, 1)}`);
    report(`         per-job cost vs raw piscina   ${spread(batch.ratio)}× (target ≤ 1.3×)`);
    await oneAtATime();

    // CPU-bound: the 16 programs on this thread vs on the 2-thread pool, interleaved; raw piscina
    // running the same function on its 2 threads is the control (what this machine gives right now)
    const one: number[] = [];
    const two: number[] = [];
    const rawTwo: number[] = [];
    const speedup: number[] = [];
    const rawSpeedup: number[] = [];
    const vsRaw: number[] = [];
    const fibRounds = Math.max(3, Math.ceil(ROUNDS / 2));
    const onThisThread = () => {
      for (let i = 0; i < FIB_JOBS; i++) run(fibProgram(FIB_N));
    };
    const onPool = () => manyJobs(pool2, FIB_JOBS, () => runInWorker(JOBS, "fib", FIB_N));
    const onRaw = () => Promise.all(Array.from({ length: FIB_JOBS }, () => raw.run({ fib: FIB_N })));
    for (let round = 0; round < fibRounds; round++) {
      const order = [onThisThread, onPool, onRaw];
      for (let i = 0; i < round % 3; i++) order.push(order.shift()!);
      const ms = new Map<unknown, number>();
      for (const f of order) ms.set(f, await time(f));
      const a = ms.get(onThisThread)!;
      const b = ms.get(onPool)!;
      const c = ms.get(onRaw)!;
      one.push(a);
      two.push(b);
      rawTwo.push(c);
      speedup.push(a / b);
      rawSpeedup.push(a / c);
      vsRaw.push(b / c);
    }
    report(`workers: ${FIB_JOBS} × fib(${FIB_N}), ms, median (min–max) of ${fibRounds} rounds`);
    report(`           on this thread                   ${spread(one, 0)}`);
    report(`           doeff/workers, 2-thread pool     ${spread(two, 0)}`);
    report(`           raw piscina, 2 threads (control) ${spread(rawTwo, 0)}`);
    report(`         speedup doeff/workers 2 threads vs one thread ${spread(speedup)}× (target ≥ 1.7×)`);
    report(`         speedup raw piscina 2 threads vs one thread   ${spread(rawSpeedup)}× (control)`);
    report(`         doeff/workers vs raw piscina on the same work ${spread(vsRaw)}×`);
    report(`workers: load average after: ${load()}`);
  } finally {
    await raw.destroy();
    await pool2.close();
  }
}

const QUEUE_JOBS = 1000;

async function benchQueue(): Promise<void> {
  const { Queue, QueueEvents, Worker } = await import("bullmq");
  const { enqueue, queue, startWorker } = await import("../../src/queue/index.js");
  const redis = await startRedis();
  const connection = redis.connection;
  try {
    // Both set up side by side, then timed in alternating order, QUEUE_ROUNDS rounds: measured one
    // after the other (plain's 3 runs, then doeff's), the second side met a Redis already holding
    // the first's finished jobs and whatever the machine did meanwhile (its ratio read 1.03–1.34×).
    // plain BullMQ: async functions, producer waits for every completion through QueueEvents
    const name = "bench-plain";
    const w1 = new Worker(name, async (job) => (job.data as { x: number }).x, { connection, concurrency: 8 });
    const w2 = new Worker(name, async (job) => (job.data as { x: number }).x, { connection, concurrency: 8 });
    const q = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection, lastEventId: "0-0" });
    await Promise.all([w1.waitUntilReady(), w2.waitUntilReady(), events.waitUntilReady()]);
    const waiting = new Map<string, (v: unknown) => void>();
    events.on("completed", ({ jobId, returnvalue }) => {
      waiting.get(jobId)?.(returnvalue);
      waiting.delete(jobId);
    });
    const plain = async (): Promise<void> => {
      const ps = [];
      for (let i = 0; i < QUEUE_JOBS; i++) {
        const id = `${name}-${performance.now()}-${i}`;
        ps.push(
          new Promise((resolve) => {
            waiting.set(id, resolve);
            void q.add("noop", { x: i }, { jobId: id });
          }),
        );
      }
      await Promise.all(ps);
    };
    // doeff/queue: 2 startWorkers, the producer's tasks each wait on their job
    const noop = fn(function* noop(x: number) {
      return x;
    });
    const dname = "bench-doeff";
    const d1 = await startWorker({
      connection,
      name: dname,
      programs: { noop },
      concurrency: 8,
      signals: false,
    });
    const d2 = await startWorker({
      connection,
      name: dname,
      programs: { noop },
      concurrency: 8,
      signals: false,
    });
    const dq = queue({ connection, name: dname });
    const job = fn(function* job(i: number) {
      return yield* wait(yield* enqueue<number>("noop", [i]));
    });
    const viaDoeff = async (): Promise<void> => {
      const r = await runAsync(
        program(function* () {
          const tasks = [];
          for (let i = 0; i < QUEUE_JOBS; i++) tasks.push(yield* spawn(job(i)));
          for (const t of tasks) yield* wait(t);
        }),
        { handlers: [scheduler, realTime, dq] },
      );
      if (!r.ok) throw r.error;
    };
    try {
      // Warm-up, both sides alternating: V8 optimizes doeff's scheduler paths over its first ~10,000
      // tasks (a probe timing 250-task runs: 5–28 ms each for the first 3,500 tasks, 0.6 ms from
      // ~11,000 on), so one warm-up round (1,000 jobs) left doeff's side partly cold. (A first
      // round reads nothing useful: plain's first one took 397 ms against 135 ms warm.)
      for (let i = 0; i < QUEUE_WARM; i++) {
        await plain();
        await viaDoeff();
      }
      const plainMs: number[] = [];
      const doeffMs: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < QUEUE_ROUNDS; round++) {
        let p = 0;
        let d = 0;
        if (round % 2 === 0) {
          p = await time(plain);
          d = await time(viaDoeff);
        } else {
          d = await time(viaDoeff);
          p = await time(plain);
        }
        plainMs.push(p);
        doeffMs.push(d);
        ratios.push(d / p);
      }
      const rate = (ms: number) => ((QUEUE_JOBS / ms) * 1000).toFixed(0);
      report(`queue: ${QUEUE_JOBS} trivial jobs, ms, median (min–max) of ${QUEUE_ROUNDS} alternating rounds`);
      report(`           plain BullMQ   ${spread(plainMs, 0)} (${rate(median(plainMs))} jobs/s)`);
      report(`           doeff/queue    ${spread(doeffMs, 0)} (${rate(median(doeffMs))} jobs/s)`);
      report(
        `queue: overhead vs plain BullMQ ${spread(ratios)}× (median of the per-round ratios, after ${QUEUE_WARM} warm-up rounds per side; target ≤ 1.2×)`,
      );
    } finally {
      await Promise.all([
        w1.close(),
        w2.close(),
        events.close(),
        q.close(),
        d1.close(),
        d2.close(),
        dq.close(),
      ]);
    }
  } finally {
    await redis.stop();
  }
}

/**
 * Run from an esbuild bundle, not tsx: tsx compiles with `keepNames`, whose `static { __name(…) }`
 * on every class makes `new X()` several times slower on this V8 (bench/lib/bundle.ts). The parent,
 * doeff/workers' thread entry and the jobs module are bundled together with code splitting, so a
 * thread loads one copy of doeff shared by the entry and the jobs (as an installed package is); raw
 * piscina's worker is plain JS either way. `--tsx` runs the sources as they are.
 */
async function relaunch(): Promise<void> {
  const { build } = await import("esbuild");
  const { spawnSync } = await import("node:child_process");
  const { copyFileSync, mkdirSync, rmSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const here = fileURLToPath(new URL(".", import.meta.url));
  const out = `${here}../../node_modules/.cache/doeff-scale/${process.pid}`;
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [`${here}run.ts`, `${here}jobs.ts`, `${here}../../src/workers/worker-entry.ts`],
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    keepNames: false,
    outdir: out,
    entryNames: "[name]",
    logLevel: "error",
  });
  copyFileSync(`${here}raw-worker.mjs`, `${out}/raw-worker.mjs`);
  const r = spawnSync(process.execPath, [`${out}/run.js`, ...args], {
    stdio: "inherit",
    env: { ...process.env, DOEFF_SCALE_DIR: here.replace(/\/$/, "") },
  });
  process.exitCode = r.status ?? 1;
  rmSync(out, { recursive: true, force: true });
}

if (!BUNDLED && !args.includes("--tsx")) await relaunch();
else {
  if (which === "seq") await oneAtATime();
  if (which === "all" || which === "workers") await benchWorkers();
  if (which === "all" || which === "queue") await benchQueue();
  if (write) writeReadme();
}

/** Replace the figures between the markers in bench/scale/README.md (or append them). */
function writeReadme(): void {
  const file = new URL("./README.md", HERE);
  const begin = "<!-- bench:scale:begin -->";
  const end = "<!-- bench:scale:end -->";
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {}
  const block = [
    begin,
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, commit ${commit}, ${cpus().length} CPUs (\`npm run bench:scale -- ${args.join(" ")}\`):`,
    "",
    "```",
    ...out,
    "```",
    end,
  ].join("\n");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Scale-out benchmarks\n\n";
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + block + text.slice(b + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  console.log(`wrote the figures into ${file.pathname}`);
}

/**
 * doeff/queue fault tests on a real redis-server: two worker processes and a producer run 200 jobs;
 * one worker is SIGKILLed mid-job (BullMQ's stalled-job recovery hands its jobs to the other), or
 * Redis is restarted mid-run (everyone reconnects). Every job completes exactly once as seen by the
 * producer, with the right result. Also: SIGTERM finishes the jobs in flight before the worker exits,
 * and a connection that fails names where Redis was looked for (a `url`'s host and port, never its
 * password).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { test } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import { fn, gather, program, realTime, runAsync, scheduler } from "../src/index.js";
import { enqueue, queue, startWorker } from "../src/queue/index.js";
import { redisForFile } from "./redis-server.js";

const redis = redisForFile("queue fault tests");
const { skip } = redis;
const WORKER = new URL("./fixtures/queue/worker-process.ts", import.meta.url).pathname;
const UNREACHABLE = new URL("./fixtures/queue/unreachable-worker.ts", import.meta.url).pathname;

interface Proc {
  readonly child: ChildProcess;
  /** job ids started and not yet ended, with the time their "start" line was read */
  readonly active: Map<string, number>;
  readonly exited: Promise<number | null>;
  readonly lines: string[];
}

async function startWorkerProcess(name: string, concurrency: number): Promise<Proc> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", WORKER, String(redis.port), name, String(concurrency)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const active = new Map<string, number>();
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let buf = "";
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i = buf.indexOf("\n");
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      if (line === "ready") ready();
      else if (line.startsWith("start ")) active.set(line.slice(6), Date.now());
      else if (line.startsWith("end ")) active.delete(line.slice(4));
      i = buf.indexOf("\n");
    }
  });
  await Promise.race([isReady, exited.then((c) => Promise.reject(new Error(`worker exited early (${c})`)))]);
  return { child, active, exited, lines };
}

/** counts every completion event per job id, as a second observer of the queue */
async function countCompletions(
  name: string,
): Promise<{ counts: Map<string, number>; close: () => Promise<void> }> {
  const counts = new Map<string, number>();
  const ev = new QueueEvents(name, { connection: redis.connection, lastEventId: "0-0" });
  ev.on("completed", ({ jobId }) => counts.set(jobId, (counts.get(jobId) ?? 0) + 1));
  ev.on("error", () => {});
  await ev.waitUntilReady();
  return { counts, close: () => ev.close() };
}

const JOBS = 200;
/** every 20th job (job-7, job-27, …) takes 400 ms instead of 15: a job that is surely still running
 * when the kill lands (a 15 ms job seen active may already be completed in Redis, its "end" line
 * still in the pipe — that made the kill test flaky) */
const LONG_MS = 400;
const isLong = (i: number) => i % 20 === 7;

/** poll until `cond` holds (a guard against a hang, not a timing assertion) */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** 200 squares (jobIds job-0 … job-199) through `queue()`; `midway` runs while they are processed */
async function produce(name: string, midway: (observed: Map<string, number>) => Promise<void>) {
  const q = queue({ connection: redis.connection, name });
  const observed = await countCompletions(name);
  try {
    const running = runAsync(
      program(function* () {
        const futures = [];
        for (let i = 0; i < JOBS; i++)
          futures.push(
            yield* enqueue<number>("square", [i, isLong(i) ? LONG_MS : 15], { jobId: `job-${i}` }),
          );
        return yield* gather(...futures);
      }),
      { handlers: [scheduler, realTime, q] },
    );
    await midway(observed.counts);
    const r = await running;
    assert.ok(r.isOk(), r.format());
    assert.deepEqual(
      r.value,
      Array.from({ length: JOBS }, (_, i) => i * i),
    );
    // every job completed exactly once, as an independent observer of the queue's events saw it
    await until("the observer to see every completion", () => observed.counts.size === JOBS);
    for (const [id, n] of observed.counts) assert.equal(n, 1, `${id} completed ${n} times`);
    return observed.counts;
  } finally {
    await observed.close();
    await q.close();
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
  await p.exited;
}

test("queue faults: a worker process SIGKILLed mid-job — its jobs are recovered by the other, each completes exactly once", {
  skip,
}, async () => {
  const name = "faults-kill";
  const a = await startWorkerProcess(name, 4);
  const b = await startWorkerProcess(name, 4);
  let killedMidJob: string[] = [];
  try {
    const counts = await produce(name, async (seen) => {
      // kill while A runs a long job that started under 150 ms ago (it has ≥ 250 ms left)
      const longStartedLately = () =>
        [...a.active].some(([id, at]) => isLong(Number(id.slice(4))) && Date.now() - at < LONG_MS - 250);
      await until(
        "40 completions and a long job just started on worker A",
        () => seen.size >= 40 && longStartedLately(),
      );
      killedMidJob = [...a.active.keys()];
      a.child.kill("SIGKILL");
      await a.exited;
    });
    assert.ok(killedMidJob.length > 0);
    for (const id of killedMidJob) assert.equal(counts.get(id), 1, id);
    // the jobs A really held when it died were recovered as stalled and finished by B (a job A had
    // just finished, its "end" line still in the pipe, is not stalled)
    const bull = new Queue(name, { connection: redis.connection });
    try {
      const jobs = await Promise.all(killedMidJob.map((id) => bull.getJob(id)));
      const recovered = jobs.filter((j) => j !== undefined && j.stalledCounter > 0).map((j) => j!.id!);
      assert.ok(recovered.length > 0, `none of ${killedMidJob.join(", ")} was recovered as stalled`);
      for (const id of recovered) assert.ok(b.lines.includes(`end ${id}`), `worker B finished ${id}`);
    } finally {
      await bull.close();
    }
  } finally {
    await stop(a);
    await stop(b);
  }
});

test("queue faults: Redis restarted mid-run — producer and workers reconnect and every job completes exactly once", {
  skip,
}, async () => {
  const name = "faults-restart";
  const a = await startWorkerProcess(name, 4);
  const b = await startWorkerProcess(name, 4);
  try {
    await produce(name, async (seen) => {
      await until("40 completions", () => seen.size >= 40);
      await redis.restart(300);
    });
  } finally {
    await stop(a);
    await stop(b);
  }
});

test("queue faults: SIGTERM closes a worker gracefully — the jobs in flight finish before it exits", {
  skip,
}, async () => {
  const name = "faults-sigterm";
  const a = await startWorkerProcess(name, 2);
  const q = queue({ connection: redis.connection, name });
  let b: Proc | null = null;
  try {
    const running = runAsync(
      program(function* () {
        const futures = [];
        for (let i = 1; i <= 4; i++)
          futures.push(yield* enqueue<number>("square", [i, 300], { jobId: `term-${i}` }));
        return yield* gather(...futures);
      }),
      { handlers: [scheduler, realTime, q] },
    );
    await until("two jobs in flight", () => a.active.size === 2);
    const inFlight = [...a.active.keys()].sort();
    a.child.kill("SIGTERM");
    assert.equal(await a.exited, 0);
    const closedAt = a.lines.indexOf("closed");
    assert.ok(closedAt > 0, a.lines.join("\n"));
    for (const id of inFlight) {
      const endAt = a.lines.indexOf(`end ${id}`);
      assert.ok(endAt >= 0 && endAt < closedAt, `${id} finished before the worker closed`);
    }
    b = await startWorkerProcess(name, 2); // takes the jobs A did not start
    const r = await running;
    assert.deepEqual(r.value, [1, 4, 9, 16]);
  } finally {
    await q.close();
    await stop(a);
    if (b !== null) await stop(b);
  }
});

test("queue faults: a startWorker whose connection fails for good (a NaN port from an unset env variable) rejects naming Redis and the queue, and leaves nothing running: the process exits", {
  timeout: 30_000,
}, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", UNREACHABLE, "NaN"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    // the worker BullMQ made was left reconnecting (its timers kept the process alive for ever)
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r("still running"), 10_000)),
    ]);
    assert.equal(code, 0);
    assert.equal(
      out,
      'started\nrejected: Error: startWorker could not connect to Redis at 127.0.0.1:NaN (queue "unreachable"): Port should be >= 0 and < 65536. Received type number (NaN).\n',
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

test("queue faults: SIGTERM ends a startWorker still waiting for an unreachable Redis — it rejects, saying so, and the process exits", {
  timeout: 30_000,
}, async () => {
  // a loopback port nothing listens on: the worker keeps trying to connect
  const srv = createServer();
  const port = await new Promise<number>((done) =>
    srv.listen(0, "127.0.0.1", () => done((srv.address() as { port: number }).port)),
  );
  await new Promise((done) => srv.close(done));
  const child = spawn(process.execPath, ["--import", "tsx", UNREACHABLE, String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await until("the worker to start", () => out.includes("started\n"));
    await new Promise((r) => setTimeout(r, 1000)); // several connection attempts
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 5000))]);
    assert.equal(code, 0);
    assert.equal(
      out,
      `started\nrejected: Error: startWorker was stopped by SIGTERM before it connected to Redis at 127.0.0.1:${port} (queue "unreachable"); it waits for Redis as long as Redis is unreachable\n`,
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

test("queue faults: a connection given as a url is named by the url's host and port when it fails, its password never shown", {
  skip,
  timeout: 20_000,
}, async () => {
  const programs = {
    one: fn(function* one() {
      return 1;
    }),
  };
  // an ACL user that does not exist: Redis answers WRONGPASS
  const url = `redis://doeff-nobody:s3cret@127.0.0.1:${redis.port}`;
  const refused = `Redis refused its credentials (WRONGPASS invalid username-password pair or user is disabled.); check the connection's password (and username)`;
  // before: "at localhost:6379", where nothing was looked for
  await assert.rejects(startWorker({ connection: { url }, name: "doeff-url", programs, signals: false }), {
    constructor: Error,
    message: `startWorker could not connect to Redis at 127.0.0.1:${redis.port} (queue "doeff-url"): ${refused}`,
  });
  const q = queue({ connection: { url }, name: "doeff-url" });
  try {
    const r = await runAsync(enqueue("one"), { handlers: [scheduler, realTime, q] });
    assert.equal(
      (r.error as Error).message,
      `queue "doeff-url" could not connect to Redis at 127.0.0.1:${redis.port}: ${refused}`,
    );
  } finally {
    await q.close();
  }
  // a url that does not parse is shown as given, without its credentials
  await assert.rejects(
    startWorker({
      connection: { url: "redis://doeff-nobody:s3cret@127.0.0.1:port" },
      name: "doeff-url",
      programs,
      signals: false,
    }),
    {
      constructor: Error,
      message:
        'startWorker could not connect to Redis at "redis://127.0.0.1:port" (queue "doeff-url"): Invalid URL',
    },
  );
});

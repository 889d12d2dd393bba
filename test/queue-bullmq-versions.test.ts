/**
 * doeff/queue on each BullMQ major it declares (peerDependencies "^5.0.0 || ^6.0.0"): the same round
 * trip — a result, progress, an error rebuilt with its class and cause, an unknown program, a
 * producer closed while Redis is unreachable — run by
 * a scratch project whose `bullmq` is BullMQ 5 (dev alias `bullmq5`, with its own ioredis 5) or
 * BullMQ 6 (with ioredis 6, which BullMQ 6 no longer installs itself). doeff is bundled into the
 * scratch project with `bullmq` left external, so the import resolves as a user's would.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { type Redis, redisMissing, startRedis } from "./redis-server.js";

const root = new URL("..", import.meta.url).pathname;
if (redisMissing) console.log(`# queue BullMQ-version tests skipped: ${redisMissing}`);

let dir = "";
let redis: Redis | null = null;

const ENTRY = `
export { awaitPromise, delay, fn, program, runAsync, scheduler, realTime, spawn, timeout, wait } from ${JSON.stringify(join(root, "src/index.ts"))};
export { enqueue, queue, reportProgress, startWorker, registerErrorClasses, UnknownProgramError } from ${JSON.stringify(join(root, "src/queue/index.ts"))};
`;

const SCRIPT = `
import { createRequire } from "node:module";
import { awaitPromise, delay, fn, program, runAsync, scheduler, realTime, spawn, timeout, wait, enqueue, queue, reportProgress,
  startWorker, registerErrorClasses, UnknownProgramError } from "./doeff.mjs";
const [name, port] = process.argv.slice(2);
const connection = { host: "127.0.0.1", port: Number(port) };
class Overdrawn extends Error {
  constructor(m, o) { super(m, o); this.name = "Overdrawn"; }
}
registerErrorClasses([Overdrawn]);
const programs = {
  square: fn(function* square(n) { yield* reportProgress(50); return n * n; }),
  withdraw: fn(function* withdraw(n) { throw new Overdrawn("by " + n, { cause: new RangeError("too much") }); }),
};
const worker = await startWorker({ connection, name, programs, concurrency: 2, signals: false });
const progress = [];
const q = queue({ connection, name, onProgress: (id, p) => progress.push(p) });
const outcome = fn(function* outcome(p, args) {
  try { return yield* wait(yield* enqueue(p, args)); }
  catch (e) { return [e.constructor.name, e.message, e.cause?.constructor.name, e.cause?.message, e instanceof UnknownProgramError]; }
});
const r = await runAsync(program(function* () {
  const ts = [yield* spawn(outcome("square", [7])), yield* spawn(outcome("withdraw", [3])), yield* spawn(outcome("nope", []))];
  const out = [];
  for (const t of ts) out.push(yield* wait(t));
  return out;
}), { handlers: [scheduler, realTime, q] });
await q.close();
await worker.close();
// close(true) while a graceful close waits for a job: the run is aborted (its finally runs), the
// job goes back to the queue, both closes resolve (BullMQ 5 used to spin forever here)
let started;
const startedP = new Promise((res) => (started = res));
let cleaned = false;
const slow = fn(function* slow() {
  started();
  try { yield* delay(60000); } finally { cleaned = true; }
  return 1;
});
const w2 = await startWorker({ connection, name: name + "-force", programs: { slow }, signals: false });
const q2 = queue({ connection, name: name + "-force" });
await runAsync(program(function* () { yield* enqueue("slow", []); }), { handlers: [scheduler, realTime, q2] });
await startedP;
const graceful = w2.close();
await new Promise((res) => setTimeout(res, 50));
await w2.close(true);
await graceful;
const counts = await (await q2.bullQueue).getJobCounts("wait", "active", "failed", "completed");
await q2.close();
// a job Queue.clean() removes, and one of a queue Queue.obliterate() deletes, fail the futures
// waiting for them (clean adds one "cleaned" event; obliterate deletes the event stream)
const gone = [];
for (const how of ["clean", "obliterate"]) {
  const q3 = queue({ connection, name: name + "-" + how, eventsCheckMs: 50 });
  const r3 = await runAsync(program(function* () {
    const f = yield* enqueue("square", [2], { delay: 60000, jobId: how + "-1" });
    yield* awaitPromise(async () => {
      const bq = await q3.bullQueue;
      if (how === "clean") await bq.clean(0, 0, "delayed");
      else await bq.obliterate({ force: true });
    });
    try { return yield* timeout(wait(f), 5000); } catch (e) { return e.message; }
  }), { handlers: [scheduler, realTime, q3] });
  gone.push(r3.isOk() ? r3.value : String(r3.error));
  await q3.close();
}
// close() while Redis is unreachable (a loopback port nothing listens on): bounded, on both majors
const srv = (await import("node:net")).createServer();
const downPort = await new Promise((res) => srv.listen(0, "127.0.0.1", () => res(srv.address().port)));
await new Promise((res) => srv.close(res));
const down = queue({ connection: { host: "127.0.0.1", port: downPort }, name: name + "-down" });
const waited = runAsync(program(function* () { yield* enqueue("square", [2]); }), { handlers: [scheduler, realTime, down] });
await new Promise((res) => setTimeout(res, 300));
const downClosed = await Promise.race([down.close().then(() => "closed"), new Promise((res) => setTimeout(() => res("still pending after 10 s"), 10000))]);
void waited;
const version = createRequire(import.meta.url)("bullmq/package.json").version;
console.log(JSON.stringify({ major: version.split(".")[0], ok: r.isOk(), value: r.isOk() ? r.value : String(r.error), progress, forced: { cleaned, counts }, gone, downClosed }));
process.exit(0); // (the enqueue to the unreachable Redis never settles)
`;

before(async () => {
  if (redisMissing) return;
  dir = mkdtempSync(join(tmpdir(), "doeff-bullmq-"));
  await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    external: ["bullmq"],
    outfile: join(dir, "doeff.mjs"),
    logLevel: "silent",
  });
  redis = await startRedis();
});
after(async () => {
  if (redis !== null) await redis.stop();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** Run the round trip in a scratch project whose node_modules/bullmq is `pkg` (a folder of ours). */
function roundTrip(major: string, pkg: string): Promise<unknown> {
  const project = join(dir, `bullmq${major}`);
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(join(root, "node_modules", pkg), join(project, "node_modules", "bullmq"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  // a copy, not a re-export: the bundle's import("bullmq") resolves from the file's own folder
  copyFileSync(join(dir, "doeff.mjs"), join(project, "doeff.mjs"));
  writeFileSync(join(project, "main.mjs"), SCRIPT);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["main.mjs", `doeff-bullmq${major}`, String(redis!.port)],
      { cwd: project, timeout: 60_000, encoding: "utf8" },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

const EXPECTED_VALUE = [
  49,
  ["Overdrawn", "by 3", "RangeError", "too much", false],
  [
    "UnknownProgramError",
    'this worker has no program named "nope" (it has: square, withdraw); add it to startWorker({ programs: { nope: … } })',
    undefined,
    undefined,
    true,
  ],
];

for (const [major, pkg] of [
  ["5", "bullmq5"],
  ["6", "bullmq"],
] as const) {
  test(`queue on BullMQ ${major}: a result, progress, an error rebuilt with class and cause, an unknown program; jobs removed by clean / obliterate fail their futures; close() while Redis is unreachable resolves`, {
    skip: redisMissing,
    timeout: 90_000,
  }, async () => {
    const out = (await roundTrip(major, pkg)) as {
      major: string;
      ok: boolean;
      value: unknown;
      progress: unknown[];
      forced: unknown;
      gone: string[];
      downClosed: string;
    };
    assert.equal(out.major, major);
    assert.equal(out.ok, true, String(out.value));
    assert.deepEqual(JSON.parse(JSON.stringify(out.value)), JSON.parse(JSON.stringify(EXPECTED_VALUE)));
    assert.deepEqual(out.progress, [50]);
    assert.deepEqual(out.forced, { cleaned: true, counts: { wait: 1, active: 0, failed: 0, completed: 0 } });
    assert.deepEqual(out.gone, [
      `queue job doeff-bullmq${major}-clean#clean-1 was removed from Redis before this producer got its outcome (Queue.clean() and Queue.drain() remove jobs without an event for each), so no result will come; enqueue it again if it should run`,
      `queue job doeff-bullmq${major}-obliterate#obliterate-1 is gone from Redis, with the queue's event stream: the queue was deleted (Queue.obliterate(), or its keys deleted) before this producer got the job's outcome, so no result will come; enqueue it again if it should run`,
    ]);
    assert.equal(out.downClosed, "closed"); // before, on BullMQ 5: pending for as long as Redis was down
  });
}

/**
 * doeff/workers: a parent run with `trace: { sites: true }` passes it on to its jobs' runs (a flag
 * in the job's message), so a failed job's own doeff traceback (`remoteTraceback`) names the lines
 * of the job's module — each program's `yield*`, a task's spawn site — as a local run's does. Before,
 * the job's run never recorded sites, whatever the parent asked. Real worker threads.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { realTime, runAsync, scheduler, writer } from "../src/index.js";
import { runInWorker, workers } from "../src/workers/index.js";

const JOBS = new URL("./fixtures/workers/jobs.ts", import.meta.url);
const FILE = "test/fixtures/workers/jobs.ts";
const pool = workers({ size: 1 });
after(() => pool.close());

/** the 1-based line of the fixture that holds `text` */
function lineOf(text: string): number {
  const i = readFileSync(JOBS, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text));
  assert.ok(i !== -1, text);
  return i + 1;
}

async function remoteTraceback(sites: boolean): Promise<string> {
  const r = await runAsync(runInWorker(JOBS.href, "failingInTask", 7), {
    handlers: [scheduler, realTime, writer, pool],
    trace: { sites },
  });
  assert.ok(!r.ok);
  assert.equal((r.error as Error).message, "job failed with 7");
  return (r.error as { remoteTraceback?: string }).remoteTraceback ?? "";
}

test("workers: with trace.sites in the parent's run, a failed job's remoteTraceback names the job module's lines", async () => {
  const spawnLine = lineOf("return yield* wait(yield* spawn(failing(code)));");
  const tellLine = lineOf('yield* tell("about to fail");'); // (failing's last yield*)
  const throwLine = lineOf("throw new JobFailed(`job failed with");
  const traced = await remoteTraceback(true);
  assert.equal(
    traced.split("\n").slice(0, 5).join("\n"),
    [
      "doeff traceback (outermost first):",
      `  failingInTask at ${FILE}:${spawnLine}`,
      `  ── in task 1 (spawned at ${FILE}:${spawnLine}) ──`,
      `  failing at ${FILE}:${tellLine}`,
      `  thrown at ${FILE}:${throwLine}`,
    ].join("\n"),
    traced,
  );
  // without it, as before: the chain without sites (the throw's line comes from the error's stack)
  const plain = await remoteTraceback(false);
  assert.equal(
    plain.split("\n").slice(0, 5).join("\n"),
    [
      "doeff traceback (outermost first):",
      "  failingInTask",
      "  ── in task 1 ──",
      "  failing",
      `  thrown at ${FILE}:${throwLine}`,
    ].join("\n"),
    plain,
  );
});

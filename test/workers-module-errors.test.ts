/**
 * doeff/workers: a job module with a syntax error. Node (20–22) gives import() a bare SyntaxError
 * that says neither the file nor the line, and the WorkerModuleError told the reader to check the URL,
 * which was right. It now says what failed (a syntax error, in the module or one it imports) and how
 * to find the line. A SyntaxError thrown while the module runs (JSON.parse at its top level) is not a
 * syntax error of the module, and keeps the message it had. The modules are written to a fresh
 * temporary folder (a fixture that does not parse would fail the type check and the lint).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { realTime, runAsync, scheduler } from "../src/index.js";
import { runInWorker, WorkerModuleError, workers } from "../src/workers/index.js";

const dir = mkdtempSync(join(tmpdir(), "doeff-module-errors-"));
const write = (file: string, text: string) => {
  writeFileSync(join(dir, file), text);
  return pathToFileURL(join(dir, file));
};
const broken = write("broken.mjs", "export const job = ;\n");
const importsBroken = write("imports-broken.mjs", 'export { job } from "./broken.mjs";\n');
const badJson = write("bad-json.mjs", 'export const config = JSON.parse("{oops");\n');
// exports named as a job that are no job: a class, the module's own lists, a bare generator function,
// an async function (whose rejection, unheard, crashed the thread under the next job)
const DOEFF = new URL("../src/index.ts", import.meta.url).href;
const notJobs = write(
  "not-jobs.mjs",
  [
    `import { delay, fn } from ${JSON.stringify(DOEFF)};`,
    'import { threadId } from "node:worker_threads";',
    "export class Fetch {}",
    "export const forward = [Fetch];",
    "export function* bare(n) { return n; }",
    "export async function later(n) { throw new RangeError('later ' + n); }",
    "export const thread = fn(function* thread() { yield* delay(50); return threadId; });",
    // throws while it builds its program (a check of its argument), or in the program's run
    "const half = fn(function* half(n) { if (n % 2 === 1) throw new RangeError('odd: ' + n); return n / 2; });",
    "export function checked(n) { if (n < 0) throw new RangeError('n must be >= 0, got ' + n); return half(n); }",
    "",
  ].join("\n"),
);

const pool = workers({ size: 1 });
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const failure = async (url: URL) => {
  const r = await runAsync(runInWorker(url, "job"), { handlers: [scheduler, realTime, pool] });
  assert.ok(r.error instanceof WorkerModuleError, r.format());
  return r.error;
};

test("workers: a job module with a syntax error says so, and how to find the line, not to check the URL", async () => {
  const e = await failure(broken);
  assert.equal(
    e.message,
    `the worker cannot import ${broken.href}: SyntaxError: Unexpected token ';', in it or in a module it imports (Node does not say where for a module loaded with import()): \`node --check ${join(dir, "broken.mjs")}\` shows the line (for a TypeScript module, \`tsc --noEmit\`)`,
  );
  assert.ok(e.cause instanceof SyntaxError, String(e.cause));
  // the same for a module that imports it (node --check on the job module itself then passes: the
  // message says it may be a module it imports)
  const viaImport = await failure(importsBroken);
  assert.match(
    viaImport.message,
    /^the worker cannot import \S*imports-broken\.mjs: SyntaxError: Unexpected token ';', in it or in a module it imports \(Node does not say where/,
  );
});

test("workers: a SyntaxError thrown while the module runs keeps the message it had (its stack says where)", async () => {
  const e = await failure(badJson);
  assert.match(
    e.message,
    /^the worker cannot import \S*bad-json\.mjs: .*JSON.*\. Check the URL \(build it with new URL\("\.\/file\.js", import\.meta\.url\)\) and that the module loads on its own$/,
  );
  assert.match((e.cause as Error).stack ?? "", /bad-json\.mjs:1/);
});

test("workers: a class or the module's forward list named as the job says it is no job and names the jobs", async () => {
  const failWith = async (name: string, ...args: unknown[]) => {
    const r = await runAsync(runInWorker(notJobs, name, ...args), { handlers: [scheduler, realTime, pool] });
    assert.ok(r.error instanceof WorkerModuleError, r.format());
    assert.equal(r.error.exportName, name);
    return r.error.message;
  };
  const jobs =
    "name one of the module's jobs (bare, checked, later, thread): a function returning a Program (fn(function* …)), or a Program";
  // (it was a bare TypeError: "Class constructor Fetch cannot be invoked without 'new'")
  assert.equal(await failWith("Fetch", 1), `${notJobs.href}#Fetch is a class, not a job; ${jobs}`);
  // (it said: export it as fn(function* forward(…) { … }))
  assert.equal(
    await failWith("forward"),
    `${notJobs.href}#forward is the module's \`forward\` list, not a job; ${jobs}`,
  );
  assert.equal(
    await failWith("bare", 1),
    `${notJobs.href}#bare(…) returned a generator object (it is a bare generator function), not a Program; wrap the generator function with fn(function* bare(…) { … })`,
  );
});

test("workers: an async function named as the job fails that job alone; its rejection does not crash the thread", async () => {
  const H = { handlers: [scheduler, realTime, pool] };
  const first = await runAsync(runInWorker<number>(notJobs, "thread"), H);
  assert.equal(first.ok, true, first.format());
  const r = await runAsync(runInWorker(notJobs, "later", 1), H);
  // the next job runs on the same thread (it failed with WorkerCrashedError "… (later 1)")
  const next = await runAsync(runInWorker<number>(notJobs, "thread"), H);
  assert.equal(next.ok, true, next.format());
  assert.equal(next.value, first.value);
  assert.ok(r.error instanceof WorkerModuleError, r.format());
  // (it said "returned Promise object …; wrap the generator function with fn(…)")
  assert.equal(
    r.error.message,
    `${notJobs.href}#later(…) returned a Promise, not a Program (an async function is not a job); write it as fn(function* later(…) { … }), awaiting with yield* awaitPromise(() => promise)`,
  );
});

test("workers: an export function that throws while building its program fails the job with that error, and no remoteTraceback (no run began)", async () => {
  const H = { handlers: [scheduler, realTime, pool] };
  const r = await runAsync(runInWorker(notJobs, "checked", -1), H);
  const e = r.error as Error;
  assert.equal(Object.getPrototypeOf(e), RangeError.prototype);
  assert.equal(e.message, "n must be >= 0, got -1");
  assert.match(
    e.stack ?? "",
    /^RangeError: n must be >= 0, got -1\n\s+at checked \(\S*not-jobs\.mjs:9:\d+\)/,
  );
  assert.match(e.stack ?? "", /── in worker \(\S*not-jobs\.mjs#checked\) ──/);
  assert.equal(Object.hasOwn(e, "remoteTraceback"), false);
  // the same error thrown in the program's run comes with the run's report
  const inRun = await runAsync(runInWorker(notJobs, "checked", 3), H);
  assert.equal((inRun.error as Error).message, "odd: 3");
  assert.equal(
    (inRun.error as { remoteTraceback: string }).remoteTraceback,
    `doeff traceback (outermost first):\n  half\n  thrown at ${join(dir, "not-jobs.mjs")}:8\nRangeError: odd: 3`,
  );
});

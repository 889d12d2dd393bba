/**
 * A bundle split into chunks loads the code of resume, delegate, pass and the scheduler when a dynamic
 * import first needs it — possibly while a run is under way, started with only the small import's
 * code (run, fn, asyncEscape). Those modules turn on, as they load, what only they can need
 * (vm/resume.ts RESUMES and recordRuns, vm/pass.ts LATE_OPS and PASSES, reported.ts and
 * site-answers.ts reportsOn, delegate's answerDelegated, noteWait's grouping): a run that straddles
 * the load must report exactly as one where everything was loaded at the start. Built for real with
 * esbuild's code splitting (checked: the lazy chunk holds vm/resume.ts and vm/pass.ts), each
 * scenario in a fresh copy of the bundle, so that its load happens in the middle of that scenario's
 * run; compared byte for byte with the sources (all loaded).
 */
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { bundle, inTempDir } from "./bundle.js";

const src = new URL("../src/", import.meta.url).pathname;

const entry = `
import { run, runAsync } from "${src}run/run.ts";
import { fn } from "${src}vm/program.ts";
import { asyncEscape } from "${src}vm/rare-ops.ts";

export async function play(name) {
  const load = () => import("./lazy.ts");
  // a run aborted before the load, its report made after it too (the grouping turned on between)
  const ac0 = new AbortController();
  const inner0 = fn(function* inner0() {
    ac0.abort(new Error("stop0"));
    return 1;
  });
  const r0 = run(fn(function* outer0() { return yield* inner0(); })(), { signal: ac0.signal });
  const before = r0.format();
  // an error whose origin is noted before the load, thrown again after it under waiting handlers
  let kept;
  run(fn(function* keeper() {
    try { yield* fn(function* thrower() { throw new Error("kept"); })(); } catch (e) { kept = e; }
  })());
  const ac = new AbortController();
  const r = await runAsync(fn(function* main() {
    const lazy = yield* asyncEscape(load);
    return yield* lazy[name](name === "tasks" ? () => ac.abort(new Error("watchdog")) : kept);
  })(), { signal: ac.signal });
  return [before, r.format(), r0.format()];
}
`;

const lazy = `
import {
  awaitPromise, delay, delegate, Effect, fn, handle, pass, realTime, resume, scheduler, spawn, wait, withHandler,
} from "${src}index.ts";

class Ping extends Effect {}
class Boom extends Effect {}
const pinger = handle(Ping, function* pinger(_e, k) { return yield* resume(k, 1); });
const deep = fn(function* deep(n) {
  const v = yield* new Ping();
  if (n === 0) throw new Error("deep failure");
  return v + (yield* deep(n - 1));
});
// runs of waiting handlers (recordRuns), each parked in resume (RESUMES)
export const resumes = fn(function* resumes() { return yield* withHandler(pinger, deep(40)); });
export const rethrown = fn(function* rethrown(e) {
  const again = fn(function* again(n) {
    yield* new Ping();
    if (n === 0) throw e;
    return yield* again(n - 1);
  });
  return yield* withHandler(pinger, again(30));
});
// a handler that delegated, then threw: who answered (answerDelegated)
const answerer = handle(Boom, function* answerer(_e, k) { return yield* resume(k, 7); });
const delegator = handle(Boom, function* delegator() {
  throw new Error("after delegate got " + (yield* delegate()));
});
export const delegated = fn(function* delegated() {
  return yield* withHandler(answerer, withHandler(delegator, fn(function* asks() { return yield* new Boom(); })()));
});
// pass (vm/pass.ts: its executor and its perform set as it loads), as is and with a substitute, in
// a handler's own frame and from a nested withHandler in its code (a closing job), then an error
// thrown by the handler it was passed to
class Pong extends Effect {}
const outerPing = handle(Ping, function* outerPing(_e, k) { return yield* resume(k, 3); });
const pongs = handle(Pong, function* pongs(_e, k) { return yield* resume(k, 5); });
const passer = handle(Ping, function* passer() { return yield* pass(); });
const substitute = handle(Ping, function* substitute() {
  return yield* withHandler(pongs, fn(function* nested() { return yield* pass(new Pong()); })());
});
const refuses = handle(Ping, function* refuses() { throw new Error("passed, then refused"); });
export const passed = fn(function* passed() {
  const a = yield* withHandler(outerPing, withHandler(passer, fn(function* p1() { return yield* new Ping(); })()));
  const b = yield* withHandler(pongs, withHandler(substitute, fn(function* p2() { return yield* new Ping(); })()));
  if (a + b !== 8) throw new Error("passed " + a + " " + b);
  return yield* withHandler(refuses, withHandler(passer, fn(function* p3() { return yield* new Ping(); })()));
});
// tasks: a task's error at its waiter (a reported segment's exit), an aborted run's grouped report
const failing = fn(function* failing() { yield* delay(1); throw new Error("task failed"); });
export const taskError = fn(function* taskError() {
  const body = fn(function* waiter() {
    const t = yield* spawn(withHandler(pinger, fn(function* inTask() { yield* new Ping(); return yield* failing(); })()));
    return yield* wait(t);
  });
  return yield* withHandler(realTime, withHandler(scheduler, body()));
});
const ticker = fn(function* ticker() { while (true) yield* delay(1000); });
const worker = fn(function* worker() { return yield* awaitPromise(() => new Promise(() => {})); });
export const tasks = fn(function* tasks(abort) {
  const body = fn(function* spawner() {
    const t = yield* spawn(ticker());
    const ws = [];
    for (let i = 0; i < 6; i++) ws.push(yield* spawn(worker()));
    setTimeout(abort, 30);
    for (const w of ws) yield* wait(w);
    return yield* wait(t);
  });
  return yield* withHandler(realTime, withHandler(scheduler, body()));
});
`;

/** where a line was: the bundle's file and line, not the source's */
const sited = (s: string): string => s.replace(/(thrown at|made at) [^\s)]+/g, "$1 <site>");

test("a chunk that brings resume, delegate, pass and the scheduler in mid-run: the run reports as with all loaded at the start", async () => {
  await inTempDir("doeff-lazy-", async (dir) => {
    writeFileSync(join(dir, "entry.ts"), entry);
    writeFileSync(join(dir, "lazy.ts"), lazy);
    const r = await bundle(null, {
      entryPoints: [join(dir, "entry.ts")],
      splitting: true,
      outdir: join(dir, "out"),
      write: true,
      keepNames: true, // (else esbuild renames functions whose names collide: the reports' names)
    });
    // (else the load would not be mid-run: the entry's chunks hold none of what loads with it)
    const lazyChunk = Object.entries(r.metafile.outputs).find(([, o]) =>
      Object.keys(o.inputs).some((f) => f.endsWith("lazy.ts")),
    )!;
    const lazyInputs = Object.keys(lazyChunk[1].inputs).join(" ");
    for (const f of ["vm/resume.ts", "vm/reported.ts", "vm/site-answers.ts", "vm/pass.ts"])
      assert.ok(lazyInputs.includes(f), `${f} not in the lazy chunk: ${lazyInputs}`);
    const { play: fromSources } = await import(pathToFileURL(join(dir, "entry.ts")).href);
    for (const name of ["resumes", "rethrown", "delegated", "passed", "taskError", "tasks"]) {
      const copy = join(dir, name); // (a fresh copy: its chunks load anew, during this run)
      cpSync(join(dir, "out"), copy, { recursive: true });
      writeFileSync(join(copy, "package.json"), '{"type":"module"}');
      const { play } = await import(pathToFileURL(join(copy, "entry.js")).href);
      const got: string[] = (await play(name)).map(sited);
      const want: string[] = (await fromSources(name)).map(sited);
      assert.deepEqual(got, want, name);
      if (name === "passed") assert.match(got[1]!, /Error: passed, then refused/);
      assert.equal(got[0], got[2]); // (the report made before the load, and after it)
    }
  });
});

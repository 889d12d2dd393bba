/**
 * `reported(reporter)` (src/vm/program.ts), the VM side of a task's report: the body runs on a
 * segment marked with the reporter, and the segment's outcome goes to `reporter.exit`, whose effect
 * is performed in its place. The scheduler only ever starts it on a fresh prompt; these cover the
 * rest of its contract (a segment with frames already, a throw, a null exit, the traceback line).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createContinuation,
  fn,
  handle,
  resume,
  resumeContinuation,
  run,
  withHandler,
} from "../src/index.js";
import { reported } from "../src/protocol.js";
import { H, Num, Tag } from "./helpers.js";

/** A reporter that reports once with a Num of its outcome, then lets the segment exit. */
function reporter(body: unknown, log: string[]) {
  let done = false;
  return {
    start: () => body,
    exit(ok: boolean, v: unknown): unknown {
      log.push(`exit ${ok} ${ok ? String(v) : (v as Error).message}`);
      if (done) return null;
      done = true;
      return new Num(ok ? v : "failed");
    },
    frameLabel: () => "in the reported body",
  };
}

/** answers Num(v) with `answered v` */
const answer = H(Num)((e: Num, k: any) => resume(k, `answered ${String(e.v)}`));

test("reported: called from a frame (a segment with frames), the outcome goes to exit and its effect's answer is the result", () => {
  const log: string[] = [];
  const child = fn(function* child() {
    return 7;
  });
  const main = fn(function* main() {
    const r = yield* reported<string>(reporter(child(), log));
    return `main got ${r}`;
  });
  const r = run(withHandler(answer, main()));
  assert.ok(r.ok, String(r.error));
  assert.equal(r.value, "main got answered 7");
  // the answer is delivered at the marked segment, which then exits with it (exit says null)
  assert.deepEqual(log, ["exit true 7", "exit true answered 7"]);
});

test("reported: a throw in the body goes to exit as not ok; a null exit lets the segment exit as usual", () => {
  const log: string[] = [];
  const boom = fn(function* boom() {
    throw new Error("boom");
  });
  const r = run(withHandler(answer, reported(reporter(boom(), log))));
  assert.ok(r.ok, String(r.error));
  assert.equal(r.value, "answered failed");
  assert.deepEqual(log, ["exit false boom", "exit true answered failed"]);
});

test("reported: an error's traceback shows the reporter's line below the body's frames", () => {
  const log: string[] = [];
  const inner = fn(function* inner() {
    throw new Error("deep");
  });
  const q = {
    start: () => inner(),
    exit(ok: boolean): null {
      if (!ok) log.push("exit");
      return null;
    },
    frameLabel: () => "in the reported body",
  };
  const outer = fn(function* outer() {
    return yield* reported(q);
  });
  const r = run(outer());
  assert.equal(r.ok, false);
  // outermost first: the line sits between the frame that called it and the body's frames
  const tb = r.format();
  assert.match(tb, /\n {2}outer\n {2}── in the reported body ──\n {2}inner\n/);
  assert.deepEqual(log, ["exit"]);
});

test("reported on a fresh prompt (an unstarted continuation's body): its handler takes the report when it takes its class, else the search goes outward", () => {
  const body = fn(function* body() {
    return 5;
  });
  // class-based handlers (handle): a prompt of one takes the effects of its class without a predicate
  const other = handle(Tag, (_e: Tag, k: any) => resume(k, "tag")); // takes Tag only, not Num
  const inner = handle(Num, (e: Num, k: any) => resume(k, `inner ${String(e.v)}`));
  for (const [hs, expected] of [
    [[inner], "inner 5"], // the prompt's own handler takes Num by class: handed to it at once
    [[other], "answered 5"], // it does not: the outer `answer` takes it
  ] as const) {
    const log: string[] = [];
    const main = fn(function* main() {
      const kc = yield* createContinuation(reported<string>(reporter(body(), log)), [...hs]);
      return yield* resumeContinuation(kc, null);
    });
    const r = run(withHandler(answer, main()));
    assert.ok(r.ok, String(r.error));
    assert.equal(r.value, expected);
    assert.deepEqual(log, ["exit true 5", `exit true ${expected}`]);
  }
});

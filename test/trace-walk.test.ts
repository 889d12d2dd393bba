/**
 * The cost of recording an error's origin (trace/origin.ts): bounded by what a traceback keeps, not
 * by the chain's depth. A recursion 4,000 deep that throws and catches 2,000 errors walked all
 * 4,000 frames per error (8 million frames: errors in a loop were quadratic in the depth); each
 * frame's summary of the frames below it is now made once — and so is a run of handlers waiting in a
 * non-tail resume (one per effect), which every error walked too. Counted through the walk's
 * counter (frames and segments visited), never timed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  detach,
  Effect,
  fn,
  handle,
  type Program,
  program,
  resume,
  run,
  safe,
  withHandler,
} from "../src/index.js";
import { walkStats } from "../src/trace/frame-lines.js";

const DEPTH = 4_000;
const ERRORS = 2_000;

const thrower = fn(function* thrower(): Generator<never, never, unknown> {
  throw new Error("caught at once");
});

test("trace walk: a failure under a stack of at most 256 frames is walked frame by frame (no summary made, none kept); a deeper one is summarized once, and its next errors read the summaries", () => {
  // (a summary per frame of every failing run — an object kept in a WeakMap by generator — was most
  // of what a caught failure cost: ~30 µs under a few frames, most of it in the garbage collector)
  const deep = (depth: number, errors: number): Program<number> => {
    const rec: (d: number) => Program<number> = fn(function* rec(d: number): Generator<unknown, number, any> {
      if (d > 0) return yield* rec(d - 1);
      let caught = 0;
      for (let i = 0; i < errors; i++) if (!(yield* safe(thrower())).ok) caught++;
      return caught;
    });
    return rec(depth);
  };
  let made = walkStats.summaries;
  let visited = walkStats.frames;
  assert.equal(run(deep(200, 10)).value, 10);
  assert.equal(walkStats.summaries - made, 0);
  // each error: the frames of main's segment one by one (rec × 201, safe's, thrower's)
  assert.equal(walkStats.frames - visited, 10 * 204);
  made = walkStats.summaries;
  visited = walkStats.frames;
  assert.equal(run(deep(300, 10)).value, 10);
  const summaries = walkStats.summaries - made;
  // the first error summarizes the 300-odd frames below its thrower, once; each next one only its
  // own new frames (safe's and the thrower's)
  assert.ok(summaries > 300 && summaries <= 304 + 2 * 10, `${summaries} summaries made`);
  assert.ok(walkStats.frames - visited < summaries + 10 * 50, `visited ${walkStats.frames - visited} frames`);
});

test("trace walk: 2,000 errors caught 4,000 frames deep visit a bounded number of frames each", () => {
  const rec: (d: number) => Program<number> = fn(function* rec(d: number): Generator<unknown, number, any> {
    if (d > 0) return yield* rec(d - 1);
    let caught = 0;
    for (let i = 0; i < ERRORS; i++) {
      try {
        yield* thrower();
      } catch {
        caught++;
      }
    }
    return caught;
  });
  const before = walkStats.frames;
  const r = run(rec(DEPTH));
  const visited = walkStats.frames - before;
  assert.equal(r.value, ERRORS);
  // the first error makes the summaries (DEPTH frames, once); each one after reads a few frames
  assert.ok(visited < DEPTH + 50 * ERRORS, `visited ${visited} frames`);
});

test("trace walk: the same with safe, and the last error's traceback still shows both ends", () => {
  const rec: (d: number) => Program<number> = fn(function* rec(d: number): Generator<unknown, number, any> {
    if (d > 0) return yield* rec(d - 1);
    for (let i = 0; i < ERRORS; i++) yield* safe(thrower());
    return yield* thrower();
  });
  const before = walkStats.frames;
  const r = run(rec(DEPTH));
  const visited = walkStats.frames - before;
  assert.ok(visited < DEPTH + 50 * ERRORS, `visited ${visited} frames`);
  // (as before: the chain's ends, the identical lines between them folded)
  assert.deepEqual(r.format().split("\n").slice(0, 5), [
    "doeff traceback (outermost first):",
    "  rec",
    "  … 3999 more …",
    "  rec",
    "  thrower",
  ]);
});

test("trace walk: 2,000 errors caught under 2,000 handlers waiting in resume visit a bounded number each", () => {
  class Tick extends Effect<number> {
    declare readonly _tag: "Tick";
  }
  const h = handle(Tick, function* (_e, k) {
    return yield* resume(k, 1);
  });
  const body = fn(function* body(): Generator<unknown, number, any> {
    let caught = 0;
    for (let i = 0; i < ERRORS; i++) {
      yield* new Tick();
      try {
        yield* thrower();
      } catch {
        caught++;
      }
    }
    return caught;
  });
  const before = walkStats.frames;
  const r = run(withHandler(h, body()));
  const visited = walkStats.frames - before;
  assert.equal(r.value, ERRORS);
  // each handler's run summary made once (ERRORS), then a few segments per error
  assert.ok(visited < ERRORS + 50 * ERRORS, `visited ${visited}`);
});

// A generator run again elsewhere — `program(() => g)`, g left suspended in a continuation a handler
// detached — is a new frame with other frames below it. Its summary (keyed by the generator) was
// still the one made where it first ran: the traceback lost the frames below it (`main` here), and
// an error it had caught there and re-threw was recorded anew where it ran again.
class Save extends Effect<undefined> {
  declare readonly _tag: "Save";
}
const keep = handle(Save, function* (_e, k) {
  yield* detach(k);
  return undefined;
});
const throwsMsg = fn(function* throwsMsg(m: string): Generator<never, never, unknown> {
  throw new Error(m);
});

test("trace walk: a generator run again elsewhere has the frames below it there, not where it first ran", () => {
  function* inner(): Generator<unknown, never, unknown> {
    try {
      yield* throwsMsg("caught"); // a walk passes inner where it first runs: its summary made there
    } catch {}
    yield* new Save();
    throw new Error("boom");
  }
  const g = inner();
  const again = program(() => g);
  const main = fn(function* main(): Generator<unknown, unknown, any> {
    yield* withHandler(keep, again);
    return yield* again;
  });
  const r = run(main());
  assert.deepEqual(r.format().split("\n").slice(0, 3), [
    "doeff traceback (outermost first):",
    "  main",
    "  (anonymous)",
  ]);
});

test("trace walk: an error a generator caught, re-thrown after it ran again elsewhere, keeps where it was thrown", () => {
  function* inner(): Generator<unknown, never, unknown> {
    let e1: unknown;
    try {
      yield* throwsMsg("e1");
    } catch (e) {
      e1 = e;
    }
    yield* new Save();
    try {
      yield* throwsMsg("e2"); // a walk passes inner where it runs again: a summary made there
    } catch {}
    throw e1;
  }
  const g = inner();
  const again = program(() => g);
  const a = fn(function* a(): Generator<unknown, unknown, any> {
    return yield* withHandler(keep, again);
  });
  const b = fn(function* b(): Generator<unknown, unknown, any> {
    return yield* again;
  });
  const main = fn(function* main(): Generator<unknown, unknown, any> {
    yield* a();
    return yield* b();
  });
  const r = run(main());
  assert.deepEqual(r.format().split("\n").slice(0, 5), [
    "doeff traceback (outermost first):",
    "  main",
    "  a",
    "  (anonymous)",
    "  throwsMsg",
  ]);
});

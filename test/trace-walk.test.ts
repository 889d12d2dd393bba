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
import { Effect, fn, handle, type Program, resume, run, safe, withHandler } from "../src/index.js";
import { walkStats } from "../src/trace/origin.js";

const DEPTH = 4_000;
const ERRORS = 2_000;

const thrower = fn(function* thrower(): Generator<never, never, unknown> {
  throw new Error("caught at once");
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

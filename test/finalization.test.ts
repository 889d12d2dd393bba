/** Scenario group E — finalization order (SEMANTICS §5). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createContinuation, fn, pass, pure, type RunResult, resume, run, transfer } from "../src/index.js";
import { Abort, abandon, H, Num, note, notes, P, Ping, rec, resetNotes, Tag, WH } from "./helpers.js";

function expectOk(r: RunResult<any>, v: unknown): void {
  if (!r.ok) assert.fail(`expected Ok(${String(v)}), got Err: ${(r.error as any)?.stack ?? String(r.error)}`);
  assert.deepEqual(r.value, v);
}

const tagT = H(Tag)((_e, k) => resume(k, "T"));

test('E1 the handler runs first, then the abandoned body\'s finally → Ok("H"); notes ["h", "body finally"]', () => {
  resetNotes();
  const h = H(Num)(function* () {
    yield* note("h");
    return "H";
  });
  const r = run(
    WH(
      h,
      P(function* () {
        try {
          yield* new Num(0);
        } finally {
          yield* note("body finally");
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, "H");
  assert.deepEqual(notes, ["h", "body finally"]);
});

test('E2 innermost first across calls → Ok("A"); notes ["sub", "body"]', () => {
  resetNotes();
  const sub = fn(function* sub() {
    try {
      yield* new Num(0);
    } finally {
      yield* note("sub");
    }
  });
  const r = run(
    WH(
      abandon,
      P(function* () {
        try {
          yield* sub();
        } finally {
          yield* note("body");
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, "A");
  assert.deepEqual(notes, ["sub", "body"]);
});

test('E3 innermost first across a prompt → Ok("A"); notes ["in", "out"]', () => {
  resetNotes();
  const r = run(
    WH(
      abandon,
      P(function* () {
        try {
          return yield* WH(
            tagT,
            P(function* () {
              try {
                yield* new Num(0);
              } finally {
                yield* note("in");
              }
            }),
          );
        } finally {
          yield* note("out");
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, "A");
  assert.deepEqual(notes, ["in", "out"]);
});

test('E4 a finally\'s effect is handled by a handler inside k → Ok("A"); notes ["inner finally T", "outer finally"]', () => {
  resetNotes();
  const r = run(
    WH(
      abandon,
      P(function* () {
        try {
          return yield* WH(
            tagT,
            P(function* () {
              try {
                yield* new Num(0);
              } finally {
                const t = yield* new Tag();
                yield* note("inner finally " + t);
              }
            }),
          );
        } finally {
          yield* note("outer finally");
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, "A");
  assert.deepEqual(notes, ["inner finally T", "outer finally"]);
});

test('E5 a finally\'s effect is handled by the abandoning handler itself (deep) → Ok("aborted"); notes ["pong"]', () => {
  resetNotes();
  const h = H(
    Abort,
    Ping,
  )(function* (e, k) {
    if (e instanceof Abort) return "aborted";
    return yield* resume(k, "pong");
  });
  const r = run(
    WH(
      h,
      P(function* () {
        try {
          yield* new Abort();
        } finally {
          const x = yield* new Ping();
          yield* note(x);
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, "aborted");
  assert.deepEqual(notes, ["pong"]);
});

test('E6 a finally error replaces the handler\'s value → Ok("caught fin")', () => {
  expectOk(
    run(
      P(function* () {
        try {
          return yield* WH(
            H(Num)(() => pure("H")),
            P(function* () {
              try {
                yield* new Num(0);
              } finally {
                // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
                throw new Error("fin");
              }
            }),
          );
        } catch (e: any) {
          return "caught " + e.message;
        }
      }),
    ),
    "caught fin",
  );
});

test('E7 the handler\'s error wins over a finally error → Ok("caught H")', () => {
  expectOk(
    run(
      P(function* () {
        try {
          return yield* WH(
            H(Num)(function* () {
              throw new Error("H");
            }),
            P(function* () {
              try {
                yield* new Num(0);
              } finally {
                // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
                throw new Error("fin");
              }
            }),
          );
        } catch (e: any) {
          return "caught " + e.message;
        }
      }),
    ),
    "caught H",
  );
});

test("E7 (kept beside) the finally error the handler's error won over is on RunResult.warnings, never dropped", () => {
  const fin = new Error("fin");
  const r = run(
    P(function* () {
      try {
        return yield* WH(
          H(Num)(function* () {
            throw new Error("H");
          }),
          P(function* () {
            try {
              yield* new Num(0);
            } finally {
              // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
              throw fin;
            }
          }),
        );
      } catch (e: any) {
        return "caught " + e.message;
      }
    }),
  );
  expectOk(r, "caught H");
  assert.deepEqual(r.warnings, [fin]);
  assert.ok(r.format().endsWith("a finally block threw after its handler failed: Error: fin"), r.format());
});

test('E8 unwinding continues with return(), not throw → Ok("f1"); notes ["outer finally"]', () => {
  resetNotes();
  const sub = fn(function* sub() {
    try {
      yield* new Num(0);
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: the scenario throws from a finally block
      throw new Error("f1");
    }
  });
  const r = run(
    P(function* () {
      try {
        return yield* WH(
          abandon,
          P(function* () {
            try {
              yield* sub();
            } catch (_e) {
              yield* note("catch ran");
            } finally {
              yield* note("outer finally");
            }
          }),
        );
      } catch (e: any) {
        return e.message;
      }
    }),
    { handlers: [rec] },
  );
  expectOk(r, "f1");
  assert.deepEqual(notes, ["outer finally"]);
});

test('E9 transfer closes the handler\'s frames before k continues → Ok(1); notes ["h closed", "body 1"]', () => {
  resetNotes();
  const h = H(Num)(function* (_e, k) {
    try {
      return yield* transfer(k, 1);
    } finally {
      yield* note("h closed");
    }
  });
  const r = run(
    WH(
      h,
      P(function* () {
        const v = yield* new Num(0);
        yield* note("body " + v);
        return v;
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, 1);
  assert.deepEqual(notes, ["h closed", "body 1"]);
});

test('E10 transfer to another continuation does not finalize the handler\'s own k → Ok(["other", 10]); notes ["body done"]', () => {
  resetNotes();
  let saved: any;
  const h = H(Num)(function* (_e, k) {
    saved = k;
    return yield* transfer(yield* createContinuation(pure("other")), null);
  });
  const bd = P(function* () {
    try {
      return (yield* new Num(0)) * 2;
    } finally {
      yield* note("body done");
    }
  });
  const r = run(
    P(function* () {
      const r1 = yield* WH(h, bd);
      const r2 = yield* resume(saved, 5);
      return [r1, r2];
    }),
    { handlers: [rec] },
  );
  expectOk(r, ["other", 10]);
  assert.deepEqual(notes, ["body done"]);
});

test('E11 a terminal primitive from a closing frame → HandlerContextError → Ok(1); notes ["HandlerContextError", "body 1"]', () => {
  resetNotes();
  const h = H(Num)(function* (_e, k) {
    try {
      return yield* transfer(k, 1);
    } finally {
      try {
        yield* pass();
      } catch (err: any) {
        yield* note(err.constructor.name);
      }
    }
  });
  const r = run(
    WH(
      h,
      P(function* () {
        const v = yield* new Num(0);
        yield* note("body " + v);
        return v;
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, 1);
  assert.deepEqual(notes, ["HandlerContextError", "body 1"]);
});

/** Scenario group E — finalization order (SEMANTICS §5). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Continuation,
  createContinuation,
  detach,
  Effect,
  fn,
  handle,
  pass,
  program,
  pure,
  type RunResult,
  resume,
  run,
  transfer,
  transferWith,
  withHandler,
} from "../src/index.js";
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

// §5.3 × §5.2 (found in a review round): a handler closing for a terminal primitive whose finally's
// effect is taken *outside* it and abandoned never performs that primitive, so its target becomes
// unused again and §5.1 finalizes it (the body's finally blocks ran never, and a parked target
// stayed "used" for good).
class CloseE extends Effect<number> {
  declare readonly _tag: "CloseE";
}
class CloseF extends Effect<number> {
  declare readonly _tag: "CloseF";
}

/** Answers CloseE with 2 (outside the closing handler). */
const outerE = handle(CloseE, function* (_e, k) {
  return yield* resume(k, 2);
});
/** Takes CloseE and ends with `prim`; its finally block runs `onClose` while the invocation closes. */
const closingHandler = (
  prim: "transfer" | "transferWith" | "pass",
  onClose: () => Generator<CloseF, void, number>,
) =>
  handle(CloseE, function* (_e, k) {
    try {
      if (prim === "transfer") return yield* transfer(k, 1);
      if (prim === "transferWith") return yield* transferWith(k, pure(1));
      return yield* pass();
    } finally {
      yield* onClose();
    }
  });

test("§5.3 a terminal primitive abandoned by an outer handler while its invocation closes: k is finalized (transfer, transferWith, pass)", () => {
  for (const prim of ["transfer", "transferWith", "pass"] as const) {
    const L: string[] = [];
    const fAbandon = handle(CloseF, function* () {
      L.push("F abandoned");
      return "abandoned by F";
    });
    const h = closingHandler(prim, function* () {
      L.push("h finally");
      yield* new CloseF();
    });
    const body = fn(function* body() {
      try {
        return yield* new CloseE();
      } finally {
        L.push("body finally");
      }
    });
    const r = run(withHandler(fAbandon, withHandler(outerE, withHandler(h, body()))));
    assert.equal(r.value, "abandoned by F", prim);
    assert.deepEqual(L, ["h finally", "F abandoned", "body finally"], prim);
  }
});

test("§5.3 a transfer into a parked continuation, abandoned while its invocation closes, leaves it resumable", () => {
  const L: string[] = [];
  let parked: Continuation<number, unknown> | null = null;
  class Park extends Effect<number> {
    declare readonly _tag: "Park";
  }
  class Switch extends Effect<number> {
    declare readonly _tag: "Switch";
  }
  const fAbandon = handle(CloseF, function* () {
    L.push("F abandoned");
    return "abandoned by F";
  });
  const parker = handle(Park, function* (_e, k) {
    parked = k;
    yield* detach(k);
    return "parked";
  });
  const switcher = handle(Switch, function* () {
    try {
      return yield* transfer(parked!, 10);
    } finally {
      L.push("h finally");
      yield* new CloseF();
    }
  });
  const r = run(
    program(function* () {
      const a = yield* withHandler(
        parker,
        program(function* () {
          L.push(`parked body got ${yield* new Park()}`);
          return "parked body done";
        }),
      );
      const b = yield* withHandler(fAbandon, withHandler(switcher, new Switch()));
      const c = yield* resume(parked!, 20);
      return [a, b, c];
    }),
  );
  assert.deepEqual(r.value, ["parked", "abandoned by F", "parked body done"]);
  assert.deepEqual(L, ["h finally", "F abandoned", "parked body got 20"]);
});

test("§9.8 × §5.3 the run aborted while a closing handler's finally performs an effect: the body's finally blocks run", () => {
  for (const prim of ["transfer", "transferWith", "pass"] as const) {
    for (const traced of [false, true]) {
      const L: string[] = [];
      const ac = new AbortController();
      const stop = new Error("stop");
      const fh = handle(CloseF, function* (_e, k) {
        return yield* resume(k, 0);
      });
      const h = closingHandler(prim, function* () {
        L.push("h finally");
        ac.abort(stop);
        yield* new CloseF();
        L.push("h finally end");
      });
      const body = fn(function* body() {
        try {
          L.push(`body got ${yield* new CloseE()}`);
          return 0;
        } finally {
          L.push("body finally");
        }
      });
      const r = run(withHandler(fh, withHandler(outerE, withHandler(h, body()))), {
        signal: ac.signal,
        ...(traced ? { trace: { steps: () => {} } } : {}),
      });
      assert.equal(r.error, stop, `${prim} traced=${traced}`);
      assert.deepEqual(L, ["h finally", "body finally"], `${prim} traced=${traced}`);
    }
  }
});

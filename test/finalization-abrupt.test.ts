/**
 * SEMANTICS §5 conformance audit (review-n): finalization mixed with deep handling — a finally
 * block's effect taken by the abandoning handler itself, a handler throwing while it handles a
 * finally's effect, k marked used before its frames close, the unwind-exit order with an inner
 * handler waiting in resume or delegate, an invocation closed by an outer abandonment that resumes
 * its own k, finalize(k2) after an abrupt exit outside k, a terminal primitive abandoned by a handler
 * inside the invocation (§5.3), and nested finalization 10,000 levels deep.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Continuation,
  delegate,
  detach,
  finalize,
  fn,
  type Handler,
  pass,
  pure,
  resume,
  run,
  transfer,
} from "../src/index.js";
import { abandon, E1, E2, H, Num, note, notes, P, rec, resetNotes, Tag, WH } from "./helpers.js";

test("§5.2 deep: a finally block's effect taken by the abandoning handler itself, which abandons again: the rest of that finally never runs; the first outcome leaves the withHandler", () => {
  resetNotes();
  const seen: number[] = [];
  const h = H(Num)(function* (e) {
    seen.push(e.v);
    return `A${e.v}`;
  });
  const r = run(
    P(function* () {
      const x = yield* WH(
        h,
        P(function* () {
          try {
            yield* new Num(1);
          } finally {
            yield* note("finally start");
            const y = yield* new Num(2);
            yield* note(`finally got ${y}`);
          }
          return "body";
        }),
      );
      yield* note(`x=${x}`);
      return x;
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, "A1");
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(notes, ["finally start", "x=A1"]);
});

test("§5.2 a handler throwing while it handles a finally block's effect: the finally's own catch never sees it (its frame is in the k being thrown away); the error is recorded and replaces the handler's value", () => {
  resetNotes();
  const boom = new Error("h2 boom");
  const h = H(Num)(function* (e) {
    if (e.v === 2) throw boom;
    return `A${e.v}`;
  });
  const r = run(
    P(function* () {
      try {
        return yield* WH(
          h,
          P(function* () {
            try {
              try {
                yield* new Num(1);
              } finally {
                yield* note("inner finally");
                try {
                  yield* new Num(2);
                } catch {
                  yield* note("caught in the finally");
                }
                yield* note("inner finally end");
              }
            } finally {
              yield* note("outer finally");
            }
            return "body";
          }),
        );
      } catch (err) {
        return err === boom ? "caught h2 boom" : `other ${String(err)}`;
      }
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, "caught h2 boom");
  // return() on the suspended generator still runs the finally blocks around the yield (JS), not
  // the catch: the handler's error goes to the finalizer, not into the frame
  assert.deepEqual(notes, ["inner finally", "outer finally"]);
});

test("§5.2 k is marked used before its frames close: a finally block that resumes the k being finalized gets ContinuationConsumedError", () => {
  resetNotes();
  let kept: Continuation<number, unknown> | null = null;
  const h = H(Num)(function* (_e, k) {
    kept = k;
    return "A";
  });
  const r = run(
    WH(
      h,
      P(function* () {
        try {
          yield* new Num(1);
        } finally {
          try {
            yield* resume(kept!, 5);
            yield* note("resumed");
          } catch (err) {
            yield* note((err as Error).constructor.name);
          }
        }
        return "body";
      }),
    ),
    { handlers: [rec] },
  );
  assert.equal(r.value, "A");
  assert.deepEqual(notes, ["ContinuationConsumedError"]);
});

test("§5.2 unwind-exit order: an outer handler abandons while an inner handler waits in resume / in delegate — body finally and inner handler finally innermost first, then the outer body's", () => {
  const cases: Array<[string, Handler, string[]]> = [
    [
      "inner waiting in resume (its frame parked)",
      H(Num)(function* (_e, k) {
        try {
          return yield* resume(k, 1);
        } finally {
          yield* note("inner handler finally");
        }
      }),
      ["outer", "body finally", "inner handler finally", "outer body finally"],
    ],
    [
      "inner waiting in delegate (its k finalized by the unwind-exit rule)",
      H(Num)(function* (_e, k) {
        try {
          const v = yield* delegate<number>();
          return yield* resume(k, v);
        } finally {
          yield* note("inner handler finally");
        }
      }),
      ["outer", "inner handler finally", "body finally", "outer body finally"],
    ],
  ];
  for (const [label, inner, expected] of cases) {
    resetNotes();
    const outer = H(
      Num,
      E2,
    )(function* () {
      yield* note("outer");
      return "O";
    });
    const r = run(
      WH(
        outer,
        P(function* () {
          try {
            return yield* WH(
              inner,
              P(function* () {
                try {
                  yield* new Num(1);
                  return yield* new E2();
                } finally {
                  yield* note("body finally");
                }
              }),
            );
          } finally {
            yield* note("outer body finally");
          }
        }),
      ),
      { handlers: [rec] },
    );
    assert.equal(r.value, "O", label);
    assert.deepEqual(notes, expected, label);
  }
});

test("§5.2 an invocation closed by an outer abandonment resumes its own unused k in its finally: the body runs there; a second abandonment by the same outer handler (deep, inside the finalization) is discarded with the first's FR", () => {
  for (const again of [false, true]) {
    resetNotes();
    let n = 0;
    const outer = H(E2)(function* () {
      n++;
      yield* note(`outer ${n}`);
      return `O${n}`;
    });
    const h = H(Num)(function* (_e, k) {
      try {
        yield* new E2();
        return "h unreached";
      } finally {
        const r = yield* resume(k, 5);
        yield* note(`h finally resumed ${r}`);
      }
    });
    const r = run(
      WH(
        outer,
        P(function* () {
          try {
            return yield* WH(
              h,
              P(function* () {
                try {
                  const v = yield* new Num(1);
                  yield* note(`body got ${v}`);
                  if (again) yield* new E2();
                  return v;
                } finally {
                  yield* note("body finally");
                }
              }),
            );
          } finally {
            yield* note("outer body finally");
          }
        }),
      ),
      { handlers: [rec] },
    );
    assert.equal(r.value, "O1", `again=${again}`);
    assert.deepEqual(
      notes,
      again
        ? ["outer 1", "body got 5", "outer 2", "body finally", "outer body finally"]
        : ["outer 1", "body got 5", "body finally", "h finally resumed 5", "outer body finally"],
      `again=${again}`,
    );
  }
});

test("§5.2 abrupt exit outside k, then finalize(k2) by that outer handler: the new unwinding closes the rest of the first one, passes through its FR and ends at the outer prompt; finalize evaluates to undefined", () => {
  resetNotes();
  const results: unknown[] = [];
  const outer = H(Tag)(function* (_e, k2) {
    yield* note("outer");
    results.push(yield* finalize(k2));
    yield* note("outer finalized");
    return "OUT";
  });
  const r = run(
    WH(
      outer,
      P(function* () {
        try {
          const v = yield* WH(
            abandon,
            P(function* () {
              try {
                try {
                  yield* new Num(0);
                } finally {
                  yield* note("f1");
                  yield* new Tag();
                  yield* note("f1 unreached");
                }
              } finally {
                yield* note("f2");
              }
            }),
          );
          // the first finalization's outcome ("A") is discarded: this frame is closed, not delivered to
          yield* note(`after ${v}`);
          return v;
        } finally {
          yield* note("f3");
        }
      }),
    ),
    { handlers: [rec] },
  );
  assert.equal(r.value, "OUT");
  assert.deepEqual(results, [undefined]);
  assert.deepEqual(notes, ["f1", "outer", "f2", "f3", "outer finalized"]);
});

test("§5.3 × §5.2 a terminal primitive from a body the handler installed, whose finally is abandoned by a handler inside the invocation: the primitive is abandoned, its target unused again, and the handler's code goes on", () => {
  const stopper = H(Tag)(() => pure("stopped"));
  const closing = (prim: () => any) =>
    WH(
      stopper,
      P(function* () {
        try {
          return yield* prim();
        } finally {
          yield* new Tag();
          yield* note("finally unreached");
        }
      }),
    );

  // transfer(k): the handler transfers again afterwards
  resetNotes();
  const r1 = run(
    WH(
      H(Num)(function* (_e, k) {
        const r = yield* closing(() => transfer(k, 1));
        yield* note(`after ${r}`);
        return yield* transfer(k, 2);
      }),
      P(function* () {
        const v = yield* new Num(0);
        yield* note(`body ${v}`);
        return v;
      }),
    ),
    { handlers: [rec] },
  );
  assert.equal(r1.value, 2);
  assert.deepEqual(notes, ["after stopped", "body 2"]);

  // transfer(k) abandoned, then the handler returns: k is finalized (§5.1)
  resetNotes();
  const r2 = run(
    WH(
      H(Num)(function* (_e, k) {
        const r = yield* closing(() => transfer(k, 1));
        return `h ${r}`;
      }),
      P(function* () {
        try {
          return yield* new Num(0);
        } finally {
          yield* note("body finally");
        }
      }),
    ),
    { handlers: [rec] },
  );
  assert.equal(r2.value, "h stopped");
  assert.deepEqual(notes, ["body finally"]);

  // transfer into another kept continuation: still unused, transferred into afterwards
  resetNotes();
  let kept: Continuation<string, unknown> | null = null;
  const r3 = run(
    P(function* () {
      const a = yield* WH(
        H(E1)(function* (_e, k) {
          yield* detach(k);
          kept = k;
          return "kept";
        }),
        P(function* () {
          const v: string = yield* new E1();
          return `b1 ${v}`;
        }),
      );
      const b = yield* WH(
        H(Num)(function* () {
          const r = yield* closing(() => transfer(kept!, "t1"));
          yield* note(`after ${r}`);
          return yield* transfer(kept!, "t2");
        }),
        P(function* () {
          return yield* new Num(0);
        }),
      );
      return [a, b];
    }),
    { handlers: [rec] },
  );
  assert.deepEqual(r3.value, ["kept", "b1 t2"]);
  assert.deepEqual(notes, ["after stopped"]);

  // pass(): k unused again, resumed afterwards; the outer handler never sees the effect
  resetNotes();
  const r4 = run(
    WH(
      H(Num)(function* (_e, k) {
        yield* note("outer");
        return yield* resume(k, 100);
      }),
      WH(
        H(Num)(function* (_e, k) {
          const r = yield* closing(() => pass());
          yield* note(`after ${r}`);
          return yield* resume(k, 5);
        }),
        P(function* () {
          return yield* new Num(0);
        }),
      ),
    ),
    { handlers: [rec] },
  );
  assert.equal(r4.value, 5);
  assert.deepEqual(notes, ["after stopped"]);
});

test("§5.2 nested finalization 10,000 levels deep, each level's finally effect abandoned by a handler inside k: every withHandler completes normally, the first outcome wins, no stack growth", () => {
  const N = 10_000;
  let stops = 0;
  const stopper = H(Tag)(() => {
    stops++;
    return pure("stopped");
  });
  const level = fn(function* level(n: number): Generator<unknown, unknown, any> {
    if (n === 0) return yield* new Num(0);
    return yield* WH(
      stopper,
      P(function* () {
        try {
          return yield* level(n - 1);
        } finally {
          yield* new Tag();
        }
      }),
    );
  });
  const r = run(WH(abandon, level(N)));
  assert.equal(r.value, "A");
  assert.equal(stops, N);
});

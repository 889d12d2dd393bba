/** Scenario group D — continuations and primitives (SEMANTICS §4). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ContinuationConsumedError,
  createContinuation,
  delegate,
  detach,
  discontinue,
  finalize,
  fn,
  getCallStack,
  getContinuation,
  getHandlers,
  HandlerContextError,
  handle,
  pass,
  pure,
  type RunResult,
  resume,
  resumeContinuation,
  run,
  state,
  transfer,
  transferWith,
} from "../src/index.js";
import { body, E2, Emit, H, Num, note, notes, P, rec, resetNotes, Tag, WH } from "./helpers.js";

function expectOk(r: RunResult<any>, v: unknown): void {
  if (!r.ok) assert.fail(`expected Ok(${String(v)}), got Err: ${(r.error as any)?.stack ?? String(r.error)}`);
  assert.deepEqual(r.value, v);
}

test("D1 resume twice → ContinuationConsumedError at the second use → Ok([10, true])", () => {
  const h = H(Num)(function* (_e, k) {
    const r1 = yield* resume(k, 1);
    try {
      yield* resume(k, 2);
    } catch (err) {
      return [r1, err instanceof ContinuationConsumedError];
    }
    return "not thrown";
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          return (yield* new Num(0)) * 10;
        }),
      ),
    ),
    [10, true],
  );
});

test("D2 transfer after resume → ContinuationConsumedError → Ok(true)", () => {
  const h = H(Num)(function* (_e, k) {
    yield* resume(k, 1);
    try {
      return yield* transfer(k, 2);
    } catch (err) {
      return err instanceof ContinuationConsumedError;
    }
  });
  expectOk(run(WH(h, body(0))), true);
});

test('D3 use after implicit finalization → ContinuationConsumedError → Ok(["first", true])', () => {
  let saved: any;
  const keep = H(Num)(function* (_e, k) {
    saved = k;
    return "first";
  });
  const tryIt = H(Tag)(function* (_e, k) {
    try {
      yield* resume(saved, 1);
    } catch (err) {
      return yield* resume(k, err instanceof ContinuationConsumedError);
    }
    return "not thrown";
  });
  expectOk(
    run(
      P(function* () {
        const a = yield* WH(keep, body(0));
        const b = yield* WH(
          tryIt,
          P(function* () {
            return yield* new Tag();
          }),
        );
        return [a, b];
      }),
    ),
    ["first", true],
  );
});

test("D4 getContinuation returns the same object as k → Ok(true)", () => {
  const h = H(Num)(function* (_e, k) {
    const k2 = yield* getContinuation();
    return yield* resume(k2, k2 === k);
  });
  expectOk(run(WH(h, body(0))), true);
});

test("D5 handler-only primitives outside a handler → HandlerContextError each", () => {
  expectOk(
    run(
      P(function* () {
        const kc = yield* createContinuation(pure(1));
        const out: boolean[] = [];
        const makers: (() => any)[] = [
          () => getContinuation(),
          () => getHandlers(),
          () => pass(),
          () => delegate(),
          () => transfer(kc, 1),
          () => transferWith(kc, pure(1)),
        ];
        for (const mk of makers) {
          try {
            yield* mk();
          } catch (e) {
            out.push(e instanceof HandlerContextError);
          }
        }
        return out;
      }),
    ),
    [true, true, true, true, true, true],
  );
});

/**
 * `transfer(k, v)` in a program body (a k kept by a handler that detached it) says what works there
 * instead: `resume(k, v)`; the other handler-only primitives keep the plain message.
 */
test("D5b transfer outside a handler → HandlerContextError naming resume(k, value) as the fix", () => {
  let saved: any;
  const park = H(Num)(function* (_e, k) {
    saved = k;
    yield* detach(k);
    return -1;
  });
  const r = run(
    P(function* () {
      yield* WH(park, body(0));
      const out: string[] = [];
      for (const mk of [() => transfer(saved, 1), () => getContinuation()]) {
        try {
          yield* mk();
        } catch (e: any) {
          out.push(`${e.constructor.name}: ${e.message}`);
        }
      }
      return [out, yield* resume(saved, 7)];
    }),
  );
  expectOk(r, [
    [
      "HandlerContextError: transfer() can only be used inside a handler invocation (code run by a handler (effect, k) => ...), not in a program body; to continue a kept k from here, yield* resume(k, value), which works anywhere",
      "HandlerContextError: getContinuation() can only be used inside a handler invocation (code run by a handler (effect, k) => ...), not in a program body",
    ],
    7,
  ]);
});

test("D6 getHandlers lists the handlers visible at the perform site, innermost first → Ok([2, true, true])", () => {
  const S = state;
  const hIn = H(Tag)(function* (_e, k) {
    return yield* resume(k, yield* getHandlers());
  });
  expectOk(
    run(
      P(function* () {
        const hs = yield* new Tag();
        return [hs.length, hs[0] === hIn, hs[1] === S];
      }),
      { handlers: [S, hIn] },
    ),
    [2, true, true],
  );
});

test("D7 getHandlers ignores handlers the handler installed itself → Ok(2)", () => {
  const temp = H(E2)((_e, k) => resume(k, 0));
  const hIn2 = H(Tag)(function* (_e, k) {
    const hs = yield* WH(
      temp,
      P(function* () {
        return yield* getHandlers();
      }),
    );
    return yield* resume(k, hs.length);
  });
  expectOk(
    run(
      P(function* () {
        return yield* new Tag();
      }),
      { handlers: [state, hIn2] },
    ),
    2,
  );
});

test("D8 createContinuation + resumeContinuation runs the program, value ignored → Ok(7)", () => {
  const h = H(Num)(function* (_e, k) {
    const kc = yield* createContinuation(pure(7));
    const v = yield* resumeContinuation(kc, "ignored");
    return yield* resume(k, v);
  });
  expectOk(run(WH(h, body(0))), 7);
});

test('D9 handlers of an unstarted continuation are innermost first → Ok("A")', () => {
  const hA = H(Tag)((_e, k) => resume(k, "A"));
  const hB = H(Tag)((_e, k) => resume(k, "B"));
  expectOk(
    run(
      P(function* () {
        const kc = yield* createContinuation(
          P(function* () {
            return yield* new Tag();
          }),
          [hA, hB],
        );
        return yield* resumeContinuation(kc, null);
      }),
    ),
    "A",
  );
});

test("D10 an unstarted continuation is one-shot too → Ok([1, true])", () => {
  expectOk(
    run(
      P(function* () {
        const kc = yield* createContinuation(pure(1));
        const a = yield* resumeContinuation(kc, 0);
        try {
          yield* resumeContinuation(kc, 0);
        } catch (e) {
          return [a, e instanceof ContinuationConsumedError];
        }
        return "not thrown";
      }),
    ),
    [1, true],
  );
});

test('D11 discontinue caught by the body → Ok("body caught bad")', () => {
  const h = H(Num)(function* (_e, k) {
    return yield* discontinue(k, new Error("bad"));
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          try {
            yield* new Num(0);
          } catch (e: any) {
            return "body caught " + e.message;
          }
          return "not thrown";
        }),
      ),
    ),
    "body caught bad",
  );
});

test('D12 discontinue not caught by the body → thrown into the handler → Ok("h caught bad")', () => {
  const h = H(Num)(function* (_e, k) {
    try {
      return yield* discontinue(k, new Error("bad"));
    } catch (err: any) {
      return "h caught " + err.message;
    }
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          yield* new Num(0);
          return "unreached";
        }),
      ),
    ),
    "h caught bad",
  );
});

test('D13 transferWith runs at the perform site and sees inner handlers → Ok("inner")', () => {
  const tagIn = H(Tag)((_e, k) => resume(k, "inner"));
  const tw = H(Num)(function* (_e, k) {
    return yield* transferWith(
      k,
      P(function* () {
        return yield* new Tag();
      }),
    );
  });
  expectOk(run(WH(tw, WH(tagIn, body(0)))), "inner");
});

test('D14 transferWith a throwing program → the perform throws → Ok("caught tw")', () => {
  const tw = H(Num)(function* (_e, k) {
    return yield* transferWith(
      k,
      P(function* () {
        throw new Error("tw");
      }),
    );
  });
  expectOk(
    run(
      WH(
        tw,
        P(function* () {
          try {
            yield* new Num(0);
          } catch (e: any) {
            return "caught " + e.message;
          }
          return "not thrown";
        }),
      ),
    ),
    "caught tw",
  );
});

test("D15 transferWith on an unstarted continuation → TypeError → Ok(true)", () => {
  const h = H(Num)(function* (_e, k) {
    const kc = yield* createContinuation(pure(1));
    try {
      return yield* transferWith(kc, pure(2));
    } catch (err) {
      return yield* resume(k, err instanceof TypeError);
    }
  });
  expectOk(run(WH(h, body(0))), true);
});

test('D16 generator pattern: detach, then resume from plain code → Ok([1, 2, "done"])', () => {
  let saved: any;
  const em = H(Emit)(function* (e, k) {
    saved = k;
    yield* detach(k);
    return e.v;
  });
  expectOk(
    run(
      P(function* () {
        const r1 = yield* WH(
          em,
          P(function* () {
            yield* new Emit(1);
            yield* new Emit(2);
            return "done";
          }),
        );
        const r2 = yield* resume(saved, undefined);
        const r3 = yield* resume(saved, undefined);
        return [r1, r2, r3];
      }),
    ),
    [1, 2, "done"],
  );
});

test("D17 a detached k never resumed is dropped, not closed → Ok(1); notes []", () => {
  resetNotes();
  const em2 = H(Emit)(function* (e, k) {
    yield* detach(k);
    return e.v;
  });
  const r = run(
    WH(
      em2,
      P(function* () {
        try {
          yield* new Emit(1);
        } finally {
          yield* note("cleanup");
        }
      }),
    ),
    { handlers: [rec] },
  );
  expectOk(r, 1);
  assert.deepEqual(notes, []);
});

test('D18 explicit finalize closes k now; k is then used → Ok("ContinuationConsumedError")', () => {
  resetNotes();
  const h = H(Num)(function* (_e, k) {
    yield* finalize(k);
    yield* note("after finalize");
    try {
      yield* resume(k, 1);
    } catch (err: any) {
      return err.constructor.name;
    }
    return "not thrown";
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
  expectOk(r, "ContinuationConsumedError");
  assert.deepEqual(notes, ["body finally", "after finalize"]);
});

/**
 * A used continuation's message says how it was used when it was finalized: the classic Koka
 * parameter-passing handler returns a function that resumes k later, which needs `detach(k)` — the
 * message names the handler and that fix (it used to say "keep the value it returned instead of
 * resuming it twice", about a k never resumed). `finalize(k)` says so; a second resume keeps the
 * general message.
 */
test("D18b a k finalized by its invocation's end, or by finalize(k), says so when used again", () => {
  let saved: any;
  const keep = handle(Num, function* keepIt(_e, k) {
    saved = k;
    return "first";
  });
  const second = (use: (k: any) => any) =>
    P(function* () {
      yield* WH(keep, body(0));
      try {
        yield* use(saved);
      } catch (err: any) {
        return [err instanceof ContinuationConsumedError, err.message];
      }
      return "not thrown";
    });
  const implicit =
    "this continuation was already used: it was finalized (its finally blocks ran) when handler function keepIt ended without using or detaching it; to resume k after the handler returns, call `yield* detach(k)` before";
  expectOk(run(second((k) => resume(k, 1))), [true, implicit]);
  expectOk(run(second((k) => discontinue(k, new Error("x")))), [true, implicit]);
  expectOk(run(second((k) => finalize(k))), [true, implicit]);
  const fin = H(Num)(function* (_e, k) {
    yield* finalize(k);
    try {
      yield* resume(k, 1);
    } catch (err: any) {
      return err.message;
    }
    return "not thrown";
  });
  expectOk(run(WH(fin, body(0))), "this continuation was already used: finalize(k) finalized it");
  const twice = H(Num)(function* (_e, k) {
    yield* resume(k, 1);
    try {
      yield* resume(k, 2);
    } catch (err: any) {
      return err.message;
    }
    return "not thrown";
  });
  expectOk(
    run(WH(twice, body(0))),
    "this continuation was already used (resumed, transferred, discontinued, passed or finalized); a continuation is one-shot. Keep the value it returned instead of resuming it twice",
  );
});

/**
 * A continuation belongs to the run that captured it: another run (a later one, or one nested in a
 * handler) using it gets HandlerContextError at the call, and the continuation is left as it was.
 */
test("D19 a continuation captured by one run, used by another → HandlerContextError at the call; k is left unused", () => {
  let saved: any;
  const parkS = H(Num)(function* (_e, k) {
    saved = k;
    yield* detach(k);
    return "parked";
  });
  const r1 = run(
    WH(
      parkS,
      P(function* () {
        const v = yield* new Num(0);
        return `body got ${v}`;
      }),
    ),
  );
  expectOk(r1, "parked");
  // every way of using it from a later run throws at that call
  const uses: [string, (k: any) => any][] = [
    ["resume", (k) => resume(k, 7)],
    ["resumeContinuation", (k) => resumeContinuation(k, 7)],
    ["discontinue", (k) => discontinue(k, new Error("x"))],
    ["finalize", (k) => finalize(k)],
    ["detach", (k) => detach(k)],
  ];
  for (const [name, use] of uses) {
    const r2 = run(
      P(function* () {
        try {
          yield* use(saved);
        } catch (err) {
          return [(err as Error).constructor.name, (err as Error).message.slice(0, name.length + 60)];
        }
        return "not thrown";
      }),
    );
    expectOk(r2, [
      "HandlerContextError",
      `${name}(k): this continuation belongs to the run that captured it, not this one: use it`.slice(
        0,
        name.length + 60,
      ),
    ]);
  }
  assert.equal(saved.used, false);
  // transfer / transferWith from a handler of another run
  for (const name of ["transfer", "transferWith"] as const) {
    const h2 = H(Num)(function* (_e, _k) {
      try {
        return yield* name === "transfer" ? transfer(saved, 1) : transferWith(saved, pure(1));
      } catch (err) {
        return (err as Error).constructor.name;
      }
    });
    expectOk(run(WH(h2, body(1))), "HandlerContextError");
  }
  assert.equal(saved.used, false);
});

test("D19b a run nested in a handler cannot resume the outer run's k; the outer handler still can → Ok", () => {
  const h = H(Num)(function* (_e, k) {
    const inner = run(
      P(function* () {
        return yield* resume(k, 5);
      }),
    );
    const innerErr = inner.ok ? "ok" : (inner.error as Error).constructor.name;
    const outer = yield* resume(k, 6);
    return [innerErr, outer];
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          return `body ${yield* new Num(0)}`;
        }),
      ),
    ),
    ["HandlerContextError", "body 6"],
  );
});

test("D20 a handler primitive from code started in a handler invocation that has since ended → HandlerContextError at the call (not a VM crash)", () => {
  resetNotes();
  let stash: any = null;
  const parkTag = H(Tag)(function* (_e, k) {
    stash = k;
    yield* detach(k);
    return "parked";
  });
  const h1 = H(Num)(function* (_e, k) {
    // S runs inside h1's invocation; it parks, and is resumed by main after h1 returned
    yield* WH(
      parkTag,
      P(function* S() {
        yield* new Tag();
        yield* note("S transfers");
        return yield* transfer(yield* createContinuation(pure(7)), 0);
      }),
    );
    return yield* resume(k, 1);
  });
  const r = run(
    P(function* main() {
      const a = yield* WH(h1, new Num(0));
      try {
        return [a, yield* resume(stash, 0)];
      } finally {
        yield* note("main finally");
      }
    }),
    { handlers: [rec] },
  );
  assert.ok(r.error instanceof HandlerContextError, String(r.error));
  assert.match(
    (r.error as Error).message,
    /^transfer\(\): the handler invocation this code was started in has ended/,
  );
  assert.deepEqual(notes, ["S transfers", "main finally"]);
});

test("D21 a handler waiting in `yield* resume(k, v)` (its frame parked): the outcome, an error, an abandonment and an abort all reach its frame", () => {
  const log: string[] = [];
  const waiting = H(Num)(function* (e, k) {
    try {
      return yield* resume(k, e.v);
    } catch (err) {
      log.push(`caught ${(err as Error).message}`);
      return "recovered";
    } finally {
      log.push(`finally ${e.v}`);
    }
  });
  // the outcome, then an error thrown by the resumed body, into the waiting frame
  expectOk(
    run(
      WH(
        waiting,
        P(function* () {
          return (yield* new Num(1)) + (yield* new Num(2));
        }),
      ),
    ),
    3,
  );
  assert.deepEqual(log.splice(0), ["finally 2", "finally 1"]);
  const fails = P(function* () {
    yield* new Num(1);
    throw new Error("boom");
  });
  expectOk(run(WH(waiting, fails)), "recovered");
  assert.deepEqual(log.splice(0), ["caught boom", "finally 1"]);
  // a handler outside abandons the chain holding two waiting frames: their finally blocks run
  const quit = H(Tag)(() => pure("quit"));
  const abandoned = P(function* () {
    yield* new Num(1);
    yield* new Num(2);
    return yield* new Tag();
  });
  expectOk(run(WH(quit, WH(waiting, abandoned))), "quit");
  assert.deepEqual(log.splice(0), ["finally 2", "finally 1"]);
  // the run's signal aborts while frames wait: they are closed too
  const ac = new AbortController();
  const aborts = P(function* () {
    yield* new Num(1);
    ac.abort(new Error("stop"));
    return yield* new Num(2);
  });
  const r = run(WH(waiting, aborts), { signal: ac.signal });
  assert.equal(r.ok, false);
  assert.deepEqual(log.splice(0), ["finally 1"]);
  // a handler frame of a named program is not hidden: it stays on the call stack while it waits
  const named = fn(function* viaProgram(k: any, v: any) {
    return yield* resume(k, v);
  });
  const stack = P(function* () {
    yield* new Num(1);
    return (yield* getCallStack()).map((x) => x.name);
  });
  expectOk(
    run(
      WH(
        H(Num)((e, k) => named(k, e.v)),
        stack,
      ),
    ),
    ["(anonymous)", "viaProgram"],
  );
});

test("getCallStack(k): the program frames k holds suspended, innermost first, out to its prompt only; none once used or unstarted", () => {
  const seen: string[][] = [];
  const inner = fn(function* inner() {
    return yield* new Num(1);
  });
  const outer = fn(function* outer() {
    return yield* inner();
  });
  const h = H(Num)(function* (_e, k) {
    seen.push((yield* getCallStack(k)).map((x) => x.name));
    const unstarted = yield* createContinuation(outer());
    seen.push((yield* getCallStack(unstarted)).map((x) => x.name));
    const v = yield* resume(k, 5);
    seen.push((yield* getCallStack(k)).map((x) => x.name)); // used
    return v;
  });
  const around = fn(function* around() {
    return yield* WH(h, outer());
  });
  expectOk(run(around()), 5);
  // `around` is outside the handler's prompt: not part of k
  assert.deepEqual(seen, [["inner", "outer"], [], []]);
  assert.throws(
    () => getCallStack({} as never),
    (e: unknown) => e instanceof TypeError && /^getCallStack/.test((e as Error).message),
  );
});

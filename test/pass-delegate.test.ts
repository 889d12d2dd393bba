/** Scenario group C — pass vs delegate (SEMANTICS §3). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  ContinuationConsumedError,
  delegate,
  discontinue,
  getHandlers,
  handle,
  pass,
  type RunResult,
  resume,
  run,
  transfer,
  UnhandledEffectError,
} from "../src/index.js";
import { body, E1, E2, H, Num, note, notes, P, rec, resetNotes, WH } from "./helpers.js";

function expectOk(r: RunResult<any>, v: unknown): void {
  if (!r.ok) assert.fail(`expected Ok(${String(v)}), got Err: ${(r.error as any)?.stack ?? String(r.error)}`);
  assert.deepEqual(r.value, v);
}

// Common fixtures of group C.
const user = P(function* () {
  const x = yield* new Num(0);
  return x * 2;
});
const outer = H(Num)(function* (_e, k) {
  const u = (yield* resume(k, 10)) as number;
  return u + 5;
});

test("C1 pass: the outer handler takes the effect with a k spanning the inner prompt → Ok(25)", () => {
  const inner = H(Num)(function* () {
    return yield* pass();
  });
  expectOk(run(WH(outer, WH(inner, user))), 25);
});

test("C2 delegate then abandon: inner's k is finalized, 11 is outer's body result → Ok(16)", () => {
  const inner = H(Num)(function* () {
    const o = yield* delegate<number>();
    return o + 1;
  });
  expectOk(run(WH(outer, WH(inner, user))), 16);
});

test("C3 delegate then resume → Ok(27)", () => {
  const inner = H(Num)(function* (_e, k) {
    const o = yield* delegate<number>();
    return yield* resume(k, o + 1);
  });
  expectOk(run(WH(outer, WH(inner, user))), 27);
});

test("C4 the passing handler keeps handling later effects → Ok([7, 100])", () => {
  let n = 0;
  const inner = H(E1)(function* (_e, k) {
    n++;
    if (n === 1) return yield* pass(new E2());
    return yield* resume(k, 100);
  });
  const o2 = H(E2)((_e, k) => resume(k, 7));
  expectOk(
    run(
      WH(
        o2,
        WH(
          inner,
          P(function* () {
            return [yield* new E1(), yield* new E1()];
          }),
        ),
      ),
    ),
    [7, 100],
  );
  assert.equal(n, 2);
});

test("C5 delegate with a substitute effect → Ok(31)", () => {
  const inner = H(E1)(function* (_e, k) {
    const v = yield* delegate(new Num(3));
    return yield* resume(k, v + 1);
  });
  const x10 = H(Num)((e, k) => resume(k, e.v * 10));
  expectOk(
    run(
      WH(
        x10,
        WH(
          inner,
          P(function* () {
            return yield* new E1();
          }),
        ),
      ),
    ),
    31,
  );
});

test("C6 pass with no outer handler → UnhandledEffectError at the original perform site → Ok(true)", () => {
  expectOk(
    run(
      WH(
        H(E1)(() => pass()),
        P(function* () {
          try {
            yield* new E1();
          } catch (e) {
            return e instanceof UnhandledEffectError;
          }
          return "not thrown";
        }),
      ),
    ),
    true,
  );
});

test('C7 delegate with no outer handler → error at the delegate call → Ok("fallback")', () => {
  const inner = H(E1)(function* (_e, k) {
    let v: unknown;
    try {
      v = yield* delegate();
    } catch (err) {
      // §6: delegate finding no outer handler → UnhandledEffectError at the delegate call
      v = err instanceof UnhandledEffectError ? "fallback" : err;
    }
    return yield* resume(k, v);
  });
  expectOk(
    run(
      WH(
        inner,
        P(function* () {
          return yield* new E1();
        }),
      ),
    ),
    "fallback",
  );
});

test('C8 visit order: innermost handler first → Ok("done"); notes ["h2", "h1", "h0"]', () => {
  resetNotes();
  const mk = (name: string) =>
    H(Num)(function* (_e, k) {
      yield* note(name);
      if (name === "h0") return yield* resume(k, "done");
      return yield* pass();
    });
  const r = run(body(0), { handlers: [rec, mk("h0"), mk("h1"), mk("h2")] });
  expectOk(r, "done");
  assert.deepEqual(notes, ["h2", "h1", "h0"]);
});

test("C9 pass after resume → ContinuationConsumedError → Ok(true)", () => {
  const h = H(Num)(function* (_e, k) {
    yield* resume(k, 1);
    try {
      return yield* pass();
    } catch (err) {
      return err instanceof ContinuationConsumedError;
    }
  });
  expectOk(run(WH(h, body(0))), true);
});

/**
 * docs/guide.md's retry-by-delegate example: its `catch` sees an outer failure reported at the
 * perform site (an `answer` that throws, a `discontinue`) and retries; a `handle` handler whose own
 * code throws ends its withHandler with that error instead (SEMANTICS §6), so nothing is retried
 * and the delegating invocation is closed (its finally runs).
 */
test("C10 the guide's retry example: retried for answer-throws and discontinue, not for a throwing handle", () => {
  const retrying = handle(Num, function* (effect, k) {
    for (let attempt = 1; ; attempt++) {
      try {
        return yield* transfer(k, (yield* delegate(effect)) as number);
      } catch (e) {
        if (attempt === 3) return yield* discontinue(k, e);
      } finally {
        yield* note(`closed ${attempt}`);
      }
    }
  });
  const flaky = (style: "answer" | "discontinue" | "throw") => {
    let calls = 0;
    const fail = () => new Error(`net ${++calls}`);
    return style === "answer"
      ? answer(Num, () =>
          calls < 2
            ? (() => {
                throw fail();
              })()
            : (++calls, 7),
        )
      : style === "discontinue"
        ? handle(Num, (_e, k) => (calls < 2 ? discontinue(k, fail()) : (++calls, resume(k, 7))))
        : handle(Num, () => {
            throw fail();
          });
  };
  for (const [style, value, log] of [
    ["answer", 14, ["closed 1", "closed 2", "closed 3"]],
    ["discontinue", 14, ["closed 1", "closed 2", "closed 3"]],
    ["throw", "net 1", ["closed 1"]],
  ] as const) {
    resetNotes();
    const r = run(WH(flaky(style), WH(retrying, user)), { handlers: [rec] });
    assert.deepEqual(r.ok ? r.value : (r.error as Error).message, value, style);
    assert.deepEqual(notes, log, style);
  }
});

// ── Conformance audit review-n ──

test("§3 delegate answered by discontinue: the error is thrown at the delegate call (catchable there); the invocation still owns k and resumes it → Ok(14)", () => {
  resetNotes();
  const outerDisc = H(Num)(function* (_e, k) {
    return yield* discontinue(k, new Error("outer disc"));
  });
  const inner = H(Num)(function* (_e, k) {
    try {
      yield* delegate();
      return "not thrown";
    } catch (err) {
      yield* note(`inner caught ${(err as Error).message}`);
      return yield* resume(k, 7);
    }
  });
  const r = run(
    WH(
      outerDisc,
      WH(
        inner,
        P(function* () {
          return (yield* new Num(1)) * 2;
        }),
      ),
    ),
    { handlers: [rec] },
  );
  expectOk(r, 14);
  assert.deepEqual(notes, ["inner caught outer disc"]);
});

test("§4 getHandlers in the handler a pass or a delegate reached: after pass, the original perform site's list (the passer included); after delegate, the delegating handler's position (outside it only)", () => {
  const names = new Map<unknown, string>([[rec, "rec"]]);
  const seen: string[] = [];
  const outerH = H(Num)(function* (_e, k) {
    seen.push((yield* getHandlers()).map((h) => names.get(h) ?? "?").join(","));
    return yield* resume(k, 1);
  });
  const passer = H(Num)(function* () {
    return yield* pass();
  });
  const delegator = H(Num)(function* (_e, k) {
    return yield* resume(k, yield* delegate<number>());
  });
  names.set(outerH, "outer").set(passer, "passer").set(delegator, "delegator");
  expectOk(run(WH(outerH, WH(passer, body(0))), { handlers: [rec] }), 1);
  expectOk(run(WH(outerH, WH(delegator, body(0))), { handlers: [rec] }), 1);
  assert.deepEqual(seen, ["passer,outer,rec", "outer,rec"]);
});

test("§6 delegate with no outer handler: UnhandledEffectError at the delegate call, listing the handlers visible there (outside the delegating handler only)", () => {
  const h = H(Num)(function* (_e, k) {
    try {
      yield* delegate();
      return "no error";
    } catch (err) {
      const u = err as UnhandledEffectError;
      return yield* resume(k, [u.constructor.name, u.handlers.length, u.handlers[0] === rec]);
    }
  });
  expectOk(run(WH(h, body(1)), { handlers: [rec] }), ["UnhandledEffectError", 1, true]);
});

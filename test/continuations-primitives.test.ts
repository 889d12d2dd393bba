/**
 * SEMANTICS §4 rows not pinned by scenario group D (conformance audit): discontinue / finalize of an
 * unstarted continuation, finalize's value and its first finally error, detach's value, the
 * handler-context check made before the continuation's state, transfer into an unstarted
 * continuation with handlers, and §1's "made by the VM only". Also a continuation captured in main
 * and resumed by a task its handler spawned (§4 resume × §9).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ContinuationConsumedError,
  cancel,
  createContinuation,
  delay,
  detach,
  Effect,
  discontinue,
  finalize,
  fn,
  gather,
  getHandlers,
  handle,
  program,
  pure,
  type RunResult,
  resume,
  resumeContinuation,
  run,
  scheduler,
  simulatedTime,
  spawn,
  transfer,
  transferWith,
  wait,
} from "../src/index.js";
import { body, E1, H, Num, note, notes, P, rec, resetNotes, Tag, WH } from "./helpers.js";

function expectOk(r: RunResult<any>, v: unknown): void {
  if (!r.ok) assert.fail(`expected Ok(${String(v)}), got Err: ${(r.error as any)?.stack ?? String(r.error)}`);
  assert.deepEqual(r.value, v);
}

test("§1 a Continuation is made by the VM only: `new` on its class throws TypeError", () => {
  let K: any;
  const grab = H(Num)(function* (_e, k) {
    K = (k as any).constructor;
    return yield* resume(k, 1);
  });
  expectOk(run(WH(grab, body(0))), 1);
  assert.throws(() => new K(), {
    name: "TypeError",
    message: "continuations are made by the VM only; a handler receives one as its `k` argument",
  });
});

test("§4 discontinue on an unstarted continuation: it never starts, the very error is thrown at the call, k is used", () => {
  let ran = 0;
  const reason = new Error("d");
  const r = run(
    P(function* () {
      const kc = yield* createContinuation(
        P(function* () {
          ran++;
          return 1;
        }),
      );
      let caught: unknown;
      try {
        yield* discontinue(kc, reason);
      } catch (e) {
        caught = e;
      }
      let again = "no error";
      try {
        yield* resumeContinuation(kc, 0);
      } catch (e) {
        again = (e as Error).constructor.name;
      }
      return [caught === reason, again];
    }),
  );
  expectOk(r, [true, "ContinuationConsumedError"]);
  assert.equal(ran, 0);
});

test("§4 finalize(k) evaluates to undefined; on an unstarted continuation it just uses it (nothing runs)", () => {
  resetNotes();
  const unstarted = run(
    P(function* () {
      const kc = yield* createContinuation(
        P(function* () {
          try {
            yield* note("started");
            return 1;
          } finally {
            yield* note("finally");
          }
        }),
      );
      const v = yield* finalize(kc);
      let again = "no error";
      try {
        yield* resumeContinuation(kc, 0);
      } catch (e) {
        again = (e as Error).constructor.name;
      }
      return [v, again];
    }),
    { handlers: [rec] },
  );
  expectOk(unstarted, [undefined, "ContinuationConsumedError"]);
  assert.deepEqual(notes, []);
  // a captured k: its finally blocks run inside the call, which then evaluates to undefined
  const h = H(Num)(function* (_e, k) {
    const v = yield* finalize(k);
    yield* note(`finalize → ${String(v)}`);
    return "h";
  });
  const captured = run(
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
  expectOk(captured, "h");
  assert.deepEqual(notes, ["body finally", "finalize → undefined"]);
});

test("§4/§5.2 finalize(k) throws the first error a finally block threw (innermost frame first); every finally still runs", () => {
  resetNotes();
  const inner = fn(function* inner() {
    try {
      yield* new Num(0);
    } finally {
      yield* note("inner finally");
      // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
      throw new Error("f1");
    }
  });
  const outer = fn(function* outer() {
    try {
      yield* WH(
        H(Tag)((_e, k) => resume(k, "T")),
        inner(),
      );
    } finally {
      yield* note("outer finally");
      // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
      throw new Error("f2");
    }
  });
  const h = H(Num)(function* (_e, k) {
    try {
      yield* finalize(k);
      return "not thrown";
    } catch (e) {
      yield* note(`finalize threw ${(e as Error).message}`);
    }
    let again = "no error";
    try {
      yield* resume(k, 1);
    } catch (e) {
      again = (e as Error).constructor.name;
    }
    return again;
  });
  const r = run(WH(h, outer()), { handlers: [rec] });
  expectOk(r, "ContinuationConsumedError");
  assert.deepEqual(notes, ["inner finally", "outer finally", "finalize threw f1"]);
});

test("§4 detach(k) evaluates to undefined (before or after k is used); a non-continuation is a TypeError at the call", () => {
  const h = H(Num)(function* (_e, k) {
    const before = yield* detach(k);
    const v = yield* resume(k, 2);
    const after = yield* detach(k); // k is used: a no-op
    return [before, v, after];
  });
  expectOk(run(WH(h, body(0))), [undefined, 2, undefined]);
  assert.throws(() => detach(42 as never), {
    name: "TypeError",
    message: "detach expects a continuation (the handler's `k` argument), got 42",
  });
});

test("§4 the handler-context check comes before the continuation's state: transfer / transferWith of a used k outside a handler → HandlerContextError", () => {
  const r = run(
    P(function* () {
      const kc = yield* createContinuation(pure(1));
      const first = yield* resumeContinuation(kc, 0);
      const out: string[] = [];
      for (const use of [() => transfer(kc, 1), () => transferWith(kc, pure(2))]) {
        try {
          yield* use();
          out.push("no error");
        } catch (e) {
          out.push((e as Error).constructor.name);
        }
      }
      return [first, ...out];
    }),
  );
  expectOk(r, [1, "HandlerContextError", "HandlerContextError"]);
});

test("§4 transfer into an unstarted continuation with handlers: started on the invocation's caller, its handlers innermost first; its value leaves the withHandler", () => {
  resetNotes();
  const tagA = H(Tag)((_e, k) => resume(k, "A"));
  const tagB = H(Tag)((_e, k) => resume(k, "B"));
  let own: any;
  const h = H(Num)(function* (_e, k) {
    own = k;
    const kc = yield* createContinuation(
      P(function* () {
        return `other ${yield* new Tag()}`;
      }),
      [tagA, tagB],
    );
    return yield* transfer(kc, "ignored");
  });
  const r = run(
    P(function* () {
      const x = yield* WH(
        h,
        P(function* () {
          try {
            return (yield* new Num(0)) * 2;
          } finally {
            yield* note("body finally");
          }
        }),
      );
      yield* note(`withHandler → ${x}`);
      // the handler's own k was not finalized (a different continuation was the target)
      return [x, yield* resume(own, 4)];
    }),
    { handlers: [rec] },
  );
  expectOk(r, ["other A", 8]);
  assert.deepEqual(notes, ["withHandler → other A", "body finally"]);
});

// (a continuation is a value: the task that resumes it runs the body's rest on its own chain — the
// body's effects see the scheduler through the task, and the one-shot rule holds across tasks)
class Ask2 extends Effect<number> {
  declare readonly _tag: "Ask2";
}

test("§4 × §9 a task spawned by the handler resumes main's k: the body's rest runs in that task (its delay and spawn too) and its result is the resume's; the handler's own result leaves the withHandler", () => {
  const events: unknown[] = [];
  const h = handle(Ask2, function* (_e, k) {
    const t = yield* spawn(
      program(function* resumer() {
        const r = yield* resume(k, 1);
        events.push(["task's resume got", r]);
        return r;
      }),
    );
    events.push(["handler waited", yield* wait(t)]);
    return "handler's result";
  });
  const body = P(function* body() {
    const x = yield* new Ask2();
    events.push(["body got", x]);
    yield* delay(2);
    const u = yield* spawn(pure(7));
    return x + (yield* wait(u));
  });
  expectOk(run(WH(h, body), { handlers: [simulatedTime(), scheduler] }), "handler's result");
  assert.deepEqual(events, [
    ["body got", 1],
    ["task's resume got", 8],
    ["handler waited", 8],
  ]);
});

test("§4 × §9 two tasks resume the same k: the first one's resume runs the body, the second gets ContinuationConsumedError; cancelling a task that resumed k closes the body's frames there", () => {
  const h = handle(Ask2, function* (_e, k) {
    const attempt = (n: number) =>
      program(function* attempt() {
        yield* delay(1);
        try {
          return yield* resume(k, n);
        } catch (err) {
          return err instanceof ContinuationConsumedError ? "consumed" : err;
        }
      });
    return yield* gather(yield* spawn(attempt(1)), yield* spawn(attempt(2)));
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          return `body ${yield* new Ask2()}`;
        }),
      ),
      { handlers: [simulatedTime(), scheduler] },
    ),
    ["body 1", "consumed"],
  );

  const events: unknown[] = [];
  const cancels = handle(Ask2, function* (_e, k) {
    const t = yield* spawn(
      program(function* resumer() {
        return yield* resume(k, 1);
      }),
    );
    yield* delay(1);
    events.push(["cancelled", yield* cancel(t)]);
    return "handler's result";
  });
  const r = run(
    WH(
      cancels,
      P(function* () {
        try {
          events.push(["body got", yield* new Ask2()]);
          yield* delay(5);
          return "body's result";
        } finally {
          events.push("body's finally");
        }
      }),
    ),
    { handlers: [simulatedTime(), scheduler] },
  );
  expectOk(r, "handler's result");
  assert.deepEqual(events, [["body got", 1], "body's finally", ["cancelled", true]]);
});

// ── Conformance audit review-n ──

test("§4 getHandlers is the list at the perform site *when the effect was performed*: the same after the handler's resume, however often the body's prompts were re-linked under other handlers meanwhile", () => {
  const names = new Map<unknown, string>();
  const named = <T>(h: T, n: string): T => {
    names.set(h, n);
    return h;
  };
  const list = (hs: readonly unknown[]) => hs.map((h) => names.get(h) ?? "?").join(",");
  const lists: string[] = [];
  // L waits in resume while the body it resumed is dropped by `gen` and resumed by the loop below
  // under other handlers each time (each resume re-links gen's prompt below another one)
  const L = named(
    H(Tag)(function* (_e, k) {
      const before = list(yield* getHandlers());
      const r = yield* resume(k, 0);
      lists.push(`${before} | ${list(yield* getHandlers())}`);
      return r;
    }),
    "L",
  );
  let kept: any = null;
  const gen = named(
    H(Num)(function* (e, k) {
      lists.push(`gen ${list(yield* getHandlers())}`);
      yield* detach(k);
      kept = k;
      return e.v;
    }),
    "gen",
  );
  const r = run(
    P(function* () {
      const out: unknown[] = [];
      out.push(
        yield* WH(
          named(
            H(Tag)((_e, k) => resume(k, 0)),
            "first",
          ),
          WH(
            gen,
            WH(
              L,
              P(function* () {
                let s = 0;
                for (let i = 0; i < 3; i++) {
                  yield* new Tag();
                  yield* new Num(i);
                  s += i;
                }
                return `done ${s}`;
              }),
            ),
          ),
        ),
      );
      for (let i = 0; kept !== null; i++) {
        const k = kept;
        kept = null;
        const x = named(
          H(E1)((_e, kk) => resume(kk, i)),
          `x${i}`,
        );
        const y = named(
          H(E1)((_e, kk) => resume(kk, i)),
          `y${i}`,
        );
        out.push(
          yield* WH(
            x,
            WH(
              y,
              P(function* () {
                return yield* resume(k, undefined);
              }),
            ),
          ),
        );
      }
      return out;
    }),
    {
      handlers: [
        named(
          H(E1)((_e, k) => resume(k, 0)),
          "root",
        ),
      ],
    },
  );
  expectOk(r, [0, 1, 2, "done 3"]);
  assert.deepEqual(lists, [
    "gen L,gen,first,root",
    "gen L,gen,y0,x0,root",
    "gen L,gen,y1,x1,root",
    "L,gen,y1,x1,root | L,gen,y1,x1,root",
    "L,gen,y0,x0,root | L,gen,y0,x0,root",
    "L,gen,first,root | L,gen,first,root",
  ]);
});

test("§4 transferWith(k, effect): the effect is performed at k's perform site, so the transferring handler itself takes it (deep) → Ok(21)", () => {
  const h = H(Num)(function* (e, k) {
    if (e.v === 1) return yield* transferWith(k, new Num(2));
    return yield* resume(k, e.v * 10);
  });
  expectOk(
    run(
      WH(
        h,
        P(function* () {
          return (yield* new Num(1)) + 1;
        }),
      ),
    ),
    21,
  );
});

test("§4 an unstarted continuation under a handler that keeps (detaches) the k it captures: resume evaluates to that handler's value; the kept k, resumed later, returns the body's value to the new resume", () => {
  let kept: any = null;
  const h = H(Num)(function* (_e, k) {
    yield* detach(k);
    kept = k;
    return "h";
  });
  const r = run(
    P(function* () {
      const u = yield* createContinuation(
        P(function* () {
          return (yield* new Num(1)) + 1;
        }),
        [h],
      );
      const a = yield* resume(u, undefined);
      const b = yield* resume(kept, 5);
      return [a, b];
    }),
  );
  expectOk(r, ["h", 6]);
});

test("§4/§5.1 finalize(k) on the invocation's own k (detached or not): its finally blocks run at the call; the invocation's end then finalizes nothing more", () => {
  for (const detachFirst of [false, true]) {
    resetNotes();
    const h = H(Num)(function* (_e, k) {
      if (detachFirst) yield* detach(k);
      const v = yield* finalize(k);
      yield* note(`finalize → ${String(v)}`);
      try {
        yield* resume(k, 1);
      } catch (err) {
        yield* note((err as Error).constructor.name);
      }
      return "v";
    });
    const r = run(
      WH(
        h,
        P(function* () {
          try {
            return yield* new Num(1);
          } finally {
            yield* note("body finally");
          }
        }),
      ),
      { handlers: [rec] },
    );
    expectOk(r, "v");
    assert.deepEqual(notes, ["body finally", "finalize → undefined", "ContinuationConsumedError"]);
  }
});

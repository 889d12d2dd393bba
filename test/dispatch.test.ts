/**
 * SEMANTICS §1 (`handles`) and §3 (invoke) rows not pinned by scenario group B (conformance audit):
 * a `handles` that throws, a handler returning an Effect, a plain-function handler throwing
 * synchronously.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createContinuation,
  detach,
  Get,
  get,
  getContinuation,
  type Handler,
  pass,
  resume,
  run,
  state,
  transfer,
  UnhandledEffectError,
} from "../src/index.js";
import { body, E1, E2, H, Num, note, notes, P, rec, resetNotes, WH } from "./helpers.js";

/** A handler whose `handles` throws `err`; its own code records that it ran. */
function throwingHandles(err: unknown, ran: string[]): Handler {
  const h = ((_e: unknown, k: any) => {
    ran.push("handler code");
    return resume(k, 1);
  }) as Handler;
  h.handles = () => {
    throw err;
  };
  return h;
}

test("§1 a `handles` that throws: that very error is thrown at the perform site (catchable there); the handler's code never runs", () => {
  const ran: string[] = [];
  const err = new Error("handles threw");
  const caught = run(
    WH(
      throwingHandles(err, ran),
      P(function* () {
        try {
          yield* new Num(0);
          return "no error";
        } catch (e) {
          return e === err ? "caught at the site" : `other: ${String(e)}`;
        }
      }),
    ),
  );
  assert.equal(caught.value, "caught at the site");
  // uncaught: the run ends with the very object
  const uncaught = run(WH(throwingHandles(err, ran), body(0)));
  assert.equal(uncaught.ok, false);
  assert.equal(uncaught.error, err);
  assert.deepEqual(ran, []);
});

test("§1/§3 a `handles` that throws while pass() searches further out: thrown at the original perform site", () => {
  const ran: string[] = [];
  const err = new Error("outer handles threw");
  const passer = H(Num)(function* () {
    ran.push("passer");
    return yield* pass();
  });
  const r = run(
    WH(
      throwingHandles(err, ran),
      WH(
        passer,
        P(function* () {
          try {
            yield* new Num(0);
            return "no error";
          } catch (e) {
            return e === err ? "caught at the site" : `other: ${String(e)}`;
          }
        }),
      ),
    ),
  );
  assert.equal(r.value, "caught at the site");
  assert.deepEqual(ran, ["passer"]);
});

test("§3 a handler returning an Effect: it is performed from the handler's position (only handlers outside h), after which k is finalized and the value leaves the withHandler", () => {
  resetNotes();
  // inside h's prompt: the Get that h's result performs must not reach it
  const innerGet = H(Get)((_e, k) => resume(k, "inner Get handler"));
  const h = H(Num)(() => get("x"));
  const r = run(
    P(function* () {
      const v = yield* WH(
        h,
        WH(
          innerGet,
          P(function* () {
            try {
              yield* new Num(0);
              return "unreached";
            } finally {
              yield* note("body finally");
            }
          }),
        ),
      );
      yield* note(`withHandler → ${v}`);
      return v;
    }),
    { handlers: [rec, state], store: { x: 7 } },
  );
  assert.equal(r.value, 7);
  assert.deepEqual(notes, ["body finally", "withHandler → 7"]);
});

test("§3 a plain-function handler throwing synchronously: k is finalized first, then that very error leaves the withHandler; the body's catch never runs", () => {
  resetNotes();
  const boom = new Error("sync");
  const h = H(Num)(() => {
    throw boom;
  });
  const r = run(
    P(function* () {
      try {
        return yield* WH(
          h,
          P(function* () {
            try {
              yield* new Num(0);
              return "unreached";
            } catch {
              yield* note("body catch");
              return "body caught";
            } finally {
              yield* note("body finally");
            }
          }),
        );
      } catch (e) {
        yield* note(e === boom ? "outer caught boom" : `outer caught other: ${String(e)}`);
        return "outer";
      }
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, "outer");
  assert.deepEqual(notes, ["body finally", "outer caught boom"]);
});

test("§3 pass() with no handler further out: UnhandledEffectError at the perform site, listing the handlers visible there (the passer included), innermost first", () => {
  const outerOther = H(E1)((_e, k) => resume(k, 0));
  const passer = H(Num)(() => pass());
  const r = run(
    WH(
      outerOther,
      WH(
        passer,
        P(function* () {
          try {
            yield* new Num(0);
            return "no error";
          } catch (e) {
            const u = e as UnhandledEffectError;
            return [
              u instanceof UnhandledEffectError,
              u.effect instanceof Num,
              u.handlers.length,
              u.handlers[0] === passer,
              u.handlers[1] === outerOther,
            ];
          }
        }),
      ),
    ),
  );
  assert.deepEqual(r.value, [true, true, 2, true, true]);
});

test("§3 pass() uses the invocation's k: a copy of it kept by the passer is consumed", () => {
  let saved: any;
  const passer = H(Num)(function* (_e, k) {
    saved = k;
    return yield* pass();
  });
  const outer = H(Num)(function* (_e, k) {
    let second = "no error";
    try {
      yield* resume(saved, 1);
    } catch (e) {
      second = (e as Error).constructor.name;
    }
    return yield* resume(k, second);
  });
  assert.deepEqual(run(WH(outer, WH(passer, body(0)))).value, "ContinuationConsumedError");
});

// ── Conformance audit review-n: deep handling across handlers and handler-installed scopes ──

test("§3 deep: a continuation kept by one handler and resumed non-tail by another handler's invocation — its later effects reach its own handler, whose new invocation's caller is that resume", () => {
  resetNotes();
  let kept: any = null;
  const h1 = H(Num)(function* (e, k) {
    if (e.v === 1) {
      yield* detach(k);
      kept = k;
      return "h1 dropped";
    }
    yield* note(`h1 ${e.v}`);
    const r = yield* resume(k, e.v * 10);
    yield* note(`h1 after ${r}`);
    return `h1(${r})`;
  });
  const h2 = H(E2)(function* (_e, k) {
    const r = yield* resume(kept, 1);
    yield* note(`h2 got ${r}`);
    return yield* resume(k, r);
  });
  const r = run(
    P(function* () {
      const a = yield* WH(
        h1,
        P(function* () {
          const x = yield* new Num(1);
          const y = yield* new Num(2);
          return `b1 ${x} ${y}`;
        }),
      );
      const b = yield* WH(
        h2,
        P(function* () {
          return `b2 ${yield* new E2()}`;
        }),
      );
      return [a, b];
    }),
    { handlers: [rec] },
  );
  assert.deepEqual(r.value, ["h1 dropped", "b2 h1(b1 1 20)"]);
  assert.deepEqual(notes, ["h1 2", "h1 after b1 1 20", "h2 got h1(b1 1 20)"]);
});

test("§2.1/§3 a handler resuming k inside a withHandler it installed: the resumed body sees that handler (it is on the caller chain); a transfer from there closes the handler's frames innermost first", () => {
  resetNotes();
  const other = H(E2)((_e, k) => resume(k, "other"));
  const viaResume = H(Num)(function* (e, k) {
    return yield* WH(
      other,
      P(function* () {
        return yield* resume(k, e.v);
      }),
    );
  });
  const r1 = run(
    WH(
      viaResume,
      P(function* () {
        const a = yield* new Num(1);
        const b = yield* new E2();
        return [a, b];
      }),
    ),
  );
  assert.deepEqual(r1.value, [1, "other"]);

  const viaTransfer = H(Num)(function* (e, k) {
    try {
      return yield* WH(
        other,
        P(function* () {
          try {
            const o: string = yield* new E2();
            return yield* transfer(k, `${o} ${e.v}`);
          } finally {
            yield* note("inner finally");
          }
        }),
      );
    } finally {
      yield* note("handler finally");
    }
  });
  const r2 = run(
    P(function* () {
      const v = yield* WH(
        viaTransfer,
        P(function* () {
          return `body ${yield* new Num(1)}`;
        }),
      );
      yield* note(`v=${v}`);
      return v;
    }),
    { handlers: [rec] },
  );
  assert.equal(r2.value, "body other 1");
  assert.deepEqual(notes, ["inner finally", "handler finally", "v=body other 1"]);
});

test("§2.1 invocation: a withHandler body run by a handler inherits its invocation (getContinuation → k); a continuation it starts has none (HandlerContextError)", () => {
  const h = H(Num)(function* (_e, k) {
    const u = yield* createContinuation(
      P(function* () {
        try {
          yield* getContinuation();
          return "got one";
        } catch (err) {
          return (err as Error).constructor.name;
        }
      }),
    );
    const started = yield* resume(u, undefined);
    const inherited = yield* WH(
      H(E2)((_e2, k2) => resume(k2, 0)),
      P(function* () {
        return (yield* getContinuation()) === k;
      }),
    );
    return yield* resume(k, [started, inherited]);
  });
  const r = run(WH(h, body(1)));
  assert.deepEqual(r.value, ["HandlerContextError", true]);
});

test("§3 an effect a handler's own code performs that nothing takes: UnhandledEffectError in the handler, listing only the handlers outside h", () => {
  const h = H(Num)(function* (_e, k) {
    try {
      yield* new E2();
      return "no error";
    } catch (err) {
      const u = err as UnhandledEffectError;
      return yield* resume(k, [u.constructor.name, u.handlers.length, u.handlers[0] === rec]);
    }
  });
  const r = run(WH(h, body(1)), { handlers: [rec] });
  assert.deepEqual(r.value, ["UnhandledEffectError", 1, true]);
});

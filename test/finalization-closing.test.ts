/**
 * SEMANTICS §5 rows not pinned by scenario group E (conformance audit): the first of several
 * finally errors wins (§5.2), every terminal primitive from a closing frame (§4), a finally block
 * that throws while an invocation closes for a terminal primitive (§5.3), and the nested
 * finalization of a handler invocation closed by an unwinding (§5.2 unwind-exit rule, §5.1).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Continuation,
  createContinuation,
  detach,
  fn,
  pass,
  pure,
  resume,
  run,
  transfer,
  transferWith,
} from "../src/index.js";
import { Abort, abandon, H, Num, note, notes, P, rec, resetNotes, Tag, WH } from "./helpers.js";

/** A sub-program whose finally notes `name` and throws Error(name). */
const throwingFinally = (name: string, inner: () => Generator<any, unknown, any>) =>
  fn(function* sub() {
    try {
      return yield* inner();
    } finally {
      yield* note(name);
      // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
      throw new Error(name);
    }
  })();

test("§5.2 several finally blocks throw while k is finalized: all run, innermost first; the first error (innermost) leaves the withHandler", () => {
  resetNotes();
  const tagT = H(Tag)((_e, k) => resume(k, "T"));
  const bd = throwingFinally("f3", function* () {
    // a prompt between the frames: unwinding passes through it
    return yield* WH(
      tagT,
      throwingFinally("f2", function* () {
        return yield* throwingFinally("f1", function* () {
          return yield* new Num(0);
        });
      }),
    );
  });
  const r = run(
    P(function* () {
      try {
        return yield* WH(abandon, bd);
      } catch (e) {
        yield* note(`caught ${(e as Error).message}`);
        return "x";
      }
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, "x");
  assert.deepEqual(notes, ["f1", "f2", "f3", "caught f1"]);
});

test("§4 every terminal primitive (transfer, transferWith, pass) from a closing frame → HandlerContextError there; the first transfer still happens", () => {
  const kinds = ["transfer", "transferWith", "pass"] as const;
  for (const kind of kinds) {
    resetNotes();
    const h = H(Num)(function* (_e, k) {
      try {
        return yield* transfer(k, 1);
      } finally {
        const other = yield* createContinuation(pure(2));
        try {
          if (kind === "transfer") yield* transfer(other, 0);
          else if (kind === "transferWith") yield* transferWith(k, pure(3));
          else yield* pass();
          yield* note("no error");
        } catch (err) {
          yield* note((err as Error).constructor.name);
        }
      }
    });
    const r = run(
      WH(
        h,
        P(function* () {
          const v = yield* new Num(0);
          yield* note(`body ${v}`);
          return v;
        }),
      ),
      { handlers: [rec] },
    );
    assert.equal(r.value, 1, kind);
    assert.deepEqual(notes, ["HandlerContextError", "body 1"], kind);
  }
});

test("§5.3 a finally block throwing while the invocation closes for a terminal primitive: the primitive is abandoned, k is finalized, that error leaves the withHandler", () => {
  const kinds = ["transfer", "transferWith", "pass"] as const;
  for (const kind of kinds) {
    resetNotes();
    const hf = new Error("hf");
    const h = H(Num)(function* (_e, k) {
      try {
        if (kind === "transfer") return yield* transfer(k, 1);
        if (kind === "transferWith") return yield* transferWith(k, pure(1));
        return yield* pass();
      } finally {
        yield* note("h finally");
        // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
        throw hf;
      }
    });
    // for pass: a handler further out that must never be offered the effect
    const outer = H(Num)(function* (_e, k) {
      yield* note("outer took it");
      return yield* resume(k, 2);
    });
    const r = run(
      P(function* () {
        try {
          return yield* WH(
            outer,
            WH(
              h,
              P(function* () {
                try {
                  const v = yield* new Num(0);
                  yield* note(`body ${v}`);
                  return v;
                } finally {
                  yield* note("body finally");
                }
              }),
            ),
          );
        } catch (e) {
          yield* note(e === hf ? "caught hf" : `caught other ${String(e)}`);
          return "x";
        }
      }),
      { handlers: [rec] },
    );
    assert.equal(r.value, "x", kind);
    assert.deepEqual(notes, ["h finally", "body finally", "caught hf"], kind);
  }
});

test("§5.3 a transfer into a parked continuation abandoned by a throwing finally: the target is unused again (resumable later); the invocation's own k is finalized", () => {
  resetNotes();
  let parked: Continuation<number, unknown> | null = null;
  const parker = H(Tag)(function* (_e, k) {
    parked = k;
    yield* detach(k);
    return "parked";
  });
  const switcher = H(Num)(function* () {
    try {
      return yield* transfer(parked!, 10);
    } finally {
      // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
      throw new Error("switch failed");
    }
  });
  const r = run(
    P(function* () {
      const a = yield* WH(
        parker,
        P(function* () {
          const got = yield* new Tag();
          yield* note(`parked body got ${got}`);
          return "parked body done";
        }),
      );
      let b: unknown;
      try {
        b = yield* WH(
          switcher,
          P(function* () {
            try {
              return yield* new Num(0);
            } finally {
              yield* note("switcher body finally");
            }
          }),
        );
      } catch (e) {
        b = `caught ${(e as Error).message}`;
      }
      const c = yield* resume(parked!, 20);
      return [a, b, c];
    }),
    { handlers: [rec] },
  );
  assert.deepEqual(r.value, ["parked", "caught switch failed", "parked body done"]);
  assert.deepEqual(notes, ["switcher body finally", "parked body got 20"]);
});

test("§5.2 unwind-exit rule: a handler invocation closed by an unwinding finalizes its unused k (after its own finally blocks); a detached k is left alone", () => {
  for (const detached of [false, true]) {
    resetNotes();
    const stop = H(Abort)(() => pure("stopped"));
    const hT = H(Tag)(function* (_e, k) {
      if (detached) yield* detach(k);
      try {
        yield* new Abort(); // taken outside: abandons everything up to stop's prompt, this invocation too
        return "unreached";
      } finally {
        yield* note("hT finally");
      }
    });
    const r = run(
      WH(
        stop,
        WH(
          hT,
          P(function* () {
            try {
              return yield* new Tag();
            } finally {
              yield* note("body finally");
            }
          }),
        ),
      ),
      { handlers: [rec] },
    );
    assert.equal(r.value, "stopped", `detached=${detached}`);
    assert.deepEqual(
      notes,
      detached ? ["hT finally"] : ["hT finally", "body finally"],
      `detached=${detached}`,
    );
  }
});

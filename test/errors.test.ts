/** Scenario group F — errors and RunResult (SEMANTICS §6, §8); plus invalid use (§2.4, §4, §6, §8.1). */
import assert from "node:assert/strict";
import * as doeffAll from "../src/index.js";
import { describe, test } from "node:test";
import {
  AsyncRequiredError,
  asyncEscape,
  ContinuationConsumedError,
  DoeffError,
  get,
  HandlerContextError,
  MissingStateKeyError,
  pass,
  pure,
  put,
  type RunResult,
  resume,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  TaskCancelledError,
  tell,
  TimeoutError,
  UnhandledEffectError,
  VMInternalError,
  writer,
} from "../src/index.js";
import { EffectExpectationError } from "../src/testing/index.js";
import { body, H, Num, P, WH } from "./helpers.js";

function expectOk(r: RunResult<any>, v: unknown): void {
  if (!r.ok) assert.fail(`expected Ok(${String(v)}), got Err: ${(r.error as any)?.stack ?? String(r.error)}`);
  assert.deepEqual(r.value, v);
}

function expectErr(r: RunResult<any>, cls: abstract new (...args: any[]) => object): any {
  assert.equal(r.ok, false, `expected Err(${cls.name}), got Ok(${String(r.ok ? r.value : "")})`);
  assert.ok(!(r.error instanceof VMInternalError), `VMInternalError: ${(r.error as any)?.message}`);
  assert.ok(
    r.error instanceof cls,
    `expected ${cls.name}, got ${(r.error as any)?.constructor?.name}: ${(r.error as any)?.message}`,
  );
  return r.error;
}

// ---------------------------------------------------------------------------------------------------
// F. Errors and RunResult

test("F1 an unhandled effect → Err(UnhandledEffectError) with .effect and .handlers = []", () => {
  const r = run(body(1));
  const err = expectErr(r, UnhandledEffectError);
  assert.ok(err.effect instanceof Num);
  assert.deepEqual([...err.handlers], []);
  assert.ok(err instanceof DoeffError);
});

test('F2 an unhandled effect is catchable at the perform site → Ok("caught")', () => {
  expectOk(
    run(
      // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
      P(function* () {
        try {
          yield* new Num(1);
        } catch (_e) {
          return "caught";
        }
        return "not thrown";
      }),
    ),
    "caught",
  );
});

test("F3 UnhandledEffectError.handlers lists the visible handlers, innermost first → Ok([2, true, true])", () => {
  const S = state;
  const W = writer;
  expectOk(
    run(
      P(function* () {
        try {
          yield* new Num(1);
        } catch (e: any) {
          return [e.handlers.length, e.handlers[0] === W, e.handlers[1] === S];
        }
        return "not thrown";
      }),
      // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
      { handlers: [S, W] },
    ),
    [2, true, true],
  );
});

test("F4 RunResult Err: ok false, isErr(), error is the very object thrown, value throws it", () => {
  const boom = new Error("x");
  const r = run(
    P(function* () {
      throw boom;
    }),
  );
  assert.equal(r.ok, false);
  assert.equal(r.isErr(), true);
  assert.equal(r.isOk(), false);
  assert.equal(r.error, boom);
  assert.throws(
    () => r.value,
    (e) => e === boom,
  );
});

test("F5 RunResult Ok: ok true, isOk(), value 1, error undefined, store {}, log []", () => {
  const r = run(pure(1));
  assert.equal(r.ok, true);
  assert.equal(r.isOk(), true);
  assert.equal(r.isErr(), false);
  assert.equal(r.value, 1);
  assert.equal(r.error, undefined);
  assert.deepEqual({ ...r.store }, {});
  assert.deepEqual([...r.log], []);
});

test("F6 store and log reflect the point of failure → Err(Error); store {x: 1}; log ['a']", () => {
  const r = run(
    P(function* () {
      yield* put("x", 1);
      yield* tell("a");
      throw new Error("e");
    }),
    { handlers: [state, writer] },
  );
  const err = expectErr(r, Error);
  assert.equal(err.message, "e");
  assert.deepEqual({ ...r.store }, { x: 1 });
  assert.deepEqual([...r.log], ["a"]);
});

test("F7 no handlers are installed by default → Err(UnhandledEffectError); store {c: 1}", () => {
  // @ts-expect-error -- deliberately unhandled effect: a compile error by design (API §7); this tests the run-time outcome
  const r = run(get("c"), { handlers: [], store: { c: 1 } });
  expectErr(r, UnhandledEffectError);
  assert.deepEqual({ ...r.store }, { c: 1 });
});

// F8 (task error identity through gather) needs the scheduler: covered by the scheduler's owner.

// ---------------------------------------------------------------------------------------------------
// Invalid use: each raises the documented class (SEMANTICS §6) with a message that says how to fix it,
// and never a VMInternalError.

describe("invalid use", () => {
  function yielding(y: unknown) {
    return P(function* () {
      return yield y;
    });
  }

  test("invalid use: yielding a number → TypeError at the yielder, naming it and the fix", () => {
    const err = expectErr(run(yielding(42)), TypeError);
    assert.match(err.message, /42/);
    assert.match(err.message, /yield\*/);
  });

  test("invalid use: yielding a string → TypeError at the yielder, naming it and the fix", () => {
    const err = expectErr(run(yielding("hello")), TypeError);
    assert.match(err.message, /hello/);
    assert.match(err.message, /yield\*/);
  });

  test("invalid use: yielding null → TypeError at the yielder, naming it and the fix", () => {
    const err = expectErr(run(yielding(null)), TypeError);
    assert.match(err.message, /null/);
    assert.match(err.message, /yield\*/);
  });

  test("invalid use: yielding undefined → TypeError whose message asks 'missing `*`?'", () => {
    const err = expectErr(run(yielding(undefined)), TypeError);
    assert.match(err.message, /undefined/);
    assert.match(err.message, /missing `?\*`?/);
  });

  test("invalid use: yielding a raw generator object → TypeError suggesting yield* or fn()", () => {
    function* g() {
      return 1;
    }
    const err = expectErr(run(yielding(g())), TypeError);
    assert.match(err.message, /generator/);
    assert.match(err.message, /yield\*/);
    assert.match(err.message, /fn\(/);
  });

  test("invalid use: a recursive call inside fn(function* name…) yielded without `*` → the message says it needs only the `*`", () => {
    const count = doeffAll.fn(function* count(n: number): Generator<unknown, number, unknown> {
      if (n === 0) return 0;
      yield count(n - 1) as never; // (`count` here is the generator function itself)
      return n;
    });
    const err = expectErr(run(count(2)), TypeError);
    assert.equal(
      err.message,
      "yielded a generator object; did you mean `yield*`? To call a sub-program, wrap its generator function with fn(function* name() {...}) and `yield* name(...)`; inside fn(function* name(…) {…}) a recursive call needs only the `*`: `yield* name(…)`",
    );
  });

  test("invalid use: yielding an Error (Effect's `yield* Effect.fail(e)` habit) → TypeError saying to throw it", () => {
    class UserNotFound extends Error {}
    const err = expectErr(run(yielding(new UserNotFound("no user 7"))), TypeError);
    assert.equal(
      err.message,
      "yielded an error (UserNotFound); to fail, throw it: `throw error` (caught by try/catch, safe or recover(program, UserNotFound, f))",
    );
    const plain = expectErr(run(yielding(new RangeError("x"))), TypeError);
    assert.match(plain.message, /^yielded an error \(RangeError\); to fail, throw it/);
  });

  test("invalid use: yielding a Promise → TypeError suggesting awaitPromise", () => {
    const err = expectErr(run(yielding(Promise.resolve(1))), TypeError);
    assert.match(err.message, /awaitPromise/);
  });

  test("invalid use: yielding a Task → TypeError suggesting wait", () => {
    const r = run(
      P(function* () {
        const t = yield* spawn(pure(1));
        yield t as never;
      }),
      { handlers: [scheduler] },
    );
    const err = expectErr(r, TypeError);
    assert.match(err.message, /yield\* wait\(task\)/);
  });

  test("invalid use: the invalid-yield TypeError is thrown into the yielder (catchable there)", () => {
    const bad: unknown[] = [42, "s", null, undefined, Promise.resolve(1)];
    expectOk(
      run(
        P(function* () {
          const out: boolean[] = [];
          for (const y of bad) {
            try {
              yield y;
              out.push(false);
            } catch (e) {
              out.push(e instanceof TypeError);
            }
          }
          return out;
        }),
      ),
      [true, true, true, true, true],
    );
  });

  test("invalid use: resuming a continuation twice → ContinuationConsumedError (one-shot), uncaught → Err", () => {
    const h = H(Num)(function* (_e, k) {
      yield* resume(k, 1);
      return yield* resume(k, 2);
    });
    const err = expectErr(run(WH(h, body(0))), ContinuationConsumedError);
    assert.ok(err instanceof DoeffError);
    assert.match(err.message, /one-shot/);
  });

  test("invalid use: pass outside a handler → HandlerContextError saying it belongs inside a handler", () => {
    const err = expectErr(
      run(
        P(function* () {
          return yield* pass();
        }),
      ),
      HandlerContextError,
    );
    assert.ok(err instanceof DoeffError);
    assert.match(err.message, /pass/);
    assert.match(err.message, /inside a handler/);
  });

  test("invalid use: a handler returning a non-program → TypeError saying to write it as function*", () => {
    const err = expectErr(
      run(
        WH(
          H(Num)(() => 42),
          body(1),
        ),
      ),
      TypeError,
    );
    assert.match(err.message, /42/);
    assert.match(err.message, /function\*/);
  });

  test("invalid use: run(42) throws TypeError synchronously, saying what run expects", () => {
    assert.throws(
      () => run(42 as any),
      (e: any) => {
        assert.ok(e instanceof TypeError, `expected TypeError, got ${e?.constructor?.name}`);
        assert.ok(!(e instanceof VMInternalError));
        assert.match(e.message, /42/);
        assert.match(e.message, /Program/);
        return true;
      },
    );
  });

  test("invalid use: run(() => 1) throws TypeError synchronously, suggesting to call it or wrap it in program()", () => {
    assert.throws(
      () => run((() => 1) as any),
      (e: any) => {
        assert.ok(e instanceof TypeError, `expected TypeError, got ${e?.constructor?.name}`);
        assert.ok(!(e instanceof VMInternalError));
        assert.match(e.message, /program\(|fn\(/);
        return true;
      },
    );
  });

  test("invalid use: runAsync(42) returns a rejected promise with TypeError (§8.1)", async () => {
    let p: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      p = runAsync(42 as any);
    });
    await assert.rejects(p!, (e: any) => {
      assert.ok(e instanceof TypeError, `expected TypeError, got ${e?.constructor?.name}`);
      assert.match(e.message, /Program/);
      return true;
    });
  });

  test("invalid use: asyncEscape under run → AsyncRequiredError saying to use runAsync", () => {
    const err = expectErr(
      run(
        P(function* () {
          return yield* asyncEscape(() => Promise.resolve(1));
        }),
      ),
      AsyncRequiredError,
    );
    assert.ok(err instanceof DoeffError);
    assert.match(err.message, /runAsync/);
  });
});

test("an unhandled standard effect's message names the standard handler that answers it", () => {
  const d = doeffAll;
  const message = (p: unknown, handlers: readonly unknown[]) => {
    const r = d.run(p as never, { handlers: handlers as never });
    assert.ok(r.error instanceof d.UnhandledEffectError, String(r.error));
    return r.error.message;
  };
  assert.equal(
    message(d.tell("a"), [d.state]),
    "no handler takes Tell; 1 visible handler(s) declined it. Tell is answered by the standard handler writer: add it to the run's handlers",
  );
  assert.equal(
    message(d.get("n"), []),
    "no handler takes Get; no handlers are installed here. Get is answered by the standard handler state: add it to the run's handlers",
  );
  assert.match(message(d.ask("k"), [d.state]), /Ask is answered by the standard handler reader:/);
  assert.match(
    message(d.spawn(d.pure(1)), [d.state]),
    /Spawn is answered by the standard handler scheduler:/,
  );
  // the scheduler's effects, which a program that only calls all or timeout never wrote itself
  const needs =
    "is answered by the standard handler scheduler: add it to the run's handlers. spawn, wait, awaitPromise and the concurrency toolkit (all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest) perform scheduler effects: a program that calls only them needs the scheduler too";
  assert.equal(
    message(d.timeout(d.pure(1), 10), [d.simulatedTime()]),
    `no handler takes CreatePromise; 1 visible handler(s) declined it. CreatePromise ${needs}`,
  );
  assert.equal(
    message(d.all([d.pure(1)]), []),
    `no handler takes Spawn; no handlers are installed here. Spawn ${needs}`,
  );
  assert.equal(
    message(d.raceAll([d.pure(1)]), [d.state]),
    `no handler takes Spawn; 1 visible handler(s) declined it. Spawn ${needs}`,
  );
  assert.match(
    message(d.delay(5), [d.scheduler]),
    /Delay is answered by the standard handler simulatedTime\(\) or realTime \(with scheduler\):/,
  );
});

test("a subclass that overrides an error's field with a getter alone (or a read-only value) is made, its getter answering; one with a setter has it called; a message getter is shadowed as Error itself does", () => {
  // (TypeScript forbids overriding a property with an accessor, hence the `any`: JS users may)
  const made: unknown[] = [];
  const Named: any = class extends DoeffError {
    override get name() {
      return "Named";
    }
  };
  const e = new Named("m");
  assert.deepEqual([e.name, e.message, e instanceof DoeffError], ["Named", "m", true]);
  assert.match(String(e.stack), /^Named: m\n/);
  const Keyed: any = class extends MissingStateKeyError {
    // @ts-expect-error TS2611: a property overridden by an accessor (as a JS user may)
    override get key() {
      return "mine";
    }
  };
  const k = new Keyed("n");
  assert.deepEqual([k.name, k.key, Object.hasOwn(k, "key")], ["Keyed", "mine", false]);
  const Timed: any = class extends TimeoutError {
    // @ts-expect-error TS2611: a property overridden by an accessor (as a JS user may)
    override get ms() {
      return 1;
    }
    override set ms(v: number) {
      made.push(v);
    }
  };
  assert.equal(new Timed(5).ms, 1);
  const Unhandled: any = class extends UnhandledEffectError {
    // @ts-expect-error TS2611: a property overridden by an accessor (as a JS user may)
    override get effect() {
      return "e";
    }
    // @ts-expect-error TS2611: a property overridden by an accessor (as a JS user may)
    override get handlers() {
      return ["h"];
    }
  };
  const u = new Unhandled(new Num(1), [state]);
  assert.deepEqual(
    [u.effect, u.handlers, u.message],
    ["e", ["h"], new UnhandledEffectError(new Num(1), [state]).message],
  );
  const Cancelled: any = class extends TaskCancelledError {};
  Object.defineProperty(Cancelled.prototype, "task", { value: "fixed", writable: false });
  assert.equal(new Cancelled("t").task, "fixed");
  assert.deepEqual(made, [5]);
  // Error's constructor makes `message` an own property, over a getter of the subclass: as with
  // `class extends Error`, not a doeff choice
  const Said: any = class extends DoeffError {
    override get message() {
      return "getter";
    }
  };
  const Plain: any = class extends Error {
    override get message() {
      return "getter";
    }
  };
  assert.deepEqual([new Said("m").message, new Plain("m").message], ["m", "m"]);
  // and thrown from a program, it is the run's error
  const r = run(
    P(function* () {
      throw new Named("from the program");
    }),
  );
  assert.equal(r.ok, false);
  assert.equal((r.error as any).name, "Named");
  // the testing subpath's error too
  const Expectation: any = class extends EffectExpectationError {
    override get name() {
      return "Mine";
    }
  };
  assert.equal(new Expectation("x", [], run(pure(1))).name, "Mine");
});

/**
 * `yield*` over an iterator that is not a doeff program (an Effect-TS value, an array): it hands
 * doeff its items one by one, and it has no `throw` method, so the engine drops any error doeff
 * throws back into it and throws its own TypeError ("The iterator does not provide a 'throw'
 * method"). Untyped code met that message for an Effect-TS value and for an array item's own error
 * (a MissingStateKeyError): the program's line was lost. The step loop now puts back the error it
 * had thrown (src/vm/invalid-yield.ts `putBack`), and an Effect-TS value is named as one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Effect as Effect4 } from "effect";
import { Effect as Effect3 } from "effect3";
import {
  type Handler,
  get,
  MissingStateKeyError,
  program,
  resume,
  run,
  state,
  withHandler,
  Effect,
  handle,
  put,
} from "../src/index.js";

const EFFECT_TS =
  "yielded an Effect-TS value, which doeff does not run: `yield* awaitPromise((signal) => Effect.runPromise(effect, { signal }))`";

// untyped on purpose: typed, these are compile errors (NotAnEffectError), as test/types checks
const untyped = (body: () => Generator<unknown, unknown, unknown>) => program(body as never);

test("an Effect 4 value yield*ed in a program: a TypeError naming Effect-TS and the fix (it was V8's 'throw' method message)", () => {
  const r = run(
    untyped(function* () {
      return yield* Effect4.succeed(1) as unknown as Iterable<never>;
    }),
  );
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).constructor, TypeError);
  assert.equal((r.error as Error).message, EFFECT_TS);
});

test("an Effect 3 value (its yield* hands over a YieldWrap): the same TypeError", () => {
  const r = run(
    untyped(function* () {
      return yield* Effect3.succeed(1) as unknown as Iterable<never>;
    }),
  );
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).constructor, TypeError);
  assert.equal((r.error as Error).message, EFFECT_TS);
});

test("yield* [1, 2]: the refused item's TypeError leaves the program, not the engine's", () => {
  const r = run(
    untyped(function* () {
      yield* [1, 2];
    }),
  );
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).constructor, TypeError);
  assert.equal(
    (r.error as Error).message,
    'yielded 1, which is not an Effect, Program or primitive; yield* an Effect (e.g. get("key")) or a Program',
  );
});

test("yield* [get('missing')]: the MissingStateKeyError thrown at its perform site leaves the program, with its traceback; finally blocks ran", () => {
  const log: string[] = [];
  const r = run(
    untyped(function* main() {
      try {
        yield* [get("missing")];
      } finally {
        log.push("finally");
      }
    }),
    { handlers: [state] },
  );
  assert.equal(r.ok, false);
  assert.ok(r.error instanceof MissingStateKeyError);
  assert.deepEqual(log, ["finally"]);
  assert.match(
    r.format(),
    /effect Get\("missing"\): state ✗\nMissingStateKeyError: state has no key "missing"/,
  );
});

test("a catch around the yield* sees the engine's TypeError (JavaScript's rule); rethrown, the error doeff threw leaves the program", () => {
  const seen: string[] = [];
  const r = run(
    untyped(function* () {
      try {
        yield* [get("missing")];
      } catch (e) {
        seen.push((e as Error).message);
        throw e;
      }
    }),
    { handlers: [state] },
  );
  assert.deepEqual(seen, ["The iterator does not provide a 'throw' method."]);
  assert.ok(r.error instanceof MissingStateKeyError);
});

test("an error the program makes of the engine's TypeError is its own: delivered as thrown", () => {
  const mine = new RangeError("mine");
  const r = run(
    untyped(function* () {
      try {
        yield* [get("missing")];
      } catch {
        throw mine;
      }
    }),
    { handlers: [state] },
  );
  assert.equal(r.error, mine);
});

class Boom extends Effect<number> {
  constructor(readonly n = 1) {
    super();
  }
}

test("a handler whose resume is inside a yield* over an array: the error thrown back at the resume leaves the handler as itself", () => {
  const boom = new Error("after resume");
  const h: Handler<Boom> = function* (_e, k) {
    yield* [resume(k, 1)] as unknown as Iterable<never>;
    return 0;
  };
  const r = run(
    withHandler(
      h,
      program(function* () {
        yield* new Boom();
        throw boom;
      }),
    ),
  );
  assert.equal(r.error, boom);
});

test("yield* [get('missing')] in a try whose finally performs effects: the MissingStateKeyError leaves once the finally is done (the engine's TypeError left from a later next())", () => {
  // (a finally that performs an effect makes the generator yield before the engine's TypeError
  // leaves it: that happens in the step that delivers the finally's last answer, not in the throw)
  const bump = handle(Boom, function* bump(e, k) {
    return yield* resume(k, e.n + 1);
  });
  const cases = {
    "a fast-path effect (state's put, answered in the fast lane)": function* () {
      yield* put("x", 1);
    },
    "an effect a handler generator answers (the step loop)": function* () {
      yield* new Boom(1);
    },
  };
  for (const [label, cleanup] of Object.entries(cases)) {
    for (const traced of [false, true]) {
      const log: string[] = [];
      const r = run(
        untyped(function* main() {
          try {
            yield* [get("missing")];
          } finally {
            yield* cleanup();
            log.push("finally done");
          }
        }),
        { handlers: [state, bump], ...(traced ? { trace: { steps: () => {} } } : {}) },
      );
      const what = `${label}${traced ? ", traced" : ""}`;
      assert.deepEqual(log, ["finally done"], what);
      assert.ok(r.error instanceof MissingStateKeyError, `${what}: ${String(r.error)}`);
      assert.match(
        r.format(),
        /effect Get\("missing"\): bump ↗, state ✗\nMissingStateKeyError: state has no key "missing"/,
        what,
      );
    }
  }
});

test("a handler whose resume is inside a yield* over an array, in a try whose finally performs an effect: the error thrown back at the resume leaves the handler as itself", () => {
  const boom = new Error("after resume");
  const h: Handler<Boom> = function* (_e, k) {
    try {
      yield* [resume(k, 1)] as unknown as Iterable<never>;
    } finally {
      yield* put("y", 2);
    }
    return 0;
  };
  const r = run(
    withHandler(
      h,
      program(function* () {
        yield* new Boom();
        throw boom;
      }),
    ),
    { handlers: [state] },
  );
  assert.equal(r.error, boom);
  assert.deepEqual(r.store, { y: 2 });
});

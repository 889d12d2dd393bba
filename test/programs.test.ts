/** Scenario group A — programs, calls, classification (SEMANTICS §1, §2.4). */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as doeff from "../src/index.js";
import {
  createContinuation,
  fn,
  get,
  getCallStack,
  getRunContext,
  pure,
  put,
  type RunResult,
  run,
  runAsync,
  safe,
  state,
  VMInternalError,
} from "../src/index.js";
import { echo, Num, P, WH } from "./helpers.js";

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

const inc = fn(function* inc(x: number) {
  return x + 1;
});

test("A1 run(pure(42)) → Ok(42)", () => {
  expectOk(run(pure(42)), 42);
});

test("A2 run(P{ return 42 }) → Ok(42)", () => {
  expectOk(
    run(
      P(function* () {
        return 42;
      }),
    ),
    42,
  );
});

test("A3 fn-wrapped sub-programs are called → Ok(3)", () => {
  expectOk(
    run(
      P(function* () {
        const a = yield* inc(1);
        return yield* inc(a);
      }),
    ),
    3,
  );
});

test("A4 a Program object reused within a run runs twice → Ok([2, 2])", () => {
  const p = inc(1);
  expectOk(
    run(
      P(function* () {
        return [yield* p, yield* p];
      }),
    ),
    [2, 2],
  );
});

test("A5 re-runnability: two separate runs of the same program → both Ok(1), store {n: 1}", () => {
  const p = P(function* () {
    const n = yield* get<number>("n");
    yield* put("n", n + 1);
    return n + 1;
  });
  const r1 = run(p, { handlers: [state], store: { n: 0 } });
  const r2 = run(p, { handlers: [state], store: { n: 0 } });
  expectOk(r1, 1);
  expectOk(r2, 1);
  assert.deepEqual({ ...r1.store }, { n: 1 });
  assert.deepEqual({ ...r2.store }, { n: 1 });
});

test("A6 bare yield of an effect works at run time → Ok(5)", () => {
  expectOk(
    run(
      WH(
        echo,
        P(function* () {
          const x = yield new Num(5);
          return x;
        }),
      ),
    ),
    5,
  );
});

test("A7 a Program yielded without * is a call → Ok(2)", () => {
  expectOk(
    run(
      P(function* () {
        return yield inc(1);
      }),
    ),
    2,
  );
});

test("A8 yielding a number throws a catchable TypeError into the yielder → Ok(true)", () => {
  expectOk(
    run(
      // @ts-expect-error -- NotAnEffectError at compile time too; this is the run-time check
      P(function* () {
        try {
          yield 42;
        } catch (e) {
          return e instanceof TypeError;
        }
        return "not thrown";
      }),
    ),
    true,
  );
});

test("A9 yielding a raw generator object → Err(TypeError) mentioning generator", () => {
  function* g() {
    return 1;
  }
  const err = expectErr(
    run(
      // @ts-expect-error -- NotAnEffectError at compile time too; this is the run-time check
      P(function* () {
        return yield g();
      }),
    ),
    TypeError,
  );
  assert.match(err.message, /generator/);
});

test("A10 yielding a Promise → Err(TypeError) mentioning awaitPromise", () => {
  const err = expectErr(
    run(
      // @ts-expect-error -- NotAnEffectError at compile time too; this is the run-time check
      P(function* () {
        return yield Promise.resolve(1);
      }),
    ),
    TypeError,
  );
  assert.match(err.message, /awaitPromise/);
});

test("A11 bare `yield;` (undefined) → Err(TypeError)", () => {
  expectErr(
    run(
      // @ts-expect-error -- NotAnEffectError at compile time too; this is the run-time check
      P(function* () {
        yield;
        return 1;
      }),
    ),
    TypeError,
  );
});

test("A12 raw generator object at top level → Ok(7), with and without handlers", () => {
  function* main() {
    return 7;
  }
  expectOk(run(main()), 7);
  expectOk(run(main(), { handlers: [state] }), 7);
});

test("A13 raw generator elsewhere: withHandler(echo, g()) and createContinuation(g()) throw TypeError at construction", () => {
  function* g() {
    return 1;
  }
  assert.throws(() => WH(echo, g() as any), TypeError);
  assert.throws(() => createContinuation(g() as any), TypeError);
});

test("A13 raw generator elsewhere: spawn(g()) throws TypeError at construction", () => {
  function* g() {
    return 1;
  }
  // spawn belongs to the scheduler module (API §5); looked up dynamically so this file type-checks
  // whether or not it is exported yet.
  const spawn = (doeff as any).spawn;
  assert.equal(typeof spawn, "function", "spawn is not exported from src/index.ts (API §5)");
  assert.throws(() => spawn(g()), TypeError);
});

test('A14 getCallStack names program frames innermost first → Ok(["g", "f"])', () => {
  const g = fn(function* g() {
    return (yield* getCallStack()).map((x) => x.name);
  });
  const f = fn(function* f() {
    return yield* g();
  });
  expectOk(run(f()), ["g", "f"]);
});

test("A15 an Effect is a ProgramLike: safe(get('x')) → Ok(r) with r.isOk(), r.value = 1", () => {
  const r = run(safe(get("x")), { handlers: [state], store: { x: 1 } });
  assert.equal(r.ok, true, `expected Ok, got Err: ${String(r.error)}`);
  const res = r.value;
  assert.equal(res.isOk(), true);
  assert.equal(res.ok, true);
  assert.equal((res as any).value, 1);
});

test('A16 getRunContext under run → Ok(["sync", true]); under runAsync → Ok(["async", true])', async () => {
  const p = P(function* () {
    const c = yield* getRunContext();
    return [c.driver, c.user instanceof Map];
  });
  expectOk(run(p), ["sync", true]);
  expectOk(await runAsync(p), ["async", true]);
});

test("fn(async function* …) and program(async function* …) throw at once, naming async generators", () => {
  const message =
    "fn(async function* ag): async generators are not supported: write function* and use awaitPromise for promises";
  assert.throws(
    () =>
      fn(async function* ag() {
        return 1;
      } as never),
    { name: "TypeError", message },
  );
  assert.throws(
    () =>
      doeff.program(async function* ag() {
        return 1;
      } as never),
    { name: "TypeError", message: message.replace(/^fn/, "program") },
  );
});

test("a named-recursion call passed to a combinator says that the name is the generator, not the fn wrapper", () => {
  const depth = fn(function* depth(n: number): Generator<unknown, number, any> {
    if (n === 0) return 0;
    const r = yield* doeff.safe(depth(n - 1) as never);
    return r.ok ? (r.value as number) + 1 : -1;
  });
  const r = run(depth(2));
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "safe got depth(…) from inside fn(function* depth(…) {…}), where `depth` is the generator function, not the fn wrapper: rename the generator (function* depthGen) to pass depth(…) to safe",
  );
});

test("fn of a bound generator function runs it, and leaves every other generator's `yield*` native", () => {
  function* inner(): Generator<number, void> {
    yield 1;
    yield 2;
  }
  function* outer(): Generator<number, void> {
    yield* inner();
  }
  const holder = { base: 40 };
  const add = fn(
    function* add(this: { base: number }, n: number): Generator<never, number> {
      return this.base + n;
    }.bind(holder),
  );
  expectOk(run(add(2)), 42);
  // (it read [call()]: a bound function has no prototype of its own, so the named-recursion trap went
  // on the one every generator inherits, and any plain `yield*` anywhere yielded doeff's call)
  assert.deepEqual([...outer()].map(String), ["1", "2"]);
});

test("program(function* () {…}) leaves an anonymous generator's prototype untrapped (it cannot recurse by name); a named one keeps its trap", () => {
  // one program per item of a loop (forEachAsync(lines, (l) => program(function* () {…}))) paid
  // ~1.6 µs each for a named-recursion trap that nothing could ever trigger: 6× the loop's cost
  const anonymous = [
    function* () {
      return 1;
    },
  ][0]!;
  assert.equal(anonymous.name, "");
  expectOk(run(doeff.program(anonymous)), 1);
  assert.equal(Object.hasOwn(anonymous.prototype, Symbol.iterator), false);
  const count = fn(function* count(n: number): Generator<unknown, number, any> {
    return n === 0 ? 0 : 1 + (yield* count(n - 1));
  });
  expectOk(run(count(3)), 3);
  expectOk(
    run(
      doeff.program(function* named() {
        return 2;
      }),
    ),
    2,
  );
});

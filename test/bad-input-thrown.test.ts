/**
 * Bad-input audit (part 1, the cases it fixed: test/bad-input.test.ts): the thrown values that must
 * reach the caller as the very same value (strings, undefined, plain objects thrown from programs,
 * handlers, finally blocks, thunks and tasks: `r.error === thrown`), and a randomized sweep, with a
 * fixed seed, of bad values through every function and class that takes arguments.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as d from "../src/index.js";
import * as t from "../src/testing/index.js";
import { A, any, body, outcome, SCH } from "./bad-input-helpers.js";

// ------------------------------------------------------------------------------------------------
// thrown values keep their identity: `r.error === thrown`, whatever was thrown and wherever
// ------------------------------------------------------------------------------------------------

const THROWN: readonly [string, () => unknown][] = [
  ["a string", () => "boom"],
  ["undefined", () => undefined],
  ["null", () => null],
  ["0", () => 0],
  ["a symbol", () => Symbol("s")],
  ["a plain object", () => ({ code: 7 })],
  ["an object without a prototype", () => Object.create(null)],
  ["a frozen Error", () => Object.freeze(new Error("frozen"))],
];

const raise = (v: unknown) =>
  d.program(function* () {
    throw v;
  });
const PLACES: readonly [string, (v: unknown) => unknown][] = [
  ["a program under run", (v) => d.run(raise(v))],
  ["a program under runAsync", (v) => d.runAsync(raise(v))],
  [
    "a finally block (replacing the value)",
    (v) =>
      d.run(
        d.program(function* () {
          try {
            return 1;
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
            throw v;
          }
        }),
      ),
  ],
  [
    "a function* handler",
    (v) =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any(function* () {
              throw v;
            }),
          ),
          body,
        ),
      ),
  ],
  [
    "answer's function",
    (v) =>
      d.run(
        d.withHandler(
          d.answer(A, () => {
            throw v;
          }),
          body,
        ),
      ),
  ],
  [
    "mock's function",
    (v) =>
      d.run(
        d.withHandler(
          t.mock(A, () => {
            throw v;
          }),
          body,
        ),
      ),
  ],
  [
    "modify's function",
    (v) =>
      d.run(
        d.modify("x", () => {
          throw v;
        }),
        { handlers: [d.state], store: { x: 1 } },
      ),
  ],
  [
    "discontinue(k, v), at the perform site",
    (v) =>
      d.run(
        d.withHandler(
          d.handle(
            A,
            any((_e: A, k: any) => d.discontinue(k, v)),
          ),
          body,
        ),
      ),
  ],
  [
    "Program.map's function",
    (v) =>
      d.run(
        d.pure(1).map(() => {
          throw v;
        }),
      ),
  ],
  ["a lazy env program", (v) => d.run(d.ask("a"), { handlers: [d.reader], env: { a: raise(v) } })],
  [
    "intercept's transform",
    (v) =>
      d.run(
        d.withHandler(
          d.answer(A, () => 1),
          d.intercept(body, () => {
            throw v;
          }),
        ),
      ),
  ],
  [
    "an awaitPromise thunk that throws",
    (v) =>
      d.runAsync(
        d.awaitPromise(() => {
          throw v;
        }),
        { handlers: [d.scheduler] },
      ),
  ],
  [
    "an awaitPromise thunk that rejects",
    (v) =>
      d.runAsync(
        d.awaitPromise(() => Promise.reject(v)),
        { handlers: [d.scheduler] },
      ),
  ],
  ["an asyncEscape that rejects", (v) => d.runAsync(d.asyncEscape(() => Promise.reject(v)))],
  [
    "a spawned task, waited",
    (v) =>
      d.run(
        d.program(function* () {
          return yield* d.wait(yield* d.spawn(raise(v)));
        }),
        { handlers: SCH() },
      ),
  ],
  [
    "a spawned task, gathered",
    (v) =>
      d.run(
        d.program(function* () {
          return yield* d.gather([yield* d.spawn(raise(v))]);
        }),
        { handlers: SCH() },
      ),
  ],
  [
    "failPromise",
    (v) =>
      d.run(
        d.program(function* () {
          const pr = yield* d.createPromise();
          yield* d.failPromise(pr, v);
          return yield* d.wait(pr.future);
        }),
        { handlers: SCH() },
      ),
  ],
  [
    "an external promise's fail",
    (v) =>
      d.run(
        d.program(function* () {
          const e = yield* d.createExternalPromise();
          e.fail(v);
          return yield* d.wait(e.future);
        }),
        { handlers: SCH() },
      ),
  ],
  ["all", (v) => d.run(d.all([raise(v), d.delay(5)]), { handlers: SCH() })],
  ["timeout's program", (v) => d.run(d.timeout(raise(v), 10), { handlers: SCH() })],
  ["retry's last attempt", (v) => d.run(d.retry(raise(v), { times: 2 }), { handlers: SCH() })],
  ["scoped's body", (v) => d.run(d.scoped(raise(v)), { handlers: SCH() })],
  ["under virtualClock", (v) => t.virtualClock().run(raise(v))],
];

/** printable, also for an object without a prototype (String() of it throws) */
const show = (v: unknown): string => {
  try {
    return String(v);
  } catch {
    return typeof v;
  }
};

for (const [place, make] of PLACES) {
  test(`thrown values keep their identity: ${place}`, async () => {
    for (const [what, value] of THROWN) {
      const v = value();
      const o = await outcome(() => make(v));
      assert.equal(o.where, "err", `${what} thrown from ${place}: ${o.where}`);
      assert.ok(Object.is(o.error, v), `${what} thrown from ${place} came back as ${show(o.error)}`);
    }
  });
}

test("thrown values keep their identity: RunResult.value rethrows it, format() describes it", () => {
  for (const [what, value] of THROWN) {
    const v = value();
    const r = d.run(raise(v));
    assert.throws(
      () => r.value,
      (e) => Object.is(e, v),
      what,
    );
    assert.equal(typeof r.format(), "string", what);
  }
});

test("thrown values keep their identity: forEach's function is called at the call, and its throw comes out there", () => {
  for (const [what, value] of THROWN) {
    const v = value();
    assert.throws(
      () =>
        d.forEach([1], () => {
          throw v;
        }),
      (e) => Object.is(e, v),
      what,
    );
  }
});

// ------------------------------------------------------------------------------------------------
// randomized: bad values through every function and class that takes an argument (fixed seed)
// ------------------------------------------------------------------------------------------------

/** values a JavaScript caller may pass by mistake; `ok` of each site says which it accepts */
const BAD: readonly [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["NaN", () => Number.NaN],
  ["-1", () => -1],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["1.5", () => 1.5],
  ["2 ** 53", () => 2 ** 53],
  ['"5"', () => "5"],
  ["10n", () => 10n],
  ["a symbol", () => Symbol("x")],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[5]", () => [5]],
  ["an arrow function", () => () => 1],
  ["an async function", () => async () => 1],
  ["a generator function", () => function* g() {}],
  ["a generator object", () => (function* () {})()],
  ["a Promise", () => Promise.resolve(1)],
  ["an effect", () => new A()],
  ["a Program", () => d.pure(1)],
  ["an effect class", () => A],
  ["a class", () => class Plain {}],
  // (not a revoked Proxy: `instanceof` of one throws V8's TypeError in the checks' fast tests, which
  // stay unguarded; test/malformed.test.ts covers that it is a TypeError)
];

const isNum = (v: unknown) => typeof v === "number";
const isString = (v: unknown) => typeof v === "string";
const isProgramLike = (v: unknown) => v instanceof d.Program || v instanceof d.Effect;
/** [name its message starts with, the call, the values it accepts] */
const SITES: readonly [string, (v: unknown) => unknown, (v: unknown) => boolean][] = [
  ["get", (v) => d.get(any(v)), isString],
  ["put", (v) => d.put(any(v), 1), isString],
  ["modify", (v) => d.modify("k", any(v)), (v) => typeof v === "function"],
  ["ask", (v) => d.ask(any(v)), isString],
  [
    "local",
    (v) => d.local(any(v), body),
    (v) =>
      Array.isArray(v) === false &&
      typeof v === "object" &&
      v !== null &&
      !isProgramLike(v) &&
      !(v instanceof Promise),
  ],
  ["listen", (v) => d.listen(any(v)), isProgramLike],
  ["safe", (v) => d.safe(any(v)), isProgramLike],
  ["spawn", (v) => d.spawn(any(v)), isProgramLike],
  ["wait", (v) => d.wait(any(v)), () => false],
  ["cancel", (v) => d.cancel(any(v)), () => false],
  ["race", (v) => d.race(any(v)), () => false],
  ["completePromise", (v) => d.completePromise(any(v), 1), () => false],
  ["awaitPromise", (v) => d.awaitPromise(any(v)), (v) => typeof v === "function"],
  ["registerIdleSource", (v) => d.registerIdleSource(any(v)), () => false],
  ["delay", (v) => d.delay(any(v)), (v) => isNum(v) && Number.isFinite(v) && (v as number) >= 0],
  ["timeout", (v) => d.timeout(body, any(v)), (v) => isNum(v) && Number.isFinite(v) && (v as number) >= 0],
  ["createSemaphore", (v) => d.createSemaphore(any(v)), (v) => Number.isInteger(v) && (v as number) >= 1],
  ["scoped", (v) => d.scoped(any(v)), isProgramLike],
  ["abortable", (v) => d.abortable(any(v), new AbortController().signal), isProgramLike],
  ["abortable", (v) => d.abortable(body, any(v)), (v) => v instanceof AbortSignal],
  ["withHandler", (v) => d.withHandler(any(v), body), (v) => typeof v === "function" && v !== A],
  [
    "handle",
    (v) =>
      d.handle(
        any(v),
        any(() => 1),
      ),
    (v) => v === A,
  ],
  [
    "answer",
    (v) =>
      d.answer(
        any(v),
        any(() => 1),
      ),
    (v) => v === A,
  ],
  ["resume", (v) => d.resume(any(v), 1), () => false],
  ["detach", (v) => d.detach(any(v)), () => false],
  ["createContinuation", (v) => d.createContinuation(any(v)), isProgramLike],
  ["asyncEscape", (v) => d.asyncEscape(any(v)), (v) => typeof v === "function"],
  ["eventChannel", (v) => d.eventChannel(any(v)), (v) => typeof v === "function"],
  [
    "next",
    (v) => d.next(any(v)),
    (v) => v !== null && typeof v === "object" && typeof (v as { next?: unknown }).next === "function",
  ],
  ["delay", (v) => new d.Delay(any(v)), (v) => isNum(v) && Number.isFinite(v) && (v as number) >= 0],
  ["get", (v) => new d.Get(any(v)), isString],
  ["gather", (v) => new d.Gather(any(v)), (v) => Array.isArray(v) && v.length === 0],
  ["spawn", (v) => new d.Spawn(any(v), "shared"), isProgramLike],
  ["new Semaphore", (v) => new d.Semaphore(any(v)), (v) => Number.isInteger(v) && (v as number) >= 1],
  ["mock", (v) => t.mock(any(v), any(1)), (v) => v === A],
  ["seededRandom", (v) => t.seededRandom(any(v)), (v) => Number.isSafeInteger(v)],
  ["compareEffects", (v) => t.compareEffects(any(v), []), (v) => Array.isArray(v) && v.length === 0],
];

/** `ok(v)`, false when it throws (a revoked Proxy throws at `instanceof`) */
function accepts(ok: (v: unknown) => boolean, v: unknown): boolean {
  try {
    return ok(v);
  } catch {
    return false;
  }
}

test("randomized: 1000 bad values (seed 2026) through every site give its own TypeError or RangeError, never V8's words", () => {
  const rng = t.seededRandom(2026);
  let checked = 0;
  for (let i = 0; i < 1000; i++) {
    const [name, call, ok] = rng.pick(SITES);
    const [what, make] = rng.pick(BAD);
    const v = make();
    if (accepts(ok, v)) continue;
    checked++;
    assert.throws(
      () => call(v),
      (e: unknown) => {
        assert.ok(e instanceof TypeError || e instanceof RangeError, `${name}(${what}): ${show(e)}`);
        assert.ok(
          e.message.startsWith(name),
          `${name}(${what}): the message names another site: ${e.message}`,
        );
        assert.doesNotMatch(
          e.message,
          /Cannot read properties|is not a function|is not iterable|\[object /,
          `${name}(${what})`,
        );
        return true;
      },
      `${name}(${what}) was accepted`,
    );
  }
  assert.ok(checked > 800, `only ${checked} cases checked`);
});

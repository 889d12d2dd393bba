/**
 * Malformed-input fuzzing: random values yielded, passed as handlers / `handles`, passed to every
 * primitive and effect constructor, used as run options, env/store values, resume values, thrown
 * values, and hand-written iterators used as programs. Every outcome must be documented (SEMANTICS
 * §6): a value, or a TypeError / RangeError / DoeffError other than VMInternalError, or an error the
 * case itself throws (a Sentinel, or the very value it throws) — never a VMInternalError, a crash
 * or a hang.
 *
 * Every case is finite by construction (iterators stop after a few results, nothing loops), so a case
 * that does not finish is a VM hang. Cases run in a worker thread with a watchdog: a case that takes
 * longer than HANG_MS is reported as a hang, the worker is replaced, and the run goes on.
 */
import assert from "node:assert/strict";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import * as d from "../src/index.js";
import { startWorker } from "./reference/isolate.js";

/** `npm run fuzz -- --malformed --runs N [--seed S]` sets these for a longer run */
const SEED = Number(process.env.DOEFF_MALFORMED_SEED ?? 0x5eed);
const CASES = Number(process.env.DOEFF_MALFORMED_CASES ?? 3000);
const HANG_MS = 2000;
/** stop after this many hangs (each costs HANG_MS); the test fails anyway */
const MAX_HANGS = 12;

/** Errors the cases throw on purpose (from user code, proxies, getters, iterators). */
class Sentinel extends Error {}
const S = (m: string) => new Sentinel(m);

class A extends d.Effect<unknown> {
  declare readonly _tag: "A";
}
/** an effect no handler of these cases takes (every case handler takes A only, so nothing loops) */
class Z extends d.Effect<unknown> {
  declare readonly _tag: "Z";
}
const onlyA = <F extends object>(f: F): F & { handles: (e: unknown) => boolean } =>
  Object.assign(f, { handles: (e: unknown) => e instanceof A });

interface Weird {
  readonly label: string;
  readonly make: () => unknown;
}

function getterThrows(key: PropertyKey): object {
  return Object.defineProperty({}, key, {
    get() {
      throw S(`get ${String(key)}`);
    },
  });
}

function enumerableGetterThrows(key: PropertyKey): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw S(`get ${String(key)}`);
    },
  });
}

function revoked(): object {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
}

const trapAll: ProxyHandler<any> = {
  get: () => {
    throw S("proxy get");
  },
  has: () => {
    throw S("proxy has");
  },
  getPrototypeOf: () => {
    throw S("proxy getPrototypeOf");
  },
  ownKeys: () => {
    throw S("proxy ownKeys");
  },
  getOwnPropertyDescriptor: () => {
    throw S("proxy getOwnPropertyDescriptor");
  },
  apply: () => {
    throw S("proxy apply");
  },
};

/** A hand-written iterator returning `results` in turn, then `{done: true, value: 1}`: finite. */
function iterator(
  label: string,
  results: readonly (() => unknown)[],
  methods = { throw: true, return: true },
) {
  return {
    label,
    make: () => {
      let i = 0;
      const step = () => (i < results.length ? results[i++]!() : { done: true, value: 1 });
      const it: Record<string, unknown> = { next: step, [Symbol.iterator]: () => it };
      if (methods.throw) it.throw = step;
      if (methods.return) it.return = () => ({ done: true, value: undefined });
      return it;
    },
  };
}

/** A continuation left over from a finished run. */
function staleContinuation(): unknown {
  let saved: unknown;
  const h = (_e: A, k: any) => {
    saved = k;
    return d.detach(k);
  };
  d.run(
    d.withHandler(
      h,
      d.program(function* () {
        return yield* new A();
      }),
    ),
  );
  return saved;
}

const SPECIAL: readonly Weird[] = [
  { label: "undefined", make: () => undefined },
  { label: "null", make: () => null },
  { label: "NaN", make: () => Number.NaN },
  { label: "-1", make: () => -1 },
  { label: "Infinity", make: () => Number.POSITIVE_INFINITY },
  { label: "a symbol", make: () => Symbol("s") },
  { label: "a bigint", make: () => 10n },
  { label: "a string", make: () => "str" },
  { label: "an arrow function", make: () => () => 1 },
  {
    label: "a generator function",
    make: () =>
      function* g() {
        yield 1;
      },
  },
  {
    label: "a generator object",
    make: () =>
      (function* g() {
        return 1;
      })(),
  },
  { label: "an async function", make: () => async () => 1 },
  {
    label: "an async generator function",
    make: () =>
      async function* ag() {
        return 1;
      },
  },
  {
    label: "an async generator object",
    make: () =>
      (async function* ag() {
        return 1;
      })(),
  },
  { label: "a class", make: () => class X {} },
  { label: "a resolved promise", make: () => Promise.resolve(1) },
  {
    label: "a thenable",
    make: () => ({
      // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose
      then(r: (v: unknown) => void) {
        r(1);
      },
    }),
  },
  // biome-ignore lint/suspicious/noThenProperty: a malformed thenable on purpose
  { label: "{then: 5}", make: () => ({ then: 5 }) },
  { label: "an empty array", make: () => [] },
  { label: "Object.create(null)", make: () => Object.create(null) },
  { label: "a frozen object", make: () => Object.freeze({ a: 1 }) },
  { label: "a Map", make: () => new Map([["a", 1]]) },
  { label: "a Map with a non-string key", make: () => new Map<unknown, unknown>([[1, "one"]]) },
  {
    label: "a Map subclass whose methods throw",
    make: () => {
      const m = new (class HostileMap extends Map<string, unknown> {
        override get(): never {
          throw S("HostileMap.get");
        }
        override entries(): never {
          throw S("HostileMap.entries");
        }
        override [Symbol.iterator](): never {
          throw S("HostileMap iterator");
        }
      })();
      m.set("a", 1);
      return m;
    },
  },
  { label: "a Proxy around a Map", make: () => new Proxy(new Map([["a", 1]]), {}) },
  { label: "a Set", make: () => new Set(["a"]) },
  { label: "a Date", make: () => new Date(0) },
  { label: "a WeakMap", make: () => new WeakMap() },
  {
    label: "a class instance with own keys",
    make: () =>
      new (class Settings {
        a = 1;
        x = 2;
      })(),
  },
  { label: "a Uint8Array", make: () => new Uint8Array(2) },
  { label: "a boxed string", make: () => Object("ab") },
  { label: "an object inheriting from a plain object", make: () => Object.create({ a: 1 }) },
  { label: "a revoked Proxy", make: revoked },
  { label: "an object whose enumerable `a` getter throws", make: () => enumerableGetterThrows("a") },
  { label: "an object whose enumerable `env` getter throws", make: () => enumerableGetterThrows("env") },
  { label: "an Error", make: () => new Error("plain") },
  { label: "a TypeError", make: () => new TypeError("type") },
  { label: "a Task look-alike", make: () => ({ [Symbol.toStringTag]: "doeff.Task" }) },
  { label: "a Proxy whose every trap throws", make: () => new Proxy({}, trapAll) },
  { label: "a function Proxy whose every trap throws", make: () => new Proxy(() => 1, trapAll) },
  { label: "an object whose `then` getter throws", make: () => getterThrows("then") },
  { label: "an object whose `constructor` getter throws", make: () => getterThrows("constructor") },
  { label: "an object whose Symbol.iterator getter throws", make: () => getterThrows(Symbol.iterator) },
  { label: "an object whose Symbol.toStringTag getter throws", make: () => getterThrows(Symbol.toStringTag) },
  { label: "an object whose `next` getter throws", make: () => getterThrows("next") },
  { label: "an Effect nobody handles", make: () => new Z() },
  { label: "pure(1)", make: () => d.pure(1) },
  { label: "getHandlers() (handler-only primitive)", make: () => d.getHandlers() },
  { label: "get('x') (state effect)", make: () => d.get("x") },
  { label: "a stale continuation from another run", make: staleContinuation },
  { label: "the `state` handler", make: () => d.state },
  iterator("an iterator yielding 42 then returning", [() => ({ done: false, value: 42 })]),
  iterator("an iterator yielding an Effect then returning", [() => ({ done: false, value: new Z() })]),
  iterator("an iterator yielding pure(1) then returning", [() => ({ done: false, value: d.pure(1) })]),
  iterator("an iterator whose results are 42, 42, 42", [() => 42, () => 42, () => 42]),
  iterator("an iterator whose first result is null", [() => null]),
  iterator("an iterator whose first result is undefined", [() => undefined]),
  iterator("an iterator whose first result is a Proxy that throws", [() => new Proxy({}, trapAll)]),
  iterator("an iterator whose first result has a throwing `done` getter", [() => getterThrows("done")]),
  iterator("an iterator whose `next` throws", [
    () => {
      throw S("next");
    },
  ]),
  iterator("an iterator without `throw`", [() => ({ done: false, value: 42 })], {
    throw: false,
    return: true,
  }),
  iterator("an iterator without `return`", [() => ({ done: false, value: new Z() })], {
    throw: true,
    return: false,
  }),
];

const weirdArb: fc.Arbitrary<Weird> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL), weight: 3 },
  {
    arbitrary: fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }).map((v) => ({
      label: fc.stringify(v),
      make: () => v,
    })),
    weight: 1,
  },
);

type Outcome =
  | { readonly kind: "threw"; readonly error: unknown }
  | { readonly kind: "result"; readonly r: d.RunResult<unknown> }
  | { readonly kind: "async"; readonly p: Promise<d.RunResult<unknown>> };

interface Context {
  readonly label: string;
  /** builds and runs the case; `own` collects values the case throws on purpose */
  readonly run: (v: unknown, own: Set<unknown>) => Outcome;
  /**
   * Bad options (§8.1): an error thrown out of run / rejected by runAsync must be a TypeError —
   * an error thrown by a getter or Proxy trap of the options must not escape as it is.
   */
  readonly strict?: true;
  /** further checks on a settled result (e.g. every finally ran); null when fine */
  readonly check?: (v: unknown, r: d.RunResult<unknown>) => string | null;
}

/** options read by a getter / through a Proxy: the same options, made hostile to read */
const viaGetter = (key: string, v: unknown, rest: object) =>
  Object.defineProperty({ ...rest }, key, { enumerable: true, get: () => v });

/** A handler returning `v` for A, over a body whose finally is recorded: the finally must run. */
function finallyCase(handler: (v: unknown) => (e: unknown, k: any) => unknown): Context["run"] {
  return (v) =>
    attempt(() => {
      finallyRan.length = 0;
      return d.run(
        d.withHandler(
          onlyA(handler(v)) as any,
          d.program(function* body() {
            try {
              return yield* new A();
            } finally {
              finallyRan.push("finally");
            }
          }),
        ),
      );
    });
}
const finallyRan: string[] = [];
const checkFinally = (): string | null =>
  finallyRan.length === 1 ? null : `the body's finally ran ${finallyRan.length} times, not once`;

function attempt(f: () => d.RunResult<unknown>): Outcome {
  try {
    return { kind: "result", r: f() };
  } catch (error) {
    return { kind: "threw", error };
  }
}

const bodyA = d.program(function* bodyA() {
  return yield* new A();
});
const STD = [d.state, d.reader, d.writer];

/** `P(v, k)`: primitives and constructors applied to the weird value (k: a real continuation). */
const APPLICATIONS: readonly [string, (v: any, k: any, own: Set<unknown>) => unknown][] = [
  ["resume(v, 1)", (v) => d.resume(v, 1)],
  ["resume(k, v)", (v, k) => d.resume(k, v)],
  ["transfer(v, 1)", (v) => d.transfer(v, 1)],
  ["transfer(k, v)", (v, k) => d.transfer(k, v)],
  ["transferWith(v, pure(1))", (v) => d.transferWith(v, d.pure(1))],
  ["transferWith(k, v)", (v, k) => d.transferWith(k, v)],
  ["discontinue(v, err)", (v) => d.discontinue(v, S("discontinued"))],
  [
    "discontinue(k, v)",
    (v, k, own) => {
      own.add(v);
      return d.discontinue(k, v);
    },
  ],
  ["pass(v)", (v) => d.pass(v)],
  ["delegate(v)", (v) => d.delegate(v)],
  ["detach(v)", (v) => d.detach(v)],
  ["finalize(v)", (v) => d.finalize(v)],
  ["createContinuation(v)", (v) => d.createContinuation(v)],
  ["createContinuation(pure(1), v)", (v) => d.createContinuation(d.pure(1), v)],
  ["resumeContinuation(v, 1)", (v) => d.resumeContinuation(v, 1)],
  ["asyncEscape(v)", (v) => d.asyncEscape(v)],
  ["withHandler(v, pure(1))", (v) => d.withHandler(v, d.pure(1))],
  ["withHandler(state, v)", (v) => d.withHandler(d.state, v)],
  ["fn(v)()", (v) => d.fn(v)()],
  ["program(v)", (v) => d.program(v)],
  ["pure(1).map(v)", (v) => d.pure(1).map(v)],
  ["pure(1).flatMap(v)", (v) => d.pure(1).flatMap(v)],
  ["pure(1).flatMap(() => v)", (v) => d.pure(1).flatMap(() => v)],
  ["get(v)", (v) => d.get(v)],
  ["put(v, 1)", (v) => d.put(v, 1)],
  ["put('x', v)", (v) => d.put("x", v)],
  ["modify(v, f)", (v) => d.modify(v, (x: any) => x)],
  ["modify('x', v)", (v) => d.modify("x", v)],
  ["ask(v)", (v) => d.ask(v)],
  ["local(v, pure(1))", (v) => d.local(v, d.pure(1))],
  ["local({a: 1}, v)", (v) => d.local({ a: 1 }, v)],
  ["tell(v)", (v) => d.tell(v)],
  ["listen(v)", (v) => d.listen(v)],
  ["safe(v)", (v) => d.safe(v)],
  ["intercept(v, t)", (v) => d.intercept(v, () => undefined)],
  ["intercept(pure(1), v)", (v) => d.intercept(d.pure(1), v)],
  ["intercept(A, () => v)", (v) => d.intercept(bodyA, () => v)],
  [
    "handle(v, f)",
    (v) =>
      d.withHandler(
        d.handle(v, (_e: unknown, k: any) => d.resume(k, 1)),
        bodyA,
      ),
  ],
  ["handle(A, v)", (v) => d.withHandler(d.handle(A, v), bodyA)],
];

const CONTEXTS: readonly Context[] = [
  {
    label: "yield v",
    run: (v) =>
      attempt(() =>
        d.run(
          d.program(function* () {
            return yield v as any;
          }),
        ),
      ),
  },
  {
    label: "yield v, catch, then keep using state",
    run: (v) =>
      attempt(() =>
        d.run(
          d.program(function* () {
            try {
              yield v as any;
            } catch {}
            yield* d.put("x", 2);
            return yield* d.get("x");
          }),
          { handlers: [d.state] },
        ),
      ),
  },
  { label: "run(v)", run: (v) => attempt(() => d.run(v as any)) },
  { label: "run(v, handlers)", run: (v) => attempt(() => d.run(v as any, { handlers: STD })) },
  { label: "runAsync(v)", run: (v) => ({ kind: "async", p: d.runAsync(v as any) }) },
  { label: "run(pure(1), v)", run: (v) => attempt(() => d.run(d.pure(1), v as any)), strict: true },
  { label: "run(A, {handlers: [v]})", run: (v) => attempt(() => d.run(bodyA, { handlers: [v as any] })) },
  {
    label: "run(ask('a'), {env: v})",
    run: (v) => attempt(() => d.run(d.ask("a"), { handlers: STD, env: v as any })),
    strict: true,
    check: (v, r) => {
      // a Map is an env: ask("a") answers its "a" entry
      if (
        !(v instanceof Map) ||
        !Map.prototype.has.call(v, "a") ||
        [...Map.prototype.keys.call(v)].some((k) => typeof k !== "string")
      )
        return null;
      return r.ok && r.value === Map.prototype.get.call(v, "a")
        ? null
        : `a Map env was not read: ${String(r.error)}`;
    },
  },
  {
    label: "run(get('x'), {store: v})",
    run: (v) => attempt(() => d.run(d.get("x"), { handlers: STD, store: v as any })),
    strict: true,
  },
  {
    label: "runAsync(ask('a'), {env: v, store: v})",
    run: (v) => ({
      kind: "async",
      p: d.runAsync(d.ask("a"), { handlers: STD, env: v as any, store: v as any }),
    }),
    strict: true,
  },
  {
    label: "run(ask('a'), options with an `env` getter answering v)",
    run: (v) => attempt(() => d.run(d.ask("a") as any, viaGetter("env", v, { handlers: STD }) as any)),
    strict: true,
  },
  {
    label: "run(ask('a'), options Proxy over {env: v} whose get trap throws for `store`)",
    run: (v) =>
      attempt(() =>
        d.run(
          d.ask("a") as any,
          new Proxy(
            { handlers: STD, env: v, store: {} },
            {
              get: (t, k) => {
                if (k === "store") throw S("options proxy get store");
                return Reflect.get(t, k);
              },
            },
          ) as any,
        ),
      ),
    strict: true,
  },
  {
    label: "run(ask('a'), {env: {a: 1, b: <getter answering v>}})",
    run: (v) => attempt(() => d.run(d.ask("a"), { handlers: STD, env: viaGetter("b", v, { a: 1 }) as any })),
    strict: true,
  },
  {
    label: "runAsync(pure(1), options = Proxy whose traps throw, over {handlers: [v]})",
    run: (v) => ({ kind: "async", p: d.runAsync(d.pure(1), new Proxy({ handlers: [v] }, trapAll) as any) }),
    strict: true,
  },
  {
    label: "run(A, {handlers: getter answering [v]})",
    run: (v) => attempt(() => d.run(bodyA, viaGetter("handlers", [v], {}) as any)),
    strict: true,
  },
  {
    label: "plain handler returns v; the body's finally runs",
    run: finallyCase((v) => () => v),
    check: checkFinally,
  },
  {
    label: "generator handler returns v; the body's finally runs",
    run: finallyCase(
      (v) =>
        function* () {
          return v;
        },
    ),
    check: checkFinally,
  },
  {
    label: "handle(A, () => v); the body's finally runs",
    run: (v) => finallyCase(() => d.handle(A, (() => v) as any) as any)(v, new Set()),
    check: checkFinally,
  },
  {
    label: "run(pure(1), {trace: v})",
    run: (v) => attempt(() => d.run(d.pure(1), { trace: v as any })),
    strict: true,
  },
  {
    label: "run(A, {trace: {steps: v}})",
    run: (v) =>
      attempt(() =>
        d.run(bodyA, {
          handlers: [onlyA((_e: A, k: any) => d.resume(k, 1))],
          trace: { steps: v as any },
        }),
      ),
  },
  { label: "withHandler(v, A)", run: (v) => attempt(() => d.run(d.withHandler(v as any, bodyA))) },
  {
    label: "handler returns v",
    run: (v) => attempt(() => d.run(d.withHandler(onlyA(() => v) as any, bodyA))),
  },
  {
    label: "handler yields v, then resumes",
    run: (v) =>
      attempt(() =>
        d.run(
          d.withHandler(
            onlyA(function* (_e: A, k: any) {
              try {
                yield v as any;
              } catch {}
              return yield* d.resume(k, 1);
            }),
            bodyA,
          ),
        ),
      ),
  },
  {
    label: "handles = v",
    run: (v) =>
      attempt(() =>
        d.run(
          d.withHandler(
            Object.assign((_e: A, k: any) => d.resume(k, 1), { handles: v as any }),
            bodyA,
          ),
        ),
      ),
  },
  {
    label: "handles returns v",
    run: (v) =>
      attempt(() =>
        d.run(
          d.withHandler(
            Object.assign((_e: A, k: any) => d.resume(k, 1), { handles: () => v as any }),
            bodyA,
          ),
        ),
      ),
  },
  {
    label: "throw v",
    run: (v, own) => {
      own.add(v);
      return attempt(() =>
        d.run(
          d.program(function* () {
            throw v;
          }),
        ),
      );
    },
  },
  {
    label: "finally throws v while abandoned",
    run: (v, own) => {
      own.add(v);
      return attempt(() =>
        d.run(
          d.withHandler(
            onlyA(() => d.pure("abandoned")),
            d.program(function* () {
              try {
                yield* new A();
              } finally {
                // biome-ignore lint/correctness/noUnsafeFinally: a throwing finally block is the case under test
                throw v;
              }
            }),
          ),
        ),
      );
    },
  },
  { label: "env value v", run: (v) => attempt(() => d.run(d.ask("a"), { handlers: STD, env: { a: v } })) },
  {
    label: "store value v",
    run: (v) => attempt(() => d.run(d.get("x"), { handlers: STD, store: { x: v } })),
  },
  { label: "listen(tell(v))", run: (v) => attempt(() => d.run(d.listen(d.tell(v)), { handlers: STD })) },
  {
    label: "resume(k, v) as the effect's answer",
    run: (v) =>
      attempt(() =>
        d.run(
          d.withHandler(
            onlyA((_e: A, k: any) => d.resume(k, v)),
            bodyA,
          ),
        ),
      ),
  },
  ...APPLICATIONS.map(
    ([label, apply]): Context => ({
      label: `in a handler: yield* ${label}`,
      run: (v, own) =>
        attempt(() =>
          d.run(
            d.withHandler(
              onlyA(function* (_e: A, k: any) {
                return yield* apply(v, k, own) as any;
              }),
              bodyA,
            ),
            { handlers: STD },
          ),
        ),
    }),
  ),
];

const caseArb = fc.tuple(weirdArb, fc.nat(CONTEXTS.length - 1));

/** null when the outcome is documented, else what is wrong. */
function verdict(error: unknown, own: Set<unknown>): string | null {
  if (own.has(error) || error instanceof Sentinel) return null;
  if (error instanceof d.VMInternalError) return `VMInternalError: ${error.message}`;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof d.DoeffError) return null;
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return `undocumented error ${String(name)}: ${String((error as { message?: unknown } | null)?.message ?? error)}`;
}

interface Report {
  readonly i: number;
  readonly label: string;
  readonly problem: string;
}

// ------------------------------------------------------------------------------------------------
// worker: runs cases [from, CASES) and reports each
// ------------------------------------------------------------------------------------------------

async function serve(from: number, skip: ReadonlySet<string>): Promise<void> {
  const port = parentPort!;
  const cases = fc.sample(caseArb, { numRuns: CASES, seed: SEED });
  for (let i = from; i < cases.length; i++) {
    const [weird, ci] = cases[i]!;
    const ctx = CONTEXTS[ci]!;
    const label = `${ctx.label} — v = ${weird.label}`;
    if (skip.has(weird.label)) continue; // this value hung before: same root cause, no second wait
    port.postMessage({ type: "start", i, label });
    const own = new Set<unknown>();
    let problem: string | null = null;
    try {
      const v = weird.make();
      const o = ctx.run(v, own);
      if (o.kind === "threw") problem = ctx.strict ? strictVerdict(o.error) : verdict(o.error, own);
      else {
        const r = o.kind === "async" ? await o.p : o.r;
        if (!(r instanceof d.RunResult)) problem = `not a RunResult: ${String(r)}`;
        else if (!r.ok) problem = verdict(r.error, own);
        if (problem === null && r instanceof d.RunResult && ctx.check) problem = ctx.check(v, r);
      }
    } catch (e) {
      problem = ctx.strict ? strictVerdict(e) : o_error(e, own);
    }
    port.postMessage({ type: "done", i, label, problem });
  }
  port.postMessage({ type: "end" });
}

/** Bad options must be a TypeError (§8.1), never the error of a getter or Proxy trap as it is. */
function strictVerdict(e: unknown): string | null {
  if (e instanceof TypeError && !(e instanceof d.VMInternalError)) return null;
  const v = verdict(e, new Set());
  return `bad options threw ${v ?? (e instanceof Sentinel ? `the trap/getter error itself (${e.message})` : String(e))}, not a TypeError`;
}

/** runAsync rejecting: allowed only for bad input (TypeError), §8.1 */
function o_error(e: unknown, own: Set<unknown>): string | null {
  const v = verdict(e, own);
  return v === null ? null : `rejected/threw outside the run: ${v}`;
}

// ------------------------------------------------------------------------------------------------
// main thread: the test, with a watchdog per case
// ------------------------------------------------------------------------------------------------

function runAll(): Promise<{ reports: Report[]; completed: number }> {
  return new Promise((resolve) => {
    const reports: Report[] = [];
    let completed = 0;
    let hangs = 0;
    const skip = new Set<string>();
    const launch = (from: number) => {
      const w = startWorker(import.meta.url, { malformedFrom: from, malformedSkip: [...skip] });
      let current: { i: number; label: string } | null = null;
      let timer: NodeJS.Timeout | null = null;
      const finish = () => resolve({ reports, completed });
      const restart = (problem: string) => {
        if (timer !== null) clearTimeout(timer);
        void w.terminate();
        const at = current ?? { i: from, label: "(worker start)" };
        reports.push({ i: at.i, label: at.label, problem });
        skip.add(at.label.split(" — v = ")[1] ?? "");
        if (problem.startsWith("hang") && ++hangs >= MAX_HANGS) {
          reports.push({ i: at.i, label: "", problem: `stopped after ${MAX_HANGS} hangs` });
          finish();
        } else launch(at.i + 1);
      };
      w.on("message", (m: { type: string; i: number; label: string; problem?: string | null }) => {
        if (m.type === "start") {
          current = { i: m.i, label: m.label };
          if (timer !== null) clearTimeout(timer);
          timer = setTimeout(() => restart(`hang: no outcome after ${HANG_MS} ms`), HANG_MS);
        } else if (m.type === "done") {
          if (timer !== null) clearTimeout(timer);
          timer = null;
          completed++;
          if (m.problem) reports.push({ i: m.i, label: m.label, problem: m.problem });
        } else if (m.type === "end") {
          void w.terminate();
          finish();
        }
      });
      w.on("error", (e) => restart(`crash: ${String(e)}`));
    };
    launch(0);
  });
}

if (!isMainThread && typeof (workerData as { malformedFrom?: unknown })?.malformedFrom === "number") {
  const data = workerData as { malformedFrom: number; malformedSkip: string[] };
  await serve(data.malformedFrom, new Set(data.malformedSkip));
} else if (isMainThread) {
  const { test } = await import("node:test");
  test(`malformed inputs: ${CASES} random cases end in a value or a documented error, never VMInternalError, a crash or a hang`, async () => {
    const { reports, completed } = await runAll();
    assert.ok(completed + reports.length >= CASES - MAX_HANGS, `only ${completed} cases completed`);
    // one line per distinct problem (a problem found with many values is shown once, with a count)
    const byProblem = new Map<string, Report[]>();
    for (const r of reports) {
      const key = `${r.label.split(" — ")[0]} :: ${r.problem.replace(/\d+/g, "#")}`;
      byProblem.set(key, [...(byProblem.get(key) ?? []), r]);
    }
    const lines = [...byProblem.values()].map(
      (rs) =>
        `  [case ${rs[0]!.i}] ${rs[0]!.label}\n      → ${rs[0]!.problem}${rs.length > 1 ? `  (×${rs.length})` : ""}`,
    );
    assert.equal(
      reports.length,
      0,
      `${reports.length} bad outcomes in ${completed} cases:\n${lines.join("\n")}`,
    );
  });
}

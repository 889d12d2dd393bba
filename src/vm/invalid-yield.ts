/**
 * The TypeError for a value a program yielded that the machine cannot run (SEMANTICS §2.4.4): each
 * likely mistake (a missing `*`, a generator object, a Promise, a continuation, a Task) gets a
 * message that names it and the fix. Off the hot path: the step loop calls it only on bad input.
 */
import { brandOf, className, describe, isAsyncIterator, isGeneratorObject, isThenable } from "./brand.js";
import type { Program } from "./program.js";
import type { Segment } from "./segment.js";
import type { Machine } from "./machine.js";

/**
 * Is the Program `p`, about to be called, already running inside itself 100,000 times — frames of
 * that very object, each within 64 frames or segments of the next, from the top of `m.cur` down its
 * callers? Then the call is refused: a RangeError thrown into the yielder. A Program that yields
 * itself (`const p = program(function* () { yield* p; })`), directly or through programs that yield
 * it back, never ends, and the machine, whose frames are not on the JavaScript stack, would run
 * until memory runs out. Recursion through fn (`yield* count(n - 1)`) makes a new Program per call
 * and is never counted: it is bounded by memory only. Checked once every 65,536 frames made
 * (machine.ts call), so the walk, at most 100,000 × 65 steps, costs little per call.
 */
export function runaway(m: Machine, p: Program): boolean {
  let n = 0;
  let gap = 0;
  for (let seg: Segment | null = m.cur; seg !== null && gap < 65; seg = seg.caller, gap++)
    for (let f = seg.top; f !== null && gap < 65; f = f.prev)
      if (f.program !== p) gap++;
      else if (++n < 100_000) gap = 0;
      else {
        m.throwHere(
          new RangeError(
            `${p} runs inside itself 100,000 levels deep (one Program object started again before it ended): end the recursion, or loop in one program`,
          ),
        );
        return true;
      }
  return false;
}

/**
 * `e`, thrown out of a generator that doeff threw an error into, is the engine's own TypeError for
 * a `yield*` whose delegate has no `throw` method (`yield* [a, b]`, an Effect-TS value): V8 "The
 * iterator does not provide a 'throw' method", Bun's JavaScriptCore "The iterator, to which yield*
 * delegated iteration, does not have a 'throw' method". The engine closed the delegate and dropped
 * the error doeff threw (a refused yield's TypeError, a MissingStateKeyError), so the step loop
 * delivers that one instead: the frame's finally blocks have run, and its caller sees the error
 * the program's line caused, as if the delegate had passed it on. (A `catch` that rethrows the
 * engine's TypeError is replaced the same way: it cannot be told apart, and it carries nothing of
 * its own.) It leaves from the `throw` call, or — when a finally block performs an effect first —
 * from a later `next()`: see putBack. Read only when an error leaves a generator (rare).
 */
function lostThrow(e: unknown): boolean {
  try {
    return e instanceof TypeError && e.message.includes("'throw' method");
  } catch {
    return false; // a thrown Proxy whose traps throw (INV-11: it reaches the result unchanged)
  }
}

/**
 * The error doeff last threw into each generator that did not leave it at once: its catch or
 * finally blocks went on, and a finally that performs an effect yields before the engine's
 * TypeError leaves — later, from a `next()` (the step that answers that finally's last effect).
 * Written only when a thrown error is caught or held (not as one propagates), read only when such a
 * TypeError leaves; weak, so an entry goes with its generator.
 */
const held = new WeakMap<object, unknown>();

/** `gen.throw(e)`, noting `e` when it does not leave `gen` at once (see held) */
export function throwInto(gen: Generator, e: unknown): unknown {
  const r = gen.throw(e);
  held.set(gen, e);
  return r;
}

/**
 * What leaves `gen` for `x`: the error doeff threw into it (`thrown` by this very call, `isThrow`,
 * else the one held) when `x` is the engine's TypeError that lost it, else `x` itself.
 */
export function putBack(gen: object, x: unknown, isThrow: boolean, thrown: unknown): unknown {
  return !lostThrow(x) ? x : isThrow ? thrown : held.has(gen) ? held.get(gen) : x;
}

/** The TypeError for a yielded value that is not an Effect, Program or primitive (§2.4.4). Never throws. */
export function invalidYield(y: unknown): TypeError {
  try {
    if (y === undefined) {
      return new TypeError(
        "yielded undefined; missing `*`? Write `yield* effect`, not `yield`, or yield an Effect",
      );
    }
    if (isAsyncIterator(y)) {
      return new TypeError(
        "yielded an async generator object; async generators are not supported: write function* and use awaitPromise for promises",
      );
    }
    if (isGeneratorObject(y)) {
      return new TypeError(
        "yielded a generator object; did you mean `yield*`? To call a sub-program, wrap its generator function with fn(function* name() {...}) and `yield* name(...)`; inside fn(function* name(…) {…}) a recursive call needs only the `*`: `yield* name(…)`",
      );
    }
    if (isThenable(y)) {
      return new TypeError(
        "yielded a Promise; use `yield* awaitPromise(() => promise)` (under runAsync with the scheduler)",
      );
    }
    const b = typeof y === "object" ? brandOf(y) : 0;
    if (b === 4) return new TypeError("yielded a continuation; use `yield* resume(k, value)` to resume it");
    let tag: unknown;
    try {
      tag =
        y !== null && typeof y === "object"
          ? (y as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
          : undefined;
    } catch {
      tag = undefined; // a hostile value: described generically below
    }
    if (isEffectTs(y)) {
      return new TypeError(
        "yielded an Effect-TS value, which doeff does not run: `yield* awaitPromise((signal) => Effect.runPromise(effect, { signal }))`",
      );
    }
    // Effect's habit `yield* Effect.fail(e)` (or `yield* new TaggedError()`), written `yield e`. An
    // error of another realm (node:vm, Jest's test environment, an iframe) fails `instanceof Error`
    // but is one all the same (its [[ErrorData]] makes it "[object Error]"); recover's instanceof
    // test would not match its class, so it is not offered.
    const own = y instanceof Error;
    if (own || (tag === undefined && Object.prototype.toString.call(y) === "[object Error]")) {
      const name = errorClassName(y as object);
      return new TypeError(
        `yielded an error (${name}); to fail, throw it: \`throw error\` (caught by try/catch${own ? `, safe or recover(program, ${name}, f)` : " or safe"})`,
      );
    }
    if (tag === "doeff.Task") {
      return new TypeError("yielded a Task; use `yield* wait(task)` to wait for it");
    }
    return new TypeError(
      `yielded ${describe(y)}, which is not an Effect, Program or primitive; yield* an Effect (e.g. get("key")) or a Program`,
    );
  } catch (e) {
    // reading the yielded value's properties threw (a hostile Proxy or getter)
    return new TypeError(
      "yielded a value whose properties throw when read (a Proxy or throwing getter); yield* an Effect or a Program",
      { cause: e },
    );
  }
}

/** An Effect-TS value as its `yield*` hands it over: Effect 4 yields the effect itself, Effect 3 a YieldWrap. */
function isEffectTs(y: unknown): boolean {
  if (y === null || typeof y !== "object") return false;
  return (
    "~effect/Effect" in y || Symbol.for("effect/Effect") in y || className(y.constructor) === "YieldWrap"
  );
}

/**
 * The class a yielded error is named by, one `recover(program, Class, f)` matches: its own, or —
 * a name of 3 characters or fewer being a minifier's (`t`, `Ot`), as errorName (trace/format.ts)
 * takes it — the nearest base class with a longer name or a `displayName` (`class t extends
 * TypeError` → TypeError). "Error" when nothing is named.
 */
function errorClassName(y: object): string {
  for (
    let c: unknown = y.constructor, i = 0;
    typeof c === "function" && i < 32;
    c = Object.getPrototypeOf(c), i++
  ) {
    const name = className(c);
    if (name.length > 3 || (name !== "" && Object.hasOwn(c, "displayName"))) return name;
  }
  return "Error";
}

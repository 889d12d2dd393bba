/** Small helpers shared by the standard handlers (public protocol only). */
import { type Continuation, hidden, type Primitive, type Program, transferWithMade } from "../protocol.js";

function* raiseGen(error: unknown): Generator<never, never, unknown> {
  throw error;
}

/** A program that throws `error` (for `transferWith(k, raise(e))`: throw at the perform site). */
export function raise(error: unknown): Program<never> {
  return hidden(raiseGen, error);
}

/**
 * `transferWith(k, raise(error))`: the invocation ends and `error` is thrown at k's perform site —
 * without transferWith's check of its program, which raise made (the small import, whose only
 * transferWith is its state handler's, then carries no such check).
 */
export function raiseAt<A, E>(k: Continuation<A, unknown, E>, error: unknown): Primitive<never, E> {
  return transferWithMade(k, raise(error));
}

/**
 * Why a callback that must return its answer synchronously (`answer`, `mock`) cannot be `kind`
 * (functionKind: async / generator), and what to write instead.
 */
export function syncOnly(kind: string, cls: string): string {
  const gen = kind === "a generator function";
  return `the function is ${kind}, so it would answer with ${kind === "an async function" ? "a Promise" : gen ? "a generator object" : "an async generator object"}; it must return the answer itself — ${gen ? `for a handler that performs effects, use handle(${cls}, function* (effect, k) {...})` : `for async work, use handle(${cls}, …) with awaitPromise, under runAsync with a scheduler`}`;
}

/**
 * `f`, named `name` for good: a bundler renames function expressions (`state2`, or `St` when
 * minifying), and tracebacks, messages and getHandlers() read `name` — of a standard handler, or of
 * a toolkit combinator's generator (its frame: `Xi` where the traceback should say `timeout`).
 */
export function named<F extends Function>(name: string, f: F): F {
  Object.defineProperty(f, "name", { value: name });
  return f;
}

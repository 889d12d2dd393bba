/**
 * `recover(program, ErrorClass | [ErrorClasses], f)`: catch by error class, the rest rethrown — what
 * Effect's `catchTag` is, and what `try { … } catch (e) { if (e instanceof X) return …; throw e }`
 * is written as without it. An ordinary program, run in the calling task (no spawn, no handler).
 *
 * Its frame is hidden (as `safe`'s): an error it does not match leaves it as the very object thrown
 * (INV-11) and, since its generator is on the chain the error's origin was taken from, its rethrow
 * is a re-throw (trace/origin.ts, Origins.note), not a new origin — the traceback reads as if
 * recover were not there. Cancellation never reaches `f`: a cancelled task's frames are closed with
 * `return()`, which no `catch` sees; and a TaskCancelledError (a cancelled task waited for, a
 * blocking call in a task being cancelled) is handed to `f` only when that very class is listed.
 */
import { TaskCancelledError } from "../errors.js";
import type { Effect } from "../effects/effect.js";
import { className, describe, isGeneratorObject, isProgramLike, isThenable } from "../vm/brand.js";
import type { Primitive } from "../vm/primitives.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { functionKind, hidden, type Program } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { wrappers } from "./site.js";

/** A class that errors are instances of (`Error`, `class NotFound extends Error {}`, any class). */
export type ErrorClass = abstract new (...args: any[]) => unknown;

/** The errors a class, or a list of classes, stands for: their instances (a union for a list). */
export type RecoveredError<C> = C extends readonly (infer X)[]
  ? X extends ErrorClass
    ? InstanceType<X>
    : never
  : C extends ErrorClass
    ? InstanceType<C>
    : never;

/** The compile error for `recover(p, [], f)`: a list of no classes would catch nothing. */
export interface EmptyErrorClassListError {
  readonly "doeff: recover needs at least one error class: recover(p, NotFound, f) or recover(p, [NotFound, Gone], f)": never;
}

/** The compile error for a recovery function that answers a Promise or a generator object. */
export interface RecoverAsyncError {
  readonly "doeff: recover's function answers with a Promise or a generator object; return a plain value or a program: (e) => awaitPromise(() => …) for async work, fn(function* (e) { … }) to perform effects": never;
}

/** `unknown` for what `f` may answer (a value, a program); RecoverAsyncError for a Promise or generator. */
export type RecoverAnswer<R> = [R] extends [never]
  ? unknown // (f only throws)
  : 0 extends 1 & R
    ? unknown // (f answers `any`)
    : [R] extends [PromiseLike<unknown> | Generator<unknown, unknown, unknown>]
      ? RecoverAsyncError
      : unknown;

/** What recover answers when `f` answered `R`: the value, or the result of the program it gave. */
export type Recovered<R> = 0 extends 1 & R
  ? any
  : R extends Program<any, any> | Primitive<any, any> | Effect<any>
    ? ResultOf<R>
    : R;
/**
 * `B`'s members that are not already in `A`, a member mutually assignable with one of `A`'s taken
 * for it: `recover(getUser(1), NotFound, () => ({ id: 0 }))` showed `{ id: number } | { id: number }`
 * — two object types written in two places, the program's and `f`'s, which a union of declared
 * types keeps apart (it merges only the very same type; an expression's union, `c ? a : b`, is
 * reduced by subtype, which a signature's is not).
 */
export type RecoveredBesides<B, A> = 0 extends 1 & B
  ? B // (f answers `any`: any, as it was)
  : B extends unknown
    ? true extends (A extends unknown ? ([A] extends [B] ? ([B] extends [A] ? true : false) : false) : never)
      ? never
      : B
    : never;
/** The effects the program `f` gives performs (none for a value; `any` is taken for a value). */
export type RecoveredRow<R> = 0 extends 1 & R
  ? never
  : R extends Program<any, any> | Primitive<any, any> | Effect<any>
    ? EffectsOf<R>
    : never;

/** What to write instead of a function that answers with a Promise or a generator object. */
const FIX =
  "return a plain value or a program: (e) => awaitPromise(() => …) for async work, fn(function* (e) { … }) to perform effects";

function* recoverGen(
  p: AnyProgramLike,
  classes: readonly ErrorClass[],
  f: (error: unknown) => unknown,
): Generator<unknown, unknown, any> {
  try {
    return yield p;
  } catch (e) {
    // (a return() that closes this frame — its task cancelled — never comes here)
    if (!matches(classes, e)) throw e; // the very object: a re-throw, its origin kept
    const v = f(e); // (what f throws leaves recover as a new error)
    if (isProgramLike(v)) return yield v;
    if (isThenable(v) || isGeneratorObject(v))
      throw new TypeError(
        `recover's function returned ${isThenable(v) ? "a Promise" : "a generator object"} for ${describe(e)}; ${FIX} (the cause: that error)`,
        { cause: e },
      );
    return v;
  }
}
wrappers.set(recoverGen, 0); // timeout(recover(job, …)) names the job

function matches(classes: readonly ErrorClass[], e: unknown): boolean {
  try {
    // cancellation is not a failure to recover from: only a handler of it by name sees it
    if (e instanceof TaskCancelledError && !classes.includes(TaskCancelledError)) return false;
    for (const c of classes) if (e instanceof c) return true;
  } catch {
    // (a hostile error object, a Proxy whose getPrototypeOf trap throws: not ours to recover)
  }
  return false;
}

/**
 * Why `c`, where an error class goes, is not a class, or null. An arrow or a method has no
 * `prototype`; a plain `function` has one but, unlike a class, no source of `class` and nothing
 * on it (a predicate `function isNotFound(e) {…}` given by mistake); a native class (`Error`,
 * `TypeError`) is `[native code]`, an ES5-compiled one has methods or a parent on its prototype.
 */
function notAClass(c: unknown): string | null {
  if (typeof c !== "function") {
    let of = "";
    try {
      const ctor = c !== null && typeof c === "object" ? (c as { constructor?: unknown }).constructor : null;
      if (typeof ctor === "function" && ctor !== Object && !Array.isArray(c))
        of = `, an instance: give its class, ${className(ctor) || "its constructor"}`;
    } catch {}
    return describe(c) + of;
  }
  try {
    const proto = (c as { prototype?: unknown }).prototype;
    if (functionKind(c) === null && proto !== null && typeof proto === "object") {
      const src = Function.prototype.toString.call(c);
      if (
        src.startsWith("class") ||
        src.endsWith("[native code] }") ||
        Object.getPrototypeOf(proto) !== Object.prototype ||
        Object.getOwnPropertyNames(proto).length > 1
      )
        return null;
    }
  } catch {}
  return `${describe(c)}, which is not a class (matched with instanceof; to test errors otherwise, catch and rethrow the rest)`;
}

/**
 * Run `program`; if it throws an error that is an instance of `errorClass` (or of one of a list of
 * classes), answer `f(error)` instead: a plain value, or — when `f` returns a program or effect —
 * that program's outcome, performed in the same task (its effects are in recover's row). Any other
 * error is rethrown unchanged, the very object, with its traceback as if recover were not there.
 * Effect's `catchTag`; for the error as a value instead, `safe`.
 *
 * Decisions: classes match by `instanceof`, so a subclass matches (list the more specific handling
 * first, in a recover nested inside); `Error` itself is accepted and matches every `Error`. Neither
 * ever sees cancellation: a cancelled task's frames are closed, not thrown into (its `finally`
 * blocks run, `f` does not), and a `TaskCancelledError` (waiting for a cancelled task, blocking
 * while being cancelled) reaches `f` only when `TaskCancelledError` itself is listed. The program's
 * `finally` blocks have run before `f` is called. What `f` throws is recover's error.
 *
 * @example
 * ```ts
 * const user = yield* recover(fetchUser(id), UserNotFound, () => undefined); // User | undefined
 * const page = yield* recover(render(id), [Unavailable, TimeoutError], (e) => cachedPage(id, e));
 * ```
 */
export function recover<
  P extends AnyProgramLike | AnyFunction,
  const C extends ErrorClass | readonly ErrorClass[],
  R = never,
>(
  program: P & NoInfer<ProgramArg<P>>,
  errorClass: C & NoInfer<C extends readonly [] ? EmptyErrorClassListError : unknown>,
  f: ((error: RecoveredError<C>) => R) & NoInfer<RecoverAnswer<R>>,
): Program<ResultOf<P> | RecoveredBesides<Recovered<R>, ResultOf<P>>, EffectsOf<P> | RecoveredRow<R>> {
  checkProgramArg(program, "recover");
  // (a copy: a later change to the caller's array changes nothing)
  const isList = Array.isArray(errorClass);
  const list: unknown[] = isList ? errorClass.slice() : [errorClass];
  let bad = list.length === 0 ? "an empty list" : null;
  for (let i = 0; bad === null && i < list.length; i++) {
    bad = notAClass(list[i]);
    if (bad !== null && isList) bad = `${bad} (item ${i})`;
  }
  if (bad !== null)
    throw new TypeError(
      `recover expects an error class (class NotFound extends Error {}) or a non-empty list of them second, got ${bad}`,
    );
  if (typeof f !== "function")
    throw new TypeError(
      `recover expects a function (error) => value third, e.g. recover(p, NotFound, () => undefined), got ${describe(f)}`,
    );
  const kind = functionKind(f);
  if (kind !== null) throw new TypeError(`recover's function is ${kind}; ${FIX}`);
  return hidden(recoverGen, program, list as ErrorClass[], f as (error: unknown) => unknown) as Program<
    ResultOf<P> | RecoveredBesides<Recovered<R>, ResultOf<P>>,
    EffectsOf<P> | RecoveredRow<R>
  >;
}

/**
 * answer(EffectClass, f): the tail-resumptive handler (Koka's `fun` clause). By definition it is
 *
 *   handle(EffectClass, function* (e, k) {
 *     let v;
 *     try { v = f(e); } catch (err) { return yield* raiseAt(k, err); }
 *     return yield* transfer(k, v);
 *   })
 *
 * — `f`'s value is the effect's answer and a throw from `f` is thrown at the perform site. That
 * generator is the reference; the handler also carries it as a FAST_PATH (the same `f`, called at the
 * perform site without capturing a continuation), so the two cannot drift apart (INV-10).
 */
import {
  DEFER,
  functionKind,
  className,
  describe,
  FAST_PATH,
  notAnEffectClass,
  type Handler,
  type AnswerOf,
  TAKES,
  transfer,
} from "../protocol.js";
import type { EffectClass, HandleableClass } from "./handle.js";
import { raiseAt, syncOnly } from "./util.js";

/**
 * The compile error for an async or generator function given where the answer is computed
 * synchronously (`answer`, `mock`): an effect answered `void` accepts any function's result, so
 * `answer(Log, async (e) => …)` type-checked and was refused only when the handler was made.
 */
export interface AsyncAnswerError {
  readonly "doeff: this function returns a Promise or a generator, but the answer must be returned synchronously; for async work write handle(C, function* (e, k) { const v = yield* awaitPromise(...); return yield* transfer(k, v); })": never;
}

/**
 * `unknown` (no constraint) for a function returning a plain value; AsyncAnswerError otherwise. A
 * result typed `any` (`(e) => JSON.parse(e.text)`) is taken as a plain value: `any` is assignable to
 * a Promise too, so such a function was refused as async.
 */
export type SyncAnswer<F> = F extends (...args: any[]) => infer R
  ? [R] extends [never] // (a function that only throws)
    ? unknown
    : 0 extends 1 & R // (`any`)
      ? unknown
      : [R] extends [PromiseLike<unknown> | Generator<unknown, unknown, unknown>]
        ? AsyncAnswerError
        : unknown
  : unknown;

/** Marks "no answer stashed" (see below). */
const NONE: unique symbol = Symbol("doeff.answer.none");

/**
 * Typed like `handle`: the handler takes `InstanceType<C>` and performs nothing itself; `f` must
 * return the class's answer type (`Effect<A>` → `A`).
 */
export function answer<
  C extends EffectClass,
  F extends (effect: InstanceType<C>) => AnswerOf<InstanceType<C>>,
>(
  effectClass: C,
  // (both checks here, none on effectClass: `C & NoInfer<…>` there with NoInfer<SyncAnswer<F>> here
  // left C uninferred for a generic class, `class Fetch<T> extends Effect<T>`, so `f` took an
  // AnyEffect and was refused with AsyncAnswerError; test/types/generic-effect.ts)
  f: F & NoInfer<SyncAnswer<F> & HandleableClass<C, InstanceType<C>>>,
): Handler<InstanceType<C>, never> {
  const notClass = notAnEffectClass(effectClass);
  if (notClass !== null) {
    throw new TypeError(`answer expects an effect class first (class X extends Effect<A>), got ${notClass}`);
  }
  if (typeof f !== "function") {
    throw new TypeError(
      `answer expects a function (effect) => value second, got ${describe(f)}; for a handler that needs the continuation use handle(EffectClass, function* (effect, k) {...})`,
    );
  }
  const kind = functionKind(f);
  if (kind !== null)
    throw new TypeError(
      `answer(${effectClass.name || "EffectClass"}, f): ${syncOnly(kind, effectClass.name || "EffectClass")}`,
    );
  // An answer equal to the VM's DEFER token cannot be returned by a fast path (it means "run the
  // handler"): the fast path stashes it and the generator delivers it, so `f` still runs once.
  let stashed: unknown = NONE;
  const fast = (effect: InstanceType<C>): unknown => {
    const v = f(effect);
    if (v === DEFER) stashed = v;
    return v;
  };
  const named = {
    [f.name || `answer(${className(effectClass)})`]: function* (effect: InstanceType<C>, k: any) {
      let v: unknown;
      if (stashed !== NONE) {
        v = stashed;
        stashed = NONE;
      } else {
        try {
          v = f(effect);
        } catch (err) {
          return yield* raiseAt(k, err);
        }
      }
      return yield* transfer(k, v);
    },
  };
  const h = named[f.name || `answer(${className(effectClass)})`]! as unknown as Handler<
    InstanceType<C>,
    never
  >;
  h.handles = (e) => e instanceof effectClass;
  h[TAKES] = effectClass;
  h[FAST_PATH] = fast;
  return h;
}

/** handle(EffectClass, fn): a handler offered only effects of that class (others pass without running it). */
import type {
  AnswerOf,
  AnyEffect,
  AnyProgramLike,
  BodyResult,
  Continuation,
  EffectsOf,
  FieldlessEffects,
  Handler,
  KnownEffectsOf,
  ResultOf,
  UntaggedEffectError,
  WithoutBodyResult,
} from "../protocol.js";
import { className, describe, notAnEffectClass, TAKES } from "../protocol.js";

/**
 * What a handler function's own code performs: a generator's yields, or the row of the program or
 * effect it returns (run as the handler's code: its effects go to the handlers outside it).
 */
export type HandlerRow<R> = R extends Generator<infer Y, unknown, unknown> ? EffectsOf<Y> : KnownEffectsOf<R>;

/**
 * What a handler function's invocation may return in place of the body's result: its generator's
 * return type (or the result of the program it returns), without BodyResult — `return yield*
 * resume(k, v)` hands the body's result on, `transfer` and `pass` return `never`.
 */
export type HandlerReturn<R> = WithoutBodyResult<
  R extends Generator<unknown, infer X, unknown> ? X : ResultOf<R>
>;

/** A class whose instances are effects. */
export type EffectClass = abstract new (...args: any[]) => AnyEffect;

/** `unknown` for a class TypeScript can tell apart from other effects; an error naming it otherwise. */
export type Distinguishable<E> = [FieldlessEffects<E>] extends [never] ? unknown : UntaggedEffectError<E>;

/**
 * The classes of C (a class or a list of them) that stand for every effect: the base class `Effect`
 * itself, or an abstract class TypeScript cannot tell from it (no field of its own). Told apart from
 * a concrete class without fields (UntaggedEffectError's case: add a `_tag`) by `abstract`, and from
 * the bare constraint `EffectClass` (a factory's `handle(C as EffectClass, f)`, unchecked) by its
 * instances' answer type, `any` (FieldlessEffects leaves such instances out).
 */
export type BaseEffectClasses<C> = C extends readonly (infer X)[] ? BaseEffectClass<X> : BaseEffectClass<C>;
/** X (distributed) when it is the base class Effect or one TypeScript cannot tell from it. */
export type BaseEffectClass<X> = X extends new (
  ...args: never[]
) => unknown
  ? never
  : X extends abstract new (
        ...args: never[]
      ) => infer I
    ? [FieldlessEffects<I>] extends [never]
      ? never
      : X
    : never;

/**
 * The compile error for `handle(Effect, f)` (and `answer`, `mock`), naming the classes' instances
 * (`BaseEffectClassError<Effect<unknown>>`): a handler for the base class would take every effect,
 * typed so it would count as handling each one and switch run's check off.
 */
export interface BaseEffectClassError<E> {
  readonly "doeff: the base class Effect stands for every effect, and a handler typed as taking every effect would switch off the check that each effect has a handler: to watch effects pass by, use observe(onEffect); to pass them on with code of your own, type a handler function Handler<undefined> and end it with pass() or delegate(); for a family of effects, list their classes, handle([A, B], f), or give their base class a field": E;
}

/**
 * `unknown` for a class (or list of classes) a handler can be made for; BaseEffectClassError or
 * UntaggedEffectError otherwise. E is the classes' instances.
 */
export type HandleableClass<C, E> = [FieldlessEffects<E>] extends [never]
  ? unknown
  : [BaseEffectClasses<C>] extends [never]
    ? UntaggedEffectError<E>
    : BaseEffectClassError<InstancesOf<BaseEffectClasses<C>>>;

/**
 * The compile error for `handle([], f)`: a handler for no class would take nothing. Only a list
 * written empty (`[]`, typed as the empty tuple) is caught here; an array that is empty at run time
 * but typed `EffectClass[]` (a filtered list, a variable) cannot be told apart from a full one by
 * its type, and `handle` throws its TypeError when called with it.
 */
export interface EmptyClassListError {
  readonly "doeff: handle needs at least one effect class: handle(C, f) or handle([C1, C2], f)": never;
}

/** `unknown` for a class or a list of classes `handle` can take; an error type otherwise. */
export type HandleableClasses<C> = C extends readonly []
  ? EmptyClassListError
  : HandleableClass<C, InstancesOf<C>>;

/** The effects a class, or a list of classes, stands for: their instances. */
export type InstancesOf<C> = C extends readonly (infer X)[]
  ? X extends EffectClass
    ? InstanceType<X>
    : never
  : C extends EffectClass
    ? InstanceType<C>
    : never;

/**
 * Typed: the handler takes `InstanceType<C>` (subtracted from a body's row by withHandler) and
 * performs what its generator yields (added to the row). `k` answers the class's answer type, so
 * `resume`/`transfer`/`transferWith` check the value; the body's result is not known here, so
 * `resume(k, v)` evaluates to the opaque `BodyResult`. What the handler returns other than that (a
 * `return null` without resuming) is the handler's `Ret`, added to withHandler's result type.
 *
 * A list of classes makes one handler for all of them (a family such as a store's reads and
 * writes): `effect` is their union, narrowed with `instanceof`, and `k` answers any of their
 * answer types — TypeScript cannot tie `k`'s answer to the class `effect` turned out to be. The list
 * may be an array literal or a variable (`const family = [Read, Write]`, typed
 * `(typeof Read | typeof Write)[]`): either way `effect` is the union of the instances.
 *
 * @example
 * ```ts
 * const kv = handle([Read, Write], function* (e, k) {
 *   if (e instanceof Read) return yield* transfer(k, store.get(e.key));
 *   store.set(e.key, e.value);
 *   return yield* transfer(k, undefined);
 * });
 * ```
 */
export function handle<
  const C extends EffectClass | readonly EffectClass[],
  R extends Generator<unknown, unknown, unknown> | AnyProgramLike = never,
>(
  effectClass: C & NoInfer<HandleableClasses<C>>,
  f: (effect: InstancesOf<C>, k: Continuation<AnswerOf<InstancesOf<C>>, BodyResult>) => R,
): Handler<InstancesOf<C>, HandlerRow<R>, HandlerReturn<R>> {
  // (a copy: a later change to the caller's array changes nothing)
  const list: unknown[] = Array.isArray(effectClass) ? effectClass.slice() : [effectClass];
  // (an empty list typed `EffectClass[]` passes the compile-time check, which sees only its type)
  const bad = list.length === 0 ? "an empty list" : firstNotAnEffectClass(list);
  if (bad !== null)
    throw new TypeError(
      `handle expects an effect class (class X extends Effect<A>) or a non-empty list of them first, got ${bad}`,
    );
  if (typeof f !== "function")
    throw new TypeError(`handle expects a handler function second, got ${describe(f)}`);
  type E = InstancesOf<C>;
  const h = ((effect: E, k: Continuation<AnswerOf<E>, BodyResult>) => f(effect, k)) as Handler<
    E,
    HandlerRow<R>,
    HandlerReturn<R>
  >;
  const cs = list as EffectClass[];
  Object.defineProperty(h, "name", { value: f.name || `handle(${cs.map(className).join(", ")})` });
  const only = cs[0]!;
  h.handles = cs.length === 1 ? (e) => e instanceof only : (e) => cs.some((c) => e instanceof c);
  h[TAKES] = cs.length === 1 ? only : cs; // class-based: the VM may skip it in O(1) for other classes
  return h;
}

/** Why the first item of `list` that is not an effect class is not one (notAnEffectClass), or null. */
export function firstNotAnEffectClass(list: readonly unknown[]): string | null {
  for (const c of list) {
    const bad = notAnEffectClass(c);
    if (bad !== null) return bad;
  }
  return null;
}

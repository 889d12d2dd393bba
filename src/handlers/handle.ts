/** handle(EffectClass, fn): a handler offered only effects of that class (others pass without running it). */
import type {
  AnswerOf,
  AnyEffect,
  AnyProgramLike,
  Continuation,
  EffectsOf,
  FieldlessEffects,
  Handler,
  KnownEffectsOf,
  UntaggedEffectError,
} from "../protocol.js";
import { describe, TAKES } from "../protocol.js";

/**
 * What a handler function's own code performs: a generator's yields, or the row of the program or
 * effect it returns (run as the handler's code: its effects go to the handlers outside it).
 */
export type HandlerRow<R> = R extends Generator<infer Y, unknown, unknown> ? EffectsOf<Y> : KnownEffectsOf<R>;

/** A class whose instances are effects. */
export type EffectClass = abstract new (...args: any[]) => AnyEffect;

/** `unknown` for a class TypeScript can tell apart from other effects; an error naming it otherwise. */
export type Distinguishable<E> = [FieldlessEffects<E>] extends [never] ? unknown : UntaggedEffectError<E>;

/**
 * Typed: the handler takes `InstanceType<C>` (subtracted from a body's row by withHandler) and
 * performs what its generator yields (added to the row). `k` answers the class's answer type, so
 * `resume`/`transfer`/`transferWith` check the value; the body's result is not known here, so
 * `resume(k, v)` evaluates to `unknown`.
 */
export function handle<
  C extends EffectClass,
  R extends Generator<unknown, unknown, unknown> | AnyProgramLike = never,
>(
  effectClass: C & NoInfer<Distinguishable<InstanceType<C>>>,
  f: (effect: InstanceType<C>, k: Continuation<AnswerOf<InstanceType<C>>, unknown>) => R,
): Handler<InstanceType<C>, HandlerRow<R>> {
  if (!isClass(effectClass)) {
    throw new TypeError(
      `handle expects an effect class first (class X extends Effect<A>), got ${describe(effectClass)}`,
    );
  }
  if (typeof f !== "function")
    throw new TypeError(`handle expects a handler function second, got ${describe(f)}`);
  const h = ((effect: InstanceType<C>, k: Continuation<AnswerOf<InstanceType<C>>, unknown>) =>
    f(effect, k)) as Handler<InstanceType<C>, HandlerRow<R>>;
  Object.defineProperty(h, "name", { value: f.name || `handle(${effectClass.name})` });
  h.handles = (e) => e instanceof effectClass;
  h[TAKES] = effectClass; // class-based: the VM may skip it in O(1) for other classes
  return h;
}

/** A constructor with an object prototype (what `instanceof` needs). Never throws. */
export function isClass(c: unknown): boolean {
  if (typeof c !== "function") return false;
  try {
    const proto = (c as { prototype?: unknown }).prototype;
    return proto !== null && typeof proto === "object";
  } catch {
    return false;
  }
}

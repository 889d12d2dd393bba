/**
 * The Effect base class (SEMANTICS §1). An effect is immutable request data; its type parameter is
 * the answer type, so `const x = yield* effect` is typed. Users extend it:
 *
 *   class Roll extends Effect<number> { constructor(readonly sides: number) { super() } }
 */
import { brand, EffectMark } from "../vm/brand.js";
import { Once } from "../vm/once.js";
import { captureSite, siteState } from "../vm/sites.js";
import { B_EFFECT } from "../vm/codes.js";
import { showEffect } from "../trace/format.js";

/**
 * The base class of every effect: immutable request data whose type parameter `A` is the answer
 * type, so `const x = yield* effect` is typed `A`. Yielding an effect *performs* it: the innermost
 * handler that takes it answers (or an `UnhandledEffectError` is thrown at the perform site).
 *
 * Give each class at least one field or a `declare readonly _tag` — TypeScript compares classes by
 * shape, so a field-less class could not be told apart from other effects (docs/types.md).
 *
 * @example
 * ```ts
 * class Roll extends Effect<number> {
 *   constructor(readonly sides: number) { super(); }
 * }
 * class Coin extends Effect<boolean> { declare readonly _tag: "Coin"; }
 *
 * const game = fn(function* () {
 *   const n = yield* new Roll(6); // number
 *   return (yield* new Coin()) ? n : -n;
 * });
 * ```
 */
export abstract class Effect<A = unknown> {
  /** Phantom: the answer type. Never set at run time (required, as Program's: see there). */
  declare readonly __answer: A;
  /**
   * Phantom, protected: makes Effect nominal for the type checker (only subclasses are Effects), so
   * an arbitrary iterable such as a generator object is never mistaken for one.
   */
  declare protected readonly __effect: true;

  /**
   * The short form tracebacks show: the class name and its first fields, `Roll(6)`, `Put("n", 1)`
   * — so `${effect}` in a handler's log line reads as the effect (it was `[object Object]`).
   */
  toString(): string {
    return showEffect(this);
  }

  /** Yields the effect itself once and returns what it is resumed with. */
  [Symbol.iterator](): Iterator<this, A, unknown> {
    if (siteState.on !== 0) captureSite();
    return new Once<this, A>(this) as Iterator<this, A, unknown>;
  }
}
brand(Effect.prototype, B_EFFECT);
EffectMark.prototype = Effect.prototype;

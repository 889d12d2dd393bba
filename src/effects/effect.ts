/**
 * The Effect base class (SEMANTICS §1). An effect is immutable request data; its type parameter is
 * the answer type, so `const x = yield* effect` is typed. Users extend it:
 *
 *   class Roll extends Effect<number> { constructor(readonly sides: number) { super() } }
 */
import { B_EFFECT, BRAND } from "../vm/brand.js";
import { Once } from "../vm/once.js";
import { captureSite, siteState } from "../vm/sites.js";

export abstract class Effect<A = unknown> {
  /** Phantom: the answer type. Never set at run time. */
  declare readonly __answer?: A;
  /**
   * Phantom, protected: makes Effect nominal for the type checker (only subclasses are Effects), so
   * an arbitrary iterable such as a generator object is never mistaken for one.
   */
  declare protected readonly __effect: true;

  /** Yields the effect itself once and returns what it is resumed with. */
  [Symbol.iterator](): Iterator<this, A, unknown> {
    if (siteState.on !== 0) captureSite();
    return new Once<this, A>(this) as Iterator<this, A, unknown>;
  }
}
Object.defineProperty(Effect.prototype, BRAND, { value: B_EFFECT });

/**
 * Effect rows (API §7). A Program's second type parameter is the union of the effects it may
 * perform, inferred from what its generator yields: effects themselves, and the rows of the programs
 * and primitives it calls. Handlers subtract what they handle (and add what they perform).
 *
 * Type-level only; nothing here exists at run time.
 */
import type { Effect } from "../effects/effect.js";
import type { Primitive } from "./primitives.js";
import type { Program, ProgramLikeOf } from "./program.js";

/** Any effect. A row that contains it is *open*: run() checks nothing for it (the escape hatch). */
export type AnyEffect = Effect<any>;

/** The effects carried by one yielded value. */
export type EffectsOf<Y> = unknown extends Y ? AnyEffect : KnownEffectsOf<Y>;
type KnownEffectsOf<Y> =
  Y extends Program<any, infer E>
    ? E
    : Y extends Primitive<any, infer E>
      ? E
      : Y extends Effect<any>
        ? Y | InnerRow<Y>
        : Y extends ProgramLikeOf<any>
          ? AnyEffect // a structurally typed iterable: its row is unknown, so open
          : never;

/** Effects that run a program at their perform site (local, listen, …) carry its row in `__row`. */
type InnerRow<Y> = Y extends { readonly __row?: infer R } ? (unknown extends R ? never : R) : never;

/** What `yield*` on a ProgramLike evaluates to. */
export type ResultOf<P> =
  P extends Program<infer A, any>
    ? A
    : P extends Primitive<infer A, any>
      ? A
      : P extends Effect<infer A>
        ? A
        : P extends { [Symbol.iterator](): Iterator<unknown, infer A, any> }
          ? A
          : never;

/** Program | Effect | Primitive, any row (or a structurally typed ProgramLikeOf, whose row is open). */
export type AnyProgramLike = Program<any, any> | Primitive<any, any> | Effect<any> | ProgramLikeOf<any>;

/** Is `E` open (does it admit any effect)? */
export type IsOpen<E> = 0 extends 1 & E ? true : [AnyEffect] extends [E] ? true : false;

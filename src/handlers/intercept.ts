/**
 * intercept(p, transform) (SEMANTICS §7.7) = withHandler(interceptor, p), where the interceptor takes
 * every effect leaving p and asks `transform` what to do with it.
 */
import type { Effect } from "../effects/effect.js";
import {
  brandOf,
  describe,
  type AnyFunction,
  type AnyProgramLike,
  type EffectsOf,
  type Handler,
  type ResultOf,
  type Primitive,
  type ProgramArg,
  type ProgramLikeOf,
  pass,
  transferWith,
  withHandler,
} from "../protocol.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { raiseAt } from "./util.js";

/** What a transform returns: nothing (pass unchanged), a substitute Effect, or a program to run instead. */
export type InterceptResult = undefined | void | Effect<unknown> | ProgramLikeOf<unknown>;

/**
 * The effects `intercept`'s transform adds to the row by what it returns: a substitute effect goes on
 * to the handlers outside, and so do a replacement program's own effects.
 */
export type InterceptedEffects<R> =
  R extends Effect<any>
    ? // the transform's own parameter returned as it is (a logging transform): one of p's effects
      Effect<unknown> extends R
      ? never
      : R
    : R extends AnyProgramLike
      ? EffectsOf<R>
      : never;

/**
 * Runs `p` and passes every effect leaving it (not taken by a handler inside `p`) through
 * `transform` first: return `undefined` to let it through unchanged, another effect to replace it,
 * or a program to run instead (its effects are intercepted again). A throw from `transform` is
 * thrown at the perform site.
 *
 * `effect` is typed `Effect<unknown>`, not `p`'s row: narrow it with `instanceof`. The row would be
 * unsound here, because the transform also sees effects that are not in it:
 * - a lazy env value given to `run` (`run(p, { env: { seed: rollProgram } })`) runs at the first
 *   `ask("seed")`, at that site inside `p`, so its effects pass through the transform, and which env
 *   `p` will be run with is not known where `intercept` is called;
 * - a program the transform returns runs inside the intercept, so its effects come back to it;
 * - a handler inside `p` that forwards an effect with `pass()` or `delegate()` without naming it
 *   lets out an effect its type says it takes.
 * A parameter typed as the row would let `switch (effect._tag)` with no default, or `effect.key`
 * after an incomplete check, compile and then meet one of those at run time.
 *
 * @example
 * ```ts
 * // log every effect a program performs, without changing anything
 * const traced = intercept(main, (effect) => { console.log(effect); return undefined; });
 * ```
 */
export function intercept<P extends AnyProgramLike | AnyFunction, R extends InterceptResult = undefined>(
  p: P & NoInfer<ProgramArg<P>>,
  transform: (effect: Effect<unknown>) => R,
): Primitive<ResultOf<P>, EffectsOf<P> | InterceptedEffects<R>> {
  checkProgramArg(p, "intercept"); // (withHandler's own check would name withHandler)
  if (typeof transform !== "function") {
    throw new TypeError(`intercept expects a transform function (effect) => ..., got ${describe(transform)}`);
  }
  const interceptor: Handler = function* interceptor(effect, k) {
    let r: unknown;
    try {
      r = transform(effect);
    } catch (e) {
      return yield* raiseAt(k, e); // thrown at the perform site
    }
    if (r === undefined) return yield* pass();
    const b = brandOf(r);
    if (b === 1) return yield* pass(r as Effect<unknown>); // outer handlers see the substitute; not fed to transform again
    if (b === 2 || b === 3) return yield* transferWith(k, r as ProgramLikeOf<unknown>); // runs inside the intercept
    return yield* raiseAt(
      k,
      new TypeError(
        `intercept transform returned ${describe(r)}; return undefined (pass on), an Effect (substitute) or a Program (run instead)`,
      ),
    );
  };
  // the interceptor passes everything on, so the row is p's row
  return withHandler(interceptor, p) as Primitive<ResultOf<P>, EffectsOf<P>>;
}

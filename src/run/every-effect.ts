/**
 * Handlers typed as taking every effect (`Handler<Effect<unknown>>`, `Handler<unknown>`, a class
 * without fields), which would switch the coverage check off: how the list's check and withHandler's
 * handler type (CheckedHandler) find and refuse them. Separate from coverage.ts because withHandler
 * reads CheckedHandler without the rest of the check.
 */
import type { Effect } from "../effects/effect.js";
import type { Handler } from "../vm/handler.js";
import type { HandledBy, TakenBy } from "./rows.js";

/** The key of EffectProbe's field (type only: no such value exists). */
declare const EFFECT_PROBE: unique symbol;

/**
 * An effect type no handler names: an `Effect<never>` (assignable to every `Effect<A>`) with a field
 * of its own. A handler whose effect type it is assignable to takes every effect, to TypeScript.
 */
export interface EffectProbe extends Effect<never> {
  readonly [EFFECT_PROBE]: "an effect type no handler names";
}

/**
 * The handlers of the list Hs typed as taking every effect — `Handler<Effect<unknown>>`,
 * `Handler<unknown>`, `Handler<object>`, a class without fields (`Handler<Effect<number>>` takes
 * every effect answered a number) — which would switch the coverage check off. `Handler<any>` (the
 * bare `Handler`) is the escape hatch and is left out, as a list typed `any` is. The list is walked
 * only when the union of what it takes (HandledBy, read for the check anyway) takes every effect.
 */
export type TakingEvery<Hs> = 0 extends 1 & HandledBy<Hs>
  ? never
  : EffectProbe extends HandledBy<Hs> // (an `any` in the list gives `unknown`: TakesEvery leaves it out)
    ? Hs extends readonly unknown[]
      ? { [I in keyof Hs]: TakesEvery<Hs[I]> }[number]
      : never
    : never;
/** H itself when it is typed as taking every effect (see TakingEvery); `never` otherwise. */
export type TakesEvery<H> = 0 extends 1 & H
  ? never // (an `any` in the list: unchecked)
  : 0 extends 1 & TakenBy<H>
    ? never
    : EffectProbe extends TakenBy<H>
      ? H
      : never;

/**
 * The type of withHandler's handler: `Handler<H, Em, Ret>`, or EveryEffectHandlerError naming it when
 * H is every effect (see TakesEvery). `any` (the bare `Handler`, or an inline handler with untyped
 * parameters) passes: the escape hatch. A conditional type rather than an intersection with the
 * error: H is inferred from either branch, and a refused handler is not compared with Handler's
 * optional fields (under exactOptionalPropertyTypes that printed "Consider adding 'undefined'").
 */
export type CheckedHandler<H, Em, Ret> = 0 extends 1 & H
  ? Handler<H, Em, Ret>
  : EffectProbe extends H
    ? EveryEffectHandlerError<Handler<H, Em, Ret>>
    : Handler<H, Em, Ret>;

/**
 * The compile error for a handler typed as taking every effect (TakingEvery): it would count as
 * handling each effect of the program, and a handler that only passes effects on (with `pass()` or
 * `delegate()`) would silently switch the check off. A pass-through is typed `Handler<undefined>`,
 * as `observe` is: it takes nothing, so each effect still needs a handler.
 */
export interface EveryEffectHandlerError<Handlers> {
  readonly "doeff: this handler is typed as taking every effect (Handler<Effect<unknown>>, Handler<unknown>, or an effect class without fields), so no effect would be checked: type a handler that passes effects on as Handler<undefined> (as observe does); one that answers every effect as Handler, with no type argument (unchecked); one for some classes, with handle(C, f)": Handlers;
}

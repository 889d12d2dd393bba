/**
 * The compile-time coverage check of `expectEffects` and `clock.run`: the program's effects against
 * the handlers they run it under, as `run` checks them (CoverageOf: MissingHandlerError<…> naming
 * the effects no handler takes, HandlerOrderError, UntaggedEffectError).
 */
import type { EnvPatch, PatchEffects } from "../effects/env-types.js";
import type { CoverageOf } from "../run/coverage.js";
import type { ListWritten, NotInferred, RunOptionsOf } from "../run/entry-check.js";
import type { AnyHandlerFn, RowOf } from "../run/rows.js";
import type { Handler } from "../vm/handler.js";
import type { AnyFunction, ProgramArg } from "../vm/types.js";
import type { RunOptions } from "../run/options.js";

/**
 * Options typed for the check: the handler list kept as a tuple (`Hs`), the env as its own type
 * (`Patch`, for its lazy values), and `Keys`, the keys the object was written with (see TestCovered).
 */
export type TestRunOptionsOf<
  Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch,
  Keys extends PropertyKey,
  Known extends PropertyKey = keyof RunOptions,
  // "settle" for a helper that cannot wait: its type is then SettleForAsync's
  Left extends keyof RunOptions = never,
> = RunOptionsOf<Hs, Patch, never, Left> & {
  // optional: a key from a conditional spread is optional; a wide key (`string`, in a type read off
  // the signature) is let through
  [K in Keys]?: K extends Known ? unknown : {} extends Record<K, 1> ? unknown : UnknownOptionError<K>;
};

/**
 * The `settle` of a helper that cannot wait (expectEffects, clock.run), as run's
 * (SettleForRunAsync): refused with `Err`, the helper's own words, when the options object's type
 * `O` sets it — it is a TypeError at run time — and let through otherwise. `settle: undefined` is
 * as in run's options: absent at run time, and under exactOptionalPropertyTypes refused as
 * every optional option of the package is (`settle?: number`).
 */
export type SettleForAsync<O, Err extends string> = [
  // the types O gives a settle it always has, but undefined (each member of a union on its own)
  O extends { readonly settle: infer S } ? Exclude<S, undefined> : never,
] extends [never]
  ? { settle?: number }
  : { settle?: Err };

/**
 * An option the helper does not know. (Inferring `Keys` from the object's keys turns off the
 * excess-property check of an object literal, so the mapped type above makes it again.) A string
 * type, so that TypeScript prints the whole message as what the value is not assignable to.
 */
export type UnknownOptionError<Key> =
  `doeff: '${Key & string}' is not an option of this helper; its options are handlers, env, store, trace, signal, onWarning, settle (and only, for expectEffects)`;

/**
 * `unknown` when every effect of P's row and of its env's lazy values (`Patch`: they run at their
 * first `ask`, inside the program) is taken by a handler of `[...Outer, ...Hs]`, where `Outer` are
 * the handlers the helper installs outside the given ones (clock.run's clock); an error type
 * otherwise. expectEffects' recorder answers nothing itself (it asks the handlers outside it), so it
 * counts for nothing.
 *
 * Why `Keys`: TypeScript infers a call's type arguments in two passes when an argument holds a
 * context-sensitive function, such as a handler written inline as `mock(C, (e) => …)`. The first
 * pass skips that function, so the list is not inferred yet (Hs is its bare constraint) and the call
 * must not fail there: a failure then drops the signature before the second pass, which infers the
 * list and checks it. Keys tell that case (`handlers` written as a list, not inferred: passes) from
 * options without `handlers`, or with `handlers: undefined` (checked against `Outer` alone).
 */
export type TestCovered<P, Hs, Patch, Keys, Outer extends readonly unknown[] = []> = 0 extends 1 & Hs
  ? // `handlers` typed `any`: unchecked, as a list of plain `Handler`s (as run does)
    CoverageOf<RowOf<P> | PatchEffects<Patch>, readonly Handler[]>
  : NotInferred<Hs> extends true
    ? "handlers" extends Keys
      ? ListWritten<CoverageOf<RowOf<P> | PatchEffects<Patch>, Outer>, Keys>
      : CoverageOf<RowOf<P> | PatchEffects<Patch>, Outer>
    : [Hs] extends [readonly unknown[]] // (not distributed: a choice of lists is checked list by list inside)
      ? CoverageOf<RowOf<P> | PatchEffects<Patch>, [...Outer, ...Hs]>
      : never;

/**
 * TestCovered of a program given without options (`expectEffects(p, [...])`, `clock.run(p)`), or,
 * for a function given as the program, ProgramArg's error, which names the fix (as CoveredProgram).
 */
export type TestCoveredProgram<P, Outer extends readonly unknown[] = []> = [Extract<P, AnyFunction>] extends [
  never,
]
  ? TestCovered<P, [], never, never, Outer>
  : NoInfer<ProgramArg<P>>;

/**
 * How the entry points' signatures (run, runAsync, and testing's expectEffects, clock.run, …) carry
 * the coverage check through TypeScript's inference: the options object's type, the keys it was
 * written with, TypeScript's first pass over an inline handler, a list that may be absent. Separate
 * from the check itself (coverage.ts): these types decide which list to check, and when not to.
 */
import type { EnvPatch, PatchEffects, UndeclaredKeys } from "../effects/env-types.js";
import type { Handler } from "../vm/handler.js";
import type { AnyFunction, ProgramArg } from "../vm/types.js";
import type { CoverageOf } from "./coverage.js";
import type { RunOptions } from "./options.js";
import type { AnyHandlerFn, HandledBy, RowOf } from "./rows.js";

/**
 * The check of a program given without options (`run(p)`): a function is named as one (ProgramArg:
 * `run(function* () {…})`, `run(job)`), not read as a program, whose row it would enter as a value
 * that is no effect (NotAnEffectError, printed after the fix).
 */
export type CoveredProgram<P> = [Extract<P, AnyFunction>] extends [never]
  ? Covered<P, []>
  : NoInfer<ProgramArg<P>>;

/** Was the handler list left uninferred (fixed to the bare constraint)? */
export type NotInferred<Hs> = [readonly AnyHandlerFn[]] extends [Hs]
  ? [Hs] extends [readonly AnyHandlerFn[]]
    ? true
    : false
  : false;

/**
 * Accepts P when every effect of its row, and of the lazy values of its `env` (`Patch`: they run at
 * their first `ask`, inside the program), is handled by Hs; otherwise demands an impossible property.
 * `Keys` are the keys the options object was written with.
 *
 * Why `Keys`: TypeScript infers a call's type arguments in two passes when an argument holds a
 * context-sensitive function — a handler written inline as `handle(C, (e, k) => …)` or
 * `mock(C, (e) => …)`. The first pass skips that function, so the list is not inferred yet (Hs is
 * its bare constraint) and the call must not fail there: a failure then drops the signature before
 * the second pass, which infers the list and checks it. Keys, inferred in both passes, tell that
 * case ("handlers" written as a list, not inferred: passes) from options without `handlers`, or with
 * `handlers: undefined` (checked against no handlers: ListWritten). What is left unchecked: a list
 * still uninferred in the second pass, which only a value typed as the bare constraint
 * `readonly AnyHandlerFn[]` is.
 */
export type Covered<P, Hs, Patch = never, Keys = never> = 0 extends 1 & Hs
  ? // `handlers` typed `any` (a cast, an untyped config): unchecked, as a list of plain `Handler`s
    CoverageOf<RowOf<P> | PatchEffects<Patch>, readonly Handler[]>
  : NotInferred<Hs> extends true
    ? "handlers" extends Keys
      ? ListWritten<CoverageOf<RowOf<P> | PatchEffects<Patch>, []>, Keys>
      : CoverageOf<RowOf<P> | PatchEffects<Patch>, []>
    : CoverageOf<RowOf<P> | PatchEffects<Patch>, Hs>;

/**
 * `handlers` among the options' keys `Keys` and the list not inferred (Covered): a list is there
 * (TypeScript's first pass, before it infers an inline handler; or a list typed as the bare
 * constraint) — or `C`, the check against no handlers: `handlers: undefined`, which plain `strict`
 * lets an optional key be, gives no list either (it passed unchecked). Options of a type read off
 * the signature (`Parameters<typeof run>[1]`: wide keys, the list optional) pass, as before.
 */
export type ListWritten<C, Keys> = unknown extends C
  ? unknown
  : string extends Keys
    ? unknown
    : C | { readonly handlers: object };

/**
 * `true` in TypeScript's first pass over a call whose handler list holds a handler written inline
 * (`[handle(C, …)]`, `[mock(C, v)]`), read from the options object's keys `Keys` and its type `O`:
 * that pass skips the inline call and infers neither the list nor `O`, while `Keys` has "handlers".
 * The entry points (run, expectEffects, clock.run, …) check nothing then: the second pass infers
 * both and checks. (Covered would pass the first pass too, by ListWritten, but only after checking
 * the program against no handlers — work thrown away.)
 *
 * The check is the default of a type parameter never given (`C = FirstPass<Keys, O> extends true ?
 * unknown : Covered<…>`, the options typed `… & NoInfer<C>`), not written in the parameter's type:
 * TypeScript reads the options' contextual type from the parameter's declared type, and took the
 * constraint of a check written there — walking all of Covered generically, ~1,500 type
 * instantiations per entry point and program type, a third of a typical file's. A default is
 * instantiated only once the other type parameters are inferred.
 */
export type FirstPass<Keys, O> = "handlers" extends Keys
  ? true extends (O extends unknown ? ("handlers" extends keyof O ? true : never) : never)
    ? false
    : true
  : false;

/**
 * The handler lists `Hs` and, when the options `O` may lack them, none: a `handlers` key that is
 * optional or may be `undefined` — a conditional spread `{ ...(c ? { handlers } : {}) }`, a choice
 * `c ? { handlers } : {}`, `handlers: c ? hs : undefined` — gives no list at run time in that case,
 * so the program is checked against `[]` as well (it was checked as if the list were always there).
 * A list that takes anything (`Handler[]`, a `RunOptions` value: unchecked) stays unchecked.
 */
export type MaybeNone<Hs, O> = 0 extends 1 & HandledBy<Hs>
  ? Hs
  : O extends { readonly handlers: infer L }
    ? undefined extends L
      ? NullsUnchecked extends true
        ? Hs
        : Hs | []
      : Hs
    : Hs | [];

/**
 * `true` in a consumer compiled without `strictNullChecks` (`strict: false`): there `undefined` is
 * in every type, so `undefined extends L` said that every written list "may be absent", and every
 * run was checked against no handlers too — a MissingHandlerError naming effects the list takes.
 */
export type NullsUnchecked = undefined extends 1 ? true : false;

/**
 * An inference site for `O`, the options object's own type (read by MaybeNone), that adds nothing to
 * the parameter's type once inferred (`unknown`): intersected as `O` itself, a choice between two
 * options objects made the parameter a union, and TypeScript then explained a MissingHandlerError
 * with a property of the other object ("Property 'store' is missing").
 */
export type InferOnly<O> = [O] extends [object] ? unknown : O;

/**
 * `run`'s options parameter: the check `C` (unknown, or the error: MissingHandlerError<…>, …) and
 * the options typed for inference (RunOptionsOf, `settle` refused by SettleForRunAsync). One alias,
 * with the check first: TypeScript prints a failed call's first line, "Argument of type '…' is not
 * assignable to parameter of type '…'", with the parameter's type, and prints an alias by its name
 * and arguments. Written as a bare intersection, it printed each member (`Omit<RunOptions, …> &
 * { handlers?: …; env?: … } & …`, 300–500 characters) and cut the check, last, to
 * `MissingHandlerError<...>`; now it reads `CheckedRunOptions<MissingHandlerError<Log>, …>`, the
 * missing effects first. (A property written wrong, `settle` or an unknown key, is still reported
 * on that property, as before.)
 */
export type CheckedRunOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> & RunOptionsOf<Hs, Patch, Keys, "settle"> & NoInfer<SettleForRunAsync<O>> & InferOnly<O>;

/** `runAsync`'s options parameter, as CheckedRunOptions (`settle` is runAsync's). */
export type CheckedRunAsyncOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> & RunOptionsOf<Hs, Patch, Keys> & InferOnly<O>;

/**
 * Options whose handler list is kept as a tuple type, and env as its own type, for the coverage check.
 * `Left`: options the entry point types itself (run: `settle`, by SettleForRunAsync).
 */
export type RunOptionsOf<
  Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  Left extends keyof RunOptions = never,
> = Omit<RunOptions, "handlers" | "env" | Left> & {
  handlers?: Hs;
  env?: Patch & UndeclaredKeys<Patch>;
} & {
  // Keys: the object's keys, inferred for Covered. Inferring them turns off the excess-property
  // check of an object literal, so an unknown key is refused here instead (a wide key — `string`,
  // in a type read off the signature such as `Parameters<typeof run>[1]` — is let through)
  [K in Keys]?: K extends keyof RunOptions
    ? unknown
    : {} extends Record<K, 1>
      ? unknown
      : UnknownRunOptionError<K>;
};

/**
 * The compile error for an unknown key in run's options (a typo such as `handler` or `stor`): a
 * string type, so that TypeScript prints the whole message as what the value is not assignable to.
 */
export type UnknownRunOptionError<Key> =
  `doeff: '${Key & string}' is not a run option; the options are handlers, env, store, trace, signal, onWarning and settle`;

/**
 * `run`'s `settle`, from the options object's own type `O`: refused when `O` has it set (`run` cannot
 * wait: a TypeError at run time) with SettleForRunAsyncError, which TypeScript prints; taken as
 * RunOptions says otherwise. A value typed `RunOptions` (where `settle` is optional), passed to both
 * `run` and `runAsync`, still compiles: whether it holds `settle` is then known only at run time. In
 * a choice between options objects, the one that sets it is refused.
 */
export type SettleForRunAsync<O> = [
  // the types O gives a settle it always has, but undefined (each member of a union on its own)
  O extends { readonly settle: infer S } ? Exclude<S, undefined> : never,
] extends [never]
  ? { settle?: number }
  : { settle?: SettleForRunAsyncError };

/** The compile error for `settle` in run's options, in the words of run's TypeError. */
export type SettleForRunAsyncError =
  "doeff: the run option settle is for runAsync only (run cannot wait): use runAsync or remove it";

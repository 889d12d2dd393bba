/**
 * Effect rows (API §7). A Program's second type parameter is the union of the effects it may
 * perform, inferred from what its generator yields: effects themselves, and the rows of the programs
 * and primitives it calls. Handlers subtract what they handle (and add what they perform).
 *
 * Type-level only; nothing here exists at run time. Everything here must hold in a consumer's own
 * tsconfig (plain `strict`, with or without `exactOptionalPropertyTypes`): a type read from an
 * optional phantom field (`__row?` of local/listen) may carry `| undefined`, which is removed before
 * it enters a row. Program's and Primitive's `__effects` are required, and read as they are: an
 * `Exclude<E, undefined>` there was printed, unresolved, into a library's declarations once per
 * combinator around a generic program (`Exclude<Exclude<Exclude<E, undefined>, undefined>, undefined>`).
 */
import type { Effect } from "../effects/effect.js";
import type { Primitive } from "./primitives.js";
import type { Program, ProgramLikeOf } from "./program.js";

/**
 * Any effect. A row that contains it is *open*: run() checks nothing for it (the escape hatch; a
 * `Program<A>` annotation has this row).
 */
export type AnyEffect = Effect<any>;

/** The effects carried by one yielded value. */
export type EffectsOf<Y> = unknown extends Y ? AnyEffect : KnownEffectsOf<Y>;
/** The effects carried by a yielded value whose type is known (not `unknown`/`any`). */
export type KnownEffectsOf<Y> =
  // (effects first: most of what a program yields, and Effect's protected brand keeps programs and
  // primitives out, so the order changes nothing but the work — one test, not three, per effect)
  Y extends Effect<any>
    ? Y | InnerRow<Y>
    : Y extends Program<any, infer E>
      ? E
      : Y extends Primitive<any, infer E>
        ? E
        : Y extends Generator<any, any, any>
          ? NotAnEffect<Y> // a raw generator object: the VM refuses it (yield* it, or wrap it with fn)
          : // an Effect of the `effect` package (Effect-TS 4), by its type id: iterable, so it would
            // be taken for a structurally typed program below and open the row — `yield* legacy` in a
            // doeff program, a mistake of a codebase moving from Effect, switched off every check and
            // failed only at run time (version 3's `yield*` yields a YieldWrap, no iterable: no case)
            Y extends { readonly "~effect/Effect": unknown }
            ? NotAnEffect<Y>
            : // a Program, Effect or primitive of another copy of doeff (a library's own): this copy's
              // phantoms but not its protected brand. Iterable too, so it opened the row — every check
              // of the program that yields it went off, and the run failed at run time instead
              Y extends { readonly __answer: unknown } | { readonly __effects: unknown }
              ? NotAnEffect<FromAnotherCopy<Y>>
              : Y extends ProgramLikeOf<any>
                ? AnyEffect // a structurally typed iterable: its row is unknown, so open
                : NotAnEffect<Y>;

/**
 * In a row: a yielded value that is no effect, program or primitive (`yield promise`, `yield* [1,
 * 2]`, a bare `yield`, `yield gen()` of a raw generator object). The VM refuses it at run time; `run`
 * reports it as NotAnEffectError. A raw generator object is named here rather than taken for a
 * structurally typed program (whose row would be open): an open row would also hide every
 * MissingHandlerError of the program that yields it.
 */
export interface NotAnEffect<Y> {
  readonly "doeff: not an effect": Y;
}

/**
 * In a row (as a NotAnEffect): a Program, Effect or primitive of another copy of doeff, which this
 * copy's machine refuses at run time. `run` reports it as AnotherCopyError.
 */
export interface FromAnotherCopy<Y> {
  readonly "doeff: from another copy of doeff": Y;
}

/** The compile error for a program that yields what another copy of doeff made. */
export interface AnotherCopyError<Y> {
  readonly "doeff: the program yields a Program or Effect of another copy of doeff, which this copy cannot run (two copies are loaded: `npm ls doeff` shows them; `npm dedupe`, or doeff as a peer dependency of the library that brings its own, makes them one)": Y;
}

/** The non-effects yielded in row E (see NotAnEffect); none in `any` (an open row). */
export type NotEffectsOf<E> = 0 extends 1 & E ? never : E extends NotAnEffect<infer Y> ? Y : never;

/** The compile error for a program that yields values that are not effects. */
export interface NotAnEffectError<Y> {
  readonly "doeff: the program yields values that are not effects (a Promise: write yield* awaitPromise(() => promise); an effect, program or generator: write yield*, not yield; an Effect of the effect package: yield* awaitPromise((signal) => Effect.runPromise(effect, { signal })))": Y;
}

/**
 * The row of the program an effect runs at its perform site (`local`, `listen`, …), which it carries
 * in its phantom `__row` field; never for other effects. (The rows here are read from optional
 * phantom fields: `Exclude<…, undefined>` takes off the `undefined` that plain `strict` adds.)
 */
export type InnerRow<Y> = Y extends { readonly __row?: infer R }
  ? unknown extends R
    ? never
    : Exclude<R, undefined>
  : never;

/** The answer type of an effect (what `yield*` on it evaluates to; what a handler resumes it with). */
export type AnswerOf<E> = E extends Effect<infer A> ? A : unknown;

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

/**
 * Has the effect type `E` no public member beyond those of `Effect` itself (no fields: a class that
 * TypeScript cannot tell from another effect with the same answer)? (One relation between key
 * unions, where Exclude made a conditional type per key of every effect.)
 */
export type HasNoFields<E> = [keyof E] extends [keyof Effect<unknown>] ? true : false;
/** Is `E` the open effect itself (`Effect<any>`: no fields, answer `any`)? Distributes over a row. */
export type IsOpenMember<E> = E extends AnyEffect
  ? HasNoFields<E> extends true
    ? 0 extends 1 & AnswerOf<E> // (is the answer `any`?)
      ? true
      : false
    : false
  : false;

/**
 * The members of row `E` that are not effects with fields: values that are no effect (NotAnEffect,
 * TaskEndedBy) and field-less effect classes, `Effect<any>` included. Every member that IsOpen,
 * NotEffectsOf, FieldlessEffects or RowTaskEnders looks for is one of them, and an ordinary row has
 * none: CoverageOf walks the row once with this, not once per question.
 */
export type UnusualMembers<E> = E extends AnyEffect ? (HasNoFields<E> extends true ? E : never) : E;

/** Is the row `E` open (`any`, `unknown`, or containing `Effect<any>`)? */
export type IsOpen<E> = unknown extends E ? true : true extends IsOpenMember<E> ? true : false;

/**
 * The members of row `E` that are field-less effect classes other than the open `Effect<any>`
 * (e.g. `class Name extends Effect<string> {}`). TypeScript compares classes by shape, so such a
 * class is indistinguishable from every other effect with the same answer type: checking it would be
 * a silent hole, so run() and handle() reject it and ask for a `_tag` instead.
 */
export type FieldlessEffects<E> = E extends AnyEffect
  ? HasNoFields<E> extends true
    ? 0 extends 1 & AnswerOf<E> // (an answer of `any`: the open Effect<any>)
      ? never
      : E
    : never
  : never;

/** The compile error for a field-less effect class; the message says how to fix it. */
export interface UntaggedEffectError<E> {
  readonly 'doeff: these effect classes have no fields, so TypeScript cannot tell them apart; add `declare readonly _tag: "Name"` to each class': E;
}

/**
 * A function where a program goes — `spawn(function* () {…})`, `run(job)` for `run(job(1))` — the
 * commonest mistake of a newcomer (effection's `spawn` and redux-saga's `fork` take a function). The
 * entry points and the single-program combinators admit a function in their type parameter's
 * constraint (`P extends AnyProgramLike | AnyFunction`) only so that its check, `P &
 * NoInfer<ProgramArg<P>>`, can name the fix: otherwise TypeScript reports the bare constraint ("not
 * assignable to parameter of type 'AnyProgramLike'").
 */
export type AnyFunction =
  | ((...args: never) => unknown) // (`never`: every function's parameters take it)
  // a class, which JavaScript calls a function too: an effect class given without `new`,
  // `spawn(Fetch)` for `spawn(new Fetch(…))`
  | (abstract new (
      ...args: never
    ) => unknown);

/**
 * The check of a program parameter: `unknown` (nothing) unless the argument is, or may be (a union),
 * a function. `any` passes, as it did. The constraint itself passes too: TypeScript reads the
 * argument's contextual type with P as its constraint, and a check failing there left P uninferred
 * for a generator function written inline (TypeScript 5.x: the error then named no generator).
 */
export type ProgramArg<P> = FunctionArg<Extract<P, AnyFunction>, GenericFix>;
/**
 * ProgramArg for the function members `F` of the argument's type. `Unresolved` is never read: it
 * is the fix for an argument whose type is a type parameter of the caller's own function (`x: Q | R`
 * with `R extends () => Program<…>`), where the check stays unresolved (deferred: TypeScript decides
 * a conditional type only once its type parameters are known). TypeScript then relates the argument
 * to both branches without reporting why (checker.ts, a conditional target: `reportErrors` false),
 * so ProgramExpectedError's fix never shows; what it does print is this alias with its arguments,
 * so the fix is one of them.
 */
// biome-ignore lint/correctness/noUnusedVariables: Unresolved is never read; it is there to be printed (above)
export type FunctionArg<F, Unresolved extends string = GenericFix> = [F] extends [never]
  ? unknown
  : AnyFunction extends F
    ? unknown
    : // (written here, not as an alias of its own: TypeScript prints the outermost alias, and this
      // one's argument is the fix. Not one conditional type per message either: a branch naming
      // `F` again makes the check of a generic program unresolvable, see ProgramExpectedError)
      ProgramExpectedError<FixFor<F>>;

/** FunctionArg's fix where its check stays unresolved (a generic argument): it names no kind of function. */
export type GenericFix =
  "doeff: a function where a program goes (a type parameter that may be one): pass the program itself, job(…), not job or () => job(…); a generic helper's program parameter: P extends AnyProgramLike";

/**
 * What to write instead of the function `F` (the words of the run-time error of spawn and the
 * toolkit, vm/program-arg.ts and checkProgramLike). A generator function first: its generator is
 * iterable, so it makes a ProgramLikeOf too. A function that returns a Program is what `fn` makes:
 * the run-time error says of one passed uncalled "made by fn but not called: pass the program it
 * makes, job(…)", and so does this one — which cannot tell it from `() => job(…)` (both are
 * `(…) => Program<…>` to TypeScript), so it names that too.
 */
export type FixFor<F> = F extends abstract new (
  ...args: never
) => infer I
  ? ClassFix<I>
  : F extends (...args: never) => Generator<unknown, unknown, never>
    ? "a generator function is not a program: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})"
    : F extends (...args: never) => Program<unknown, unknown>
      ? "a function is not a program, e.g. one made by fn but not called: pass the program it makes, job(…), not job or () => job(…)"
      : F extends (...args: never) => AnyProgramLike
        ? "a function is not a program: pass the program itself, job(…), not job or () => job(…)"
        : "a function is not a program: write fn(function* job(…) {…}), pass job(…), and await promises in it with awaitPromise(() => …)";

/**
 * What to write instead of a class whose instances are `I`: for an effect class, its instance, named
 * by the class's `_tag` when it declares one (`declare readonly _tag: "Fetch"`, as effect.ts asks);
 * the words of the run-time error, which has the class's name (a type has none).
 */
export type ClassFix<I> = I extends AnyEffect
  ? I extends { readonly _tag: infer T extends string }
    ? string extends T
      ? "an effect class is not an effect: pass an instance of it, new C(…)"
      : `an effect class is not an effect: pass new ${T}(…)`
    : "an effect class is not an effect: pass an instance of it, new C(…)"
  : "a class is not a program: pass a program, or an effect, new C(…) of class C extends Effect<A>";

/**
 * The compile error: an alias TypeScript prints with its argument, the fix (as ArrayExpectedError).
 * A function is neither a program nor the object whose one required property (`never`) no value has.
 * The union with AnyProgramLike is for a program of a generic type (`P extends AnyProgramLike` in a
 * user's helper): the check of `timeout(p, ms)` there stays unresolved, and TypeScript relates `p`
 * to every branch of it — this one too.
 */
export type ProgramExpectedError<Fix extends string> =
  | AnyProgramLike
  | { readonly [K in `doeff: ${Fix}`]: never };

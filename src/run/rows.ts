/**
 * What a handler list takes, performs and returns, read off its handler types: the vocabulary of the
 * coverage check (coverage.ts) and of withHandler's row (vm/primitives.ts). Separate from the check
 * itself so that those readers, and task-results.ts, import these few aliases without the check's
 * error types and the entry points' signatures; TaskEndedBy, the one row member that is a note and
 * not an effect, lives here too, since PerformedBy leaves it out (task-results.ts uses it).
 */
import type { Handler } from "../vm/handler.js";
import type { AnyEffect, AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";

/**
 * The constraint on a handler list. Deliberately not `Handler<any, any>`: that would be a contextual
 * type for calls written inline in the list (`[handle(C, f)]`) and erase what they infer. Declared
 * method-style (its parameters bivariant), so that a handler taking nothing, `Handler<never>`, is
 * one: as a plain function type it was not (`any` is not assignable to `never`), the list then
 * failed inference and went unchecked.
 */
export type AnyHandlerFn = {
  bivarianceHack(effect: any, k: any): unknown;
}["bivarianceHack"];

/** What run/runAsync accept: a ProgramLike, or a raw generator object (top level only). */
export type Runnable = AnyProgramLike | Generator<any, any, any>;

/** The effects a runnable may perform. */
export type RowOf<P> = P extends Generator<infer Y, any, any> ? EffectsOf<Y> : EffectsOf<P>;
/** What a runnable returns. */
export type RunValue<P> = P extends Generator<any, infer A, any> ? A : ResultOf<P>;

// HandledBy, EmittedBy and ReturnedBy read each handler of the list through an alias of its own
// (TakenBy, …): TypeScript caches an alias per type argument, so a handler listed in many runs
// (`state`, a mock) is read once, where a conditional type distributed over the list's union of
// handlers was evaluated anew for every list.

/** The union of the effects the handlers Hs take. */
export type HandledBy<Hs> = Hs extends readonly unknown[]
  ? { [I in keyof Hs]: TakenBy<Hs[I]> }[number]
  : never;
/** The effects the handler H takes. */
export type TakenBy<H> = H extends Handler<infer X, any> ? X : never;

/**
 * The effects of row E that a handler taking H does not take: `Exclude<E, H>`, except that an effect
 * whose only difference from H is a function-typed field's parameter counts as taken. `handle(C, f)`
 * (and `answer`, `mock`) of a generic class types H as `C<unknown>`, and a class whose type parameter
 * is in a callback's parameter (`class Validate<T> { check: (x: T) => boolean }`) has no instance
 * that `Validate<number>` is assignable to: the run was refused with `MissingHandlerError<Validate<
 * number>>` although the handler takes every Validate. The second test reads H's fields with
 * bivariant parameters (TypeScript's own rule for methods), and only for effects the first left.
 */
export type NotTakenBy<E, H> = E extends H ? never : E extends LooseEffect<H> ? never : E;
/** The effects of row E that a handler taking H takes: `Extract<E, H>`, with NotTakenBy's second test. */
export type TakenIn<E, H> = E extends H ? E : E extends LooseEffect<H> ? E : never;
/**
 * What NotTakenBy's second test compares an effect with: this copy's Effect with the fields of H's
 * effect classes of this copy (BivariantFields), never those of another copy's (its classes have
 * another protected brand, which the fields alone leave out: a handler of the other copy's `Get`
 * takes only that copy's, AnotherCopyHandlerError).
 */
export type LooseEffect<H> = AnyEffect & BivariantFields<H extends AnyEffect ? H : never>;
/**
 * H with each function-typed field's parameters bivariant, as a method's are (see NotTakenBy). Its
 * symbol-keyed members are left out: Effect's `[Symbol.iterator]` yields `this`, so H's returns an
 * `Iterator<Validate<unknown>, …>`, to which Validate<number>'s is not assignable either.
 */
export type BivariantFields<H> = H extends object
  ? { readonly [K in keyof H as K extends symbol ? never : K]: Bivariant<H[K]> }
  : H;
/**
 * A function type with bivariant parameters (a method signature's); an array's or a plain object's
 * functions one level down the same (`checks: ReadonlyArray<(x: T) => boolean>`, `rules: { check:
 * (x: T) => boolean }`: they needed `Handler<V<any>>`); F itself otherwise.
 */
export type Bivariant<F> = F extends (...args: infer A) => infer R
  ? BivariantFn<A, R>
  : F extends readonly (infer X)[]
    ? readonly BivariantOne<X>[]
    : F extends object
      ? { readonly [K in keyof F]: BivariantOne<F[K]> }
      : F;
/** Bivariant at the first level only: a function, or F itself. */
export type BivariantOne<F> = F extends (...args: infer A) => infer R ? BivariantFn<A, R> : F;
/** A function of parameters A and result R, its parameters bivariant (a method's). */
export type BivariantFn<A extends unknown[], R> = { bivarianceHack(...args: A): R }["bivarianceHack"];
/** The union of the effects the handlers Hs may perform themselves (their own rows). */
export type EmittedBy<Hs> = Hs extends readonly unknown[]
  ? { [I in keyof Hs]: PerformedBy<Hs[I]> }[number]
  : never;
/**
 * The effects the handler H may perform itself (its own row). A function typed without `Handler`
 * (`function* (e: Roll, k) {…}`) has no `__emits`, from which TypeScript infers `unknown`: it
 * performs nothing, as in withHandler (its row was `unknown`: MissingHandlerError<unknown>).
 */
export type PerformedBy<H> =
  H extends Handler<any, infer Em>
    ? unknown extends Em
      ? never
      : // an interface extending Handler (WorkersHandler) is matched by its optional phantom
        // `__emits?: Em`, which reads as `Em | undefined` without exactOptionalPropertyTypes
        // (TaskEndedBy, in the row of a program the handler runs, is a note for withHandler's row only)
        Exclude<Em, undefined | TaskEndedBy<unknown>>
    : never;

/**
 * What the handlers Hs may return in place of the program's result (their `Ret`: a handler that
 * ends without resuming `k` ends the withHandler, so the run, with its own value). `never` for a
 * list typed `any` (unchecked) and for handlers typed without it (`Handler<X>`, plain functions).
 */
export type ReturnedBy<Hs> = 0 extends 1 & Hs
  ? never
  : Hs extends readonly unknown[]
    ? { [I in keyof Hs]: ReturnedByOne<Hs[I]> }[number]
    : never;
/** What the handler H may return in place of the program's result (its `Ret`; see ReturnedBy). */
export type ReturnedByOne<H> = H extends { __returns?(value: infer R): void } ? R : never;

/**
 * In a row: a handler put around a program that spawns tasks with `withHandler(h, …)` (so inside the
 * scheduler, which takes the spawns outside it), that may end one of those tasks with a value its
 * type lacks. withHandler adds it; `run` reports it as TaskResultError.
 */
export interface TaskEndedBy<H> {
  readonly "doeff: may end a spawned task with its own result": H;
}

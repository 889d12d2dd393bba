/** Type-level: the effects the toolkit's combinators perform themselves (API §7 rows). */
import type { Effect } from "../effects/effect.js";
import type { SchedulerEffect, Spawn } from "../effects/scheduler.js";
import type { Delay } from "../effects/time.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";

/** Tasks and promises: handled by a scheduler. */
export type SchedulerRow = SchedulerEffect<any>;
/**
 * In the row of a combinator that runs programs as tasks (all, forEach, raceAll, timeout): a
 * `Spawn<result, row>` per program, as `spawn` carries it, so that `run` can tell whether the
 * handlers inside the scheduler may end those tasks with a value of another type (TaskResultError).
 * Taken by `scheduler` with the rest of its row.
 */
export type TasksRow<P extends readonly unknown[]> = {
  [I in keyof P]: Spawn<ResultOf<P[I]>, EffectsOf<P[I]>>;
}[number];
/** Also a clock (`delay`): timeout and retry. */
export type TimedRow = SchedulerEffect<any> | Delay;

/** `{ [i]: result of item i }` for a tuple (or array) of programs. */
export type ResultsOf<P extends readonly unknown[]> = { -readonly [I in keyof P]: ResultOf<P[I]> };
/** The union of the rows of a tuple (or array) of programs. */
export type RowsOf<P extends readonly unknown[]> = EffectsOf<P[number]>;

/**
 * Keeps a single Program, Effect or primitive out of a parameter that takes an iterable of items:
 * each is iterable itself (for `yield*`), so `forEach(listUrls(), f)` — a missing `yield*` — would
 * otherwise type-check, with the program as the one item. Their protected brands do not fit these
 * optional members: write `forEach(yield* listUrls(), f)`.
 */
export type NotAProgram = {
  readonly __program?: never;
  readonly __effect?: never;
  readonly __primitive?: never;
};

/**
 * The compile error for one program passed where a combinator takes an array of them (`all(p)` for
 * `all([p])`; `forEach(listUrls(), f)` for `forEach(yield* listUrls(), f)`): the last overload of
 * each such combinator, which nothing real matches, so the message says what to write.
 */
export type ArrayExpectedError<Fix extends string> = { readonly [K in `doeff: ${Fix}`]: never };

/**
 * The check of a race's programs (raceAll, raceFirst): `unknown` — nothing — for a list or object
 * with programs in it; for the empty tuple `[]` or an object with no keys, a race of nothing, which
 * never ends (the call throws a TypeError), an ArrayExpectedError in the words of that TypeError.
 * `Otherwise` is the check of every other argument (the last overload: the one-program error). An
 * array type (`Program[]`) passes: only a tuple's type says that it is empty.
 * A generic argument (`ps: P` of a user's helper, `P extends readonly AnyProgramLike[]`) passes too:
 * the check stays unresolved there, and TypeScript relates the argument to each branch, the error's
 * too; that branch has a member the argument is — `{ [K in keyof P]: P }[number]`, which is `P` for
 * a type parameter and `never` for the empty tuple (as `[keyof P]` is for an object).
 */
export type NonEmptyCheck<P, Call extends string, Otherwise = unknown> = [P] extends [readonly unknown[]]
  ? [P[number]] extends [never]
    ?
        | ArrayExpectedError<`${Call} needs at least one program (a race of nothing never ends)`>
        | { [K in keyof P]: P }[number]
    : Otherwise
  : [keyof P] extends [never]
    ?
        | ArrayExpectedError<`${Call} needs at least one program (a race of nothing never ends), got an object with no keys`>
        | { [K in keyof P]: P }[keyof P]
    : Otherwise;

/**
 * NonEmptyCheck for an iterable's programs `P` (raceAll's and raceFirst's overload for a Set, an
 * array): `never` — the empty tuple `[]`, whose items TypeScript infers as `never` — is the error;
 * a generic `P` passes (its member `Iterable<P>`, as in NonEmptyCheck).
 */
export type NonEmptyItemsCheck<P, Call extends string> = [P] extends [never]
  ?
      | ArrayExpectedError<`${Call} needs at least one program (a race of nothing never ends)`>
      | { [K in keyof P]: Iterable<P> }[keyof P]
  : unknown;

/**
 * A compile error for a bare `function*` (or `async function*`) given as the function of forEach,
 * forEachAsync or forEachLatest (`Where`; `Example` is that call written with fn): its calls make
 * raw generator objects, not programs (none of doeff's program types is a Generator). `unknown` for
 * a function that makes programs, such as `fn(function* one(item) { ... })`. (Their `P` takes an
 * AsyncGenerator too — `ProgramMaking` — so that an `async function*` gets here, not "not
 * assignable to type 'AnyProgramLike'".)
 */
export type NotAGeneratorFunction<
  P,
  Where extends string = "forEach",
  Example extends string = "forEach(files, fn(function* one(file) { ... }))",
> =
  P extends Generator<unknown, unknown, unknown>
    ? {
        readonly [K in `doeff: ${Where}'s function is a generator function: wrap it with fn, e.g. ${Example}`]: never;
      }
    : P extends AsyncGenerator<unknown, unknown, unknown>
      ? {
          readonly [K in `doeff: ${Where}'s function is an async generator function: a program cannot await; write ${Example} and bring a promise in with yield* awaitPromise(() => promise)`]: never;
        }
      : unknown;

/** What forEach's, forEachAsync's and forEachLatest's function may return as far as inference goes (see NotAGeneratorFunction). */
export type ProgramMaking = AnyProgramLike | AsyncGenerator<unknown, unknown, unknown>;

export type { AnyProgramLike, Effect };

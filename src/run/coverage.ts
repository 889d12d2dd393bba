/**
 * The coverage check (API §7): whether every effect of a row is taken by a handler of the list, and
 * every effect a handler performs by one listed before it; otherwise the compile error naming what
 * is missing, out of order, or written wrong (a handler factory listed without its call). Separate
 * from the entry points' signatures (entry-check.ts), which only decide when to ask it, and from the
 * handler types read here (rows.ts, every-effect.ts).
 */
import type {
  AnotherCopyError,
  AnyEffect,
  FieldlessEffects,
  FromAnotherCopy,
  IsOpen,
  NotAnEffectError,
  NotEffectsOf,
  UnusualMembers,
  UntaggedEffectError,
} from "../vm/types.js";
import type { Delay, Now } from "../effects/time.js";
import type { EveryEffectHandlerError, TakingEvery } from "./every-effect.js";
import type {
  AnyHandlerFn,
  EmittedBy,
  HandledBy,
  PerformedBy,
  TakenBy,
  TakenIn,
  TaskEndedBy,
} from "./rows.js";
import type { RowTaskEnders, TaskEnders, TaskResultError } from "./task-results.js";

/**
 * The effects a handler of the list Hs performs that no handler listed *before* it takes, while one
 * listed after it does. `handlers[0]` is the outermost, and a handler's own effects go only to the
 * handlers outside it, so `[http, scheduler]` leaves http's `AwaitPromise` unhandled although
 * scheduler is listed. Read only for a tuple (a list whose order is known); `Outer` accumulates what
 * the handlers before the current one take.
 */
export type OutOfOrder<Hs, Outer = never> = Hs extends readonly [infer H, ...infer Rest]
  ?
      | (IsOpen<PerformedBy<H>> extends true
          ? never
          : // (NotTakenBy, written as Unhandled's is)
            Exclude<PerformedBy<H>, Outer> extends infer R
            ? Exclude<R, TakenIn<R, Outer>>
            : never)
      | OutOfOrder<Rest, Outer | TakenBy<H>>
  : never;

/**
 * The effects of row E that none of the handlers Hs takes (never when E is open). A union of lists
 * (`verbose ? [a, b] : [a]`) is checked list by list: an effect missing from one is missing.
 */
export type MissingHandlers<E, Hs> = IsOpen<E> extends true ? never : Unhandled<E, Hs>;
/** MissingHandlers for a row known not to be open. */
export type Unhandled<E, Hs> = Hs extends unknown
  ? // (TaskEndedBy: not an effect, a note for TaskResultError)
    // (what NotTakenBy leaves, written with Exclude: the error then names the effects, where a
    // NotTakenBy<…> of two or more was printed as such, its arguments unresolved; and TakenIn's
    // second test is read only for what the plain Exclude left, none in a run that type-checks)
    Exclude<E | EmittedBy<Hs>, HandledBy<Hs> | TaskEndedBy<unknown>> extends infer R
    ? Exclude<R, TakenIn<R, HandledBy<Hs>>>
    : never
  : never;

/**
 * The compile error for a program with unhandled effects. TypeScript prints it as
 * `MissingHandlerError<Log | Roll>`, naming exactly the effects no listed handler takes, and the
 * missing property says the fix.
 */
export interface MissingHandlerError<Missing> {
  readonly "doeff: add a handler for each of these effects to `handlers` (or wrap the program in withHandler)": Missing;
}

/**
 * The compile error for handlers listed in the wrong order: a handler performs these effects and the
 * handler that takes them is listed after it (inside it), where its effects never go.
 */
export interface HandlerOrderError<Performed> {
  readonly "doeff: a handler performs these effects, and a handler's own effects go only to the handlers listed BEFORE it (outside it): move the handler that takes them before the one that performs them": Performed;
}

/**
 * `unknown` (no constraint) when every effect of row E is taken by one of the handlers Hs, and every
 * effect a handler performs by one listed before it; otherwise an error type naming the field-less
 * effect classes (which cannot be checked), the missing effects, or the effects out of order.
 *
 * An ordinary row and list — effects with fields only, no open row — take PlainCoverage, which skips
 * the questions only UnusualMembers raise. (The row's test comes first and alone: it decides without
 * the list, which in a generic helper, `run(p as Program<A>, { handlers })`, is a type parameter.)
 */
export type CoverageOf<E, Hs> = unknown extends E
  ? unknown
  : [UnusualMembers<E>] extends [never]
    ? [UnusualMembers<EmittedBy<Hs>>] extends [never]
      ? PlainCoverage<E, Hs>
      : FullCoverageOf<E, Hs>
    : FullCoverageOf<E, Hs>;

/** CoverageOf, every question asked. */
export type FullCoverageOf<E, Hs> =
  IsOpen<E> extends true
    ? unknown
    : [NotEffectsOf<E | EmittedBy<Hs>>] extends [never]
      ? CoverageOfEffects<E, Hs>
      : NotAnEffectCoverage<NotEffectsOf<E | EmittedBy<Hs>>>;

/** The error for the values Y of a row that are no effects: those of another copy of doeff first. */
export type NotAnEffectCoverage<Y> = [MadeByAnotherCopy<Y>] extends [never]
  ? NotAnEffectError<Y>
  : AnotherCopyError<MadeByAnotherCopy<Y>>;
/** The values of Y that another copy of doeff made (FromAnotherCopy), unwrapped. */
export type MadeByAnotherCopy<Y> = Y extends FromAnotherCopy<infer X> ? X : never;

/** CoverageOf for a row of effects only (no NotAnEffect member). */
export type CoverageOfEffects<E, Hs> = [FieldlessEffects<E | EmittedBy<Hs>>] extends [never]
  ? [MissingHandlers<E, Hs>] extends [never]
    ? [TakingEvery<Hs>] extends [never]
      ? [OutOfOrderIfAny<Hs>] extends [never]
        ? [TaskEnders<E, Hs> | RowTaskEnders<E>] extends [never]
          ? unknown
          : TaskResultError<TaskEnders<E, Hs> | RowTaskEnders<E>>
        : HandlerOrderError<OutOfOrder<Hs>>
      : EveryEffectHandlerError<TakingEvery<Hs>>
    : [UncalledFactories<Hs>] extends [never]
      ? MissingCoverage<MissingHandlers<E, Hs>, Hs>
      : HandlerFactoryError<UncalledFactories<Hs>>
  : UntaggedEffectError<FieldlessEffects<E | EmittedBy<Hs>>>;

/**
 * CoverageOfEffects for a row and a list without UnusualMembers (so not open, with no field-less
 * class, no NotAnEffect, no TaskEndedBy).
 */
export type PlainCoverage<E, Hs> = [Unhandled<E, Hs>] extends [never]
  ? [TakingEvery<Hs>] extends [never]
    ? [OutOfOrderIfAny<Hs>] extends [never]
      ? [TaskEnders<E, Hs>] extends [never]
        ? unknown
        : TaskResultError<TaskEnders<E, Hs>>
      : HandlerOrderError<OutOfOrder<Hs>>
    : EveryEffectHandlerError<TakingEvery<Hs>>
  : [UncalledFactories<Hs>] extends [never]
    ? MissingCoverage<Unhandled<E, Hs>, Hs>
    : HandlerFactoryError<UncalledFactories<Hs>>;

/**
 * The error for the effects Missing that no handler of Hs takes: MissingHandlerError, unless a
 * handler of the list is another copy of doeff's (a library's `state`, from a copy of its own), which
 * takes only that copy's effects — the list shows a `Handler<Get<any> | …>` and the error said
 * `MissingHandlerError<Get<number>>`, with nothing to tell the two `Get`s apart.
 */
export type MissingCoverage<Missing, Hs> = [TakenFromAnotherCopy<HandledBy<Hs>>] extends [never]
  ? [Missing] extends [{ readonly _scheduler: true }]
    ? MissingSchedulerError<Missing>
    : [Missing] extends [{ readonly _scheduler: true } | Delay | Now]
      ? // (some of them the scheduler's: a lone Delay or Now reads well as MissingHandlerError<Delay>)
        [Extract<Missing, { readonly _scheduler: true }>] extends [never]
        ? MissingHandlerError<Missing>
        : MissingSchedulerAndClockError<Missing>
      : MissingHandlerError<Missing>
  : AnotherCopyHandlerError<TakenFromAnotherCopy<HandledBy<Hs>>>;

/**
 * The compile error in place of {@link MissingHandlerError} when every effect no listed handler takes
 * is the scheduler's (SchedulerEffect's phantom `_scheduler`): `CreatePromise`, `Wait` or
 * `SchedulerRow` do not say that one handler, `scheduler`, takes them all — tasks, the toolkit or a
 * handler of yours that waits (a saga's `take`) perform them. Fix: add `scheduler` to `handlers`
 * (in a test, `virtualClock().run`).
 */
export interface MissingSchedulerError<Missing> {
  readonly "doeff: these are the scheduler's effects (tasks, promises, channels, the toolkit): add `scheduler` to `handlers`, before the handlers whose own code performs them (in a test, virtualClock().run installs it, and expectEffects takes virtualClock().handlers)": Missing;
}
/**
 * The compile error in place of {@link MissingHandlerError} when the effects no listed handler takes
 * are the scheduler's and a clock's (`Delay`, `Now`): what `timeout`, `retry` with a delay or a
 * task that waits perform, printed as the toolkit's rows (`TimedRow | Spawn<…>`), which name neither
 * handler. Fix: add `scheduler` and a clock, in that order (in a test, `virtualClock()` brings both).
 */
export interface MissingSchedulerAndClockError<Missing> {
  readonly "doeff: these are the scheduler's and a clock's effects (tasks, timeout, retry with a delay, delay, now): add `scheduler` and then a clock to `handlers`, simulatedTime() (or realTime, under runAsync) (in a test, virtualClock().run installs both, and expectEffects takes virtualClock().handlers)": Missing;
}
/** The effect types of X made by another copy of doeff: its Effect's phantom, not this one's brand. */
export type TakenFromAnotherCopy<X> = 0 extends 1 & X
  ? never
  : X extends AnyEffect
    ? never
    : X extends { readonly __answer: unknown }
      ? X
      : never;

/** The compile error for a handler of another copy of doeff listed for this copy's run. */
export interface AnotherCopyHandlerError<Taken> {
  readonly "doeff: a handler of the list is another copy of doeff's, and takes only that copy's effects (two copies are loaded: `npm ls doeff` shows them; `npm dedupe`, or doeff as a peer dependency of the library that brings its own, makes them one)": Taken;
}

/**
 * OutOfOrder, whose walk of the list is skipped when no handler performs anything (most lists): then
 * none can be out of order.
 */
export type OutOfOrderIfAny<Hs> = EmittedBy<Hs> extends never ? never : OutOfOrder<Hs>;

/**
 * The functions of the list Hs that make a handler, listed without their call
 * (`handlers: [scheduler, simulatedTime]`): a handler returns a generator or a primitive, never a
 * handler.
 */
export type UncalledFactories<Hs> = Hs extends readonly (infer H)[]
  ? 0 extends 1 & H
    ? never // (an `any` in the list)
    : H extends (...args: never[]) => AnyHandlerFn
      ? H
      : never
  : never;

/**
 * The compile error for a function that makes a handler listed in place of the handler (an effect it
 * would take is missing): it said `MissingHandlerError<Delay>` with `simulatedTime` listed.
 */
export interface HandlerFactoryError<Factory> {
  readonly "doeff: a function that makes a handler is listed in `handlers` without its call: call it, e.g. simulatedTime(), workers({ size })": Factory;
}

/**
 * Entry points (SEMANTICS §8): `run` steps synchronously to the end (no await, no microtask hop);
 * `runAsync` steps on the event loop, awaiting asyncEscape thunks and yielding to the macrotask queue
 * after at most 10,000 steps or 5 ms.
 */
import { macrotask } from "./macrotask.js";
import {
  B_EFFECT,
  B_PRIMITIVE,
  B_PROGRAM,
  brandOf,
  describe,
  isAsyncIterator,
  isGeneratorObject,
} from "../vm/brand.js";
import { Machine } from "../vm/machine.js";
import { ST_ASYNC, ST_DONE } from "../vm/modes.js";
import type { Effect } from "../effects/effect.js";
import type { Handler } from "../vm/handler.js";
import { withHandler } from "../vm/primitives.js";
import type {
  AnyProgramLike,
  EffectsOf,
  FieldlessEffects,
  IsOpen,
  NotAnEffectError,
  NotEffectsOf,
  ResultOf,
  UnusualMembers,
  UntaggedEffectError,
} from "../vm/types.js";
import { fromGeneratorObject, P_PURE, Program } from "../vm/program.js";
import type { StepTracer } from "../vm/trace-hook.js";
import { formatAborted, formatFailure } from "../trace/format.js";
import type { Origins } from "../trace/origin.js";
import { StepLineTracer } from "../trace/steps.js";
import { siteState } from "../vm/sites.js";
import { type Driver, Env, RunContextImpl, type RunWarning, TaskCtx } from "./context.js";
import { checkOptions, type RunOptions } from "./options.js";
import type { EnvPatch, PatchEffects, UndeclaredKeys } from "../effects/reader.js";
import { readOptions } from "./read-options.js";
import { RunResult } from "./result.js";
import type { RowTaskEnders, TaskEndedBy, TaskEnders, TaskResultError } from "./task-results.js";

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
 * The effects a handler of the list Hs performs that no handler listed *before* it takes, while one
 * listed after it does. `handlers[0]` is the outermost, and a handler's own effects go only to the
 * handlers outside it, so `[http, scheduler]` leaves http's `AwaitPromise` unhandled although
 * scheduler is listed. Read only for a tuple (a list whose order is known); `Outer` accumulates what
 * the handlers before the current one take.
 */
export type OutOfOrder<Hs, Outer = never> = Hs extends readonly [infer H, ...infer Rest]
  ?
      | (IsOpen<PerformedBy<H>> extends true ? never : Exclude<PerformedBy<H>, Outer>)
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
    Exclude<E | EmittedBy<Hs>, HandledBy<Hs> | TaskEndedBy<unknown>>
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
      : NotAnEffectError<NotEffectsOf<E | EmittedBy<Hs>>>;

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
      ? MissingHandlerError<MissingHandlers<E, Hs>>
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
    ? MissingHandlerError<Unhandled<E, Hs>>
    : HandlerFactoryError<UncalledFactories<Hs>>;

/**
 * OutOfOrder, whose walk of the list is skipped when no handler performs anything (most lists): then
 * none can be out of order.
 */
export type OutOfOrderIfAny<Hs> = EmittedBy<Hs> extends never ? never : OutOfOrder<Hs>;

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
      ? Hs | []
      : Hs
    : Hs | [];

/**
 * An inference site for `O`, the options object's own type (read by MaybeNone), that adds nothing to
 * the parameter's type once inferred (`unknown`): intersected as `O` itself, a choice between two
 * options objects made the parameter a union, and TypeScript then explained a MissingHandlerError
 * with a property of the other object ("Property 'store' is missing").
 */
export type InferOnly<O> = [O] extends [object] ? unknown : O;

/** Options whose handler list is kept as a tuple type, and env as its own type, for the coverage check. */
export type RunOptionsOf<
  Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
> = Omit<RunOptions, "handlers" | "env"> & {
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
  `doeff: '${Key & string}' is not a run option; the options are handlers, env, store, trace and signal`;

/** The raw generator objects given to run / runAsync (weakly held). */
const ran = new WeakSet<object>();

function checkProgram(p: unknown, where: string): void {
  const b = brandOf(p);
  if (b === B_PROGRAM || b === B_EFFECT || b === B_PRIMITIVE) return;
  if (isGeneratorObject(p)) {
    // a generator object runs once: a second run would silently give Ok(undefined)
    if (ran.has(p as object))
      throw new TypeError(
        `${where} got a generator object that was already run (a generator runs once); to run a program again, pass a Program: program(function* () {...}) or fn(function* name() {...})()`,
      );
    ran.add(p as object);
    return;
  }
  if (isAsyncIterator(p)) {
    throw new TypeError(
      `${where} got an async generator object; async generators are not supported: write function* and use awaitPromise for promises`,
    );
  }
  throw new TypeError(
    `${where} expects a Program (fn/program/pure), an Effect, or a generator object, got ${describe(p)}` +
      (typeof p === "function"
        ? "; did you forget to call it, e.g. run(main()) or program(function* () {...})?"
        : ""),
  );
}

function makeTracer(options: RunOptions | undefined): StepTracer | null {
  const steps = options?.trace?.steps;
  if (steps === undefined || (steps as unknown) === false) return null;
  const sink = steps === true ? (line: string) => console.error(line) : steps;
  return new StepLineTracer(sink);
}

/** Build the machine for one run: handlers = real nested withHandlers (INV-6). */
function start(
  program: unknown,
  options: RunOptions | undefined,
  driver: Driver,
  shared: SharedSignal | null = null,
): { m: Machine; ctx: RunContextImpl } {
  const store = options?.store;
  const env = options?.env;
  const signal = options?.signal ?? null;
  const ctx = new RunContextImpl(
    driver,
    // copies (readOptions copied them already): the options are never mutated (INV-17)
    new TaskCtx(
      store === undefined ? new Map() : new Map(store instanceof Map ? store : Object.entries(store)),
      env === undefined ? Env.EMPTY : Env.from(env),
    ),
    signal,
  );
  let top: unknown =
    isGeneratorObject(program) && brandOf(program) === 0 ? fromGeneratorObject(program) : program;
  const handlers = options?.handlers ?? [];
  for (let i = handlers.length - 1; i >= 0; i--) top = withHandler(handlers[i]!, top as never);
  const sites = options?.trace?.sites === true;
  if (sites) siteState.on++;
  const m = new Machine(top, ctx, makeTracer(options), sites, signal !== null);
  if (signal !== null) shared === null ? listen(m, signal) : shared.attach(m);
  return { m, ctx };
}

/**
 * The run's signal (§9.8): aborted before the run, it ends at once with Err(reason) and no code
 * runs; aborted during the run, the listener only sets flags the step loop reads at its existing
 * halt test, so a signal costs nothing per step.
 */
function listen(m: Machine, signal: AbortSignal): void {
  if (signal.aborted) {
    m.finish(false, signal.reason);
    return;
  }
  const onAbort = (): void => abortRun(m, signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  m.stopListening = () => signal.removeEventListener("abort", onAbort);
}

function abortRun(m: Machine, reason: unknown): void {
  m.requestAbort(reason);
  const wake = m.wakeOnAbort;
  if (wake !== null) wake();
}

/**
 * @internal One signal for runs made one after the other (doeff/workers' thread runs a job at a
 * time): its one listener, added once, aborts the run in progress, so a run adds no listener and
 * no closures (their add and remove were ~20 % of a trivial job's thread side). At most one run at
 * a time may use it (driveAsync's `shared`; its caller sets `m` back to null after the run).
 */
export class SharedSignal {
  readonly signal: AbortSignal;
  /** the run in progress */
  m: Machine | null = null;
  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener(
      "abort",
      () => {
        if (this.m !== null) abortRun(this.m, signal.reason);
      },
      { once: true },
    );
  }

  /** (as listen) */
  attach(m: Machine): void {
    if (this.signal.aborted) m.finish(false, this.signal.reason);
    else this.m = m;
  }
}

function result<T>(m: Machine, ctx: RunContextImpl): RunResult<T> {
  if (m.sites) siteState.on--;
  const stop = m.stopListening;
  if (stop !== null) {
    m.stopListening = null;
    stop();
  }
  let report: string | null = null;
  if (!m.ok) {
    try {
      if (ctx.signal?.aborted === true && m.result === ctx.signal.reason) {
        report = `doeff: the run was aborted by its signal (run option \`signal\`)${m.abortJob === null ? " before it started" : "; its finally blocks ran"}\n${formatAborted(m.origins === null ? null : m.origins.abortChains, m.result)}`;
      } else report = formatFailure(m.origins === null ? null : m.origins.get(m.result), m.result);
      attachTrace(m.result, report);
    } catch {
      report = "doeff traceback unavailable: the error object cannot be inspected (its properties throw)";
    }
  }
  const ws = ctx.warnings;
  if (ws !== null && m.origins !== null)
    for (let i = 0; i < ws.length; i++) ws[i] = traced(m.origins, ws[i]!, m.ok ? NO_ERROR : m.result);
  return new RunResult<T>(m.ok, m.result, ctx.main.state, ctx.main.log, report, ws);
}

const NO_ERROR = {};

/**
 * A task's failure that nothing waited for, with the traceback of where it was thrown (an invariant
 * that failed deep in a long-lived task of a simulation: the message alone did not say where): on
 * the error as `doeffTrace`, as a run's error has it, and its chain for format() to show under the
 * warning line. (A finally block's error during a cancellation keeps its one line.)
 */
function traced(origins: Origins, w: RunWarning, runError: unknown): RunWarning {
  const e = w.error;
  const o = origins.get(e);
  if (!w.traced || o === null || e === runError) return w;
  try {
    const report = formatFailure(o, e);
    attachTrace(e, report);
    // the chain's lines: those after the heading, up to the error's own line
    const trace = /\n((?: {2}.*\n)*)/.exec(report)![1]!.trimEnd();
    return trace === "" ? w : { ...w, trace };
  } catch {
    return w; // (a hostile error object: the warning line alone)
  }
}

const NO_STATE: ReadonlyMap<string, unknown> = new Map();
const NO_LOG: readonly unknown[] = Object.freeze([]);

/** The result of a run that ended Ok(v) at once with the empty store and log (never mutated: copied on read). */
function pureResult(v: unknown): RunResult<unknown> {
  return new RunResult<unknown>(true, v, NO_STATE, NO_LOG, null, null);
}

/** The report goes on the original error as a non-enumerable `doeffTrace`; the error is never replaced. */
function attachTrace(error: unknown, report: string): void {
  if (error === null || (typeof error !== "object" && typeof error !== "function")) return;
  try {
    Object.defineProperty(error, "doeffTrace", {
      value: report,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  } catch {
    // a frozen error keeps no trace; RunResult.format() still has it
  }
}

/**
 * Run `program` synchronously to the end. Errors during the run become an Err result.
 * Compile-time: every effect the program may perform must be taken by one of `handlers` (API §7).
 * Two signatures told apart by arity, so a failed check reports one error, never an overload list:
 * without options, the program itself carries the check; with options, the options object does.
 */
export function run<P extends Runnable>(program: P & Covered<P, []>): RunResult<RunValue<P>>;
export function run<
  P extends Runnable,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  // O: the options object's own type, read only to see whether its `handlers` may be absent (MaybeNone)
  O extends object = {},
  // C: the check, never given (see FirstPass)
  C = FirstPass<Keys, O> extends true ? unknown : Covered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P,
  options: RunOptionsOf<Hs, Patch, Keys> & InferOnly<O> & NoInfer<C>,
): RunResult<RunValue<P> | ReturnedBy<Hs>>;
export function run(program: unknown, given?: unknown): RunResult<unknown> {
  // A finished program (`pure(v)`) with no options runs no step, no handler and no code: its result
  // is known without a machine (test/run-shortcut.test.ts compares it with the general path).
  if (given === undefined && program instanceof Program && program.tag === P_PURE)
    return pureResult(program.a);
  checkProgram(program, "run");
  const options = readOptions(given); // read once; a throwing read is a TypeError (§8.1)
  checkOptions(options);
  const { m, ctx } = start(program, options, "sync");
  m.run(Number.POSITIVE_INFINITY);
  return result(m, ctx);
}

const YIELD_STEPS = 10_000;
const YIELD_MS = 5;
const CHECK_STEPS = 1_000;

/** Await `thunk()`, or stop waiting when the run's signal aborts (the thunk's outcome is then ignored). */
function abortable(m: Machine, thunk: () => unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    m.wakeOnAbort = () => resolve(undefined);
    let p: PromiseLike<unknown>;
    try {
      p = Promise.resolve(thunk());
    } catch (e) {
      reject(e);
      return;
    }
    p.then(resolve, reject);
  }).finally(() => {
    m.wakeOnAbort = null;
  });
}

/** Run `program` on the event loop. The promise never rejects for program errors. Typed like run. */
export function runAsync<P extends Runnable>(program: P & Covered<P, []>): Promise<RunResult<RunValue<P>>>;
export function runAsync<
  P extends Runnable,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  O extends object = {},
  C = FirstPass<Keys, O> extends true ? unknown : Covered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P,
  options: RunOptionsOf<Hs, Patch, Keys> & InferOnly<O> & NoInfer<C>,
): Promise<RunResult<RunValue<P> | ReturnedBy<Hs>>>;
export function runAsync(program: unknown, given?: unknown): Promise<RunResult<unknown>> {
  try {
    checkProgram(program, "runAsync");
    const options = readOptions(given); // read once; a throwing read is a TypeError (§8.1)
    checkOptions(options);
    const r = driveAsync(program, options);
    return r instanceof RunResult ? Promise.resolve(r) : r;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * @internal runAsync after its checks: for doeff's own callers whose program and options are made
 * by the library and known good (doeff/workers' thread runs one per job; the checks were ~15 % of it).
 * With `shared` (whose signal is `options.signal`), the run is aborted through its listener. The
 * first slice runs now (as runAsync's does): a run that ends within it gives its result as is,
 * without a promise (the worker thread: a trivial job then costs no promise and no await there).
 */
export function driveAsync(
  program: unknown,
  options: RunOptions | undefined,
  shared: SharedSignal | null = null,
): RunResult<unknown> | Promise<RunResult<unknown>> {
  const { m, ctx } = start(program, options, "async", shared);
  // (the first slice is short: a step may answer up to 64 effects, and none was measured yet)
  const st = m.run(16);
  return st === ST_DONE ? result(m, ctx) : drive(m, ctx, st);
}

/** The rest of an async run, whose first slice of 16 steps ended with `st` (not ST_DONE). */
async function drive(m: Machine, ctx: RunContextImpl, st: number): Promise<RunResult<unknown>> {
  let sinceYield = 0;
  let lastYield = Date.now();
  let budget = 16;
  for (;;) {
    if (st === ST_ASYNC) {
      const thunk = m.asyncThunk!;
      m.asyncThunk = null;
      m.halt = false;
      try {
        // (while an aborted run is being finalized, an asyncEscape of a finally block is awaited)
        const v = m.base === null || m.abortState !== 0 ? await thunk() : await abortable(m, thunk);
        if (m.abortState !== 1) m.deliver(v); // else: abandoned, the next run() begins the abort
      } catch (e) {
        if (m.abortState !== 1) m.throwAwaited(e);
      }
      // the event loop ran meanwhile; the clock restarts at the next check (no Date.now() per await)
      sinceYield = 0;
      lastYield = -1;
    } else {
      // the work done: the steps, plus the effects the fast lane answered inside them (machine.ts);
      // the next budget shrinks by the same factor, so each check comes after ~CHECK_STEPS of work
      const work = budget + m.laneEffects;
      sinceYield += work;
      budget = Math.max(16, Math.floor((CHECK_STEPS * budget) / work));
      if (lastYield < 0) lastYield = Date.now();
      else if (sinceYield >= YIELD_STEPS || Date.now() - lastYield >= YIELD_MS) {
        await macrotask();
        sinceYield = 0;
        lastYield = Date.now();
      }
    }
    m.laneEffects = 0;
    st = m.run(budget);
    if (st === ST_DONE) return result(m, ctx);
  }
}

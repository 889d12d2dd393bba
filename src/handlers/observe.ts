/**
 * `observe(onEffect)`: a pass-through handler for tracing and metrics. It tells a callback about each
 * effect it is offered and, once the handlers outside it are done with it, how it ended; the program
 * runs exactly as without it. The traps of writing one by hand are taken care of here: the effects
 * that run a program of their own are passed on at their site (delegated, that program would run
 * outside the observer and the handlers inside it, so a spawned task would not be observed), an
 * effect never answered (its task cancelled, the run aborted) is reported from a `finally`, the
 * handler is typed as taking nothing (a `Handler` typed by hand as taking everything silences run's
 * MissingHandlerError), and it is left out of tracebacks.
 */
import { UnhandledEffectError } from "../errors.js";
import type { Effect } from "../effects/effect.js";
import { Local } from "../effects/reader.js";
import { SchedulerEffect, Spawn, type TaskInfo, UNSHOWN } from "../effects/scheduler.js";
import { Listen } from "../effects/writer.js";
import {
  className,
  closingReason,
  type Continuation,
  DEFER,
  delegate,
  FAST_PATH,
  describe,
  getHandlers,
  getRunContext,
  type Handler,
  notAnEffectClass,
  pass,
  type RunContext,
  SCHEDULER,
  TAKES,
  TRACE_QUIET,
  transfer,
  visibleMarked,
} from "../protocol.js";
import { type EffectClass, firstNotAnEffectClass, type InstancesOf } from "./handle.js";
import { raiseAt } from "./util.js";

/**
 * How an observed effect ended: `"answered"` with the answer the handlers outside gave, `"threw"`
 * the error they failed it with (thrown at the perform site next, or — a `handle` handler whose own
 * code threw — out of that handler's `withHandler`, the program abandoned), `"cancelled"` — never
 * answered: the task that performed it was cancelled (by `cancel`, `timeout`, `all`, …), the run
 * was aborted, or a handler outside ended the program with a value of its own — or `"passed"`: a `Spawn`, `Local` or
 * `Listen`, handed on at once so that the program it carries runs inside the observer (its task's
 * or body's effects are observed one by one instead).
 */
export type EffectOutcome =
  | { readonly status: "answered"; readonly value: unknown }
  | { readonly status: "threw"; readonly error: unknown }
  | { readonly status: "cancelled" }
  | { readonly status: "passed" };

/**
 * `observe`'s callback: called when an effect is performed, with the run's context (`ctx.current.env`
 * is the performing task's environment, where `local` put the active span) and the performing task
 * (`{ id, parent }`, what `getTaskInfo()` answers in it; null in a run without a scheduler), given
 * to every callback; what it returns, if a function, is called once with the effect's outcome.
 */
export type EffectObserver<E> = (
  effect: E,
  ctx: RunContext,
  task: TaskInfo | null,
) => ((outcome: EffectOutcome) => void) | undefined | void;

const PASSED: EffectOutcome = { status: "passed" };
const CANCELLED: EffectOutcome = { status: "cancelled" };

/** Give `end` (what the callback returned) the outcome; a throw goes on the warnings. */
function report(ctx: RunContext, effect: unknown, end: unknown, outcome: EffectOutcome): void {
  try {
    if (typeof end === "function") end(outcome);
  } catch (e) {
    ctx.warn(e, `observe's outcome callback for ${className((effect as object).constructor)} threw`);
  }
}

const MAIN: TaskInfo = Object.freeze({ id: 0, parent: null });

/**
 * The performing task (the callback's third argument), found at the perform site by observe's
 * FAST_PATH hook before its invocation: the task of the scheduler world running it
 * (SchedulerEffect.currentTask: a read of the run's open worlds), or, before the scheduler's first
 * effect made its world, main if a scheduler is visible at the site (as `getTaskInfo()` would
 * answer) — a walk of the site's handlers without the array `getHandlers()` makes and the step it
 * costs, made only then (in a run without a scheduler, for each effect). So every callback is given
 * the task, an observed effect costing what it did without it (and a step less: the hook hands the
 * run's context over too). It was looked up only for a callback that declared a third parameter,
 * read from its source (which missed some), as the lookup walked all the run's per-run data, ~10 %
 * of an observed effect, and without a world made a generator and a getHandlers() array, ~50 %.
 * (A different scheduler nested in a task counts from its first effect: before it, its effects are
 * the hosting task's.)
 */
function taskAt(ctx: RunContext, site: unknown): TaskInfo | null {
  return (
    SchedulerEffect.currentTask?.(ctx) ?? (site !== undefined && visibleMarked(site, SCHEDULER) ? MAIN : null)
  );
}

/** The same, in an invocation the hook did not precede (the handler called by another's code). */
function* performer(ctx: RunContext): Generator<unknown, TaskInfo | null, any> {
  const t = SchedulerEffect.currentTask?.(ctx) ?? null;
  if (t !== null) return t;
  for (const h of yield* getHandlers()) if ((h as { [SCHEDULER]?: unknown })[SCHEDULER] === true) return MAIN;
  return null;
}

/**
 * A handler that lets every effect through unchanged (or every effect of the classes `only` lists)
 * and tells `onEffect` when one is performed and how it ended: time effects, record spans, count
 * errors. Install it last in `handlers` (innermost), inside the scheduler and the clocks, so that it
 * sees effects before the handlers that answer them and is copied into every spawned task. Typed as
 * taking nothing, so `run` still asks for a handler for each effect; it is left out of tracebacks.
 * A throw from `onEffect` or from the function it returned is kept on `RunResult.warnings` and
 * changes nothing else.
 *
 * @example
 * ```ts
 * const timings = observe([Delay, AwaitPromise], (effect) => {
 *   const start = performance.now();
 *   return (outcome) => console.log(effect, outcome.status, performance.now() - start);
 * });
 * await runAsync(main, { handlers: [scheduler, realTime, timings] });
 * ```
 */
export function observe(onEffect: EffectObserver<Effect<unknown>>): Handler<undefined>;
export function observe<const C extends EffectClass | readonly EffectClass[]>(
  only: C,
  onEffect: EffectObserver<InstancesOf<C>>,
): Handler<undefined>;
export function observe(a: unknown, b?: unknown): Handler<undefined> {
  const only = b === undefined ? undefined : a;
  const onEffect = (b === undefined ? a : b) as EffectObserver<unknown>;
  // observe(Fetch) without its callback: the class would be called as the callback, each call's
  // "cannot be invoked without 'new'" only a warning, and the run went on observing nothing
  if (b === undefined && typeof a === "function" && notAnEffectClass(a) === null)
    throw new TypeError(
      `observe(${className(a)}) needs a callback second: observe(${className(a)}, (effect, ctx) => …); to observe every effect, give only the callback`,
    );
  if (typeof onEffect !== "function")
    throw new TypeError(
      `observe expects a callback (effect, ctx) => ((outcome) => void) | undefined${b === undefined ? "" : " second, after the effect classes"}, got ${describe(onEffect)}`,
    );
  // what the FAST_PATH hook found at the perform site, taken by the invocation that follows at once
  let atEffect: unknown = null;
  let atSite: unknown = null;
  let atCtx: RunContext | null = null;
  let atTask: TaskInfo | null = null;
  const h = function* observe(effect: unknown, k: Continuation<unknown, unknown>) {
    // (UNSHOWN: retry's internal turn for the other tasks; the Spawn, Wait and Cancel of the task
    // doeff/workers performs a forwarded effect in: not the program's, and no class a user can name)
    if (UNSHOWN.has(effect as object)) return yield* pass();
    let ctx: RunContext;
    let task: TaskInfo | null;
    // the site too: a stash left by a run aborted between its hook and its invocation (traced, a
    // step callback ran a nested run with this observer) is not this invocation's, even for the
    // same effect object — it gave the callback the other run's context and task
    if (atEffect === effect && atSite === (k as { top?: unknown }).top) {
      ctx = atCtx!;
      task = atTask;
      atEffect = atSite = atCtx = atTask = null; // (nothing of the run kept by the handler)
    } else {
      ctx = yield* getRunContext();
      task = yield* performer(ctx);
    }
    let end: unknown;
    try {
      end = onEffect(effect, ctx, task);
    } catch (e) {
      ctx.warn(e, `observe's callback for ${className((effect as object).constructor)} threw`);
    }
    // these run a program at their own site: delegated, it would run outside this handler
    if (effect instanceof Spawn || effect instanceof Local || effect instanceof Listen) {
      report(ctx, effect, end, PASSED);
      return yield* pass();
    }
    let settled = false;
    try {
      let value: unknown;
      try {
        value = yield* delegate();
      } catch (error) {
        settled = true;
        report(ctx, effect, end, { status: "threw", error });
        // nothing outside takes it: pass it on, for the VM's own message at the perform site (the
        // delegate's read "performed by handler observe", as if the observer were at fault)
        if (error instanceof UnhandledEffectError && error.effect === effect) return yield* pass();
        // thrown at the perform site in tail position, as the scheduler does: a discontinue waited
        // for the rest of the body, so around a loop that never ends each effect answered with an
        // error (a caught failure, a timeout) kept this call, ~3 kB, and made every later
        // traceback walk them all
        return yield* raiseAt(k, error);
      }
      settled = true;
      report(ctx, effect, end, { status: "answered", value });
      return yield* transfer(k, value);
    } finally {
      if (!settled) {
        // closed while the effect waited: never answered. A handler outside that threw from its own
        // code (not at the perform site) ended the program so: that is how the effect's handling
        // ended — its span an error with the handler's error, not a cancellation
        const why = yield* closingReason();
        report(ctx, effect, end, why?.status === "threw" ? why : CANCELLED);
      }
    }
  } as unknown as Handler<undefined> & { handles?: (e: unknown) => boolean; [TAKES]?: unknown };
  h[TRACE_QUIET] = true; // an error an outer handler gives shows as in a run without it
  // never an answer: it finds the task where the perform site is at hand (taskAt), for the handler
  h[FAST_PATH] = (effect: unknown, ctx: RunContext, site?: unknown): unknown => {
    if (!UNSHOWN.has(effect as object)) {
      atTask = taskAt(ctx, site);
      atCtx = ctx;
      atSite = site;
      atEffect = effect; // (last: the stash is the invocation's only once it is whole)
    }
    return DEFER;
  };
  if (only !== undefined) {
    const list: unknown[] = Array.isArray(only) ? only.slice() : [only];
    const bad = list.length === 0 ? "an empty list" : firstNotAnEffectClass(list);
    if (bad !== null)
      throw new TypeError(
        `observe expects an effect class or a non-empty list of them first (or only the callback, to observe every effect), got ${bad}`,
      );
    const cs = list as EffectClass[];
    h.handles = (e) => cs.some((c) => e instanceof c);
    h[TAKES] = cs.length === 1 ? cs[0] : cs;
  }
  return h;
}

/**
 * The `scheduler` handler (SEMANTICS §9): cooperative tasks, FIFO-deterministic (R1–R9).
 *
 * It is an ordinary handler written against the public protocol only. Task switching is
 * `transfer(k, value)` / `transferWith(k, throwing)` into stashed continuations — a new task is a
 * transfer into its unstarted continuation `createContinuation(report(withHandlers(inner, p)),
 * [scheduler])` — so handler frames never pile up. The one exception (R8): the scheduler's first
 * invocation in a run resumes main non-tail, so that it regains control when main finishes, cancels
 * the tasks still pending (R9) and only then lets main's outcome leave the withHandler.
 *
 * Per-run state (the "world") is keyed by (run, scheduler object) in `getRunContext().user`.
 */
import {
  AwaitPromise,
  Cancel,
  CompletePromise,
  FailPromise,
  Gather,
  IsDone,
  Race,
  SCHEDULER,
  SchedulerEffect,
  Spawn,
  type TaskInfo,
  Wait,
} from "../effects/scheduler.js";
import {
  capturedPrompt,
  capturedSite,
  type Continuation,
  DEFER,
  detach,
  discontinue,
  FAST_PATH,
  getRunContext,
  type Handler,
  type RunContext,
  type Primitive,
  pass,
  reinstalled,
  resume,
  SITE_PASS,
  TRACE_QUIET,
  transfer,
  TAKES,
} from "../protocol.js";
import { DONE, START, THROW, VALUE } from "./scheduler-cell.js";
import { cellOf, mine, ownedCells, type TaskRec, taskInfo } from "./scheduler-task.js";
import { OPEN, World } from "./scheduler-world.js";
import { cancelEffect, handleEffect, schedulerFastPaths, TaskDone, taskDone } from "./scheduler-ops.js";
import { shutdown } from "./scheduler-finalize.js";
import { pickNext } from "./scheduler-idle.js";
import {
  answerAtSite,
  awaitAtSite,
  doneAtSite,
  exactAtSite,
  gatherAtSite,
  NOT_EXACT,
  spawnAtSite,
} from "./scheduler-site.js";
import { named, raiseAt } from "./util.js";
import { deadlineAsk } from "../effects/deadline.js";

/** Does world `w` own the waitables this effect is about? (Effects about others are passed.) */
function owns(w: World | undefined, e: unknown): boolean {
  if (e instanceof Wait || e instanceof IsDone) return mine(w, e.waitable);
  if (e instanceof Cancel) return mine(w, e.task);
  if (e instanceof Gather || e instanceof Race) return ownedCells(w, e.waitables) !== null;
  if (e instanceof CompletePromise || e instanceof FailPromise) return mine(w, e.promise.future);
  return true;
}

/** The waitables an effect is about (none for the effects that make them). */
function waitablesOf(e: unknown): readonly unknown[] {
  return e instanceof Wait || e instanceof IsDone
    ? [e.waitable]
    : e instanceof Cancel
      ? [e.task]
      : e instanceof Gather || e instanceof Race
        ? e.waitables
        : e instanceof CompletePromise || e instanceof FailPromise
          ? [e.promise.future]
          : [];
}

/**
 * Effects this scheduler passed on because they are about a waitable of another run still going on
 * (a world of another RunContext: no handler of this run can own it). The usual cause is a semaphore
 * or channel shared by two concurrent runs: one run's `release` completes the other run's waiter.
 */
const ofOtherRun = new WeakSet<object>();

function markOtherRun(ctx: RunContext, e: object): void {
  for (const x of waitablesOf(e)) {
    const c = cellOf(x);
    if (c !== null && !c.world.closed && c.world.ctx !== ctx) ofOtherRun.add(e);
  }
}

/**
 * Why no handler took this effect, when it is about a task or future of another run: one that has
 * ended, or one going on at the same time. The scheduler passes such an effect on (§9.1), and "no
 * handler takes Wait … add the scheduler" alone would hide the cause (the scheduler is installed).
 * null otherwise. (UnhandledEffectError's message reads it.)
 */
function endedWorldOf(e: unknown): string | null {
  for (const x of waitablesOf(e)) {
    const c = cellOf(x);
    if (c?.world.closed)
      return "The task or future it is about belongs to a run that has ended: a Task, Future or promise handle is valid only inside the run that made it (return its value from that run instead)";
  }
  if (ofOtherRun.has(e as object))
    return "The task or future it is about belongs to another run going on at the same time, as when two runs share a semaphore or channel: use it within one run (spawn the concurrent work as its tasks)";
  return null;
}

SchedulerEffect.unhandledHint = endedWorldOf;

/**
 * The task performing now (observe's third argument): that of the world running it, found by its
 * context — the run's current context is the running task's (the scheduler sets it at every
 * switch, and while it finalizes a task). A different scheduler nested in a task is a world inside
 * it: its main has the hosting task's context, and its tasks are numbered on their own, so of the
 * worlds that match, the one made last (the innermost) answers, as `getTaskInfo()` would there.
 * Called for every observed effect: the open worlds are kept apart from the other per-run data.
 */
SchedulerEffect.currentTask = (ctx: unknown): TaskInfo | null => {
  const c = ctx as RunContext;
  const open = c.user.get(OPEN) as readonly World[] | undefined;
  if (open !== undefined)
    for (let i = open.length - 1; i >= 0; i--) {
      const t = open[i]!.current;
      if (t.ctx === c.current) return taskInfo(t);
    }
  return null;
};

/** The switch into `t` (R8): tail (transfer / transferWith), or non-tail for the first invocation. */
function go(w: World, t: TaskRec, first: boolean): Primitive<unknown, unknown> {
  const k = w.enter(t);
  const v = t.actionValue;
  t.actionValue = undefined;
  if (t.action === THROW) {
    const from = t.takeWokenBy();
    if (from !== null) w.received(from);
    return first ? discontinue(k, v) : raiseAt(k, v);
  }
  const arg = t.action === START ? undefined : v;
  return first ? resume(k, arg) : transfer(k, arg);
}

/**
 * An aborted run closes a scheduler invocation before it switched: the performing task's
 * continuation is left to the world's cleanup (shutdown finalizes it with the task's context
 * current) instead of being finalized where the invocation is closed.
 */
function* keepForShutdown(t: TaskRec, k: Continuation): Generator<unknown, void, any> {
  if (t.run !== DONE && t.k === null) t.k = k;
  yield* detach(k);
}

/** `t` goes on from `k` with `v` (as handleEffect's answer to an effect it answers with a value). */
function answered(t: TaskRec, k: Continuation, v: unknown): TaskRec {
  t.k = k;
  t.action = VALUE;
  t.actionValue = v;
  return t;
}

/** A new scheduler handler object (a separate world per run). `scheduler` is the standard one. */
export function createScheduler(): Handler<SchedulerEffect<any>> {
  let forget: (w: World) => void = () => {};
  const self: Handler<SchedulerEffect<any>> = function* scheduler(
    effect: unknown,
    k: Continuation,
  ): Generator<unknown, unknown, any> {
    const ctx = yield* getRunContext();
    let w = ctx.user.get(self) as World | undefined;
    if (!(effect instanceof TaskDone) && !owns(w, effect)) {
      markOtherRun(ctx, effect as object);
      return yield* pass();
    }
    const first = w === undefined;
    if (w === undefined) {
      w = new World(ctx, self);
      ctx.user.set(self, w);
    }
    const performer = w.current;
    if (!first) {
      let handed = false;
      try {
        w.applyExternal(); // R7
        // (a completion report switches without a handleEffect generator when a task is ready)
        let next: TaskRec | null;
        if (effect instanceof TaskDone) {
          if (w.doneApplied === effect.task) {
            // the FAST_PATH applied the report already and could not switch at the site
            next = w.doneNext;
            w.doneApplied = null;
            w.doneNext = null;
          } else next = taskDone(w, effect, k);
          if (next === null) next = yield* pickNext(w);
        } else if (effect instanceof Cancel) next = yield* cancelEffect(w, effect, k);
        else next = yield* handleEffect(self, w, effect, k);
        handed = true;
        return yield* go(w, next, false);
      } finally {
        // closed before its switch by an aborted run (§9.8): keep k for the world's cleanup
        if (!handed && w.aborting) yield* keepForShutdown(performer, k);
      }
    }
    // R8: the first invocation resumes non-tail and regains control when main finishes.
    let ok = true;
    let out: unknown;
    let resumed = false;
    let shutdownStarted = false;
    try {
      w.applyExternal(); // R7
      // timeout's wake promise, asked for a deadline: answered as the FAST_PATH answers it at the
      // site (the run's first scheduler effect is often timeout's: a request's deadline)
      const next =
        effect === deadlineAsk.effect && schedulerFastPaths.atSite
          ? answered(performer, k, deadlineAsk.atSite!(w, self, capturedSite(k), capturedPrompt(k)))
          : yield* handleEffect(self, w, effect, k);
      resumed = true;
      try {
        out = yield* go(w, next, true);
      } catch (e) {
        ok = false;
        out = e;
      }
      shutdownStarted = true;
      yield* shutdown(w, ok); // R9
    } finally {
      // Also when the scheduler's scope is abandoned from outside (this frame is being closed,
      // main's frames already were) or the run is aborted: pending tasks are cancelled all the
      // same, then the world goes.
      // (An abort can also interrupt R9 itself: the tasks it had not reached are cancelled now.)
      if (!shutdownStarted || w.aborting) {
        // (main did not end by itself: what it would have collected is not "never collected")
        if (!shutdownStarted) w.cutOff = true;
        shutdownStarted = true;
        if (!resumed && w.aborting) yield* keepForShutdown(performer, k);
        yield* shutdown(w);
      }
      w.close();
      forget(w);
      if (ctx.user.get(self) === w) ctx.user.delete(self);
      ctx.setCurrent(w.main.ctx);
    }
    if (!ok) throw out;
    return out;
  };
  self.handles = (e) => e instanceof SchedulerEffect || e instanceof TaskDone;
  self[TAKES] = [SchedulerEffect, TaskDone];
  named("scheduler", self);
  // At the perform site, without an invocation (scheduler-site.ts: answerAtSite, spawnAtSite,
  // awaitAtSite, blockAtSite, doneAtSite): effects answered with a value, and switches to a ready
  // task continued with a value. The run's first invocation (R8), idle processing, throws into a
  // task and everything else: DEFER, the handler below.
  // The world of the last run seen, so the per-effect Map lookup is skipped while the run goes on;
  // dropped when that world closes (no finished run is retained by the handler object).
  let lastCtx: RunContext | null = null;
  let lastWorld: World | undefined;
  self[FAST_PATH] = (effect: unknown, ctx: RunContext, site?: unknown, prompt?: unknown): unknown => {
    // The same scheduler installed again inside its own scope (a withHandler(scheduler, …) in a
    // task, or listed twice): that inner prompt is transparent, so the scope's world takes the
    // effect at the prompt it put in place (its tasks switch there, not inside the hosting task).
    if (reinstalled(prompt, self)) {
      SITE_PASS.on = true;
      return DEFER;
    }
    let w = ctx === lastCtx ? lastWorld : undefined;
    if (w === undefined || w.closed) {
      w = ctx.user.get(self) as World | undefined;
      if (w === undefined || w.closed) return DEFER;
      lastCtx = ctx;
      lastWorld = w;
    }
    // by exact class first (a subclass takes the general tests): these three are always owned —
    // Spawn and TaskDone first, one of each per task (spawn + gather: a compare less per effect)
    const c = (effect as object).constructor;
    if (c === Spawn) return spawnAtSite(w, self, effect as Spawn<unknown, unknown>, site, prompt);
    if (c === TaskDone) return doneAtSite(w, effect as TaskDone);
    if (c === AwaitPromise) return awaitAtSite(w, effect as AwaitPromise);
    if (c === Gather) return gatherAtSite(w, effect as Gather<unknown>);
    // timeout's wake promise, asked for a deadline (scheduler-deadline.ts)
    if (effect === deadlineAsk.effect && schedulerFastPaths.atSite)
      return deadlineAsk.atSite!(w, self, site, prompt);
    const r = exactAtSite(w, c, effect);
    if (r !== NOT_EXACT) return r;
    if (!owns(w, effect)) return DEFER;
    return answerAtSite(w, effect);
  };
  forget = (w: World) => {
    if (lastWorld === w) {
      lastCtx = null;
      lastWorld = undefined;
    }
  };
  (self as { [SCHEDULER]?: boolean })[SCHEDULER] = true;
  // its first invocation (resuming main) is on every chain: keep it out of tracebacks
  self[TRACE_QUIET] = true;
  return self;
}

/** The standard scheduler (SEMANTICS §9). */
export const scheduler: Handler<SchedulerEffect<any>> = createScheduler();

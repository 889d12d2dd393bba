/**
 * The scheduler's answers at the perform site (its FAST_PATH hook, SEMANTICS §9, INV-10): for the
 * effects whose general path (scheduler-ops.ts, through a handler invocation) would continue the
 * performing task with a value, switch to the ready-queue head, or await a promise while nothing
 * else can run, the same state changes made here and the VM told what to do at the site — deliver
 * a value, switchAnswer or awaitAnswer. Everything else answers DEFER and goes to the handler. Each
 * path is switchable (schedulerFastPaths) and compared with the general path on random programs
 * (test/scheduler-fast-path.test.ts, test/scheduler-await-alone.test.ts,
 * test/scheduler-wait-alone.test.ts).
 */
import {
  AwaitPromise,
  Cancel,
  cleanCancel,
  CompletePromise,
  CreateExternalPromise,
  CreatePromise,
  Gather,
  GetAbortSignal,
  GetTaskInfo,
  IsDone,
  RegisterIdleSource,
  type Spawn,
  Wait,
} from "../effects/scheduler.js";
import {
  awaitAnswer,
  DEFER,
  type Handler,
  handBack,
  handlersInside,
  SITE_SWITCH,
  switchAnswer,
} from "../protocol.js";
import {
  awaitExternal,
  callThunk,
  schedulerFastPaths,
  spawnedTask,
  type TaskDone,
  taskDone,
} from "./scheduler-ops.js";
import { finishCancel, signalOf } from "./scheduler-cancel.js";
import {
  type Cell,
  DONE,
  CANCELLING,
  FAILED,
  PENDING,
  PromiseCell,
  READY,
  START,
  SUCCEEDED,
  THROW,
  W_GATHER,
  W_WAIT,
} from "./scheduler-cell.js";
import { finalizing } from "./scheduler-finalize.js";
import { gatherValues, mergeLog } from "./scheduler-outcome.js";
import { newExternal, newPromise, nextExternal } from "./scheduler-promise.js";
import { cellOf, mine, ownedCells, TaskRec, taskInfo, Wrapped } from "./scheduler-task.js";
import { addWaiterOf, settle } from "./scheduler-waiters.js";
import type { World } from "./scheduler-world.js";

/**
 * The scheduler's FAST_PATH answer (SEMANTICS §9, INV-10): for an effect that the general path
 * answers by continuing the performing task with a value — no block, no switch, no throw — that
 * value, computed by the same code; DEFER for everything else (and for the effects of another
 * world, which the handler passes). External completions are applied first (R7), as the handler
 * does at every invocation. Compared with the general path in test/scheduler-fast-path.test.ts.
 */
export function answerAtSite(w: World, effect: unknown): unknown {
  if (!schedulerFastPaths.atSite) return DEFER;
  if (effect instanceof CreatePromise) return createAtSite(w);
  if (effect instanceof CreateExternalPromise) {
    w.applyExternal();
    return newExternal(w, effect);
  }
  if (effect instanceof Wait) return waitAtSite(w, effect);
  if (effect instanceof CompletePromise) return completeAtSite(w, effect);
  if (effect instanceof Gather) return gatherAtSite(w, effect);
  if (effect instanceof IsDone) return isDoneAtSite(w, effect);
  if (effect instanceof GetAbortSignal) {
    w.applyExternal();
    return signalOf(w, w.current);
  }
  if (effect instanceof GetTaskInfo) return taskInfo(w.current);
  if (effect instanceof Cancel) return cancelAtSite(w, effect);
  if (effect instanceof RegisterIdleSource) return registerAtSite(w, effect);
  if (effect instanceof AwaitPromise) return awaitAtSite(w, effect); // (a subclass)
  return DEFER;
}

/**
 * answerAtSite's answer for an effect of exactly class `c` (the FAST_PATH's lane for the toolkit's
 * common effects: no chain of instanceof tests, each a walk up the effect's prototypes), `owns`
 * tested on the way; NOT_EXACT for other classes (the general tests then).
 */
export function exactAtSite(w: World, c: unknown, effect: unknown): unknown {
  // the waitable the effect is about, which `w` must own (CreatePromise, RegisterIdleSource: none)
  let about: unknown;
  if (c === Wait || c === IsDone) about = (effect as Wait<unknown> | IsDone).waitable;
  else if (c === CompletePromise) about = (effect as CompletePromise).promise.future;
  else if (c === Cancel) about = (effect as Cancel).task;
  else if (c !== CreatePromise && c !== RegisterIdleSource) return NOT_EXACT;
  if (!schedulerFastPaths.atSite || (about !== undefined && !mine(w, about))) return DEFER;
  if (c === Wait) return waitAtSite(w, effect as Wait<unknown>);
  if (c === IsDone) return isDoneAtSite(w, effect as IsDone);
  if (c === CompletePromise) return completeAtSite(w, effect as CompletePromise);
  if (c === Cancel) return cancelAtSite(w, effect as Cancel);
  if (c === CreatePromise) return createAtSite(w);
  return registerAtSite(w, effect as RegisterIdleSource);
}

/** exactAtSite's answer for an effect of another class (an answer may be undefined: completePromise's). */
export const NOT_EXACT: unique symbol = Symbol("doeff.scheduler.notExact");

function createAtSite(w: World): unknown {
  w.applyExternal();
  return newPromise(w);
}

function waitAtSite(w: World, effect: Wait<unknown>): unknown {
  w.applyExternal();
  const c = cellOf(effect.waitable)!;
  if (c.state === PENDING) {
    const r = c instanceof PromiseCell && c.external ? waitAlone(w, c) : DEFER;
    return r !== DEFER ? r : blockAtSite(w, W_WAIT, c, null, effect);
  }
  if (c.state !== SUCCEEDED) return DEFER;
  if (c instanceof TaskRec) mergeLog(w.current, c);
  return c.value;
}

function completeAtSite(w: World, effect: CompletePromise): unknown {
  w.applyExternal();
  const c = cellOf(effect.promise.future) as PromiseCell; // (a Future's cell)
  if (c.requested || c.state !== PENDING) return DEFER;
  settle(w, c, true, effect.value);
  return undefined;
}

function isDoneAtSite(w: World, effect: IsDone): unknown {
  w.applyExternal();
  const c = cellOf(effect.waitable)!;
  return c instanceof TaskRec ? c.run === DONE || c.run === CANCELLING : c.state !== PENDING;
}

/** registerIdleSource at the perform site: the general path's answer (a value, nothing else). */
function registerAtSite(w: World, effect: RegisterIdleSource): unknown {
  w.applyExternal();
  return w.registerIdle(effect.source);
}

/**
 * cancel at the perform site, where the general path runs no code of the task: it is done (or being
 * finalized) → false; it has not started → it ends cancelled here (finishCancel, as cancelOther
 * does), a clean cancel → true. A task that has started has finally blocks to run (or is the
 * caller): the handler.
 */
function cancelAtSite(w: World, effect: Cancel): unknown {
  w.applyExternal();
  const t = cellOf(effect.task) as TaskRec;
  if (t.run === DONE || t.run === CANCELLING) return false;
  if (t === w.current || t.run !== READY || t.action !== START) return DEFER;
  finishCancel(w, t, null); // unstarted: runs no code
  if (effect.owned) cleanCancel.effect = effect;
  return true;
}

/**
 * gather at the perform site: its cells read once, ownership checked on the way (the FAST_PATH
 * calls this for a Gather before `owns`, which would read every cell a second time: a gather of
 * 1,000 tasks). A waitable of another world → DEFER (the handler passes the effect on).
 */
export function gatherAtSite(w: World, effect: Gather<unknown>): unknown {
  if (!schedulerFastPaths.atSite) return DEFER;
  const ws = effect.waitables;
  const items = ownedCells(w, ws);
  if (items === null) return DEFER;
  w.applyExternal();
  let pending = false;
  for (const c of items) {
    if (c.state === FAILED) return DEFER; // thrown by the handler
    if (c.state === PENDING) pending = true;
  }
  if (pending) return blockAtSite(w, W_GATHER, items, ws, effect);
  return gatherValues(w.current, items);
}

/**
 * wait on a pending external promise when it is the only thing that can make progress: no ready
 * task, no idle source, no other external promise pending or queued, nobody else waiting on it
 * (`World.aloneWith(cur, 1)`) — e.g. doeff/workers' job, or a lone `delay` under realTime. The
 * general path blocks the task, finds nothing to run and awaits the next external completion
 * (R6 (3)), which can only be this one; applies it (R7), which wakes the task alone; and switches
 * back to it with the outcome. Here the VM suspends the performing frame on that completion
 * (awaitAnswer) and continues it with the same outcome, without the handler invocation.
 * As for awaitAtSite, the task is not marked blocked meanwhile, so only in a run without a signal
 * (an abort is the one thing that could observe it). Compared with the general path in
 * test/scheduler-wait-alone.test.ts.
 */
function waitAlone(w: World, c: Cell): unknown {
  // (c is a pending external promise's cell)
  const cur = w.current;
  if (!schedulerFastPaths.waitAtSite || w.ctx.driver !== "async" || w.ctx.signal !== null) return DEFER;
  if (c.waiters !== null || finalizing(w, cur) || !w.aloneWith(cur, 1)) return DEFER;
  // (a promise only this run could complete, and nothing of it runs: a deadlock, R6 (3) says so)
  if (w.insideOnly?.get(c as PromiseCell)?.() === true) return DEFER;
  schedulerFastPaths.waitAtSiteTaken++;
  return awaitAnswer(() => completionOf(w, c));
}

/** c's outcome once an external completion settles it (others that come first are applied as R6 (3) would). */
function completionOf(w: World, c: Cell): Promise<unknown> {
  return nextExternal(w).then(() => {
    // settles c (nobody waits on it: no task wakes), or first a stale completion of an awaitPromise
    // its cancelled task abandoned (abandonAwait, scheduler-promise.ts), after which the wait goes on
    w.applyExternal();
    if (c.state === PENDING) return completionOf(w, c);
    if (c.state === SUCCEEDED) return c.value;
    throw c.value;
  });
}

/**
 * awaitPromise at the perform site: awaitAlone's case (nothing else can run until the promise
 * settles) without the handler invocation — the VM suspends the performing frame on the promise
 * (awaitAnswer) and continues it with the outcome. awaitAlone's task is marked blocked meanwhile, so
 * that an aborted run finalizes it as a blocked task (its signal aborted before its finally blocks),
 * and the abort's report says where it waited; the one thing that can see the difference is the
 * run's abort. So in a run with a signal the wait is handed back to the handler when the run aborts
 * (handBack, before any listener of the scheduler sees the abort: the task then blocked in
 * awaitAlone with this thunk's outcome, exactly as if the handler had taken the effect), and until
 * then it costs what it costs without a signal. The handler's order is kept: R7, the sync-driver and
 * finalizing checks (DEFER: the handler throws), the thunk, then the alone test — when the thunk
 * made another task runnable, its outcome is handed to the handler (World.prestarted) and the
 * general path continues. Compared with the general path in test/scheduler-await-alone.test.ts.
 */
export function awaitAtSite(w: World, effect: AwaitPromise<unknown>): unknown {
  if (w.ctx.driver !== "async" || w.handedBack !== null) return DEFER;
  const signal = w.ctx.signal !== null;
  // (with a signal, the abort hands the wait back to awaitAlone: so only where that would be taken)
  const inPlace = schedulerFastPaths.awaitAtSite && (!signal || schedulerFastPaths.awaitAlone);
  if (!inPlace && !schedulerFastPaths.blockAtSite) return DEFER;
  w.applyExternal();
  const cur = w.current;
  if (finalizing(w, cur)) return DEFER;
  // decided before the thunk runs: where the handler would await alone, or block and switch
  if (w.aloneWith(cur) ? !inPlace : !canBlockAtSite(w)) return DEFER;
  let r: unknown;
  try {
    r = callThunk(w, cur, effect);
  } catch (e) {
    w.prestarted = { effect, ok: false, value: e };
    return DEFER;
  }
  // (the thunk may have changed that: then the handler goes on with its outcome)
  if (w.aloneWith(cur)) {
    if (!inPlace) {
      w.prestarted = { effect, ok: true, value: r };
      return DEFER;
    }
    schedulerFastPaths.awaitAtSiteTaken++;
    // (a thunk that aborted the run itself: handed back as the abort begins, at once)
    return signal
      ? awaitAnswer(
          () => r,
          (m) => handBackTo(w, m, r),
        )
      : awaitAnswer(() => r);
  }
  if (!canBlockAtSite(w)) {
    w.prestarted = { effect, ok: true, value: r };
    return DEFER;
  }
  // the general path's block on an external promise the settlement completes, at the site
  return blockAtSite(w, W_WAIT, awaitExternal(w, cur, r), null, effect);
}

/** The run aborts while a task awaits `r` at its site: the wait becomes awaitAlone's (see above). */
function handBackTo(w: World, m: Parameters<typeof handBack>[0], r: unknown): void {
  w.handedBack = { value: r };
  try {
    handBack(m);
  } finally {
    w.handedBack = null;
  }
}

/**
 * spawn at the perform site (FAST_PATH): the general path's answer — the new task's handle, the task
 * queued, the performer continued — without the handler invocation. The handlers to wrap the
 * program in are those between the site and this scheduler's prompt, which the VM gives the hook;
 * R7 first, as the handler does. Compared with the general path in test/scheduler-fast-path.test.ts.
 */
export function spawnAtSite(
  w: World,
  self: Handler,
  effect: Spawn<unknown, unknown>,
  site: unknown,
  prompt: unknown,
): unknown {
  if (!schedulerFastPaths.spawnAtSite || site === undefined) return DEFER;
  w.applyExternal();
  const hs = handlersInside(site, prompt);
  const t = spawnedTask(w, effect, hs, hs.length);
  w.selfOnly ??= [self]; // for its continuation, made when it starts (World.enter)
  w.enqueue(t);
  return t;
}

/**
 * A finished task's report at the perform site (FAST_PATH): the general path's state changes
 * (taskDone), then the switch to the next ready task as SITE_SWITCH — the handler's `transfer`
 * into that task's continuation, the report's own continuation dropped — without the invocation.
 * A report during the task's own finalization, an aborting run, an empty ready queue (idle
 * processing) and a switch that throws into the task go to the handler, which continues from the
 * applied report (World.doneApplied).
 */
export function doneAtSite(w: World, effect: TaskDone): unknown {
  const t = effect.task;
  if (!schedulerFastPaths.doneAtSite || t.run === CANCELLING || w.aborting) return DEFER;
  w.applyExternal(); // R7, as the handler does first
  const next = taskDone(w, effect, null);
  if (next === null || next.action === THROW) {
    w.doneApplied = t;
    w.doneNext = next;
    return DEFER;
  }
  return switchTo(w, next, null);
}

/**
 * A blocking wait / gather at the perform site (FAST_PATH), when another task is ready to run
 * without idle processing and without a throw: blockOn's state changes, then the switch to the
 * ready-queue head as SITE_SWITCH, the performer's continuation captured by the VM into the task
 * record (keep) as the handler's k would have been. Anything else goes to the handler.
 */
function blockAtSite(
  w: World,
  kind: number,
  items: Cell | readonly Cell[],
  handles: readonly unknown[] | null,
  effect: unknown,
): unknown {
  const cur = w.current;
  if (!canBlockAtSite(w) || finalizing(w, cur)) return DEFER;
  const next = w.peek()!;
  addWaiterOf(cur, kind, items, handles, effect);
  w.block(cur, null);
  w.dequeue();
  return switchTo(w, next, cur);
}

/** Is the task to switch to after a block the ready-queue head, continued with a value? */
function canBlockAtSite(w: World): boolean {
  const next = w.peek();
  return schedulerFastPaths.blockAtSite && next !== null && next.action !== THROW;
}

/** go(w, next, false) with a value — the same state changes — as a SITE_SWITCH answer. */
function switchTo(w: World, next: TaskRec, keep: TaskRec | null): unknown {
  SITE_SWITCH.keep = keep;
  const k = next.k;
  if (k === null) {
    // unstarted: its report and body started in place (no continuation: SITE_SWITCH)
    w.enterTask(next);
    next.actionValue = undefined;
    SITE_SWITCH.reporter = next;
    const b = next.startBare();
    if (b instanceof Wrapped) {
      SITE_SWITCH.wrap = b.hs;
      SITE_SWITCH.body = b.body;
    } else SITE_SWITCH.body = b;
    SITE_SWITCH.handlers = w.selfOnly;
    return switchAnswer();
  }
  w.enterTask(next);
  const v = next.actionValue;
  next.actionValue = undefined;
  SITE_SWITCH.k = k;
  SITE_SWITCH.value = next.action === START ? undefined : v;
  return switchAnswer();
}

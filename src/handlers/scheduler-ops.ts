/**
 * The scheduler's operations (SEMANTICS §9.2–§9.5): one effect of the running task is handled and
 * the task to switch to is chosen — the same one (non-blocking, R2), the ready-queue head (R3, R5)
 * or what idle processing produces (R6, scheduler-idle.ts). Cancelling another task and the end of
 * main (R9) run finally blocks: that is scheduler-finalize.ts. The switch itself is made by the
 * handler (scheduler.ts).
 */
import { track } from "../effects/settling.js";
import {
  AwaitPromise,
  Cancel,
  Cede,
  cancelOwner,
  cleanCancel,
  CompletePromise,
  CreateExternalPromise,
  CreatePromise,
  FailPromise,
  Gather,
  GetAbortSignal,
  GetTaskInfo,
  IsDone,
  Race,
  RegisterIdleSource,
  RetryCede,
  Spawn,
  Wait,
} from "../effects/scheduler.js";
import { keepFast } from "../effects/keep-fast.js";
import { AsyncRequiredError, PromiseAlreadyCompletedError } from "../errors.js";
import {
  asyncEscape,
  type Continuation,
  describe,
  finalize,
  getHandlers,
  type Handler,
  isProgramLike,
  Program,
} from "../protocol.js";
import { abortReason, abortSignal, failTask, finishCancel, signalOf } from "./scheduler-cancel.js";
import {
  CANCELLING,
  type Cell,
  DONE,
  FAILED,
  PENDING,
  type PromiseCell,
  SUCCEEDED,
  THROW,
  VALUE,
  W_GATHER,
  W_RACE,
  W_WAIT,
} from "./scheduler-cell.js";
import { cancelPrepared, cancellingError, finalizeTask, finalizing } from "./scheduler-finalize.js";
import { pickNext } from "./scheduler-idle.js";
import { gatherValues, mergeLog, raceOutcome } from "./scheduler-outcome.js";
import { AwaitLink, awaited, externalCell, newExternal, newPromise } from "./scheduler-promise.js";
import { cellOf, STAND_INS, TaskDone, TaskRec, taskInfo, Wrapped } from "./scheduler-task.js";
import { addWaiterOf, settle } from "./scheduler-waiters.js";
import type { World } from "./scheduler-world.js";

export { TaskDone };

/** Continue the performing task with a value / by throwing at its perform site. */
function cont(t: TaskRec, k: Continuation, v: unknown): TaskRec {
  t.k = k;
  t.action = VALUE;
  t.actionValue = v;
  return t;
}
function contThrow(t: TaskRec, k: Continuation, e: unknown): TaskRec {
  t.k = k;
  t.action = THROW;
  t.actionValue = e;
  return t;
}

/** Block the performing task on `items` and switch (R3); inside a finalization → TaskCancelledError. */
function* blockOn(
  w: World,
  cur: TaskRec,
  k: Continuation,
  kind: number,
  items: Cell | readonly Cell[],
  handles: readonly unknown[] | null,
  effect: unknown,
): Generator<unknown, TaskRec, any> {
  if (finalizing(w, cur)) return contThrow(cur, k, cancellingError(w, cur));
  addWaiterOf(cur, kind, items, handles, effect);
  w.block(cur, k);
  return yield* pickNext(w);
}

/** @internal The scheduler's fast paths, switchable so tests can compare each with the general path. */
export const schedulerFastPaths = {
  awaitAlone: true,
  awaitAloneTaken: 0,
  atSite: true,
  awaitAtSite: true,
  awaitAtSiteTaken: 0,
  spawnAtSite: true,
  doneAtSite: true,
  blockAtSite: true,
  waitAtSite: true,
  waitAtSiteTaken: 0,
};

/**
 * awaitPromise when nothing else can run until it settles (no ready task, no idle source, no
 * external promise pending or queued: `World.aloneWith`): the general path would make an external
 * promise for it, block the task and, finding nothing to run, await that promise's completion
 * (R6 (3)) and switch straight back to the task. This awaits the promise itself, the task marked
 * blocked meanwhile (so an aborted run finalizes it as any blocked task), and continues the task
 * with its outcome — the same outcome, in the same order (test/scheduler-await-alone.test.ts).
 */
function* awaitAlone(w: World, cur: TaskRec, k: Continuation, r: unknown): Generator<unknown, TaskRec, any> {
  schedulerFastPaths.awaitAloneTaken++;
  w.block(cur, k);
  // The outcome comes back as a value, never thrown into this handler frame: a rejection is first
  // thrown at the task's perform site (contThrow), so its traceback is the general path's.
  const o = (yield* asyncEscape(() => Promise.resolve(r).then(settledOk, settledErr))) as Settled;
  return o.ok ? cont(cur, k, o.value) : contThrow(cur, k, o.value);
}

interface Settled {
  readonly ok: boolean;
  readonly value: unknown;
}
const settledOk = (value: unknown): Settled => ({ ok: true, value });
const settledErr = (value: unknown): Settled => ({ ok: false, value });

/**
 * Call an awaitPromise thunk: with the task's AbortSignal when it declares a parameter
 * (`(signal) => …`), as Effect's `Effect.promise` does; a thunk that declares none (`() => …`)
 * cannot name it, and making a signal costs ~2.4 µs on Node 20 — more than the rest of the await.
 * (A thunk with only a rest or default parameter has length 0 too: docs/concurrency.md says so.)
 */
export function callThunk(w: World, cur: TaskRec, effect: AwaitPromise<unknown>): unknown {
  const thunk = effect.thunk;
  let r = thunk.length === 0 ? (thunk as () => unknown)() : thunk(signalOf(w, cur));
  // A program in place of a promise (`awaitPromise(() => fetchUser(1))` with fetchUser a doeff fn)
  // would be the answer itself, never run: thrown at the perform site instead, as a thunk's throw.
  if (r instanceof Promise) {
    // (runAsync's option settle: the run's result waits for the promises its cancellations abandon)
    if (w.settling !== null) track(w.settling, r);
  } else {
    const generator = Object.prototype.toString.call(r) === "[object Generator]";
    if (generator || isProgramLike(r))
      throw new TypeError(
        `awaitPromise's function returned a ${r instanceof Program ? "Program" : generator ? "generator object" : describe(r)}; \`yield*\` it instead (awaitPromise is for promises)`,
      );
    // (settle: a thenable that is no Promise, a query builder's, made one here — its then called
    // once, as the await would — so that it is counted too)
    if (w.settling !== null && r !== null && (typeof r === "object" || typeof r === "function"))
      track(w.settling, (r = Promise.resolve(r)));
  }
  return r;
}

/**
 * A new task for `spawn` and its program: the spawned program under the handlers between the spawn
 * site and the scheduler (`hs[0..n)`, innermost first), the task record as its body's Reporter (TaskRec).
 */
export function spawnedTask(
  w: World,
  effect: Spawn<unknown, unknown>,
  hs: readonly Handler[],
  n: number,
): TaskRec {
  const t = w.newTask(w.spawnContext(effect.store === "isolated", effect.owned === true));
  // (wrapped when it starts; a combinator's child with no handler between runs bare: OwnedChild)
  t.body =
    n > 0
      ? new Wrapped(effect.program, n === hs.length ? hs : hs.slice(0, n))
      : (effect.child ?? effect.program);
  if (effect.site !== undefined) t.spawnSite = effect.site;
  return t;
}

/**
 * A task's completion report (R5): the task to switch to when the ready queue has one, or null when
 * pickNext's idle processing must choose (the report's continuation is simply dropped). A plain
 * function, so the common switch creates no generator.
 */
export function taskDone(w: World, effect: TaskDone, k: Continuation | null): TaskRec | null {
  const t = effect.task;
  const child = effect.child;
  if (child !== null) {
    // its combinator first, as the wrapper frame it runs without would have told it (OwnedChild)
    effect.child = null;
    const p = t.run === CANCELLING ? child.ended() : child.done(effect.ok, effect.value);
    if (p !== null) settle(w, cellOf(p.future) as PromiseCell, true, undefined);
  }
  if (t.run === CANCELLING) return cont(t, k!, undefined); // completed during its own finalization (never at the site)
  w.finished(t);
  if (effect.ok) settle(w, t, true, effect.value);
  else failTask(w, t, effect.value);
  return w.dequeue();
}

/**
 * awaitPromise's external cell: completed by the settlement of `r` (a settlement after the task
 * was cancelled — its cell abandoned — or after the run is ignored); the task awaits it. A bare cell,
 * not an ExternalPromise: nothing outside reads it, and a pending await then holds only the cell and
 * the two callbacks. Once settled the task no longer points at it (`awaited`, scheduler-promise.ts).
 */
export function awaitExternal(w: World, cur: TaskRec, r: unknown): PromiseCell {
  const cell = externalCell(w);
  // (the callbacks hold only the link, cut when the await ends: r may never settle — AwaitLink)
  const a = new AwaitLink(cur, cell);
  Promise.resolve(r).then(
    (v) => awaited(a, true, v),
    (e) => awaited(a, false, e),
  );
  cur.awaiting = a;
  return cell;
}

/**
 * A Cancel, handled (handleEffect's, and the scheduler's own for a Cancel: a generator of its own,
 * so that a cancel of a started task — a race's loser, its finally blocks to run — does not also
 * make handleEffect's, whose frame holds the registers of every effect it handles); answers the
 * task to switch to.
 */
export function* cancelEffect(w: World, effect: Cancel, k: Continuation): Generator<unknown, TaskRec, any> {
  const cur = w.current;
  const t = cellOf(effect.task) as TaskRec;
  if (t.run === DONE || t.run === CANCELLING) return cont(cur, k, false);
  if (t !== cur) {
    const was = cur.run;
    // clean: t is done and its finally blocks threw nothing (its error says only "cancelled")
    // (an owned Cancel: its combinator, named by the reason t's signal aborts with)
    const by = cancelOwner.effect === effect ? cancelOwner.who : null;
    // (cancelOther written out: one generator less per cancel of a started task)
    const kt = cancelPrepared(w, t, by);
    let clean: boolean;
    if (typeof kt === "boolean") clean = kt;
    else {
      const cause = yield* finalizeTask(w, t, kt, false, by);
      finishCancel(w, t, cause, true);
      clean = cause === null;
    }
    // (unless t's finally blocks cancelled the caller meanwhile: then as cancelling oneself)
    if (cur.run !== CANCELLING || was === CANCELLING) {
      if (effect.owned && clean) cleanCancel.effect = effect;
      return cont(cur, k, true);
    }
  }
  // Cancelling oneself: finalize the caller here (the call does not return).
  abortSignal(cur, () => abortReason(cur));
  cur.run = CANCELLING;
  let cause: { error: unknown } | null = null;
  try {
    yield* finalize(k);
  } catch (e) {
    cause = { error: e };
  }
  finishCancel(w, cur, cause, true);
  return yield* pickNext(w);
}

/** Handle one effect of the running task; answers the task to switch to (maybe the same one). */
export function* handleEffect(
  self: Handler,
  w: World,
  effect: unknown,
  k: Continuation,
): Generator<unknown, TaskRec, any> {
  const cur = w.current;
  if (effect instanceof TaskDone) return taskDone(w, effect, k) ?? (yield* pickNext(w));
  if (effect instanceof Spawn) {
    const hs = yield* getHandlers();
    // the taking prompt: the outermost one of `self` (one inside it is a reinstallation that
    // passed the spawn on, §9.7 — its handlers, and those between, wrap the task like any other)
    const n = hs.lastIndexOf(self);
    const t = spawnedTask(w, effect, hs, n < 0 ? hs.length : n);
    // A stand-in (Spawn.standIn: it comes here only) takes no id — the one just taken is given
    // back, so the next task spawned gets the id it would have — and has the current task's id
    // and parent: getTaskInfo() there answers for the current task
    const what = effect.standIn;
    if (what !== undefined) {
      w.nextId--;
      (t as { taskId: number }).taskId = cur.taskId;
      (t as { parent: number }).parent = cur.parent;
      STAND_INS.set(t, what);
    }
    w.selfOnly ??= [self]; // for its continuation, made when it starts (World.enter)
    w.enqueue(t);
    return cont(cur, k, t);
  }
  if (effect instanceof Wait) {
    const c = cellOf(effect.waitable)!;
    if (c.state === PENDING) return yield* blockOn(w, cur, k, W_WAIT, c, null, effect);
    if (c instanceof TaskRec) mergeLog(cur, c);
    return c.state === SUCCEEDED ? cont(cur, k, c.value) : contThrow(cur, k, c.value);
  }
  if (effect instanceof Gather) {
    const items = effect.waitables.map((x) => cellOf(x)!);
    let failed: Cell | null = null;
    let pending = 0;
    for (const c of items) {
      if (c.state === FAILED) {
        if (failed === null || c.seq < failed.seq) failed = c;
      } else if (c.state === PENDING) pending++;
    }
    if (failed !== null) {
      if (failed instanceof TaskRec) mergeLog(cur, failed);
      return contThrow(cur, k, failed.value);
    }
    if (pending === 0) return cont(cur, k, gatherValues(cur, items));
    return yield* blockOn(w, cur, k, W_GATHER, items, effect.waitables, effect);
  }
  if (effect instanceof Race) {
    const items = effect.waitables.map((x) => cellOf(x)!);
    if (items.length === 0) {
      return contThrow(cur, k, new TypeError("race() needs at least one waitable (a Task or a Future)"));
    }
    let winner: Cell | null = null;
    for (const c of items) if (c.state !== PENDING && (winner === null || c.seq < winner.seq)) winner = c;
    if (winner === null) return yield* blockOn(w, cur, k, W_RACE, items, effect.waitables, effect);
    const o = raceOutcome(items, effect.waitables, winner);
    if (winner instanceof TaskRec) mergeLog(cur, winner);
    return o.ok ? cont(cur, k, o.value) : contThrow(cur, k, o.value);
  }
  if (effect instanceof Cancel) return yield* cancelEffect(w, effect, k);
  if (effect instanceof IsDone) {
    const c = cellOf(effect.waitable)!;
    const done = c instanceof TaskRec ? c.run === DONE || c.run === CANCELLING : c.state !== PENDING;
    return cont(cur, k, done);
  }
  if (effect instanceof CreatePromise) return cont(cur, k, newPromise(w));
  if (effect instanceof CompletePromise || effect instanceof FailPromise) {
    const c = cellOf(effect.promise.future) as PromiseCell; // (a Future's cell)
    if (c.requested || c.state !== PENDING) return contThrow(cur, k, new PromiseAlreadyCompletedError());
    if (effect instanceof CompletePromise) settle(w, c, true, effect.value);
    else settle(w, c, false, effect.error);
    return cont(cur, k, undefined);
  }
  if (effect instanceof CreateExternalPromise) return cont(cur, k, newExternal(w, effect));
  if (effect instanceof AwaitPromise) {
    const back = w.handedBack;
    if (back !== null) {
      // awaited at its site until the run aborted (scheduler-site.ts awaitAtSite): the thunk was
      // called and the alone test made there, so the wait goes on as awaitAlone's
      w.handedBack = null;
      return yield* awaitAlone(w, cur, k, back.value);
    }
    if (w.ctx.driver === "sync") return contThrow(cur, k, new AsyncRequiredError("awaitPromise"));
    if (finalizing(w, cur)) return contThrow(cur, k, cancellingError(w, cur));
    let r: unknown;
    const pre = w.prestarted;
    if (pre !== null && pre.effect === effect) {
      w.prestarted = null; // the FAST_PATH called the thunk already (awaitAtSite)
      if (!pre.ok) return contThrow(cur, k, pre.value);
      r = pre.value;
    } else {
      try {
        r = callThunk(w, cur, effect);
      } catch (e) {
        return contThrow(cur, k, e); // a synchronous throw is thrown unchanged, without blocking
      }
    }
    if (schedulerFastPaths.awaitAlone && w.aloneWith(cur)) return yield* awaitAlone(w, cur, k, r);
    return yield* blockOn(w, cur, k, W_WAIT, awaitExternal(w, cur, r), null, effect);
  }
  if (effect instanceof GetAbortSignal) return cont(cur, k, signalOf(w, cur));
  if (effect instanceof GetTaskInfo) return cont(cur, k, taskInfo(cur));
  if (effect instanceof Cede) {
    // (no idle processing when nothing is ready: a simulated clock advances only when every task
    // waits, which this one does not)
    if (finalizing(w, cur) || !w.hasReady()) return cont(cur, k, undefined);
    w.enqueue(cont(cur, k, undefined));
    return w.dequeue()!;
  }
  if (effect instanceof RegisterIdleSource) {
    return cont(cur, k, w.registerIdle(effect.source));
  }
  throw new TypeError(`scheduler cannot handle ${String(effect)}`);
}

// The effect classes the scheduler makes and tests per effect: fast also under keepNames (see
// keep-fast.ts). Called here, by their handler, not in effects/scheduler.ts: a top-level call there
// kept all 16 classes in every bundle that imports `spawn` alone, past tree-shaking.
keepFast(
  Spawn,
  Wait,
  Gather,
  Race,
  Cancel,
  IsDone,
  CreatePromise,
  CompletePromise,
  FailPromise,
  CreateExternalPromise,
  AwaitPromise,
  GetAbortSignal,
  GetTaskInfo,
  Cede,
  RetryCede,
  RegisterIdleSource,
);

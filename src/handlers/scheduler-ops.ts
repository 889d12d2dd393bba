/**
 * The scheduler's operations (SEMANTICS §9.2–§9.5): one effect of the running task is handled and
 * the task to switch to is chosen — the same one (non-blocking, R2), the ready-queue head (R3, R5)
 * or what idle processing produces (R6). Cancellation (9.4) and the end of main (R9) live here too.
 * The switch itself is made by the handler (scheduler.ts).
 */
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
  FINALIZING,
  Gather,
  GetAbortSignal,
  GetTaskInfo,
  IsDone,
  Race,
  RegisterIdleSource,
  RetryCede,
  Spawn,
  Wait,
  type CancelledBy,
} from "../effects/scheduler.js";
import { keepFast } from "../effects/keep-fast.js";
import {
  AsyncRequiredError,
  ContinuationConsumedError,
  DeadlockError,
  PromiseAlreadyCompletedError,
  TaskCancelledError,
} from "../errors.js";
import {
  asyncEscape,
  blockedIn,
  type Continuation,
  describe,
  finalize,
  getCallStack,
  getHandlers,
  type Handler,
  heldBy,
  isProgramLike,
  macrotask,
  noteBlockedAt,
  Program,
} from "../protocol.js";
import { abortReason, abortSignal, failTask, finishCancel, signalOf } from "./scheduler-cancel.js";
import {
  BLOCKED,
  CANCELLING,
  type Cell,
  DONE,
  FAILED,
  PENDING,
  type PromiseCell,
  RUNNING,
  READY,
  START,
  SUCCEEDED,
  THROW,
  VALUE,
  W_GATHER,
  W_RACE,
  W_WAIT,
} from "./scheduler-cell.js";
import { gatherValues, mergeLog, raceOutcome } from "./scheduler-outcome.js";
import {
  AwaitLink,
  abandonAwait,
  awaited,
  externalCell,
  newExternal,
  newPromise,
  nextExternal,
} from "./scheduler-promise.js";
import { cellOf, TaskDone, TaskRec, taskInfo, Wrapped } from "./scheduler-task.js";
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

function cancellingError(w: World, t: TaskRec): TaskCancelledError {
  const who = t === w.main ? "the main task" : `task ${t.id}`;
  const why = w.aborting ? "the run was aborted (its signal)" : `${who} is being cancelled`;
  // (the fix too: people coming from Effect or effection expect a finalizer to wait for async work)
  const e = new TaskCancelledError(
    t.handle,
    `${why}: blocking operations (wait, gather, race, awaitPromise, delay) are not possible while finally blocks run; keep the cleanup that must finish non-blocking, start asynchronous cleanup without waiting for it, or do it after the run`,
  );
  FINALIZING.add(e);
  return e;
}

/** Is `t` being finalized (cancelled, or the whole run aborted)? Then blocking operations throw. */
export function finalizing(w: World, t: TaskRec): boolean {
  return t.run === CANCELLING || w.aborting;
}

/** Next task to run: the ready-queue head, or what idle processing (R6) produces. */
export function* pickNext(w: World): Generator<unknown, TaskRec, any> {
  for (;;) {
    const t = w.dequeue();
    if (t !== null) return t;
    // (0) an idle source (a simulated clock) is about to move time while external promises are
    // pending: first apply the completions of those that have settled, so an awaited promise that
    // settles without real waiting (an in-memory async mock) is answered at this virtual instant.
    // Under runAsync, one turn of the event loop first runs their callbacks: without it, whether
    // they were queued depended on whether the run had happened to yield (every 5 ms of real time),
    // and so did the virtual time at which the awaiting task went on. Also once a source was
    // dropped (a clock with no timer left): which of the tasks whose promises settled in one turn
    // went on before what the first one made ready depended on whether a clock had been dropped.
    if (w.pendingExternal > 0 && w.idleSeq > 0) {
      if (w.extQueue.length === 0 && w.ctx.driver === "async") yield* asyncEscape(macrotask);
      w.applyExternal();
      if (w.hasReady()) continue;
    }
    // (1) idle sources, in registration order
    let progressed = w.idleSources.length > 0;
    while (progressed && !w.hasReady()) progressed = w.askIdle();
    if (w.hasReady()) continue;
    // (2) queued external completions
    w.applyExternal();
    if (w.hasReady()) continue;
    // (3) pending external promises: runAsync awaits the next completion; run cannot. Those only
    // this run could complete now (a limiter's slot held by its own tasks, every one waiting) are
    // no wait at all: with nothing else pending, under either driver, the run is deadlocked.
    let inside = 0;
    if (w.insideOnly !== null) for (const f of w.insideOnly.values()) if (f()) inside++;
    if (w.pendingExternal > inside) {
      if (w.ctx.driver === "async") {
        yield* asyncEscape(() => nextExternal(w));
        continue;
      }
      // Under run, what only an abortable's signal could end is a deadlock: nothing outside runs
      // during a run, no task is left to abort it, and the signal would only cancel — the blocked
      // program inside is the bug, and the DeadlockError says where it waits. AsyncRequiredError's
      // runAsync would wait for the signal: for one never aborted, for ever.
      if (w.pendingExternal > inside + (w.cancelOnly?.size ?? 0))
        return throwIntoBlocked(
          w,
          new AsyncRequiredError(
            "waiting for an external promise (awaitPromise, createExternalPromise, a receive on an eventChannel)",
          ),
        );
    }
    // (4)
    return throwIntoBlocked(w, new DeadlockError(yield* deadlockMessage(w)));
  }
}

/** What a deadlock is, which tasks wait, and what to look for (the error names no fix otherwise). */
function* deadlockMessage(w: World): Generator<unknown, string, any> {
  const blocked: TaskRec[] = [];
  if (w.main.run === BLOCKED) blocked.push(w.main);
  for (let t = w.liveHead; t !== null; t = t.nextLive) if (t.run === BLOCKED && t !== w.main) blocked.push(t);
  const name = (t: TaskRec) => (t === w.main ? "main" : `task ${t.id}`);
  const more = blocked.length > 8 ? `, … (${blocked.length} in all)` : "";
  // where each waits: the program frames its continuation holds, outermost first (the traceback
  // shows only the task the error is thrown into; the others are where the cycle is found)
  const where: string[] = [];
  for (const t of blocked.slice(0, 8)) {
    // (through an observe inside the scheduler, waiting in its delegate: the program's frames)
    const k = t.k === null ? null : heldBy(t.k);
    const stack = k === null ? [] : yield* getCallStack(k);
    // and the library call it is blocked in, as an aborted run's report says (`receive(…)`): a
    // task blocked on a channel no one sends on named only its own frames
    const what = k === null ? undefined : blockedIn(k);
    where.push(
      `${name(t)}${
        stack.length === 0
          ? ""
          : ` in ${stack
              .map((e) => e.name)
              .reverse()
              .join(" > ")}`
      }${what === undefined ? "" : `, blocked in ${what}`}`,
    );
  }
  const last = w.mostRecentlyBlocked();
  return `deadlock: every task is blocked (${blocked.map(name).slice(0, 8).join(", ")}${more}) and nothing timed or external is pending; one waits for what no task will do (complete a promise, release a semaphore, send on or close a channel, finish; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks). Where they wait: ${where.join("; ")}${more}. Thrown where ${last === null ? "main" : name(last)} blocked last`;
}

/** R6 (3)/(4): the error is thrown into the most recently blocked task at its blocking call. */
function throwIntoBlocked(w: World, e: unknown): TaskRec {
  const t = w.mostRecentlyBlocked();
  if (t === null) throw new Error(`doeff scheduler: nothing is ready or blocked (${String(e)})`);
  // (thrown from this invocation, perhaps for another task's effect: its traceback is told which
  // effect t waits at, for its `effect Wait(Future): scheduler ✗` line)
  const x = t.waiter;
  if (x !== null && t.k !== null && w.self !== null) noteBlockedAt(t.k, x.effect, w.self, e);
  w.unblock(t);
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
  w.addWaiterOf(cur, kind, items, handles, effect);
  w.block(cur, k);
  return yield* pickNext(w);
}

/**
 * Run `t`'s finally blocks (finalize its stashed continuation) with its context current; answers
 * the first error a finally block threw, or null. Its signal is aborted first (§9.8).
 */
function* finalizeTask(
  w: World,
  t: TaskRec,
  kt: Continuation,
  mainEnded = false,
  by: CancelledBy | null = null,
): Generator<unknown, { error: unknown } | null, any> {
  abortSignal(t, () => abortReason(t, mainEnded, by));
  abandonAwait(w, t);
  t.run = CANCELLING;
  const prev = w.current;
  const prevCtx = w.ctx.current;
  w.current = t;
  w.ctx.setCurrent(t.ctx);
  try {
    yield* finalize(kt);
    return null;
  } catch (e) {
    // an aborted run may already have finalized this continuation while unwinding (it was stashed
    // mid-switch): nothing more ran, nothing was lost
    if (w.aborting && e instanceof ContinuationConsumedError) return null;
    return { error: e };
  } finally {
    // also when this frame is itself closed (the run aborted while the finally blocks ran)
    w.current = prev;
    w.ctx.setCurrent(prevCtx);
  }
}

/**
 * Cancel a task that is not the caller (9.4): its finally blocks run now, with its context current.
 * `r9`: cancelled because main finished or the run was aborted — nobody will ever wait for it, so an
 * error thrown by its finally blocks is reported on the RunResult (`warnings`) instead.
 */
function* cancelOther(
  w: World,
  t: TaskRec,
  r9: boolean,
  by: CancelledBy | null = null,
): Generator<unknown, boolean, any> {
  if (t.run === READY && t.action === START) {
    finishCancel(w, t, null); // unstarted: runs no code
    return true;
  }
  w.unblock(t);
  const kt = t.k;
  t.k = null;
  if (t.run === READY && t.action === THROW) unreceived(w, t);
  t.actionValue = undefined;
  if (t.run === RUNNING && kt === null && !w.aborting) {
    // t is running a cancel of its own, whose finalization ran this (a finally block cancelling
    // the task that cancels it: linked tasks). t's continuation is that cancel's: mark t being
    // cancelled, and its cancel finalizes it when it returns (handleEffect), as cancelling oneself
    // — t runs no more code of its own, and its finally blocks run before its waiters hear of it.
    abortSignal(t, () => abortReason(t, false, by));
    t.run = CANCELLING;
    return false;
  }
  if (t.run === RUNNING || t.run === CANCELLING || kt === null) {
    // not reachable by the rules, except in an aborted run (its frames were unwound with the run's)
    abortSignal(t, () => abortReason(t, false, by));
    finishCancel(w, t, null);
    return false;
  }
  const cause = yield* finalizeTask(w, t, kt, r9, by);
  if (cause !== null && r9)
    w.ctx.warn(cause.error, `a finally block of task ${t.id} threw while it was cancelled`);
  finishCancel(w, t, cause, !r9);
  return cause === null;
}

/**
 * t was woken with an error (a task's failure from its wait / gather / race, a failed future) and
 * is cancelled before it ran: no program receives that error, so it is kept on the warnings (the
 * warning a failed task's error had was taken back when it was handed to t). A TaskCancelledError
 * with no cause says only that another task was cancelled: nothing is lost with it.
 */
function unreceived(w: World, t: TaskRec): void {
  let e = t.actionValue;
  if (e instanceof TaskCancelledError) {
    if (!Object.hasOwn(e, "cause")) return;
    e = e.cause; // the error a finally block threw, kept as itself (as when nothing waited at all)
  }
  const from = t.takeWokenBy();
  // A promise the program failed itself (createPromise + failPromise, a channel's close failing a
  // blocked send) warns of nothing when no task waits for it; nor when its waiter was cancelled.
  // A failed task and an awaited JS promise's rejection do.
  if (from !== null && !(from instanceof TaskRec) && !(from as PromiseCell).external) return;
  const who = t === w.main ? "the main task" : `task ${t.id}`;
  // (provisional: another task woken with the same failure may still receive it)
  w.unreceived(from, e, `${who} was woken with this error and did not run to receive it`);
}

/**
 * R9: main finished; cancel every task not done, in ascending id order (including any spawned
 * meanwhile). In an aborted run (§9.8) main may not have finished: a main suspended in the
 * scheduler (blocked or ready) is finalized first.
 */
export function* shutdown(w: World): Generator<unknown, void, any> {
  const main = w.main;
  const km = main.k;
  if (main.run !== DONE && km !== null) {
    main.k = null;
    // main woken with an error it never ran to receive (the run aborted, or the scheduler's scope
    // abandoned): kept on the warnings, as for a task
    if (main.run === READY && main.action === THROW) unreceived(w, main);
    w.unblock(main);
    const cause = yield* finalizeTask(w, main, km);
    if (cause !== null)
      w.ctx.warn(cause.error, "a finally block of the main task threw while the run was aborted");
  }
  main.run = DONE;
  w.current = main;
  w.ctx.setCurrent(main.ctx);
  // always the live list's head: cancelOther ends every task it is given (finishCancel unlinks it),
  // tasks spawned meanwhile are appended, so this is ascending id order including those
  for (let t = w.liveHead; t !== null; t = w.liveHead) yield* cancelOther(w, t, true);
  w.current = main;
  w.ctx.setCurrent(main.ctx);
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
  const r = thunk.length === 0 ? (thunk as () => unknown)() : thunk(signalOf(w, cur));
  // A program in place of a promise (`awaitPromise(() => fetchUser(1))` with fetchUser a doeff fn)
  // would be the answer itself, never run: thrown at the perform site instead, as a thunk's throw.
  if (!(r instanceof Promise)) {
    const generator = Object.prototype.toString.call(r) === "[object Generator]";
    if (generator || isProgramLike(r))
      throw new TypeError(
        `awaitPromise's function returned a ${r instanceof Program ? "Program" : generator ? "generator object" : describe(r)}; \`yield*\` it instead (awaitPromise is for promises)`,
      );
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
  // (wrapped when it starts)
  t.body = n > 0 ? new Wrapped(effect.program, n === hs.length ? hs : hs.slice(0, n)) : effect.program;
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
  if (t.run === CANCELLING) return cont(t, k!, undefined); // completed during its own finalization (never at the site)
  w.finished(t);
  if (effect.ok) w.settle(t, true, effect.value);
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
  if (effect instanceof Cancel) {
    const t = cellOf(effect.task) as TaskRec;
    if (t.run === DONE || t.run === CANCELLING) return cont(cur, k, false);
    if (t !== cur) {
      const was = cur.run;
      // clean: t is done and its finally blocks threw nothing (its error says only "cancelled")
      // (an owned Cancel: its combinator, named by the reason t's signal aborts with)
      const by = cancelOwner.effect === effect ? cancelOwner.who : null;
      const clean = yield* cancelOther(w, t, false, by);
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
  if (effect instanceof IsDone) {
    const c = cellOf(effect.waitable)!;
    const done = c instanceof TaskRec ? c.run === DONE || c.run === CANCELLING : c.state !== PENDING;
    return cont(cur, k, done);
  }
  if (effect instanceof CreatePromise) return cont(cur, k, newPromise(w));
  if (effect instanceof CompletePromise || effect instanceof FailPromise) {
    const c = cellOf(effect.promise.future) as PromiseCell; // (a Future's cell)
    if (c.requested || c.state !== PENDING) return contThrow(cur, k, new PromiseAlreadyCompletedError());
    if (effect instanceof CompletePromise) w.settle(c, true, effect.value);
    else w.settle(c, false, effect.error);
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

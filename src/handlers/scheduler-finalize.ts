/**
 * Finalizing tasks (SEMANTICS §9.4, R9, §9.8): running a task's finally blocks with its context
 * current — a task cancelled by another (cancelOther), every task left when main ends (shutdown),
 * main too when the run's signal aborted — and the rule that a task being finalized cannot block
 * (its blocking operations throw a TaskCancelledError saying so).
 *
 * The state changes (its signal, its waiters' error, the warnings) are cancellation's bookkeeping
 * (scheduler-cancel.ts); this file holds the generators that run the finally blocks in between.
 * A task cancelling itself is finalized where its Cancel is handled (scheduler-ops.ts).
 */
import { type CancelledBy, FINALIZING } from "../effects/scheduler.js";
import { ContinuationConsumedError, TaskCancelledError } from "../errors.js";
import { type Continuation, finalize } from "../protocol.js";
import { abortReason, abortSignal, finishCancel } from "./scheduler-cancel.js";
import { CANCELLING, DONE, type PromiseCell, READY, RUNNING, START, THROW } from "./scheduler-cell.js";
import { abandonAwait } from "./scheduler-promise.js";
import { TaskRec } from "./scheduler-task.js";
import { type NeverRan, neverRanWarning, noteNeverRan } from "./scheduler-unstarted.js";
import type { World } from "./scheduler-world.js";

/** The error a blocking operation throws while its task is being finalized (§9.4). */
export function cancellingError(w: World, t: TaskRec): TaskCancelledError {
  const who = t !== w.main ? t.label : w.prefix === "" ? "the main task" : w.mainName;
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
/**
 * Run `t`'s finally blocks (finalize its stashed continuation) with its context current; answers
 * the first error a finally block threw, or null. Its signal is aborted first (§9.8).
 */
export function* finalizeTask(
  w: World,
  t: TaskRec,
  kt: Continuation,
  mainEnded = false,
  by: CancelledBy | null = null,
): Generator<unknown, { error: unknown } | null, any> {
  // (no signal made, none to abort: no closure made for its reason either — a race's loser)
  if (t.ctl !== null) abortSignal(t, () => abortReason(t, mainEnded, by));
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
export function* cancelOther(
  w: World,
  t: TaskRec,
  r9: boolean,
  by: CancelledBy | null = null,
): Generator<unknown, boolean, any> {
  const kt = cancelPrepared(w, t, by);
  if (typeof kt === "boolean") return kt;
  const cause = yield* finalizeTask(w, t, kt, r9, by);
  if (cause !== null && r9)
    w.ctx.warn(cause.error, `a finally block of ${t.label} threw while it was cancelled`);
  finishCancel(w, t, cause, !r9);
  return cause === null;
}

/**
 * cancelOther up to its finally blocks: t's continuation, taken from it, when they are to run
 * (finalizeTask, then finishCancel); else cancelOther's answer, t's cancel settled here (no code of
 * t runs). A plain function, so that a program's cancel of a started task (cancelEffect: a race's
 * loser) makes no generator for it.
 */
export function cancelPrepared(w: World, t: TaskRec, by: CancelledBy | null): Continuation | boolean {
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
  return kt;
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
  const who = t !== w.main ? t.label : w.prefix === "" ? "the main task" : w.mainName;
  // (provisional: another task woken with the same failure may still receive it)
  w.unreceived(from, e, `${who} was woken with this error and did not run to receive it`);
}

/**
 * R9: main finished; cancel every task not done, in ascending id order (including any spawned
 * meanwhile). In an aborted run (§9.8) main may not have finished: a main suspended in the
 * scheduler (blocked or ready) is finalized first.
 *
 * `returned`: main returned a value. Then the tasks cancelled here before they ever ran (not a
 * combinator's own) are one warning at the end (scheduler-unstarted.ts) — unless the run's signal
 * aborted meanwhile, whose Err says why the run stopped. (An abort during R9 closes this generator
 * at the next step boundary, so it never gets here; the test below is for one with none left.)
 */
export function* shutdown(w: World, returned = false): Generator<unknown, void, any> {
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
      w.ctx.warn(
        cause.error,
        `a finally block of ${w.prefix === "" ? "the main task" : w.mainName} threw while the run was aborted`,
      );
  }
  main.run = DONE;
  w.current = main;
  w.ctx.setCurrent(main.ctx);
  // always the live list's head: cancelOther ends every task it is given (finishCancel unlinks it),
  // tasks spawned meanwhile are appended, so this is ascending id order including those
  let neverRan: NeverRan | null = null;
  const late = w.nextId; // (a task with this id or above is spawned by a finally block run below)
  for (let t = w.liveHead; t !== null; t = w.liveHead) {
    if (returned && t.run === READY && t.action === START && !w.owned(t))
      neverRan = noteNeverRan(neverRan, t, t.taskId >= late);
    yield* cancelOther(w, t, true);
  }
  w.current = main;
  w.ctx.setCurrent(main.ctx);
  if (neverRan !== null && !w.aborting) {
    const [error, where] = neverRanWarning(neverRan, w.mainName, w.prefix !== "");
    w.ctx.warn(error, where);
  }
}

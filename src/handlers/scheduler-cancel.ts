/**
 * Cancellation's bookkeeping (SEMANTICS §9.4, §9.8): the state changes, where scheduler-finalize.ts
 * runs the finally blocks. A task's AbortSignal, made on first use and aborted before its finally
 * blocks run; the TaskCancelledError its waiters receive; and the error of a task that ended with
 * nobody waiting — a finally block's that threw while it was cancelled, or a failed task's — kept on
 * the run's warnings until a waiter reads it.
 */
import { type CancelledBy, RECEIVED_OUTSIDE } from "../effects/scheduler.js";
import { TaskCancelledError } from "../errors.js";
import { noteWait, provisionalWarning, reported, unstarted } from "../protocol.js";
import { BLOCKED, CANCELLING, DONE, PENDING, type Waiter } from "./scheduler-cell.js";
import { TaskRec } from "./scheduler-task.js";
import { settle } from "./scheduler-waiters.js";
import type { World } from "./scheduler-world.js";

/** The task's AbortSignal (made on first use; already aborted for a task being finalized). */
export function signalOf(w: World, t: TaskRec): AbortSignal {
  let c = t.ctl;
  if (c === null) {
    c = new AbortController();
    t.ctl = c;
    if (w.aborting) c.abort(w.ctx.signal?.reason);
    else if (t.run === CANCELLING || t.run === DONE) c.abort(abortReason(t));
  }
  return c.signal;
}

/**
 * The run's signal aborted: note what each blocked task (main too) is blocked in, on its
 * continuation, for the report (`blocked in wait(task 3)`, `gather(tasks 1, 2)`, `awaitPromise(…)`),
 * read from its wait before any is undone. A wait on one cell keeps no cell (scheduler-cell.ts
 * Waiter): the task it waits on is found among the tasks' waiters, and one not found is a promise.
 */
export function noteWaits(w: World): void {
  const tasks: TaskRec[] = [w.main];
  for (let t = w.liveHead; t !== null; t = t.nextLive) tasks.push(t);
  const on = new Map<Waiter, TaskRec>();
  for (const c of tasks) for (const x of [c.waiters ?? []].flat()) on.set(x, c);
  for (const t of tasks) {
    const x = t.waiter;
    // timeout's timer task waiting for its deadline, never started (scheduler-deadline.ts): reported
    // as the timer task blocked in its `delay` is — its continuation made now, to be finalized
    if (t.k === null && (x as { armed?: unknown } | null)?.armed !== undefined) {
      t.k = unstarted(reported(t), w.selfOnly!);
      noteWait(t.k, `delay(${(x as unknown as { ms: number }).ms})`, []);
      continue;
    }
    if (t.run !== BLOCKED || t.k === null) continue;
    const ids: number[] = [];
    let n = 0; // (promises)
    // (no waiter: an awaitPromise awaited alone, scheduler-ops.ts awaitAlone)
    if (x !== null && t.awaiting === null)
      for (const c of x.items ?? [on.get(x)]) {
        if (c === undefined) n++;
        else if (c.state === PENDING) {
          if (c instanceof TaskRec) ids.push(c.taskId);
          else n++;
        }
      }
    const args = [ids[0] === undefined ? "" : "#", n > 1 ? `${n} promises` : n ? "a promise" : ""];
    // (an awaitPromise's `…` stays: it has no label, its function is most often an arrow with no
    // name, `() => fetch(url)`, and keeping either per await — on each of its three paths, the
    // fastest at the perform site — would cost every await for a report few runs make; the frames
    // above the line, and with trace sites their lines, say which await it was)
    noteWait(
      t.k,
      x === null || t.awaiting !== null
        ? "awaitPromise(…)"
        : `${["wait", "gather", "race"][x.kind]}(${args.filter((a) => a).join(", ")})`,
      ids,
    );
  }
}

/** Abort the task's signal (if it has one) before its finally blocks run. */
export function abortSignal(t: TaskRec, reason: () => unknown): void {
  const c = t.ctl;
  if (c !== null && !c.signal.aborted) c.abort(reason());
}

/**
 * The reason a cancelled task's AbortSignal aborts with: what code outside the run sees (a `fetch`
 * rejects with it). A TaskCancelledError (`.task`, instanceof), named "AbortError": front-end code
 * tells an abort from a failure by `e.name === "AbortError"` (MDN's idiom; fetch wrappers, retry
 * helpers and error reporters test it), and a stale search's aborted request is no failure to
 * report. Its message names who cancelled the task: `by`, a combinator that started it and why
 * (forEachLatest for a stale query, timeout, raceAll, …: effects/scheduler.ts `cancelOwner`;
 * and `ownerWhy`), main ending, or a `cancel(task)`.
 * The errors the task's waiters receive keep their name (`cancelledError`).
 */
export function abortReason(
  t: TaskRec,
  mainEnded = false,
  by: CancelledBy | null = null,
): TaskCancelledError {
  const e =
    by === null
      ? cancelledError(t, null, mainEnded)
      : new TaskCancelledError(t.handle, `${t.label} was cancelled by ${ownerWhy(t.world, by)}`);
  e.name = "AbortError";
  return e;
}

/**
 * Why combinator `by` cancelled a task it started, read as it cancels it (the canceller is the
 * current task): done with it — or its own task is being cancelled (a `cancel` of that task, main
 * ending), where "no longer needs it" hid who really ended it.
 */
function ownerWhy(w: World, by: CancelledBy): string {
  const who = typeof by === "string" ? by : by.who;
  const owner = w.current;
  if (owner.run !== CANCELLING)
    return typeof by === "string" ? `${who}, which started it and no longer needs it` : `${who}, ${by.why}`;
  const why = w.main.run === DONE ? ` because ${w.mainName} ended` : "";
  return `${who}, which started it, as the task running ${who} (${owner.label}) was cancelled${why}`;
}

/**
 * `mainEnded`: cancelled because main finished (R9), not by a `cancel` — the reason its signal
 * aborts with, which code outside the run sees (a fetch's rejection, a channel stream's pulls), so
 * it says so rather than "expected after cancel(task)", which nobody called.
 */
export function cancelledError(
  t: TaskRec,
  cause: { error: unknown } | null,
  mainEnded = false,
): TaskCancelledError {
  const fix = "expected after cancel(task): catch TaskCancelledError where you wait for it";
  if (mainEnded && cause === null)
    return new TaskCancelledError(
      t.handle,
      `${t.label} was cancelled because ${t.world.mainName} ended (wait for it in ${t.world.mainName} if it must finish)`,
    );
  return cause === null
    ? new TaskCancelledError(t.handle, `${t.label} was cancelled (${fix})`)
    : new TaskCancelledError(
        t.handle,
        `${t.label} was cancelled and a finally block of it threw (the cause; ${fix})`,
        {
          cause: cause.error,
        },
      );
}

/**
 * t failed with `e`. A program receives the error only through a `wait` / `gather` / `race` on t,
 * and perhaps nothing ever waits (a task spawned and forgotten): so, as for a cancelled task's
 * finally error, it is kept on the run's warnings now and taken back when a waiter first reads it
 * — reported exactly once, never dropped (Python's "Task exception was never retrieved").
 */
export function failTask(w: World, t: TaskRec, e: unknown): void {
  // (given to code outside the run already: RECEIVED_OUTSIDE, keyed by the task's signal, which a
  // task that marked itself has made)
  const c = t.ctl;
  if (c !== null && RECEIVED_OUTSIDE.has(c.signal) && RECEIVED_OUTSIDE.get(c.signal) === e) {
    settle(w, t, false, e);
    return;
  }
  settleUnheard(w, t, e, `${t.label} failed and nothing waited for it`, () => e, true);
}

/**
 * Fail t with the error `make()` gives its first reader, keeping `error` on the warnings until then
 * (the cell's lazy value is made only for a waiter that receives it).
 */
function settleUnheard(
  w: World,
  t: TaskRec,
  error: unknown,
  where: string,
  make: () => unknown,
  traced = false,
): void {
  const retract = provisionalWarning(w.ctx, error, where, traced);
  settle(w, t, false, undefined, () => {
    retract();
    return make();
  });
}

/**
 * t has been cancelled (its finally blocks ran): record it and wake its waiters.
 *
 * `unheard`: a program cancelled t (not the end of the run, whose caller warns itself). When t's
 * finally blocks threw, their error reaches a program only as the `cause` of the
 * TaskCancelledError a `wait` / `gather` / `race` on t receives — and perhaps nothing ever waits
 * (a `cancel(t)` whose caller moves on, `scoped`'s children). So it is kept on the run's warnings
 * now, in cancellation order, and taken back when the error is first read (the cell's lazy value
 * is made only for a waiter that receives it): reported exactly once, never dropped.
 */
export function finishCancel(w: World, t: TaskRec, cause: { error: unknown } | null, unheard = false): void {
  w.finished(t, !unheard); // (a program cancelled it: its log goes with it unless a waiter asks)
  const made = () => cancelledError(t, cause);
  if (unheard && cause !== null)
    settleUnheard(w, t, cause.error, `a finally block of ${t.label} threw while it was cancelled`, made);
  else settle(w, t, false, undefined, made);
}

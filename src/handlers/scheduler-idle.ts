/**
 * Idle processing (SEMANTICS §9.2 R6): the task to switch to when the one running blocks or ends —
 * the ready-queue head, or, with nothing ready, what idle sources (a simulated clock), external
 * completions or an awaited JS promise make ready; else an AsyncRequiredError or a DeadlockError,
 * thrown into the most recently blocked task at its blocking call.
 *
 * Apart from the effects (scheduler-ops.ts) because it is not one: every blocking operation ends
 * here, and so does a task's end (its completion report, scheduler.ts). What it holds is R6's order
 * of steps and the error messages that say what a stuck run waits for.
 */
import { AsyncRequiredError, DeadlockError } from "../errors.js";
import { asyncEscape, blockedIn, getCallStack, heldBy, macrotask, noteBlockedAt } from "../protocol.js";
import { BLOCKED, THROW } from "./scheduler-cell.js";
import { nextExternal } from "./scheduler-promise.js";
import type { PromiseHandle } from "../effects/scheduler.js";
import type { TaskRec } from "./scheduler-task.js";
import type { World } from "./scheduler-world.js";

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
  const more = blocked.length > 8 ? `, … (${blocked.length} in all)` : "";
  const where = yield* whereTheyWait(w, blocked.slice(0, 8));
  const last = w.mostRecentlyBlocked();
  return `deadlock: every task is blocked (${blocked
    .map((t) => taskName(w, t))
    .slice(0, 8)
    .join(
      ", ",
    )}${more}) and nothing timed or external is pending; one waits for what no task will do (complete a promise, release a semaphore, send on or close a channel, finish; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks). Where they wait: ${where.join("; ")}${more}. Thrown where ${last === null ? w.mainName : taskName(w, last)} blocked last`;
}

/** How messages name a task of `w`: `main`, `task 3 (poll)`. */
export const taskName = (w: World, t: TaskRec): string => (t === w.main ? w.mainName : t.label);

/**
 * Where each task waits, as a deadlock's message says it: its name, the program frames its
 * continuation holds, outermost first, and the library call it is blocked in (`task 1 (heartbeat)
 * in heartbeat, blocked in delay(1000)`); `skip` answers true for a task left out (by what it is
 * blocked in: `quiescent()`).
 */
export function* whereTheyWait(
  w: World,
  tasks: readonly TaskRec[],
  skip?: (what: string | undefined) => boolean,
): Generator<unknown, string[], any> {
  const where: string[] = [];
  for (const t of tasks) {
    // (through an observe inside the scheduler, waiting in its delegate: the program's frames)
    const k = t.k === null ? null : heldBy(t.k);
    // the library call it is blocked in, as an aborted run's report says (`receive(…)`): a task
    // blocked on a channel no one sends on named only its own frames
    const what = k === null ? undefined : blockedIn(k);
    if (skip?.(what)) continue;
    const stack = k === null ? [] : yield* getCallStack(k);
    where.push(
      `${taskName(w, t)}${
        stack.length === 0
          ? ""
          : ` in ${stack
              .map((e) => e.name)
              .reverse()
              .join(" > ")}`
      }${what === undefined ? "" : `, blocked in ${what}`}`,
    );
  }
  return where;
}

/**
 * @internal An idle source's hook, asked (with the world) in each idle round in which a source
 * registered before it made a task ready, so that it was not asked: `quiescent()` counts the timer
 * rounds it waits through this way (testing/quiescent.ts). Off the hot path: looked up only when
 * a world has more than one idle source.
 */
export const PASSED_OVER: unique symbol = Symbol();
/** @internal An idle source with the PASSED_OVER hook (given the world and its way to complete a promise). */
export interface PassedOver {
  [PASSED_OVER]?(w: World, complete: (promise: PromiseHandle<any>, value: unknown) => boolean): void;
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

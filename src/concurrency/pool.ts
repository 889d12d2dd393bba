/**
 * Owned children (SEMANTICS §9.8): the tasks a combinator starts, and a completion queue.
 *
 * Each child is spawned as `child(pool, i, program)`: it runs the program and, on completion (value
 * or error — not cancellation), records its index in the pool's completion queue and wakes the
 * combinator through a one-shot promise. The combinator therefore learns of completions in
 * completion order without waiting on the tasks themselves, so no task's log is merged until the
 * combinator delivers that task's outcome (§9.3 log merge: `wait` / `Gather` on a task already done).
 * A child completes without blocking after its notification, so the task is done by the time the
 * woken combinator runs (R1). The combinator-side helpers yield bare at the call site (site.ts).
 *
 * A child the combinator cancels has no waiter, so an error thrown by its finally blocks (the
 * `cause` of its TaskCancelledError, §9.4) would reach no program: `cancelOwned` collects it and
 * keeps it on `RunResult.warnings`, as the scheduler does for the tasks it cancels when main ends.
 */
import {
  Cancel,
  type CancelledBy,
  cancelOwner,
  cleanCancel,
  completePromise,
  createPromise,
  type PromiseHandle,
  OwnedChild,
  ownedSpawn,
  type Spawn,
  type Task,
  wait,
} from "../effects/scheduler.js";
import { TaskCancelledError } from "../errors.js";
import type { RunContext } from "../run/context.js";
import { getRunContext } from "../vm/primitives.js";
import { hidden, type ProgramLikeOf } from "../vm/program.js";
import { Queue } from "./queue.js";
import { at, wrappers } from "./site.js";

export class Pool {
  /**
   * Started tasks, by index: the input index (ascending ids: spawn order), or for forEachAsync a
   * slot, reused once its task is collected, so that a stream of any length holds at most its
   * concurrency in tasks (slot order is then not spawn order: see cancelRunning).
   */
  readonly tasks: Task<unknown>[] = [];
  /** Per index: 0 running, 1 succeeded, 2 failed, 3 cancelled by the combinator, 4 ended. */
  readonly status: number[] = [];
  /** Per index: the error of a failed child (raceAll's AggregateError). */
  readonly errors: unknown[] = [];
  /** Per slot: the item index of its task, when slots are reused (forEachAsync); else null. */
  items: number[] | null = null;
  /** `all({ a, b })`: the key of each index, for messages; else null. */
  keys: string[] | null = null;
  /** Indices of completed children, in completion order, not yet taken by the combinator. */
  readonly completed = new Queue<number>();
  waker: PromiseHandle<undefined> | null = null;
  /**
   * A success does not complete the waker, only a failure (or an ENDED task) does: forEachAsync
   * waiting for its next item needs to hear of a failure at once, of a success only when it next
   * looks at the queue — so one waker serves many items.
   */
  quiet = false;
  /**
   * `site`: the combinator's call site (trace.sites), for its frame and its tasks' labels; `who`:
   * its name, for the warning of a child whose finally blocks threw when it cancelled it.
   */
  constructor(
    readonly site: Error | null,
    readonly who: string,
    /**
     * The combinator reports its children's failures itself (raceAll: an AggregateError when all
     * fail, else the winner makes them moot): a failed child's task then ends without failing, so
     * its error is not also a run warning ("task N failed and nothing waited for it").
     */
    readonly reportsFailures = false,
  ) {}
}

export const RUNNING = 0;
export const SUCCEEDED = 1;
export const FAILED = 2;
export const CANCELLED = 3;
/**
 * The task ended without its program completing: a handler inside the scheduler that wraps the task
 * threw, or answered for the program without resuming it, or something other than the combinator
 * cancelled it. The combinator learns the task's outcome with `wait` (done by then, or soon: R1).
 */
export const ENDED = 4;

function* notify(pool: Pool, i: number, status: number): Generator<unknown, void, any> {
  const w = wakerFor(pool, i, status);
  if (w !== null) yield* completePromise(w, undefined);
}

/**
 * notify's state changes: the index recorded, and the waker to complete (taken off the pool), or
 * null when there is none to complete (a child yields `completePromise` of it itself: no generator).
 */
function wakerFor(pool: Pool, i: number, status: number): PromiseHandle<undefined> | null {
  record(pool, i, status);
  const w = pool.waker;
  if (w === null || (pool.quiet && status === SUCCEEDED)) return null;
  pool.waker = null;
  return w;
}

/** notify's state changes (all there is to it when no waker is set: then no generator is made). */
function record(pool: Pool, i: number, status: number): void {
  pool.status[i] = status;
  pool.completed.push(i);
}

function* child(pool: Pool, i: number, p: ProgramLikeOf<unknown>): Generator<unknown, unknown, any> {
  let v: unknown;
  let completed = false;
  try {
    v = yield p;
    completed = true;
  } catch (e) {
    completed = true;
    pool.errors[i] = e;
    yield* notify(pool, i, FAILED);
    if (pool.reportsFailures) return undefined;
    // (a hidden frame's rethrow of a known error: the trace records the combinator's waiting site,
    // not this one — vm/machine.ts noteError only takes a throw by the transferWith's own frame)
    throw e;
  } finally {
    // Closed before the program completed. This frame runs *inside* the handlers that the
    // scheduler wraps the task in (§9.7), so a handler that throws, or answers without resuming,
    // ends the task past this frame: it is closed (its k finalized) and the combinator must still
    // hear of it, or it waits forever.
    if (!completed && pool.status[i] === RUNNING) yield* notify(pool, i, ENDED);
  }
  // (notify inline: no generator per child, one completePromise per wake-up)
  const w = wakerFor(pool, i, SUCCEEDED);
  if (w !== null) yield* completePromise(w, undefined);
  return v;
}

// (its task, as record lists it and a traceback's field shows it: `Spawn(charge(), "shared")`, the
// program it runs; named here, not found as its first program argument, so that a bundle of `all`
// alone keeps trace/program-field.ts, which names it)
wrappers.set(child, 2);

/**
 * `child` for the scheduler to run without its frame when no handler stands between the spawn site
 * and the scheduler (OwnedChild, effects/scheduler.ts): the same records of the outcome, and the
 * waker it answers completed by the scheduler where `child` would have performed `completePromise`.
 * `all`'s children (a pool that reports its failures, raceAll's, keeps the frame: it turns them into
 * values).
 */
class PoolChild extends OwnedChild {
  declare readonly pool: Pool;
  declare readonly i: number;
  constructor(pool: Pool, i: number, p: ProgramLikeOf<unknown>) {
    super(p);
    this.pool = pool;
    this.i = i;
  }
  done(ok: boolean, value: unknown): PromiseHandle<undefined> | null {
    if (ok) return wakerFor(this.pool, this.i, SUCCEEDED);
    this.pool.errors[this.i] = value;
    return wakerFor(this.pool, this.i, FAILED);
  }
  ended(): PromiseHandle<undefined> | null {
    return this.pool.status[this.i] === RUNNING ? wakerFor(this.pool, this.i, ENDED) : null;
  }
}

/** Start program `i` as a task owned by `pool` (it shares the caller's state, §9.6 rev. 2). */
export function* start(pool: Pool, i: number, p: ProgramLikeOf<unknown>): Generator<unknown, void, any> {
  pool.tasks[i] = (yield spawnChild(pool, i, p)) as Task<unknown>;
}

/**
 * start's Spawn, for the combinator to yield bare itself (no generator per task), putting the task
 * it answers in `pool.tasks[i]`.
 */
export function spawnChild(
  pool: Pool,
  i: number,
  p: ProgramLikeOf<unknown>,
  bare = false,
): Spawn<unknown, unknown> {
  pool.status[i] = RUNNING;
  const c = bare && !pool.reportsFailures ? new PoolChild(pool, i, p) : null;
  return at(pool.site, ownedSpawn(hidden(child, pool, i, p), pool.site, c));
}

/**
 * No started child is running: cancelRunning would only forget the waker, which this does (without
 * making its generator). Else false, and the caller cancels them with cancelRunning.
 */
export function noneRunning(pool: Pool): boolean {
  const { status } = pool;
  for (let i = 0; i < status.length; i++) if (status[i] === RUNNING) return false;
  pool.waker = null;
  return true;
}

/**
 * The index of the next child to complete, in completion order (blocks until there is one). A
 * combinator takes one already completed with `pool.completed.shift()` first (no generator made).
 */
export function* nextCompleted(pool: Pool): Generator<unknown, number, any> {
  for (;;) {
    const i = pool.completed.shift();
    if (i !== undefined) return i;
    const w = (yield at(pool.site, createPromise<undefined>())) as PromiseHandle<undefined>;
    pool.waker = w;
    yield at(pool.site, wait(w.future));
  }
}

/** Cancel every started child still running, ascending id (§9.4: each one's finally blocks run now). */
export function* cancelRunning(pool: Pool): Generator<unknown, void, any> {
  pool.waker = null;
  const { tasks, status, site, who } = pool;
  // (forEachAsync reuses slots: their order is not spawn order; else index order is: no list, no sort)
  let order: number[] | null = null;
  if (pool.items !== null) {
    order = [];
    for (let i = 0; i < tasks.length; i++) if (status[i] === RUNNING) order.push(i);
    order.sort((a, b) => tasks[a]!.id - tasks[b]!.id);
  }
  for (let j = 0, n = order === null ? tasks.length : order.length; j < n; j++) {
    const i = order === null ? j : order[j]!;
    if (status[i] !== RUNNING) continue;
    status[i] = CANCELLED;
    // (cancelOwned written out: no generator for a child cancelled clean, a race's loser)
    const t = tasks[i]!;
    const c = ownedCancel(t, who);
    const cancelled = (yield at(site, c)) as boolean;
    if (!cleaned(c) && cancelled) yield* collect(t, site, who);
  }
}

/**
 * Tasks that failed after task `first` (the failure the combinator throws, or raceFirst's winner)
 * and before it could cancel them: their errors reach no program. The scheduler would keep each as "task N failed and
 * nothing waited for it", which reads as a task forgotten; the combinator takes them instead and
 * keeps them on the warnings saying what happened. (Their logs are not delivered, as a cancelled
 * task's are not.) `won`: task `first` succeeded (raceFirst's winner), so nothing was thrown; else
 * `thrown` is what the combinator throws, and a task that failed with that very object is no warning.
 */
export function* failedToo(
  pool: Pool,
  first: number,
  won: boolean,
  thrown: unknown,
): Generator<unknown, void, any> {
  const { site, who, tasks, status, items } = pool;
  let ctx: RunContext | null = null;
  for (let j = pool.completed.shift(); j !== undefined; j = pool.completed.shift()) {
    if (status[j] !== FAILED && status[j] !== ENDED) continue;
    ctx ??= (yield at(site, getRunContext())) as RunContext;
    const log = ctx.current.log;
    const n = log.length;
    try {
      yield at(site, wait(tasks[j]!)); // done: does not block
    } catch (e) {
      // the very error the combinator throws (one abort reason, one signal shared by the programs:
      // `all([abortable(a, shutdown), abortable(b, shutdown)])`): received there, so no warning
      if (!won && e === thrown) continue;
      const what =
        items !== null
          ? `f(item ${items[j]}) of ${who}`
          : pool.keys !== null
            ? `key ${JSON.stringify(pool.keys[j])} of ${who}`
            : who === "all" || who === "raceFirst"
              ? `programs[${j}] of ${who}`
              : `f(items[${j}]) of ${who}`;
      const after = won
        ? `${labelOf(tasks[first]!)} had won ${who}`
        : `${who} had thrown the first failure (${labelOf(tasks[first]!)}'s)`;
      ctx.warn(
        e,
        `${labelOf(tasks[j]!)} (${what}) failed too, after ${after}; to receive every failure, wrap each program in safe()`,
      );
    } finally {
      log.length = n;
    }
  }
}

/**
 * How a warning names task `t`: as the scheduler's messages do (`task 2.3` in a scheduler nested in
 * task 2: its TaskRec's label), else `task N`.
 */
export const labelOf = (t: Task<unknown>): string => (t as { label?: string }).label ?? `task ${t.id}`;

/** The combinator's name in a who-and-why (`CancelledBy`). */
const nameOf = (who: CancelledBy): string => (typeof who === "string" ? who : who.who);

/**
 * Cancel `t`, a task the combinator `who` owns (its finally blocks run now, §9.4); → cancel's answer.
 * Nothing else waits for `t`, so when its finally blocks threw, that first error (the `cause` of its
 * TaskCancelledError) is kept on `RunResult.warnings` (§9.4), never dropped: in the order the
 * cancellations happen, like the scheduler's at the end of main. Collecting the outcome with `wait`
 * merges `t`'s log into the caller's (§9.3); a cancelled child's log is not delivered (§9.8), so
 * what that merge appended is taken off again.
 */
export function* cancelOwned(
  t: Task<unknown>,
  site: Error | null,
  who: CancelledBy,
): Generator<unknown, boolean, any> {
  const c = ownedCancel(t, who);
  const cancelled = (yield at(site, c)) as boolean;
  if (cleaned(c) || !cancelled) return cancelled; // (already done: its outcome was, or can be, delivered)
  yield* collect(t, site, who);
  return true;
}

/** cancelOwned's Cancel, its canceller named (its signal's reason names who: code outside the run sees it). */
function ownedCancel(t: Task<unknown>, who: CancelledBy): Cancel {
  const c = new Cancel(t, true);
  cancelOwner.effect = c;
  cancelOwner.who = who;
  return c;
}

/**
 * cancelOwned's Cancel `c` answered: was it clean (the task done, its finally blocks threw nothing)?
 * Then nothing is to be collected (no TaskCancelledError made, thrown and caught). Either way no
 * slot keeps `c`, or its task, alive. (Answered false — the task was done already — never clean.)
 */
function cleaned(c: Cancel): boolean {
  if (cancelOwner.effect === c) cancelOwner.effect = null; // (read or not)
  if (cleanCancel.effect !== c) return false;
  cleanCancel.effect = null;
  return true;
}

/** A cancelled task's outcome taken (`cancelOwned`, not clean): its finally blocks' error warned of. */
function* collect(t: Task<unknown>, site: Error | null, who: CancelledBy): Generator<unknown, void, any> {
  const ctx = (yield at(site, getRunContext())) as RunContext;
  const log = ctx.current.log;
  const n = log.length;
  try {
    yield at(site, wait(t)); // decided: does not block (also inside a finalization)
  } catch (e) {
    if (e instanceof TaskCancelledError && e.task === t && Object.hasOwn(e, "cause")) {
      ctx.warn(e.cause, `a finally block of ${labelOf(t)} threw while ${nameOf(who)} cancelled it`);
    }
  } finally {
    log.length = n;
  }
}

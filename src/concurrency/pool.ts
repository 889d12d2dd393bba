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
 */
import {
  cancel,
  completePromise,
  createPromise,
  type PromiseHandle,
  Spawn,
  type Task,
  wait,
} from "../effects/scheduler.js";
import { hidden, type ProgramLikeOf } from "../vm/program.js";
import { Queue } from "./queue.js";
import { at } from "./site.js";

export class Pool {
  /** Started tasks, by input index (ascending ids: spawn order). */
  readonly tasks: Task<unknown>[] = [];
  /** Per input index: 0 running, 1 succeeded, 2 failed, 3 cancelled by the combinator. */
  readonly status: number[] = [];
  /** Per input index: the error of a failed child (raceAll's AggregateError). */
  readonly errors: unknown[] = [];
  /** Indices of completed children, in completion order, not yet taken by the combinator. */
  readonly completed = new Queue<number>();
  waker: PromiseHandle<undefined> | null = null;
  /** The combinator's call site (trace.sites), for its frame and its tasks' labels. */
  constructor(readonly site: Error | null) {}
}

export const RUNNING = 0;
export const SUCCEEDED = 1;
export const FAILED = 2;
export const CANCELLED = 3;

function* notify(pool: Pool, i: number, status: number): Generator<unknown, void, any> {
  pool.status[i] = status;
  pool.completed.push(i);
  const w = pool.waker;
  if (w !== null) {
    pool.waker = null;
    yield* completePromise(w, undefined);
  }
}

function* child(pool: Pool, i: number, p: ProgramLikeOf<unknown>): Generator<unknown, unknown, any> {
  let v: unknown;
  try {
    v = yield p;
  } catch (e) {
    pool.errors[i] = e;
    yield* notify(pool, i, FAILED);
    throw e;
  }
  yield* notify(pool, i, SUCCEEDED);
  return v;
}

/** Start program `i` as a task owned by `pool` (it shares the caller's state, §9.6 rev. 2). */
export function* start(pool: Pool, i: number, p: ProgramLikeOf<unknown>): Generator<unknown, void, any> {
  pool.status[i] = RUNNING;
  const t = yield at(pool.site, new Spawn(hidden(child, pool, i, p), "shared", pool.site));
  pool.tasks[i] = t as Task<unknown>;
}

/** The index of the next child to complete, in completion order (blocks until there is one). */
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
  const { tasks, status } = pool;
  for (let i = 0; i < tasks.length; i++) {
    if (status[i] !== RUNNING) continue;
    status[i] = CANCELLED;
    yield at(pool.site, cancel(tasks[i]!));
  }
}

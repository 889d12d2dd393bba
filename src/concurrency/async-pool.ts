/**
 * `forEachAsync(iterable, f, { concurrency })` (SEMANTICS §9.8): each `f(item)` runs as a task that
 * forEachAsync owns (pool.ts), at most `concurrency` at once, sharing the caller's state.
 *
 * - Backpressure: the iterator's `next()` is called only when a slot is free, one pull at a time.
 * - A task is collected (`wait`: its log merged into the caller's, §9.3) as it completes, in
 *   completion order, and its slot is reused: a stream of any length holds at most `concurrency`
 *   tasks, and the pool's arrays never grow past that (they are indexed by slot, not by item).
 * - A pending pull is raced against the completions, so a failure is noticed at once even while the
 *   source is slow: the first failure (completion order) cancels the running tasks (ascending id),
 *   closes the iterator and is thrown; failures that came before it could cancel them are warnings
 *   (failedToo). The pull then pending is dropped: the iterator is closed anyway.
 * - The iterator failing cancels the running tasks and throws its error; the iterator is not
 *   closed (as `for await`). The caller cancelled: the running tasks are cancelled, the iterator closed.
 *
 * The pull is a JS promise: its answer is an external completion, applied when no task is ready —
 * under `simulatedTime()` before the clock moves on if the promise settled without real time (an
 * in-memory source: its items come at the current virtual instant), else after (a network source
 * does not hold virtual time).
 */
import {
  completePromise,
  createExternalPromise,
  createPromise,
  type ExternalPromise,
  type PromiseHandle,
  type RaceResult,
  race,
  wait,
} from "../effects/scheduler.js";
import { AsyncRequiredError } from "../errors.js";
import type { RunContext } from "../run/context.js";
import { describe, isProgramLike } from "../vm/brand.js";
import { getRunContext } from "../vm/primitives.js";
import { fn } from "../vm/program.js";
import type { AnyProgramLike } from "../vm/types.js";
import { cancelRunning, FAILED, failedToo, Pool, start } from "./pool.js";
import { at, named } from "./site.js";

/** One `it.next()` in flight: 0 pending, 1 settled (its completion requested), 2 dropped. */
interface Pull {
  readonly ext: ExternalPromise<unknown>;
  state: number;
}

/**
 * A pull's rejection, as the value its external promise completes with: a race that throws is then
 * always the caller's cancellation, never the iterator's failure (which must not close it).
 */
class PullFailed {
  declare readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * `it.return()` of a loop that stopped early, not awaited: a finally block of a cancelled task cannot
 * block (§9.4); what it throws or rejects with is dropped, so the loop's own error stands (as with
 * `for await`).
 */
export function closeIterator(it: AsyncIterator<unknown>): void {
  if (typeof it.return === "function") {
    try {
      Promise.resolve(it.return()).catch(() => {});
    } catch {}
  }
}

/**
 * `r`, an answer of the iterator's `next()`, checked as `for await` does: else `r.done` read V8's
 * "Cannot read properties of null", or a number ran `f(undefined)`. (Thrown as the iterator's
 * failure: the iterator is not closed.)
 */
export function iterResult(r: unknown, where = "forEachAsync"): IteratorResult<unknown> {
  if (r === null || (typeof r !== "object" && typeof r !== "function"))
    throw new TypeError(
      `${where}: the iterator's next() gave ${describe(r)}, not an iterator result { done, value }`,
    );
  return r as IteratorResult<unknown>;
}

/**
 * `iterable[Symbol.asyncIterator]()`, checked as `for await` does: else a method returning something
 * without `next` failed later with V8's "it.next is not a function".
 */
export function asyncIteratorOf(iterable: AsyncIterable<unknown>): AsyncIterator<unknown> {
  const it: unknown = iterable[Symbol.asyncIterator]();
  if (it === null || typeof it !== "object" || typeof (it as { next?: unknown }).next !== "function")
    throw new TypeError(
      `forEachAsync: the iterable's [Symbol.asyncIterator]() gave ${describe(it)}, not an async iterator (an object with a next() method)`,
    );
  return it as AsyncIterator<unknown>;
}

/** The pull's promise settled: complete its external promise (unless dropped meanwhile). */
function settled(pull: Pull, ok: boolean, v: unknown): void {
  if (pull.state !== 0) return; // dropped: forEachAsync has stopped and closed the iterator
  pull.state = 1;
  pull.ext.complete(ok ? v : new PullFailed(v));
}

function pullNext(it: AsyncIterator<unknown>, pull: Pull): void {
  let p: PromiseLike<IteratorResult<unknown>>;
  try {
    p = it.next();
  } catch (e) {
    settled(pull, false, e);
    return;
  }
  Promise.resolve(p).then(
    (r) => settled(pull, true, r),
    (e) => settled(pull, false, e),
  );
}

/**
 * Collect the task in slot `i` (completed): its log is merged now. A failure — its program's, or
 * a handler's inside the scheduler that ended it with an error — cancels the others and is thrown.
 */
function* collect(pool: Pool, i: number): Generator<unknown, void, any> {
  const site = pool.site;
  try {
    yield at(site, wait(pool.tasks[i]!)); // done: does not block; throws a failure (merging its log)
  } catch (e) {
    yield* failedToo(pool, i, false, e);
    yield* cancelRunning(pool);
    throw e;
  }
  if (pool.status[i] === FAILED) {
    // a handler wrapping the task turned its program's error into a value: still a failure
    yield* failedToo(pool, i, false, pool.errors[i]);
    yield* cancelRunning(pool);
    throw pool.errors[i];
  }
}

export const forEachAsyncPool = fn(
  named(
    "forEachAsync",
    function* forEachAsync(
      iterable: AsyncIterable<unknown>,
      f: (item: unknown) => AnyProgramLike,
      limit: number,
      site: Error | null,
      notAProgram: (p: unknown, index: number) => never,
    ) {
      // (else the first pull would be made, then fail the run as a createExternalPromise never settled)
      if (((yield at(site, getRunContext())) as RunContext).driver === "sync")
        throw new AsyncRequiredError("forEachAsync");
      const it = asyncIteratorOf(iterable);
      const pool = new Pool(site, "forEachAsync");
      const items: number[] = [];
      pool.items = items;
      const free: number[] = []; // slots of collected tasks
      let running = 0;
      let index = 0;
      let pull: Pull | null = null;
      let close = true; // on the way out: not once the iterator ended or failed
      try {
        for (;;) {
          // collect what completed (completion order); a failure is thrown from here
          for (let i = pool.completed.shift(); i !== undefined; i = pool.completed.shift()) {
            running--;
            yield* collect(pool, i);
            free.push(i);
          }
          if (pull === null && close && running < limit) {
            const ext = (yield at(site, createExternalPromise())) as ExternalPromise<unknown>;
            pull = { ext, state: 0 };
            pullNext(it, pull);
          }
          if (pull === null && running === 0) return undefined; // the iterator ended, all collected
          let w = pool.waker;
          if (w === null) {
            w = (yield at(site, createPromise<undefined>())) as PromiseHandle<undefined>;
            pool.waker = w;
          }
          // waiting for an item, a slot is free: only a failure must wake it (the waker then lasts)
          pool.quiet = pull !== null;
          if (pull === null) {
            yield at(site, wait(w.future)); // a slot, or the last tasks after the iterator ended
            continue;
          }
          const won = (yield at(site, race(w.future, pull.ext.future))) as RaceResult<unknown>;
          if (won.index === 0) continue; // a failure (or a task a handler ended)
          const v = won.value;
          pull = null;
          // the iterator failed, gave no iterator result, or ended: it is not closed (as `for await`)
          close = false;
          if (v instanceof PullFailed) throw v.error;
          const r = iterResult(v);
          if (r.done) continue;
          close = true;
          const p = f(r.value);
          if (!isProgramLike(p)) notAProgram(p, index);
          const slot = free.pop() ?? pool.tasks.length;
          items[slot] = index++;
          yield* start(pool, slot, p);
          running++;
        }
      } finally {
        yield* cancelRunning(pool);
        if (pull !== null && pull.state === 0) {
          // no longer counted as pending work (R6): what it fetches is dropped, as the iterator is closed
          pull.state = 2;
          yield at(site, completePromise(pull.ext, { done: true, value: undefined }));
        }
        if (close) closeIterator(it);
      }
    },
  ),
);

/**
 * Bridges between programs and async iterables (SEMANTICS §9.8 Channel; runAsync only, since they
 * await JS promises through `awaitPromise`). Ordinary programs over existing effects:
 * - `next(iterator)`: the next `{ done, value }` of an AsyncIterator (blocks only the calling task);
 * - `forEachAsync(iterable, f)`: run `f(item)` for each item, in the calling task; the iterator is
 *   closed (`return()`) when the loop stops early (f's error or cancellation; not when next() failed);
 *   with `{ concurrency }`, each item's program runs as a task (async-pool.ts);
 * - `channelStream()`: a channel read from *outside* the run as an AsyncIterable. Its `pump(ch)`
 *   program (spawn it inside the run) receives one value per pull of the outside consumer, so a
 *   slow consumer blocks the channel's senders (backpressure). The stream ends when the channel is
 *   closed and drained; if the consumer stops early (`break`), the channel is closed; if the pump
 *   ends otherwise (its task cancelled, the run over), pending and later pulls reject. A channel
 *   closed with an error rejects the pending pull with it and fails the pump's task with it, which
 *   is no run warning when nothing waits for the task: the consumer got it (RECEIVED_OUTSIDE).
 */
import {
  awaitPromise,
  cancel,
  createExternalPromise,
  type ExternalPromise,
  getAbortSignal,
  race,
  ownedSpawn,
  RECEIVED_OUTSIDE,
  type Spawn,
  type Task,
} from "../effects/scheduler.js";
import { DoeffError } from "../errors.js";
import { describe, isProgramLike } from "../vm/brand.js";
import { fn, hidden, type Program } from "../vm/program.js";
import { waitsIn } from "../trace/blocked-in.js";
import type { AnyProgramLike, EffectsOf } from "../vm/types.js";
import {
  type Channel,
  type ChannelExpectedError,
  checkChannel,
  close,
  putBack,
  type Received,
  receive,
} from "./channel.js";
import { asyncIteratorOf, closeIterator, forEachAsyncPool, iterResult } from "./async-pool.js";
import { concurrencyOption, optionsObject, programFunction } from "./check.js";
import type { NotAGeneratorFunction, ProgramMaking, SchedulerRow } from "./row.js";
import { at, callSite, named } from "./site.js";

/**
 * An iterator's `next()` promise whose `next(it)` was cancelled before it settled (a `timeout`
 * around it): the item it fetches belongs to the following `next(it)`, which awaits this promise
 * instead of asking again — so a timed-out `next` loses no item. Only abandoned promises are kept,
 * so two `next(it)` running at once still get two items.
 */
const abandoned = new WeakMap<object, PromiseLike<unknown>>();

function* nextGen<T>(it: AsyncIterator<T>): Generator<unknown, IteratorResult<T>, any> {
  let q: PromiseLike<IteratorResult<T>> | undefined;
  let settled = false;
  try {
    const r = yield* awaitPromise(() => {
      q = abandoned.get(it) as PromiseLike<IteratorResult<T>> | undefined;
      if (q === undefined) q = it.next();
      else abandoned.delete(it);
      return q;
    });
    settled = true;
    // (a next() that gives no iterator result: else `next` answered it as it was, 5 for `{ done, value }`)
    return iterResult(r, "next") as IteratorResult<T>;
  } catch (e) {
    settled = true;
    throw e;
  } finally {
    if (!settled && q !== undefined) abandoned.set(it, q);
  }
}

// (`timeout(next(it), ms)` names the call, and an aborted run's report what a task was blocked in)
waitsIn(nextGen, "next(…)");

/** The next `{ done, value }` of an async iterator (runAsync; other tasks run while it waits). */
export function next<T>(iterator: AsyncIterator<T>): Program<IteratorResult<T>, SchedulerRow> {
  if (iterator === null || typeof iterator !== "object" || typeof iterator.next !== "function") {
    throw new TypeError(
      `next expects an async iterator (iterable[Symbol.asyncIterator]()), got ${describe(iterator)}`,
    );
  }
  return hidden(nextGen<T>, iterator) as Program<IteratorResult<T>, SchedulerRow>;
}

const forEachAsyncProgram = fn(
  named(
    "forEachAsync",
    function* forEachAsync(
      iterable: AsyncIterable<unknown>,
      f: (item: unknown) => AnyProgramLike,
      site: Error | null,
    ) {
      const it = asyncIteratorOf(iterable);
      let finished = false;
      let index = 0;
      try {
        for (;;) {
          let r: IteratorResult<unknown>;
          try {
            r = iterResult(
              yield at(
                site,
                awaitPromise(() => it.next()),
              ),
            );
          } catch (e) {
            // the iterator failed, or gave no iterator result: it is not closed (as `for await` does not)
            finished = true;
            throw e;
          }
          if (r.done) {
            finished = true;
            return;
          }
          const p = f(r.value);
          // else the VM's "yielded undefined; missing `*`?" blames a yield the user did not write
          if (!isProgramLike(p)) itemNotAProgram(p, index);
          index++;
          yield at(site, p);
        }
      } finally {
        if (!finished) closeIterator(it);
      }
    },
  ),
);

/** What `f(item)` of forEachAsync returned when it is not a program (a JS caller; its type says so). */
function itemNotAProgram(p: unknown, index: number): never {
  const where = `forEachAsync's function (for item ${index})`;
  throw new TypeError(
    `${where} returned ${describe(p)}, not a program: return one for each item, e.g. (line) => send(ch, line)${p instanceof Promise ? "; for async work, return awaitPromise(() => work(line))" : ""}`,
  );
}

/**
 * Options of `forEachAsync(iterable, f, options)`.
 *
 * @example
 * ```ts
 * yield* forEachAsync(lines, (line) => enrich(line), { concurrency: 8 }); // at most 8 in flight
 * ```
 */
export interface ForEachAsyncOptions {
  /**
   * How many `f(item)` may run at once, each as a task forEachAsync owns: an integer ≥ 1, or
   * `Infinity`. Omitted: one after another in the calling task (no tasks).
   */
  concurrency?: number;
}

/**
 * Run `f(item)` for each item of an async iterable. Without `concurrency`: one after another, in the
 * calling task. With `{ concurrency: n }`: each as a task forEachAsync owns, sharing the caller's
 * state, at most n at once; the next item is pulled only when a slot is free, and a task is let go
 * once it completes (a stream of any length holds at most n). Each task's log is merged into the
 * caller's as it completes (completion order: deterministic under `run` + `simulatedTime()`).
 * The first failure cancels the running tasks (ascending id, their finally blocks run), closes the
 * iterator and is thrown, even while waiting for the next item; later failures are warnings. The
 * iterator failing cancels the running tasks and throws its error; the caller cancelled cancels them
 * and closes the iterator.
 */
export function forEachAsync<T, P extends ProgramMaking>(
  iterable: AsyncIterable<T>,
  f: (
    item: T,
  ) => P &
    NoInfer<NotAGeneratorFunction<P, "forEachAsync", "forEachAsync(lines, fn(function* one(line) { ... }))">>,
): Program<undefined, EffectsOf<P> | SchedulerRow>;
/**
 * (With options: the tasks are in the row, as all's, for run's TaskResultError check — typed with an
 * `unknown` result, since forEachAsync drops their values: a handler may end one with any.)
 */
export function forEachAsync<T, P extends ProgramMaking>(
  iterable: AsyncIterable<T>,
  f: (
    item: T,
  ) => P &
    NoInfer<NotAGeneratorFunction<P, "forEachAsync", "forEachAsync(lines, fn(function* one(line) { ... }))">>,
  options?: ForEachAsyncOptions,
): Program<undefined, EffectsOf<P> | SchedulerRow | Spawn<unknown, EffectsOf<P>>>;
export function forEachAsync(
  iterable: AsyncIterable<unknown>,
  f: (item: unknown) => AnyProgramLike,
  options?: ForEachAsyncOptions,
): Program<undefined, unknown> {
  if (
    iterable === null ||
    typeof iterable !== "object" ||
    typeof (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator] !== "function"
  ) {
    throw new TypeError(`forEachAsync expects an async iterable first, got ${describe(iterable)}`);
  }
  programFunction(
    f,
    "forEachAsync",
    "forEachAsync(lines, fn(function* one(line) { … }))",
    "forEachAsync(lines, (line) => tell(line))",
  );
  if (options === undefined || (options as ForEachAsyncOptions | null)?.concurrency === undefined) {
    optionsObject(options, "forEachAsync", ["concurrency"]);
    return forEachAsyncProgram(iterable, f, callSite()) as Program<undefined, unknown>;
  }
  const limit = concurrencyOption(options, "forEachAsync");
  return forEachAsyncPool(iterable, f, limit, callSite(), itemNotAProgram) as Program<undefined, unknown>;
}

interface Pull<T> {
  resolve(r: IteratorResult<T>): void;
  reject(e: unknown): void;
}

/** A channel read from outside the run: `for await (const v of stream)`; spawn `stream.pump(ch)` inside. */
export class ChannelStream<T> implements AsyncIterable<T> {
  private readonly pulls: Pull<T>[] = [];
  private demand: (() => void) | null = null;
  private stopped = false;
  private ended: { error: unknown } | null | undefined = undefined; // undefined: open; null: done
  /** @internal completes the pump's stop promise (set while the pump runs) */
  onStop: (() => void) | null = null;

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.ended === null || this.stopped) return Promise.resolve({ done: true, value: undefined });
        if (this.ended !== undefined) return Promise.reject(this.ended.error);
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.pulls.push({ resolve, reject });
          this.wake();
        });
      },
      return: () => {
        this.stopped = true;
        for (const p of this.pulls.splice(0)) p.resolve({ done: true, value: undefined });
        this.wake();
        // a pump blocked in receive stops now (not at the next value); once (a second complete throws)
        const stop = this.onStop;
        this.onStop = null;
        stop?.();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /**
   * The program that feeds this stream from `ch` (spawn it inside the run; runAsync only). Given the
   * program that makes a channel (the `yield*` forgotten), a compile error that says to yield* it,
   * as receive's and forEachLatest's (a TypeError at the call, untyped).
   */
  pump(
    ch:
      | Channel<T>
      | ChannelExpectedError<
          T,
          "stream.pump",
          "const ch = yield* createChannel(); yield* spawn(stream.pump(ch))"
        >,
  ): Program<undefined, SchedulerRow> {
    checkChannel(ch, "channelStream.pump"); // (at the call, §9.8: it was at the consumer's first pull)
    return pumpProgram(this, ch as Channel<T>, callSite()) as Program<undefined, SchedulerRow>;
  }

  /** @internal */ hasPull(): boolean {
    return this.pulls.length > 0;
  }
  /** @internal */ isStopped(): boolean {
    return this.stopped;
  }
  /** @internal */ isEnded(): boolean {
    return this.ended !== undefined;
  }
  /** @internal A promise resolved at the next pull (or stop). */
  waitDemand(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.pulls.length > 0 || this.stopped) resolve();
      else this.demand = resolve;
    });
  }
  /** @internal */ deliver(value: T): void {
    this.pulls.shift()?.resolve({ done: false, value });
  }
  /** @internal → whether a pending pull was settled with it (an error: the consumer received it) */
  end(error: { error: unknown } | null): boolean {
    if (this.ended !== undefined) return false;
    this.ended = error;
    const pulls = this.pulls.splice(0);
    for (const p of pulls) {
      if (error === null) p.resolve({ done: true, value: undefined });
      else p.reject(error.error);
    }
    return pulls.length > 0;
  }
  private wake(): void {
    const d = this.demand;
    this.demand = null;
    d?.();
  }
}

function* pumpGen<T>(
  s: ChannelStream<T>,
  ch: Channel<T>,
  site: Error | null,
): Generator<unknown, undefined, any> {
  // The consumer may stop (`return()`, a `break`) while the pump waits for a value: the receive
  // races this promise, which return() completes from outside the run, so the channel is closed
  // then, not when (if ever) the next value arrives; a value received with no pull left is put back.
  const stop = (yield at(site, createExternalPromise<undefined>())) as ExternalPromise<undefined>;
  s.onStop = () => stop.complete(undefined);
  try {
    for (;;) {
      if (!s.hasPull() && !s.isStopped())
        yield at(
          site,
          awaitPromise(() => s.waitDemand()),
        );
      if (s.isStopped()) {
        yield at(site, close(ch));
        s.end(null);
        return undefined;
      }
      // (its spawn site the user's pump call too, not a line of this file)
      const t: unknown = yield at(site, ownedSpawn(receive(ch), site));
      const won = (yield at(site, race(t as Task<Received<T>>, stop.future))) as {
        index: number;
        value: Received<T>;
      };
      if (won.index === 1) {
        yield at(site, cancel(t as Task<Received<T>>)); // a receiver handed a value and cancelled puts it back (channel.ts)
        continue; // stopped: close
      }
      const r = won.value;
      if (r.done) {
        s.end(null);
        return undefined;
      }
      if (!s.hasPull()) {
        yield at(site, putBack(ch, r.value)); // the consumer stopped meanwhile: the value stays in the channel
        continue;
      }
      s.deliver(r.value);
    }
  } catch (e) {
    // (a cancel closes this frame with return(): no catch) A pull rejected with it: the consumer
    // got the error, so the pump's task failing with it is no warning when nothing waits for it
    // (a wait still receives it); with no pull to take it, it is, as any task's failure.
    if (s.end({ error: e })) RECEIVED_OUTSIDE.set((yield at(site, getAbortSignal())) as AbortSignal, e);
    throw e;
  } finally {
    s.onStop = null;
    if (!s.isEnded()) {
      // cut short: its task's signal says why — the run's abort reason (a client that went away),
      // or the TaskCancelledError of a cancel or of main's end — as the cause the consumer sees
      const signal = (yield at(site, getAbortSignal())) as AbortSignal;
      s.end({
        error: new DoeffError(
          "the channel stream's pump stopped before the channel was closed (its task was cancelled or the run ended); keep the run going until close(ch)",
          signal.aborted ? { cause: signal.reason } : undefined,
        ),
      });
    }
  }
}

// A frame of its own, named as the user wrote it: an aborted run's report (and a traceback) showed
// the pump's task as nothing but what it was blocked in, `race(task 3, a promise)`, with no word of
// the stream it feeds.
const pumpProgram = fn(named("channelStream.pump", pumpGen));

/** A new ChannelStream (see the module comment). */
export function channelStream<T>(): ChannelStream<T> {
  return new ChannelStream<T>();
}

/**
 * `forEachLatest(ch, f, { debounce })` (SEMANTICS §9.8, an ordinary program over the §9 effects):
 * "latest wins" over a channel — RxJS's `switchMap` (with `debounceTime`), redux-saga's
 * `takeLatest`, a search box that cancels the previous request at each keystroke.
 *
 * Three tasks at most, each owned: the reader (one `receive(ch)`), the worker (`f(value)` of the
 * latest value) and, with `debounce`, the timer (`delay(ms)`). The loop races them:
 * - a value: the worker still running is cancelled at once (its finally blocks run, the signal of
 *   its `awaitPromise` aborts: its answer is stale now); with `debounce` the value waits for the
 *   timer, restarted by each newer value, else its worker starts now;
 * - the timer: the waiting value's worker starts;
 * - the worker: its value is dropped (its log merged); its error is thrown from forEachLatest, as
 *   from `forEach` — catch inside `f` to keep going;
 * - the channel closed and drained: a value still waiting for the timer starts at once (it is the
 *   latest: never dropped), and forEachLatest returns once its worker ended. A channel closed with
 *   an error (`close(error)` of an event channel) throws it.
 * On the way out (an error, or forEachLatest cancelled: `scoped`, an aborted run) the three are
 * cancelled; the reader's cancelled receive puts a value it was handed back (channel.ts), and the
 * values received but never given to f are put back too, so none is lost for another reader.
 */
import { ownedSpawn, type Task, race, wait } from "../effects/scheduler.js";
import { delay } from "../effects/time.js";
import { describe, isProgramLike } from "../vm/brand.js";
import { fn, type Program } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf } from "../vm/types.js";
import {
  type Channel,
  type ChannelExpectedError,
  checkChannel,
  putBack,
  type Received,
  receive,
} from "./channel.js";
import { milliseconds, optionsObject, programFunction } from "./check.js";
import { cancelOwned } from "./pool.js";
import type { NotAGeneratorFunction, ProgramMaking, SchedulerRow, TasksRow, TimedRow } from "./row.js";
import { at, callSite, named } from "./site.js";

/** Options of `forEachLatest(ch, f, options)`. */
export interface ForEachLatestOptions {
  /**
   * Start `f(value)` only once `debounce` ms passed with no newer value (a burst of keystrokes
   * makes one request); needs a clock (`realTime`, `simulatedTime()`).
   */
  debounce?: number;
}

const forEachLatestProgram = fn(
  named(
    "forEachLatest",
    function* forEachLatest(
      ch: Channel<unknown>,
      f: (value: unknown) => AnyProgramLike,
      ms: number | null,
      site: Error | null,
    ): Generator<unknown, undefined, any> {
      let reader: Task<unknown> | null = null;
      let worker: Task<unknown> | null = null;
      let timer: Task<unknown> | null = null;
      let waiting: unknown; // the value waiting for the timer (while timer is not null)
      let index = -1; // of the latest value received (0-based, for a message)
      // the value just received, until it is given to f or waits for the timer: if forEachLatest
      // ends first (the previous worker's error), it goes back on the channel
      let got: Received<unknown> | null = null;
      const startWorker = function* (value: unknown): Generator<unknown, void, any> {
        const p = f(value);
        if (!isProgramLike(p))
          throw new TypeError(
            `forEachLatest's function (for value ${index} of the channel) returned ${describe(p)}, not a program: return one for each value, e.g. (query) => search(query)${p instanceof Promise ? "; for async work, return awaitPromise((signal) => work(query, signal))" : ""}`,
          );
        worker = (yield at(site, ownedSpawn(p, site))) as Task<unknown>;
      };
      try {
        let open = true;
        for (;;) {
          if (open && reader === null)
            reader = (yield at(site, ownedSpawn(receive(ch), site))) as Task<unknown>;
          const live: Task<unknown>[] = [];
          if (reader !== null) live.push(reader);
          if (worker !== null) live.push(worker);
          if (timer !== null) live.push(timer);
          if (live.length === 0) return undefined; // closed, drained, the last worker ended
          // throws the reader's error (a channel closed with one) or the worker's
          const won = (yield at(site, race(...live))) as { index: number; value: unknown };
          const t = live[won.index]!;
          if (t === worker) {
            worker = null;
            continue;
          }
          if (t === timer) {
            timer = null;
            yield* startWorker(waiting);
            continue;
          }
          reader = null;
          const r = won.value as Received<unknown>;
          got = r;
          if (r.done) {
            got = null;
            open = false;
            if (timer !== null) {
              yield* cancelOwned(timer, site, "forEachLatest");
              timer = null;
              yield* startWorker(waiting);
            }
            continue;
          }
          index++;
          if (worker !== null) {
            const w: Task<unknown> = worker;
            worker = null;
            // it ended meanwhile, before the race saw it: its outcome is collected (its error thrown,
            // and `got`, which no worker will see, put back)
            if (!(yield* cancelOwned(w, site, "forEachLatest"))) yield at(site, wait(w));
          }
          got = null;
          if (ms === null) {
            yield* startWorker(r.value);
            continue;
          }
          if (timer !== null) yield* cancelOwned(timer, site, "forEachLatest");
          waiting = r.value;
          timer = (yield at(site, ownedSpawn(delay(ms), site))) as Task<unknown>;
        }
      } finally {
        // The values received and not given to f go back on the channel, in the order received, as
        // a receive cancelled after it was handed one gives it back (channel.ts), so another reader
        // (a loop that calls forEachLatest again after an error or a timeout) gets them: the one
        // waiting for the quiet spell, the one the reader took in the step in which this loop ended
        // (a reader that ended is not cancelled: its value was dropped), and the one whose handling
        // the previous worker's error cut short.
        let last: Received<unknown> | null = null;
        if (reader !== null && !(yield* cancelOwned(reader, site, "forEachLatest"))) {
          try {
            last = (yield at(site, wait(reader))) as Received<unknown>;
          } catch {
            // (the channel's error: its next receive throws it again)
          }
        }
        if (timer !== null) yield at(site, putBack(ch, waiting));
        if (last !== null && !last.done) yield at(site, putBack(ch, last.value));
        if (got !== null && !got.done) yield at(site, putBack(ch, got.value));
        for (const t of [worker, timer]) if (t !== null) yield* cancelOwned(t, site, "forEachLatest");
      }
    },
  ),
);

/**
 * For each value received from `ch`, run `f(value)` as a task, cancelling the one still running for
 * the previous value (its finally blocks run, its `awaitPromise` signal aborts): the latest value
 * wins. With `{ debounce: ms }`, `f` starts only once `ms` passed with no newer value. Returns once
 * the channel is closed and drained and the last `f` ended; `f`'s error is thrown here (catch it
 * inside `f` to keep going).
 *
 * @example
 * ```ts
 * const queries = yield* eventChannel<string>((emit) => {
 *   const onInput = () => void emit(input.value);
 *   input.addEventListener("input", onInput);
 *   return () => input.removeEventListener("input", onInput);
 * });
 * yield* forEachLatest(queries, (q) => showResults(q), { debounce: 200 });
 * ```
 */
export function forEachLatest<T, P extends ProgramMaking>(
  ch: Channel<T> | ChannelExpectedError<T>,
  f: (
    value: T,
  ) => P &
    NoInfer<
      NotAGeneratorFunction<P, "forEachLatest", "forEachLatest(queries, fn(function* search(query) { ... }))">
    >,
): Program<undefined, EffectsOf<P> | SchedulerRow | TasksRow<[P]>>;
/**
 * (With options: `debounce` needs a clock, so its row holds `Delay`. Optional here too, so that a
 * function passing its own `options?` on can call it.)
 */
export function forEachLatest<T, P extends ProgramMaking>(
  ch: Channel<T> | ChannelExpectedError<T>,
  f: (
    value: T,
  ) => P &
    NoInfer<
      NotAGeneratorFunction<P, "forEachLatest", "forEachLatest(queries, fn(function* search(query) { ... }))">
    >,
  options?: ForEachLatestOptions,
): Program<undefined, EffectsOf<P> | TimedRow | TasksRow<[P]>>;
export function forEachLatest(
  ch: Channel<unknown> | ChannelExpectedError<unknown>,
  f: (value: unknown) => AnyProgramLike,
  options?: ForEachLatestOptions,
): Program<undefined, unknown> {
  checkChannel(ch, "forEachLatest");
  programFunction(
    f,
    "forEachLatest",
    "forEachLatest(queries, fn(function* search(query) { … }))",
    "(query) => search(query)",
  );
  let ms: number | null = null;
  if (options !== undefined) {
    const d = optionsObject(options, "forEachLatest", ["debounce"]).debounce;
    if (d !== undefined) ms = milliseconds(d, "forEachLatest's debounce");
  }
  return forEachLatestProgram(ch as Channel<unknown>, f, ms, callSite()); // (checked above)
}

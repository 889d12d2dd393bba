/**
 * `all(programs, { concurrency? })` and `forEach(items, f, opts)` (SEMANTICS §9.8): ordinary
 * programs over the §9 effects. At most `concurrency` tasks at once, started in input order as slots
 * free up; values in input order. On the first failure (completion order) every other started task
 * is cancelled (ascending id), no more are started, and that error is thrown — with the failed
 * task's log merged. On success every task's log is merged in input order (a `Gather` of tasks all
 * done). If the calling task is cancelled, its finally cancels the started tasks the same way.
 * `all({ a, b })` is the same over the object's programs in key order (Object.keys), answering an
 * object of the values by key (redux-saga's `all({ … })`).
 */
import {
  createPromise,
  Gather,
  gatherChecked,
  type PromiseHandle,
  type Spawn,
  Task,
  wait,
} from "../effects/scheduler.js";
import type { RunContext } from "../run/context.js";
import { describe, isProgramLike } from "../vm/brand.js";
import { getRunContext } from "../vm/primitives.js";
import { fn, type Program } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";
import { concurrencyOption, programFunction, programList, programRecord } from "./check.js";
import { ENDED, FAILED, Pool, cancelRunning, failedToo, noneRunning, spawnChild } from "./pool.js";
import type {
  ArrayExpectedError,
  NotAGeneratorFunction,
  NotAProgram,
  ProgramMaking,
  ResultsOf,
  RowsOf,
  SchedulerRow,
  TasksRow,
} from "./row.js";
import { at, callSite, named } from "./site.js";

/**
 * Options of `all(programs, options)` and `forEach(items, f, options)`.
 *
 * @example
 * ```ts
 * const pages = yield* forEach(urls, fetchPage, { concurrency: 5 }); // at most 5 in flight
 * ```
 */
export interface AllOptions {
  /** How many programs may run at once: an integer ≥ 1, or `Infinity` (the default: no limit). */
  concurrency?: number;
}

const allGen = named(
  "all",
  function* all(
    programs: AnyProgramLike[],
    limit: number,
    site: Error | null,
    who: string,
    keys: string[] | null,
  ) {
    const pool = new Pool(site, who);
    pool.keys = keys;
    const n = programs.length;
    let started = 0;
    let running = 0;
    // tasks ended by a handler with a value: that value, and the log their `wait` merged, taken off
    // again until the end — a failure delivers the failed task's log alone, a success every task's in
    // input order (a task's log is merged once, so the final Gather would skip theirs)
    let ended: Map<number, { value: unknown; log: unknown[] }> | null = null;
    // every spawn answered a Task (a handler inside the scheduler could answer anything): the final
    // Gather need not check them again
    let tasks = true;
    try {
      while (started < n && running < limit) {
        const t = yield spawnChild(pool, started, programs[started]!, true);
        if (!(t instanceof Task)) tasks = false;
        pool.tasks[started] = t as Task<unknown>;
        started++;
        running++;
      }
      let succeeded = 0;
      while (succeeded < n) {
        let i = pool.completed.shift();
        // (nextCompleted inline: no generator per wait, once every `limit` programs)
        while (i === undefined) {
          const w = (yield at(site, createPromise<undefined>())) as PromiseHandle<undefined>;
          pool.waker = w;
          yield at(site, wait(w.future));
          i = pool.completed.shift();
        }
        running--;
        if (pool.status[i] === ENDED) {
          // ended by a handler that wraps it (see ENDED): its outcome is the task's
          const log = ((yield at(site, getRunContext())) as RunContext).current.log;
          const n0 = log.length;
          let value: unknown;
          try {
            value = yield at(site, wait(pool.tasks[i]!));
          } catch (e) {
            yield* failedToo(pool, i, false, e);
            yield* cancelRunning(pool);
            throw e;
          }
          (ended ??= new Map()).set(i, { value, log: log.splice(n0) });
        } else if (pool.status[i] === FAILED) {
          yield* failedToo(pool, i, false, pool.errors[i]);
          yield* cancelRunning(pool);
          yield at(site, wait(pool.tasks[i]!)); // throws its error (merging its log)
          // (unless a handler inside the scheduler, wrapping the task, turned it into a value: `all`
          // still fails with what the program threw — it never answers a non-array)
          throw pool.errors[i];
        }
        succeeded++;
        if (started < n) {
          const t = yield spawnChild(pool, started, programs[started]!, true);
          if (!(t instanceof Task)) tasks = false;
          pool.tasks[started] = t as Task<unknown>;
          started++;
          running++;
        }
      }
      // every task succeeded: one Gather merges their logs in input order
      let values: unknown[];
      if (ended === null)
        values = (yield at(site, tasks ? gatherChecked(pool.tasks) : new Gather(pool.tasks))) as unknown[];
      else {
        const log = ((yield at(site, getRunContext())) as RunContext).current.log;
        values = [];
        for (let k = 0; k < n; k++) {
          const e = ended.get(k);
          if (e === undefined) values.push(yield at(site, wait(pool.tasks[k]!)));
          else {
            for (const x of e.log) log.push(x);
            values.push(e.value);
          }
        }
      }
      // (fromEntries defines each key: a key "__proto__" stays a key, not the object's prototype)
      return keys === null ? values : Object.fromEntries(keys.map((key, k) => [key, values[k]]));
    } finally {
      if (!noneRunning(pool)) yield* cancelRunning(pool);
    }
  },
);
const allProgram = fn(allGen);
// the same generator under forEach's name: a traceback's frame says which the user called (a bound
// copy, not a generator delegating to it: no second frame, nothing more per step)
const forEachProgram = fn(named("forEach", allGen.bind(undefined)));

/**
 * Run the programs as tasks, at most `concurrency` at once; → their values in input order (of an
 * object of programs, `all({ a, b })`: `{ a, b }` of their values, started in key order). The first
 * failure cancels the others (their finally blocks run) and is rethrown.
 */
export function all<const P extends readonly AnyProgramLike[]>(
  programs: P,
  options?: AllOptions,
): Program<ResultsOf<P>, RowsOf<P> | SchedulerRow | TasksRow<P>>;
export function all<P extends AnyProgramLike>(
  programs: Iterable<P> & NotAProgram,
  options?: AllOptions,
): Program<ResultOf<P>[], EffectsOf<P> | SchedulerRow | TasksRow<[P]>>;
/** The values of the object's programs, by key: `all({ a, b })` → `{ a, b }` (started in key order). */
export function all<const R extends { readonly [key: string]: AnyProgramLike }>(
  programs: R & NotAProgram,
  options?: AllOptions,
): Program<
  // (a mapped type written out, not an alias: an editor shows `{ a: number; b: string }`)
  { -readonly [K in keyof R]: ResultOf<R[K]> },
  EffectsOf<R[keyof R]> | SchedulerRow | { [K in keyof R]: Spawn<ResultOf<R[K]>, EffectsOf<R[K]>> }[keyof R]
>;
/** (A compile error: one program where an array of programs goes.) */
export function all(
  programs: ArrayExpectedError<"all takes an array of programs, e.g. all([a, b]), or an object of them, all({ a, b }); to run one program, yield* it">,
  options?: AllOptions,
): never;
export function all(programs: unknown, options?: AllOptions): Program<unknown, unknown> {
  const record = programRecord(programs, "all");
  const list = record?.list ?? programList(programs, "all");
  const limit = concurrencyOption(options, "all");
  return allProgram(list, limit, callSite(), "all", record?.keys ?? null);
}

/** `all(items.map(f), options)`: `f(item, index)` makes each program (called now, at the call). */
export function forEach<T, P extends ProgramMaking>(
  items: Iterable<T> & NotAProgram,
  f: (item: T, index: number) => P & NoInfer<NotAGeneratorFunction<P>>,
  options?: AllOptions,
): Program<ResultOf<P>[], EffectsOf<P> | SchedulerRow | TasksRow<[P]>>;
/**
 * (A compile error: a program where the array of items goes, or, with items, a generator function as
 * `f`. The last overload, the one TypeScript 7 reports alone, so it says which of the two; and no
 * call the first takes may match it — `never` for `f` then —, since TypeScript tries every overload
 * by subtype before any by assignability.)
 */
export function forEach<I, P extends ProgramMaking>(
  items: I &
    NoInfer<
      I extends Iterable<unknown> & NotAProgram
        ? unknown
        : ArrayExpectedError<"forEach takes the items first (an array), not a program: yield* the program to get its list, e.g. forEach(yield* listUrls(), (url) => get(url))">
    >,
  f: (
    // (the item's type, as the first overload gives it: a callback's parameter is typed by the
    // first overload that types it, and stays so for the others)
    item: I extends Iterable<infer T> ? T : never,
    index: number,
  ) => P &
    NoInfer<
      I extends Iterable<unknown> & NotAProgram
        ? P extends Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>
          ? NotAGeneratorFunction<P>
          : never
        : unknown
    >,
  options?: AllOptions,
): never;
export function forEach(
  items: unknown,
  f: (item: never, index: number) => unknown,
  options?: AllOptions,
): Program<unknown, unknown> {
  if (
    items === null ||
    items === undefined ||
    typeof items === "function" || // (fn's result is iterable, only to say it was not called)
    typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `forEach expects an array (or another iterable) of items first, e.g. forEach(urls, (url) => get(url)), got ${describe(items)}`,
    );
  }
  // (a program is iterable itself — for yield* — so forEach(listUrls(), f) would run f once, on it)
  if (isProgramLike(items))
    throw new TypeError(
      `forEach expects an array (or another iterable) of items, got a ${describe(items)}: \`yield*\` the program first to get its list, e.g. forEach(yield* listUrls(), (url) => get(url))`,
    );
  programFunction(
    f,
    "forEach",
    "forEach(files, fn(function* one(file) { … }))",
    "forEach(urls, (url) => get(url), { concurrency: 5 })",
  );
  const limit = concurrencyOption(options, "forEach");
  const list = programList(
    Array.from(items as Iterable<never>, (x, i) => f(x, i)),
    "forEach",
  );
  return forEachProgram(list, limit, callSite(), "forEach", null);
}

/**
 * `raceAll(programs)` (SEMANTICS §9.8): an ordinary program over the §9 effects. Every program runs
 * as a task; the first to *succeed* wins: the others are cancelled (ascending id, their finally
 * blocks run) before its value is returned, with the winner's log merged. If all fail →
 * AggregateError with the errors in input order (no log merged).
 * `raceAll({ a, b })` (redux-saga's `race({ a, b })`) races the object's programs in key order and
 * answers `{ key, value }` of the winner: a union discriminated by `key`, so `if (won.key === "a")`
 * narrows `value` — which an array's union of results cannot do when two results have one type.
 */
import { getRunContext } from "../vm/primitives.js";
import { createPromise, type PromiseHandle, type Task, wait } from "../effects/scheduler.js";
import type { RunContext } from "../run/context.js";
import { fn, type Program } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";
import type { Spawn } from "../effects/scheduler.js";
import { programList, programRecord } from "./check.js";
import { cancelRunning, FAILED, labelOf, noneRunning, Pool, spawnChild } from "./pool.js";
import type {
  ArrayExpectedError,
  NonEmptyCheck,
  NonEmptyItemsCheck,
  NotAProgram,
  ResultsOf,
  RowsOf,
  SchedulerRow,
  TasksRow,
} from "./row.js";
import { at, callSite, named } from "./site.js";

const raceAllProgram = fn(
  named("raceAll", function* raceAll(programs: AnyProgramLike[], site: Error | null, keys: string[] | null) {
    const pool = new Pool(site, "raceAll", true);
    let decided = false; // a winner returned, or the AggregateError thrown
    try {
      for (let i = 0; i < programs.length; i++)
        pool.tasks[i] = (yield spawnChild(pool, i, programs[i]!)) as Task<unknown>;
      let failed = 0;
      for (;;) {
        // (nextCompleted written out: no generator per race)
        let i = pool.completed.shift();
        while (i === undefined) {
          const w = (yield at(site, createPromise<undefined>())) as PromiseHandle<undefined>;
          pool.waker = w;
          yield at(site, wait(w.future));
          i = pool.completed.shift();
        }
        let value: unknown;
        if (pool.status[i] !== FAILED) {
          const log = ((yield at(site, getRunContext())) as RunContext).current.log;
          const n = log.length;
          try {
            value = yield at(site, wait(pool.tasks[i]!)); // the winner's outcome; its log is merged
          } catch (e) {
            // A handler inside the scheduler that wraps the task failed it: after its program
            // succeeded (a commit after `resume` that threw), or before (ENDED: it threw instead of
            // resuming). It did not succeed, so the race goes on — and, not the winner, its log is
            // not delivered: the `wait` merged it, take it off again.
            log.length = n;
            pool.errors[i] = e;
            pool.status[i] = FAILED;
          }
        }
        if (pool.status[i] === FAILED) {
          if (++failed === programs.length) {
            decided = true;
            throw new AggregateError(
              pool.errors,
              `raceAll: all ${programs.length} programs failed (errors in ${keys === null ? "input" : "key"} order in .errors)`,
            );
          }
          continue;
        }
        decided = true;
        if (!noneRunning(pool)) yield* cancelRunning(pool);
        return keys === null ? value : { key: keys[i]!, value };
      }
    } finally {
      if (!noneRunning(pool)) yield* cancelRunning(pool);
      // cancelled before it decided (an outer timeout, scoped, an abort): the failures it collected
      // would reach no program (its children report to it alone), so they are kept on the warnings
      if (!decided) {
        const ctx = (yield at(site, getRunContext())) as RunContext;
        // (a loop, not forEach's arrow: an arrow here made every call allocate a context for `pool`)
        const { errors } = pool;
        for (let i = 0; i < errors.length; i++)
          if (i in errors)
            ctx.warn(errors[i], `${labelOf(pool.tasks[i]!)} of raceAll failed, and raceAll was cancelled`);
      }
    }
  }),
);

/**
 * The winner of `raceAll({ a, b })`: `{ key: "a", value }`, typed per key (a discriminated union).
 * (raceAll's and raceFirst's signatures write it out, so that a hover shows the union itself.)
 */
export type RaceWinner<R> = {
  [K in keyof R & string]: { key: K; value: ResultOf<R[K]> };
}[keyof R & string];

/** The first program to succeed; the others are cancelled. All fail → AggregateError. */
export function raceAll<const P extends readonly AnyProgramLike[]>(
  programs: P & NoInfer<NonEmptyCheck<P, "raceAll">>,
): Program<ResultsOf<P>[number], RowsOf<P> | SchedulerRow | TasksRow<P>>;
export function raceAll<P extends AnyProgramLike>(
  programs: Iterable<P> & NotAProgram & NoInfer<NonEmptyItemsCheck<P, "raceAll">>,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow | TasksRow<[P]>>;
/**
 * The first of the object's programs to succeed, as `{ key, value }` (`key` narrows `value`); the
 * others are cancelled. All fail → AggregateError (errors in key order).
 */
export function raceAll<const R extends { readonly [key: string]: AnyProgramLike }>(
  programs: R & NotAProgram & NoInfer<NonEmptyCheck<R, "raceAll">>,
): Program<
  // (RaceWinner written out: a hover shows the union of winners, `{ key: "a"; value: number } | …`)
  { [K in keyof R & string]: { key: K; value: ResultOf<R[K]> } }[keyof R & string],
  EffectsOf<R[keyof R]> | SchedulerRow | { [K in keyof R]: Spawn<ResultOf<R[K]>, EffectsOf<R[K]>> }[keyof R]
>;
/**
 * (A compile error: one program where an array of programs goes, or a race of nothing — `[]`, `{}`
 * — which throws at the call.)
 */
export function raceAll<const P>(
  programs: P &
    NoInfer<
      NonEmptyCheck<
        P,
        "raceAll",
        ArrayExpectedError<"raceAll takes an array of programs, e.g. raceAll([a, b]), or an object of them, raceAll({ a, b }); to run one program, yield* it">
      >
    >,
): never;
export function raceAll(programs: unknown): Program<unknown, unknown> {
  const record = programRecord(programs, "raceAll");
  const list = record?.list ?? programList(programs, "raceAll");
  if (list.length === 0)
    throw new TypeError(
      `raceAll needs at least one program (a race of nothing never ends)${record === null ? "" : ", got an object with no keys"}`,
    );
  return raceAllProgram(list, callSite(), record?.keys ?? null);
}

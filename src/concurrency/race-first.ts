/**
 * `raceFirst(programs)` (SEMANTICS §9.8): the first program to *finish* decides, with its value or
 * its error — redux-saga's `race`, effection's `race`, `Promise.race`, Effect's `raceFirst`. The
 * others are cancelled (ascending id, their finally blocks run) before the value is returned or the
 * error rethrown unchanged, with the deciding task's log merged (as `all` delivers a failure).
 * `raceAll` is the other race: the first to *succeed*, failures waited out — which a saga's
 * `race({ user: call(fetch), cancel: take(CANCEL) })` must not do: a failed fetch there would be
 * dropped and the saga would wait for a CANCEL that may never come.
 * `raceFirst({ a, b })` answers `{ key, value }` of the winner, typed per key, as `raceAll({ a, b })`.
 * A task that failed too, in the same step, before raceFirst could cancel it reaches no program: it
 * is kept on the warnings saying so, as `all` keeps one.
 */
import { createPromise, type PromiseHandle, type Spawn, type Task, wait } from "../effects/scheduler.js";
import { fn, type Program } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";
import { programList, programRecord } from "./check.js";
import { cancelRunning, FAILED, failedToo, noneRunning, Pool, spawnChild } from "./pool.js";
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

const raceFirstProgram = fn(
  named(
    "raceFirst",
    function* raceFirst(programs: AnyProgramLike[], site: Error | null, keys: string[] | null) {
      const pool = new Pool(site, "raceFirst");
      pool.keys = keys;
      try {
        for (let i = 0; i < programs.length; i++)
          pool.tasks[i] = (yield spawnChild(pool, i, programs[i]!)) as Task<unknown>;
        // (nextCompleted written out: no generator per race)
        let i = pool.completed.shift();
        while (i === undefined) {
          const w = (yield at(site, createPromise<undefined>())) as PromiseHandle<undefined>;
          pool.waker = w;
          yield at(site, wait(w.future));
          i = pool.completed.shift();
        }
        // the decider's task's outcome, its log merged: a value — also one a handler inside the
        // scheduler answered for the task (ENDED) — or its error. (Done, unless such a handler works
        // on after the program returned: the wait then waits for it, the others running meanwhile)
        let value: unknown;
        let failed = false;
        let error: unknown;
        try {
          value = yield at(site, wait(pool.tasks[i]!));
        } catch (e) {
          [failed, error] = [true, e];
        }
        // (a handler wrapping the task that turned the program's failure into a value: the race
        // still fails with what the program threw, as `all` does)
        if (pool.status[i] === FAILED) [failed, error] = [true, pool.errors[i]];
        yield* failedToo(pool, i, !failed, error);
        if (!noneRunning(pool)) yield* cancelRunning(pool);
        if (failed) throw error;
        return keys === null ? value : { key: keys[i]!, value };
      } finally {
        if (!noneRunning(pool)) yield* cancelRunning(pool);
      }
    },
  ),
);

/** The first program to finish decides: its value, or its error thrown; the others are cancelled. */
export function raceFirst<const P extends readonly AnyProgramLike[]>(
  programs: P & NoInfer<NonEmptyCheck<P, "raceFirst">>,
): Program<ResultsOf<P>[number], RowsOf<P> | SchedulerRow | TasksRow<P>>;
export function raceFirst<P extends AnyProgramLike>(
  programs: Iterable<P> & NotAProgram & NoInfer<NonEmptyItemsCheck<P, "raceFirst">>,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow | TasksRow<[P]>>;
/**
 * The first of the object's programs to finish, as `{ key, value }` (`key` narrows `value`), or its
 * error thrown; the others are cancelled. redux-saga's `race({ a, b })`.
 */
export function raceFirst<const R extends { readonly [key: string]: AnyProgramLike }>(
  programs: R & NotAProgram & NoInfer<NonEmptyCheck<R, "raceFirst">>,
): Program<
  // (RaceWinner written out: a hover shows the union of winners, `{ key: "a"; value: number } | …`)
  { [K in keyof R & string]: { key: K; value: ResultOf<R[K]> } }[keyof R & string],
  EffectsOf<R[keyof R]> | SchedulerRow | { [K in keyof R]: Spawn<ResultOf<R[K]>, EffectsOf<R[K]>> }[keyof R]
>;
/**
 * (A compile error: one program where an array of programs goes, or a race of nothing — `[]`, `{}`
 * — which throws at the call.)
 */
export function raceFirst<const P>(
  programs: P &
    NoInfer<
      NonEmptyCheck<
        P,
        "raceFirst",
        ArrayExpectedError<"raceFirst takes an array of programs, e.g. raceFirst([a, b]), or an object of them, raceFirst({ a, b }); to run one program, yield* it">
      >
    >,
): never;
export function raceFirst(programs: unknown): Program<unknown, unknown> {
  const record = programRecord(programs, "raceFirst");
  const list = record?.list ?? programList(programs, "raceFirst");
  if (list.length === 0)
    throw new TypeError(
      `raceFirst needs at least one program (a race of nothing never ends)${record === null ? "" : ", got an object with no keys"}`,
    );
  return raceFirstProgram(list, callSite(), record?.keys ?? null);
}

/**
 * Type-level: handlers that may end a spawned task with their own result (SEMANTICS §9.7).
 *
 * A task runs under the handlers that lie inside the scheduler at its spawn site, so a handler
 * listed after the scheduler that ends without resuming `k` (its `Ret`, Handler<H, Em, Ret>) ends
 * the *task* with its value. The task's type cannot include it: `spawn(p)` is typed where it is
 * written, with `p`'s result, before any handler is put around the program (TypeScript types a
 * program from the inside out), so `wait(task)` would claim `p`'s result and give `Ret`. The run
 * sees both halves — the programs it spawns (`Spawn<T, R>` carries their result `T` and row `R`)
 * and the handler list — so it refuses a handler inside the scheduler that takes an effect of a
 * task and returns a value the task's `T` lacks (TaskResultError).
 */
import type { Spawn } from "../effects/scheduler.js";
import type { Handler } from "../vm/handler.js";
import type { ReturnedBy, ReturnedByOne, TakenBy, TakenIn, TaskEndedBy } from "./rows.js";

/**
 * The `Spawn<T, R>` members of row E and of the rows they carry, transitively (up to six levels of
 * tasks spawning tasks): one per program run as a task, with its result `T` and its row `R`. (The
 * toolkit's combinators that run programs as tasks — all, forEach, raceAll, timeout — carry one per
 * program in their row too: TasksRow.)
 */
export type SpawnsIn<E, D extends readonly unknown[] = []> =
  E extends Spawn<unknown, infer R>
    ? D["length"] extends 6
      ? never
      : E | SpawnsIn<Exclude<R, undefined>, [...D, 1]>
    : never; // (E first: for a type parameter E the alias stays unevaluated, and declarations name it)

/**
 * The handlers of the tuple Hs listed after the last one that takes spawn: the tasks inherit them.
 * (A handler that takes anything, `any`, is not taken for a scheduler.)
 */
export type InsideScheduler<Hs> = Hs extends readonly [...infer Init, infer Last]
  ? 0 extends 1 & TakenBy<Last>
    ? Last | InsideScheduler<Init>
    : Spawn<unknown, unknown> extends TakenBy<Last>
      ? never
      : Last | InsideScheduler<Init>
  : never;

/**
 * The handlers of Hs that a task spawned in row E inherits, that take an effect the task performs,
 * and that may return a value of their own (`Ret`) that the task's result type lacks.
 */
export type TaskEnders<E, Hs> = [ReturnedBy<Hs>] extends [never]
  ? never // (no handler returns a value of its own, the common case: neither the row nor the list is walked)
  : SpawnsIn<E> extends infer S
    ? [S] extends [never]
      ? never // (no task: the list is not walked)
      : EndingHandlers<InsideScheduler<Hs>, S>
    : never;
/** The handlers among H that may end one of the tasks S (EndsTask). */
export type EndingHandlers<H, S> = H extends unknown ? (true extends EndsTask<H, S> ? H : never) : never;
/**
 * `true` for a task of S that the handler H may end with a value its result type `T` lacks. (`void`,
 * the `Ret` of a `function*` handler that falls off its end, counts as the `undefined` it is.)
 */
export type EndsTask<H, S> =
  S extends Spawn<infer T, infer R>
    ? [TakenIn<Exclude<R, undefined>, TakenBy<H>>] extends [never]
      ? false
      : [
            | Exclude<ReturnedByOne<H>, void>
            | ([Extract<ReturnedByOne<H>, void>] extends [never] ? never : undefined),
          ] extends [T]
        ? false
        : true
    : false;

/** What withHandler adds to the row for the handler `Handler<H, Em, Ret>` around row E. */
export type WithHandlerTaskEnders<E, H, Em, Ret> = [Ret] extends [never]
  ? never // (a handler that always resumes: the common case, decided at once)
  : HandlerEndsTasks<E, Handler<H, Em, Ret>>;

/**
 * `TaskEndedBy<Hd>` when the handler Hd, put around row E, may end a task spawned there with a
 * value its type lacks. (An alias of its own, whose first test reads E: in a generic function's
 * declaration it is printed by name, not expanded.)
 */
export type HandlerEndsTasks<E, Hd> =
  SpawnsIn<E> extends infer S
    ? [S] extends [never]
      ? never
      : true extends EndsTask<Hd, S>
        ? TaskEndedBy<Hd>
        : never
    : never;

/** The handlers named by the TaskEndedBy members of row E. */
export type RowTaskEnders<E> = E extends TaskEndedBy<infer H> ? H : never;

/** The compile error for handlers that may end a spawned task with a value its Task type lacks. */
export interface TaskResultError<Handlers> {
  readonly "doeff: a handler inside the scheduler (listed after it, or put around a spawn with withHandler) runs inside the spawned tasks, and may end a task with its own result, which the task's type lacks: list it before the scheduler, or put it around the task's own program, spawn(withHandler(h, p)), which types the task with it": Handlers;
}

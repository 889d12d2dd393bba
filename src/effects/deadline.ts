/**
 * @internal `timeout`'s deadline without a timer task running to its `delay` (concurrency/timeout.ts).
 *
 * timeout's timer is a task that performs `delay(ms)` and then cancels the program. Where nothing
 * but the standard scheduler and a standard clock can see that task's effects, the same timer task
 * is made (its id, its place among the tasks) but never started: it waits on a promise that the clock
 * completes when the deadline is due, exactly as its `delay` would have, and only then starts — to
 * cancel the program. A kept deadline thus costs a clock registration, not a task's start, its
 * `delay` and a cancel's finalization.
 *
 * The rule for which route (scheduler-deadline.ts `deadlineClockAt`): walking the handlers visible at
 * timeout's call site, innermost first, the first one that takes `Delay` must be a standard clock
 * (it carries DEADLINE: simulatedTime(), realTime, virtualClock's probe), the first that takes the
 * scheduler's effects must be the scheduler answering timeout's `createPromise` at its site (from
 * timeout's own frame: not re-performed by a handler that took it), and every other handler before
 * them must declare (TAKES) classes that are neither. Anything else — a clock of the user's, `observe`
 * or `record` of every effect or of Delay, `intercept`, `scoped` (it takes Spawn), a replacement
 * scheduler, realTime under `run` — gets the timer task that runs to its `delay`, which performs its
 * effects for them to see. (The run's first scheduler effect goes to the scheduler's handler, R8, not
 * its FAST_PATH: that invocation asks the rule at the site its continuation was captured from, so a
 * request's one `timeout` takes the route too.) Written for users in docs/concurrency.md ("What a
 * deadline costs").
 *
 * Three parties meet here: timeout asks (deadlineAsk), the standard scheduler answers and keeps the
 * timer task (handlers/scheduler-deadline.ts, which timeout imports, so that a program without
 * timeout carries none of it), a standard clock registers the timer (handlers/time-deadline.ts).
 */
import type { RunContext } from "../run/context.js";
import type { IdleSource, PromiseHandle, Task } from "./scheduler.js";

/** A standard clock's deadline registration: `handler[DEADLINE]`. */
export const DEADLINE: unique symbol = Symbol("doeff.deadline");

/** What a standard clock offers under DEADLINE. */
export interface DeadlineClock {
  /** the timer waits on an external promise (realTime's: a host timer completes it) */
  readonly external: boolean;
  /**
   * Can its `delay(ms)`, performed now by a task of this run, wait? (realTime under `run` throws
   * AsyncRequiredError, a simulated due past Number.MAX_SAFE_INTEGER a RangeError: the timer task,
   * whose `delay` fails as it always did, keeps those.)
   */
  can(ctx: RunContext, ms: number): boolean;
  /** What its `delay(ms)` does up to its wait, for the timer task blocked on `due`. */
  arm(due: Due, ms: number): Armed;
}

/** The promise the timer task waits on (a scheduler promise of its world). */
export interface Due {
  readonly ctx: RunContext;
  readonly promise: PromiseHandle<undefined>;
  /** completes it from outside the run's steps (external: realTime's host timer) */
  complete(): void;
  /** registerIdleSource, as its `delay` performs it (the simulated clock's timers of this world) */
  registerIdle(source: IdleSource): void;
}

/** A registered deadline: what the delay's finally block and its end do. */
export interface Armed {
  /** the delay ended without its timer firing (the program ended in time): take the timer back */
  clear(): void;
  /** the timer fired: what the delay does before it returns (virtualClock's record) */
  fired?(): void;
  /** the timer fired with an error the delay throws (virtual time stuck), or null */
  failure?(): Error | null;
}

/**
 * timeout's question, put beside the `createPromise()` it performs for its wake promise: when the
 * standard scheduler answers that very effect at its site and the rule holds there, it takes `effect`
 * (sets it null), makes the timer task (`body`, spawned at `site`) and leaves it in `timer`, with the
 * clock in `clock`. A slot, not a field of the effect: an observer sees the same CreatePromise.
 */
export const deadlineAsk: {
  effect: object | null;
  /** timeout's generator function, whose frame must perform `effect` (not a handler re-performing it) */
  by: Function | null;
  ms: number;
  body: unknown;
  site: Error | null;
  timer: Task<unknown> | null;
  clock: DeadlineClock | null;
  /** the scheduler's answer at the site (handlers/scheduler-deadline.ts), set by timeout's module */
  atSite: ((world: unknown, self: unknown, site: unknown, prompt: unknown) => unknown) | null;
} = { effect: null, by: null, ms: 0, body: null, site: null, timer: null, clock: null, atSite: null };

/** @internal The fast route, switchable so tests can compare it with the timer task's. */
export const deadlineRoute = { on: true };

/**
 * The standard scheduler's side of `timeout`'s deadline route (effects/deadline.ts): the timer task
 * made but not started, blocked on a promise a standard clock completes when the deadline is due.
 *
 * Why this is the same as the timer task that runs to its `delay` (SEMANTICS §9.8, R1–R9): that task
 * is spawned just before the program's task and, ready just before it, runs to its `delay` just
 * before the program's task starts — performing only effects that no handler but the scheduler and
 * the clock sees (the rule, deadlineClockAt). So the timer task is made where it was spawned (its id,
 * its parent, its context, its handlers: as spawnAtSite makes one), and blocked where it would have
 * blocked — as the program's task starts (armDeadline), on a promise of the kind its `delay`
 * waits on, which the clock registers as that `delay` does: same due time, same place in the
 * clock's order, same wait order. When it fires, the timer task is woken as from its `delay` and
 * starts then, running what follows that `delay`. When the program ends in time, the timeout takes
 * it back (retire) as its cancel would: the clock's timer cleared, the task ended running no code.
 *
 * Loaded with timeout (concurrency/timeout.ts imports it, and sets `deadlineAsk.atSite`, to which the
 * scheduler's FAST_PATH hands timeout's question), not with the scheduler.
 */
import { Delay } from "../effects/time.js";
import {
  type Armed,
  type DeadlineClock,
  type Due,
  DEADLINE,
  deadlineAsk,
  deadlineRoute,
} from "../effects/deadline.js";
import {
  type Task,
  type IdleSource,
  type PromiseHandle,
  SCHEDULER,
  SchedulerEffect,
} from "../effects/scheduler.js";
import {
  firstVisible,
  type Handler,
  handlersInside,
  performedIn,
  type RunContext,
  TAKES,
} from "../protocol.js";
import { addTo, BLOCKED, type PromiseCell, READY, START, Waiter, W_WAIT } from "./scheduler-cell.js";
import { deadlineOf } from "./time-deadline.js";
import { finishCancel } from "./scheduler-cancel.js";
import { newExternalCell, newPromise, request } from "./scheduler-promise.js";
import { cellOf, type TaskRec, Wrapped } from "./scheduler-task.js";
import type { World } from "./scheduler-world.js";

/** Does `h` declare (TAKES) classes of which none is Delay or — before the scheduler — a scheduler effect? */
function declines(h: Handler, afterScheduler: boolean): boolean {
  const takes = (h as { [TAKES]?: unknown })[TAKES];
  if (takes === undefined || takes === null) return false; // it decides by `handles`: it may take them
  for (const C of Array.isArray(takes) ? takes : [takes]) {
    if (typeof C !== "function") return false;
    if (C === Delay || Delay.prototype instanceof C) return false;
    if (afterScheduler) continue;
    if (
      C === SchedulerEffect ||
      C.prototype instanceof SchedulerEffect ||
      SchedulerEffect.prototype instanceof C
    )
      return false;
  }
  return true;
}

/**
 * The rule (effects/deadline.ts): the standard clock whose DEADLINE takes timeout's deadline at
 * `site`, or null for the timer task. Innermost first: before `self` (the scheduler answering there)
 * nothing may take its effects, and before the first clock nothing may take Delay.
 */
function deadlineClockAt(site: unknown, self: Handler): DeadlineClock | null {
  let clock: DeadlineClock | null = null;
  let scheduler = false;
  let ok = true;
  firstVisible(site, (h) => {
    if (!scheduler && (h as { [SCHEDULER]?: unknown })[SCHEDULER] === true) {
      scheduler = ok = h === self;
      return !ok || clock !== null;
    }
    if ((h as { [DEADLINE]?: unknown })[DEADLINE] !== undefined) {
      clock ??= deadlineOf(h);
      return scheduler;
    }
    if (declines(h, scheduler)) return false;
    ok = false;
    return true;
  });
  return ok && scheduler ? clock : null;
}

/**
 * timeout's `createPromise()` for its wake promise, asked for a deadline (deadlineAsk), at the site:
 * the promise, and — when the rule holds and the clock can wait — the timer task, made as
 * spawnAtSite makes one but not queued: it waits for `arm`.
 */
export function deadlineAtSite(w: World, self: Handler, site: unknown, prompt: unknown): unknown {
  const ask = deadlineAsk;
  ask.effect = null;
  w.applyExternal();
  const wake = newPromise(w);
  // (an effect a handler took and performs again — observe's delegate — is not timeout's at its
  // site: the handlers it passed, which would see the timer task's effects, are behind it)
  const clock = deadlineRoute.on && performedIn(site, ask.by!) ? deadlineClockAt(site, self) : null;
  if (clock === null || !clock.can(w.ctx, ask.ms)) return wake;
  const t = w.newTask(w.spawnContext(false, true));
  const hs = handlersInside(site, prompt);
  t.body = hs.length > 0 ? new Wrapped(ask.body, hs) : ask.body;
  t.spawnSite = ask.site;
  w.selfOnly ??= [self];
  ask.timer = t;
  ask.clock = clock;
  return wake;
}

/**
 * The timer task's wait on its deadline: World.unblock clears `armed` (the clock's timer); `ms`, its
 * delay, for an aborted run's report (`blocked in delay(5000)`, scheduler-cancel.ts noteWaits).
 */
class DeadlineWaiter extends Waiter {
  armed: Armed | null = null;
  ms = 0;
}

/** The promise the timer task waits on, as its `delay` makes it (effects/deadline.ts Due). */
class DueCell implements Due {
  readonly #promise: PromiseHandle<undefined> | null;
  declare readonly w: World;
  /** its cell: the simulated clock's promise's, or an external cell (realTime's) */
  declare readonly cell: PromiseCell;
  constructor(w: World, external: boolean) {
    this.w = w;
    // (an external one as createExternalPromise makes it: it takes the run's next `ext-N` id; only
    // its cell, which `complete` requests as the ExternalPromise's `complete` would)
    if (external) {
      this.#promise = null;
      this.cell = newExternalCell(w);
    } else {
      const p = newPromise(w) as PromiseHandle<undefined>;
      this.#promise = p;
      this.cell = cellOf(p.future) as PromiseCell;
    }
  }
  get ctx(): RunContext {
    return this.w.ctx;
  }
  /** (the simulated clock's: not external) */
  get promise(): PromiseHandle<undefined> {
    return this.#promise!;
  }
  complete(): void {
    request(this.w, this.cell, true, undefined);
  }
  registerIdle(source: IdleSource): void {
    this.w.registerIdle(source);
  }
}

/** Block the timer task on its deadline, which `clock` registers (as the program's task starts). */
export function armDeadline(timer: Task<unknown>, clock: DeadlineClock, ms: number): Armed {
  const t = timer as unknown as TaskRec;
  const w = t.world;
  const due = new DueCell(w, clock.external);
  // block(t), addWait(t, cell) (scheduler-waiters.ts): where its delay's `wait` blocked it
  w.block(t, null);
  const x = new DeadlineWaiter(t, W_WAIT, null, null, null);
  addTo(due.cell, x);
  x.remaining = 1;
  t.waiter = x;
  const armed = clock.arm(due, ms);
  x.armed = armed;
  x.ms = ms;
  return armed;
}

/**
 * The deadline was not reached (timeout's end): the timer task ends cancelled, running no code, as
 * a cancel of it would end it. False if it was woken (it runs, or ran): then cancel it.
 */
export function retireDeadline(timer: Task<unknown>): boolean {
  const t = timer as unknown as TaskRec;
  // waiting for its deadline (k null: it never ran), or not yet armed (made, not started)
  if (t.run === BLOCKED ? t.k !== null : !(t.run === READY && t.action === START)) return false;
  t.world.unblock(t); // (its clock's timer cleared: World.unblock)
  finishCancel(t.world, t, null);
  return true;
}

/**
 * The standard clocks' side of `timeout`'s deadline route (effects/deadline.ts): what a timer task's
 * `delay` does up to its wait — simulatedDelay's timer, realDelay's host timer — for a timer task
 * that does not run to it. Loaded with timeout (through scheduler-deadline.ts), not with the clocks:
 * a program that never calls timeout does not carry it. A clock marks itself with DEADLINE (time.ts:
 * simulatedTime() its per-run clocks, realTime `true`); `deadlineOf` makes its DeadlineClock.
 */
import { type Armed, DEADLINE, type DeadlineClock, type Due } from "../effects/deadline.js";
import { handleRef } from "../effects/scheduler.js";
import type { RunContext } from "../protocol.js";
import { type Clock, LongTimer, STUCK, stuckError } from "./time.js";

/**
 * simulatedDelay up to its wait: the same registration, made at the same moment (as the program's
 * task starts, just after the timer task would have run to its delay), so the same due time and
 * place in the clock's order.
 */
function armSimulated(clock: Clock, due: Due, ms: number): Armed {
  const p = due.promise;
  const world = (handleRef(p.future) as { world?: unknown } | undefined)?.world;
  const timers = clock.timersOf(world);
  if (!timers.registered) {
    due.registerIdle(timers);
    timers.registered = world !== undefined;
  }
  // (`can` said it is within the clock when timeout was called; virtual time moved past it since —
  // a nested world's idle step, before the program started — leaves no deadline, as a due beyond
  // the clock does for the timer task)
  if (Math.abs(clock.now + ms) > Number.MAX_SAFE_INTEGER) return { clear() {} };
  const timer = clock.add(ms, p, timers);
  return {
    clear: () => clock.remove(timer),
    failure: () => ((handleRef(p.future) as { value?: unknown }).value === STUCK ? stuckError(clock) : null),
  };
}

/** realDelay up to its wait: the host timer, cleared and its promise completed if the delay ends first. */
class RealArmed implements Armed {
  #fired = false;
  #cleared = false;
  readonly #due: Due;
  readonly #timer: LongTimer;
  constructor(due: Due, ms: number) {
    this.#due = due;
    this.#timer = new LongTimer(ms, () => {
      this.#fired = true;
      due.complete();
    });
  }
  clear(): void {
    if (this.#fired || this.#cleared) return;
    this.#cleared = true;
    this.#timer.clear();
    this.#due.complete();
  }
}

const REAL: DeadlineClock = {
  external: true,
  can: (ctx) => ctx.driver !== "sync", // (under run its delay throws AsyncRequiredError)
  arm: (due, ms) => new RealArmed(due, ms),
};

const made = new WeakMap<object, DeadlineClock>();

/** The DeadlineClock of a handler marked with DEADLINE (a clock object of its own: virtualClock's probe). */
export function deadlineOf(h: object): DeadlineClock {
  const d = (h as { [DEADLINE]?: unknown })[DEADLINE];
  if (typeof d === "object" && d !== null) return d as DeadlineClock;
  let c = made.get(h);
  if (c === undefined) {
    const clockOf = d as (ctx: RunContext) => Clock;
    c =
      d === true
        ? REAL
        : {
            external: false,
            can: (ctx, ms) => Math.abs(clockOf(ctx).now + ms) <= Number.MAX_SAFE_INTEGER,
            arm: (due, ms) => armSimulated(clockOf(due.ctx), due, ms),
          };
    made.set(h, c);
  }
  return c;
}

/**
 * Time effects (SEMANTICS §10): `now()` answers epoch milliseconds, `delay(ms)` waits. Both clocks
 * (`realTime`, `simulatedTime()`) take them.
 */
import { describe } from "../vm/brand.js";
import { Effect } from "./effect.js";

/** The effect of `now()`, taken by the clocks `realTime` and `simulatedTime()`. */
export class Now extends Effect<number> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "simulatedTime() or realTime";
  /** @internal who performs it besides `now` (UnhandledEffectError's message): a limiter asks first */
  static readonly performedBy: string =
    "rateLimited and limiter.take() perform Now and Delay: a program that calls only them needs a clock too";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Now";
  declare readonly _tag: "Now";
}
/** The effect of `delay(ms)`, taken by the clocks `realTime` and `simulatedTime()`. */
export class Delay extends Effect<undefined> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "simulatedTime() or realTime (with scheduler)";
  /** @internal who performs it besides `delay` (UnhandledEffectError's message) */
  static readonly performedBy: string =
    "timeout, retry with a delay, forEachLatest with a debounce, and rateLimited perform Delay: a program that calls only them needs a clock too";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Delay";
  declare readonly _tag: "Delay";
  declare readonly ms: number;
  constructor(ms: number) {
    super();
    this.ms = ms;
    // (also here: `new Delay("5")` was a silent wrong answer, the simulated clock at "05")
    checkMs(ms, "delay"); // (named as delay(), which checks nothing itself)
  }
}

/**
 * @internal A rate limiter's reading of the clock (rate-limit.ts): `now` is the Now it performs, and
 * the simulated clock that answers that very effect (not a Now of its own that a handler outside
 * performs) puts its per-run clock in `by`. A limiter keeps a window per simulated clock: two runs'
 * virtual times, or a virtual and the real time, are not on one line.
 */
export const clockRead: { now: object | null; by: object | null } = { now: null, by: null };

/**
 * @internal The errors of a simulated delay due past Number.MAX_SAFE_INTEGER ms (handlers/time.ts):
 * a time that clock never reaches. `timeout` takes such a deadline for none (as under realTime,
 * whose timer waits its full length) rather than fail a program that needs no clock at all.
 */
export const BEYOND_CLOCK = new WeakSet<object>();

/** The clock's current time, in epoch milliseconds (virtual under simulatedTime). */
export function now(): Now {
  return new Now();
}

/** Wait `ms` milliseconds (finite, ≥ 0; RangeError otherwise, at construction). */
export function delay(ms: number): Delay {
  return new Delay(ms);
}

function checkMs(ms: unknown, where: string): void {
  if (typeof ms !== "number")
    throw new TypeError(`${where} expects a number of milliseconds, got ${describe(ms)}`);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`${where} expects a finite number of milliseconds ≥ 0, got ${String(ms)}`);
  }
}

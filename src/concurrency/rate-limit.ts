/**
 * A rate limit: at most `limit` starts in any `interval` milliseconds, callers served in the order
 * they asked (FIFO: a later caller never gets an earlier time). The usual reason is someone else's
 * quota — an API that answers 429 past N calls a second.
 *
 * Built on the clock alone (`now` and `delay`), with no scheduler promise, so one limiter can be
 * shared by runs going on at once under `realTime` (a server's requests, each a run of its own,
 * calling one API) — which a semaphore cannot. Under `simulatedTime` each run has a clock of its own:
 * share a limiter within one run there.
 *
 * How: the limiter keeps the times it handed out, ascending. A caller's time is `now`, unless
 * `limit` times already lie in the window before it: then the `limit`-th latest + `interval`. It
 * waits until then with `delay`. Any window of `interval` ms then holds at most `limit` times: the
 * times `interval` or more before a new one are outside its window, and at most `limit - 1` others
 * are inside. A caller cancelled while it waits gives its time back (later callers keep theirs:
 * never more than the limit, at worst a slot unused).
 */
import { Delay, Now } from "../effects/time.js";
import { describe } from "../vm/brand.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { fn, hidden, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";
import { milliseconds, optionsObject } from "./check.js";
import { at, callSite, named, wrappers } from "./site.js";

/** Options of `rateLimiter`. */
export interface RateLimiterOptions {
  /** Starts allowed per window (an integer ≥ 1). */
  readonly limit: number;
  /** The window, in milliseconds (> 0). */
  readonly interval: number;
}

/**
 * At most `limit` starts per `interval` ms, made by `rateLimiter({ limit, interval })`: wrap each
 * call with `rateLimited(limiter, program)`, or wait for a turn with `yield* limiter.take()`.
 */
export class RateLimiter {
  /**
   * @internal makes `#times`: a test puts a counting Proxy here to check that a waking caller
   * reads and writes O(log n) of it, not a scan and splices (test/toolkit-rate-limit.test.ts)
   */
  static list = (): number[] => [];
  /**
   * The times handed out that a window from now on can still contain, ascending: `#times` from
   * `#head` on. Times a window no longer contains are forgotten by moving `#head`, not by a splice
   * from the front: with 50,000 callers queued, each ask moved the whole list — 100,000 asks took
   * seconds, quadratic in the queue. The dead front is cut off once it is over half the array.
   */
  #times: number[] = RateLimiter.list();
  #head = 0;
  /**
   * Times given back by cancelled callers (`unreserve`), not yet taken out of `#times`: a `timeout`
   * or `scoped` around 100,000 queued callers cancels them one after the other, and a splice each
   * (the earliest first: the whole list moves each time) took seconds. They go out together, in one
   * pass, before the list is next read.
   */
  #gone: number[] = [];
  /** the real starts among them (a caller's time when it went ahead), ascending, from `#startsHead` on: what holds back a caller that wakes (see retime) */
  #starts: number[] = [];
  #startsHead = 0;
  declare readonly limit: number;
  declare readonly interval: number;
  constructor(limit: number, interval: number) {
    if (typeof limit !== "number")
      throw new TypeError(
        `rateLimiter option limit must be a number (starts per interval), got ${describe(limit)}`,
      );
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(
        `rateLimiter option limit must be an integer ≥ 1 (starts per interval), got ${String(limit)}`,
      );
    milliseconds(interval, "rateLimiter option interval");
    if (interval === 0)
      throw new RangeError("rateLimiter option interval must be > 0 ms (a window of 0 ms limits nothing)");
    this.limit = limit;
    this.interval = interval;
  }

  /** @internal the times handed out that a window from now on can still contain, ascending (a plain array: the list itself) */
  get times(): number[] {
    this.#live();
    if (this.#head > 0) this.#times.splice(0, this.#head);
    this.#head = 0;
    return this.#times;
  }

  /** @internal the real starts among them, ascending (a plain array: the list itself) */
  get starts(): number[] {
    if (this.#startsHead > 0) this.#starts.splice(0, this.#startsHead);
    this.#startsHead = 0;
    return this.#starts;
  }

  /** @internal (tests) where the list starts in its array: the forgotten times not yet cut off before it */
  get head(): number {
    return this.#head;
  }

  /** `#times`, the times given back taken out */
  #live(): number[] {
    if (this.#gone.length > 0) this.#head = drop(this.#times, this.#head, this.#gone);
    return this.#times;
  }

  /**
   * Wait for a turn: returns at once while the window has room, else after a `delay` until the
   * earliest time that keeps every window within the limit. Performs `Now` and `Delay`.
   */
  take(): Program<undefined, Now | Delay> {
    return hidden(takeGen, this, callSite()) as Program<undefined, Now | Delay>;
  }

  /** @internal the time for a caller asking at `now` (kept: the limiter counts it from now on) */
  reserve(now: number): number {
    const { interval, limit } = this;
    const times = this.#live();
    // no window from now on contains them
    const head = (this.#head = forget(times, this.#head, now - interval));
    const sh = (this.#startsHead = forget(this.#starts, this.#startsHead, now - interval));
    const n = times.length;
    let t = n - head < limit ? now : Math.max(now, times[n - limit]! + interval);
    if (n > head && t < times[n - 1]!) t = times[n - 1]!; // FIFO (after a time given back: see above)
    times.push(t);
    if (t <= now) this.#starts.splice(after(this.#starts, sh, now), 0, now); // goes ahead at once
    return t;
  }

  /**
   * @internal A caller whose time `t` came wakes at `now` (later, when its timer was late): its time
   * becomes `now`, or the earliest time the `limit` starts before it allow; → that time.
   */
  retime(t: number, now: number): number {
    const { interval, limit } = this;
    const times = this.#live();
    const starts = this.#starts;
    // Only real starts hold a waking caller back, not the times of callers that have not started:
    // counting those, two callers whose timers are both late could push each other back for ever
    // (a property test with every timer late found it). Starts at this very instant count.
    const sh = (this.#startsHead = forget(starts, this.#startsHead, now - interval));
    const n = after(starts, sh, now);
    const allowed = n - sh >= limit ? starts[n - limit]! + interval : now;
    const v = allowed <= now ? now : allowed;
    // The waking caller's time `t` comes out of `times` and `v` goes in where it sorts. By binary
    // search, and not at all when v is t (a timer on time: the usual case): with thousands of
    // callers queued (a simulation's entities sharing one limiter) a scan or a splice of `times`
    // for each was quadratic — 100,000 queued callers took 25 s, nine tenths of it here.
    const head = this.#head;
    const j = indexOf(times, head, t);
    if (v === t && j >= 0) {
      if (v === now) starts.splice(n, 0, now);
      return v;
    }
    // (absent: forgotten by a reserve, its timer over `interval` late; re-added where it sorts, not
    // at the end, as later reserves may hold later times: the limit is read from the order)
    if (j >= 0) times.splice(j, 1);
    times.splice(after(times, head, v), 0, v);
    if (v === now) starts.splice(n, 0, now);
    return v;
  }

  /**
   * @internal A caller cancelled before its time gives it back: at the next read of `times`, all
   * given back since then at once (at most as many as it holds, so the pass is amortized O(1)).
   */
  unreserve(t: number): void {
    const gone = this.#gone;
    gone.push(t);
    if (gone.length > 64 && gone.length * 2 > this.#times.length - this.#head)
      this.#head = drop(this.#times, this.#head, gone);
  }
}

/**
 * Take the times `gone` out of ascending `times` (from `head` on), one occurrence each (a time
 * absent — forgotten — takes nothing out), in place; `gone` is emptied. What a splice of the last
 * occurrence of each did, in order: equal times are alike, so which occurrence goes does not
 * matter. A few one by one, more by one merge pass over `times`. → the new head.
 *
 * One by one, the shorter side of the list moves over the gap: the times before it one place on
 * (and the head with them), or those after it one place back (a splice). Always a splice, callers
 * cancelled one at a time in queue order (each timing out), each followed by an ask, moved the
 * whole list each time: 50,000 of them took 1.2 s, quadratic in the queue (now 35 ms). One from
 * anywhere still moves up to half the list (50,000 at random: 0.9 s before, 0.5 s now).
 */
function drop(times: number[], head: number, gone: number[]): number {
  if (gone.length <= 8) {
    for (const t of gone) {
      const i = indexOf(times, head, t);
      if (i < 0) continue;
      if (i - head < times.length - 1 - i) {
        for (let k = i; k > head; k--) times[k] = times[k - 1]!;
        head++;
      } else times.splice(i, 1);
    }
  } else {
    gone.sort((a, b) => a - b);
    let j = 0;
    let w = head;
    for (let i = head; i < times.length; i++) {
      const x = times[i]!;
      while (j < gone.length && gone[j]! < x) j++;
      if (j < gone.length && gone[j] === x)
        j++; // (one occurrence of x goes)
      else times[w++] = x;
    }
    times.length = w;
  }
  gone.length = 0;
  return head;
}

/** The index after every time ≤ `v` in ascending `xs` from `lo` on (binary search: a queue may be long). */
function after(xs: readonly number[], lo: number, v: number): number {
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the last `v` in ascending `xs` from `head` on, or -1 (what `lastIndexOf` answers, by binary search). */
function indexOf(xs: readonly number[], head: number, v: number): number {
  const i = after(xs, head, v) - 1;
  return i >= head && xs[i] === v ? i : -1;
}

/**
 * Forget the times ≤ `before` at the front of ascending `xs` from `head` on: → the new head. Each
 * time is stepped over once (amortized O(1) an ask); the dead front is cut off, in place, once it
 * is over half the array (a copy of at most what was stepped over since the last cut).
 */
function forget(xs: number[], head: number, before: number): number {
  while (head < xs.length && xs[head]! <= before) head++;
  if (head > 32 && head * 2 > xs.length) {
    xs.copyWithin(0, head);
    xs.length -= head;
    return 0;
  }
  return head;
}

function* takeGen(l: RateLimiter, site: Error | null): Generator<unknown, undefined, any> {
  let now = (yield at(site, new Now())) as number;
  let t = l.reserve(now);
  let started = false;
  try {
    // (a timer that fires late moves this start later: the check is made again from the times of
    // the starts before it, so real starts keep the limit, not only the times handed out)
    while (t > now) {
      yield at(site, new Delay(t - now));
      now = (yield at(site, new Now())) as number;
      t = l.retime(t, now);
    }
    started = true;
  } finally {
    if (!started) l.unreserve(t);
  }
  return undefined;
}
named("rateLimit", takeGen);

const rateLimitedGen = function* rateLimited(
  l: RateLimiter,
  p: AnyProgramLike,
  site: Error | null,
): Generator<unknown, unknown, any> {
  yield at(site, hidden(takeGen, l, site));
  return yield at(site, p as ProgramLikeOf<unknown>);
};
const rateLimitedProgram = fn(rateLimitedGen);
named("rateLimited", rateLimitedGen); // (its name survives a minifying bundler)
wrappers.set(rateLimitedGen, 1); // (timeout(rateLimited(l, job)) names the job)

/**
 * A limiter of at most `limit` starts in any `interval` ms (FIFO). A plain object: make it once
 * (module level, or where the client of a rate-limited API is made) and share it; under `realTime`
 * it may be shared by runs going on at once.
 *
 * ```ts
 * const openai = rateLimiter({ limit: 2, interval: 1000 });
 * const reply = yield* rateLimited(openai, callModel(prompt)); // waits its turn, then calls
 * ```
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiter {
  if (options === undefined)
    throw new TypeError(
      "rateLimiter expects options { limit, interval }, e.g. rateLimiter({ limit: 2, interval: 1000 })",
    );
  const o = optionsObject(options, "rateLimiter", ["limit", "interval"]);
  return new RateLimiter(o.limit as number, o.interval as number);
}

// `const l = yield* rateLimiter(…)`, as createSemaphore is written, would fail with V8's "is not
// iterable": say what to write instead. Not declared on the class, so TypeScript still refuses it.
Object.defineProperty(RateLimiter.prototype, Symbol.iterator, {
  value(): never {
    throw new TypeError(
      "rateLimiter(…) is a plain object, not a program: make it without yield* (const limiter = rateLimiter({ limit, interval })), then yield* rateLimited(limiter, program) or yield* limiter.take()",
    );
  },
});

/** `program`, started when `limiter` gives it a turn (see `rateLimiter`). Adds `Now | Delay` to its effects. */
export function rateLimited<P extends AnyProgramLike>(
  limiter: RateLimiter,
  program: P,
): Program<ResultOf<P>, EffectsOf<P> | Now | Delay> {
  if (!(limiter instanceof RateLimiter))
    throw new TypeError(
      `rateLimited expects a RateLimiter (from rateLimiter({ limit, interval })) first, got ${describe(limiter)}`,
    );
  checkProgramArg(program, "rateLimited");
  return rateLimitedProgram(limiter, program, callSite()) as Program<ResultOf<P>, EffectsOf<P> | Now | Delay>;
}

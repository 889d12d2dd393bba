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
 * never more than the limit, at worst a slot unused). Its time never goes back, whatever the clock
 * reads (`time`: Date.now() can be set back).
 *
 * One limiter, several clocks: the times of different clocks are not on one line — a run under
 * `simulatedTime` starts at epoch 0 (or its `start`), another run's virtual clock elsewhere again,
 * realTime at Date.now(). Read as one time, each switch between them looked like a clock set far back
 * or forward: callers waited for starts made on another clock, or the limit let through what the
 * other clock's starts should have held back. So each clock keeps a window of its own (`windowOf`):
 * each simulated clock (one per run; a window dropped with the run), and realTime — with any clock of
 * the program's own, which cannot be told apart from it — one window shared by the runs going on at
 * once: a module-level limiter limits a server's real calls, and each test's simulated run counts
 * only its own. (Refusing a second clock would fail the test run after the first, or any simulated
 * run in a process whose server shares the limiter.) The first clock's window is the limiter itself.
 */
import { clockRead, Delay, Now } from "../effects/time.js";
import { describe } from "../vm/brand.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { fn, hidden, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { milliseconds, optionsObject } from "./check.js";
import { waitsIn } from "../trace/blocked-in.js";
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
   * Times given back by cancelled callers (`unreserve`) but still in `#times` — tombstones, kept as
   * how many occurrences of each value are given back (equal times are alike: which occurrence is
   * dead does not matter). A give-back from the middle of a long queue was a splice, or a shift of
   * the shorter side: callers cancelled from the middle one at a time (each timing out while the
   * front starts) moved a quarter of the queue each — 10,000 of 20,000 took a minute. Now those
   * near either end go at once (a few moves), the others stay until the dead are half the list
   * (then one pass), the tail a reserve reads, or the front a reserve forgets.
   */
  #dead = new Map<number, number>();
  #deadCount = 0;
  /** ≥ every time in `#dead` (-Infinity when none): a reserve whose window starts above it reads no tombstone */
  #deadMax = -Infinity;
  /** the real starts among them (a caller's time when it went ahead), ascending, from `#startsHead` on: what holds back a caller that wakes (see retime) */
  #starts: number[] = [];
  #startsHead = 0;
  /** the latest time read (see `time`), and what is added to the clock's readings */
  #last = -Infinity;
  #skew = 0;
  /** the window of each clock that took a turn here (see above), made on first use; the first clock's is this */
  #clocks: WeakMap<object, RateLimiter> | null = null;
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
    // (> 0, where every other duration of the toolkit may be 0: one message that says so, not
    // milliseconds()'s "≥ 0" for -5 and Infinity and then "> 0" for 0)
    if (typeof interval === "number" && !(interval > 0 && interval < Infinity))
      throw new RangeError(
        `rateLimiter option interval must be a finite number of milliseconds > 0 (the window the limit counts starts in), got ${String(interval)}`,
      );
    milliseconds(interval, "rateLimiter option interval");
    this.limit = limit;
    this.interval = interval;
  }

  /** @internal the times handed out that a window from now on can still contain, ascending (a plain array: the list itself) */
  get times(): number[] {
    if (this.#deadCount > 0) this.#compact();
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

  /**
   * Wait for a turn: returns at once while the window has room, else after a `delay` until the
   * earliest time that keeps every window within the limit. Performs `Now` and `Delay`.
   */
  take(): Program<undefined, Now | Delay> {
    return hidden(takeGen, this, callSite()) as Program<undefined, Now | Delay>;
  }

  /** @internal The window of `clock` (see above): this limiter for the first clock, else a limiter of its own. */
  windowOf(clock: object): RateLimiter {
    const ws = (this.#clocks ??= new WeakMap([[clock, this]]));
    let w = ws.get(clock);
    if (w === undefined) ws.set(clock, (w = new RateLimiter(this.limit, this.interval)));
    return w;
  }

  /**
   * @internal A reading of the clock as the limiter's time, which never goes back. `realTime` reads
   * Date.now(), which an NTP step can set back: the limiter then waited as long as the step (an
   * hour back, an hour's wait), and a caller that woke counted only the starts before the earlier
   * reading. A reading below the last is taken as no time passed — or, for a caller that waited
   * until `floor`, as its wait (timers do not go back: a clock going back for good stalled none) —
   * and later readings are moved on by as much. A clock that does not go back is read as it is.
   * A reading that has not moved since the last, for a caller that waited until `floor`, is taken
   * as its wait too: a frozen clock (Date.now mocked in a test while real timers run, a handler
   * answering Now with one value) made the caller delay again and again for ever.
   */
  time(raw: number, floor: number): number {
    let t = raw + this.#skew;
    if (t < this.#last || (t === this.#last && floor > t)) {
      const to = Math.max(floor, this.#last);
      this.#skew += to - t;
      t = to;
    }
    return (this.#last = t);
  }

  /** @internal the time for a caller asking at `now` (kept: the limiter counts it from now on) */
  reserve(now: number): number {
    const { interval, limit } = this;
    const times = this.#times;
    // no window from now on contains them (nor the tombstones among them)
    if (this.#deadCount > 0) this.#forgetDead(now - interval);
    const head = (this.#head = forget(times, this.#head, now - interval));
    const sh = (this.#startsHead = forget(this.#starts, this.#startsHead, now - interval));
    if (this.#deadCount > 0) this.#liveTail(head);
    const n = times.length;
    let t = n - head - this.#deadCount < limit ? now : Math.max(now, times[n - limit]! + interval);
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
    const times = this.#times;
    const starts = this.#starts;
    // Only real starts hold a waking caller back, not the times of callers that have not started:
    // counting those, two callers whose timers are both late could push each other back for ever
    // (a property test with every timer late found it). Starts at this very instant count.
    const sh = (this.#startsHead = forget(starts, this.#startsHead, now - interval));
    const n = after(starts, sh, now);
    const allowed = n - sh >= limit ? starts[n - limit]! + interval : now;
    const v = allowed <= now ? now : allowed;
    if (v === now) starts.splice(n, 0, now);
    // The waking caller's time `t` comes out of `times` and `v` goes in where it sorts. By binary
    // search, and not at all when v is t (a timer on time: the usual case): with thousands of
    // callers queued (a simulation's entities sharing one limiter) a scan or a splice of `times`
    // for each was quadratic — 100,000 queued callers took 25 s, nine tenths of it here.
    const j = this.#find(t);
    if (v === t && j >= 0) return v;
    const head = this.#head;
    // Neither a splice out nor one in (each moved the rest of the queue): the times between `t` and
    // `v` move one place — under realTime every timer fires a little late, v a little past t, and
    // two splices a wake made a queue of 5,000 cost 50 million moves. (Where `v` goes is found by
    // stepping from `t`: no more steps than the moves.)
    if (j >= 0) {
      let p = j;
      if (v >= t) {
        while (p + 1 < times.length && times[p + 1]! <= v) {
          times[p] = times[p + 1]!;
          p++;
        }
      } else
        while (p > head && times[p - 1]! > v) {
          times[p] = times[p - 1]!;
          p--;
        }
      times[p] = v;
      return v;
    }
    const p = after(times, head, v);
    if (head > 0 && p - head < times.length - p) {
      // (absent: forgotten by a reserve, its timer over `interval` late; put back where it sorts,
      // not at the end, as later reserves may hold later times: the limit is read from the order.
      // Near the front: there the forgotten slot before the head takes the times before it.)
      for (let i = head - 1; i < p - 1; i++) times[i] = times[i + 1]!;
      times[p - 1] = v;
      this.#head = head - 1;
    } else times.splice(p, 0, v);
    return v;
  }

  /**
   * @internal A caller cancelled before its time gives it back (an absent time — forgotten — gives
   * nothing). Near either end of the list by a few moves, else as a tombstone: O(1) amortized.
   */
  unreserve(t: number): void {
    const times = this.#times;
    const head = this.#head;
    const hi = after(times, head, t);
    if (hi === head || times[hi - 1] !== t) return;
    const lo = before(times, head, t);
    const dead = this.#deadCount > 0 ? (this.#dead.get(t) ?? 0) : 0;
    if (hi - lo <= dead) return; // each of its occurrences given back already
    if (lo - head <= NEAR) {
      // the times before it one place on, the head with them (callers cancelled in queue order)
      for (let i = lo; i > head; i--) times[i] = times[i - 1]!;
      this.#head = head + 1;
    } else if (times.length - hi <= NEAR) times.splice(hi - 1, 1);
    else {
      this.#dead.set(t, dead + 1);
      if (t > this.#deadMax) this.#deadMax = t;
      if (++this.#deadCount * 2 > times.length - head) this.#compact();
    }
  }

  /** The index of an occurrence of `t` not given back, or -1. */
  #find(t: number): number {
    const times = this.#times;
    const head = this.#head;
    const hi = after(times, head, t);
    if (hi === head || times[hi - 1] !== t) return -1;
    if (this.#deadCount === 0) return hi - 1;
    const dead = this.#dead.get(t) ?? 0;
    return dead > 0 && hi - before(times, head, t) <= dead ? -1 : hi - 1;
  }

  /** Take every tombstone out of the list, in one pass (it stays where its head is). */
  #compact(): void {
    const times = this.#times;
    const dead = this.#dead;
    let w = this.#head;
    for (let i = w; i < times.length; i++) {
      const x = times[i]!;
      const d = dead.get(x);
      if (d === undefined) times[w++] = x;
      else if (d === 1) dead.delete(x);
      else dead.set(x, d - 1);
    }
    times.length = w;
    this.#deadCount = 0;
    this.#deadMax = -Infinity;
  }

  /** The tombstones of the times ≤ `before` at the front, which the reserve is about to forget. */
  #forgetDead(before: number): void {
    const times = this.#times;
    const dead = this.#dead;
    for (let i = this.#head; i < times.length && times[i]! <= before; i++) {
      const d = dead.get(times[i]!);
      if (d !== undefined) {
        dead.delete(times[i]!);
        this.#deadCount -= d;
      }
    }
    if (this.#deadCount === 0) this.#deadMax = -Infinity;
  }

  /**
   * Make the last `limit` times of the list (all, when fewer are not given back) times not given
   * back, as reserve reads them: the tombstones among them go, the others move down over them.
   * Nothing to do when every tombstone lies below them (`#deadMax`, kept up to date here).
   */
  #liveTail(head: number): void {
    const times = this.#times;
    const dead = this.#dead;
    const n = times.length;
    if (this.#deadMax < times[Math.max(head, n - this.limit)]!) return;
    const out: number[] = []; // the tombstones' indices, descending
    let found = 0;
    let r = n;
    while (r > head && found < this.limit) {
      const x = times[--r]!;
      const d = dead.get(x);
      if (d === undefined) found++;
      else {
        if (d === 1) dead.delete(x);
        else dead.set(x, d - 1);
        this.#deadCount--;
        out.push(r);
      }
    }
    // what is left lies below `r`, and below times[r] too (a tombstone of that value would have
    // been met before the limit-th live time was)
    this.#deadMax =
      this.#deadCount === 0 ? -Infinity : (times[before(times, head, times[r]!) - 1] ?? -Infinity);
    if (out.length === 0) return;
    let w = r;
    let k = out.length - 1;
    for (let i = r; i < n; i++) {
      if (k >= 0 && out[k] === i) k--;
      else times[w++] = times[i]!;
    }
    times.length = w;
  }
}

/** How far from either end of the list a give-back moves the times between (see `#dead`). */
const NEAR = 16;

/** The index of the first time ≥ `v` in ascending `xs` from `lo` on (binary search). */
function before(xs: readonly number[], lo: number, v: number): number {
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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

/** realTime's, and a clock of the program's own (see above): what `windowOf` keeps their window by. */
const REAL = {};

function* takeGen(limiter: RateLimiter, site: Error | null): Generator<unknown, undefined, any> {
  // (which clock answers: a simulated one has a window of its own, see above)
  const ask = new Now();
  clockRead.now = ask;
  const raw = (yield at(site, ask)) as number;
  const l = limiter.windowOf(clockRead.by ?? REAL);
  clockRead.now = clockRead.by = null;
  let now = l.time(raw, -Infinity);
  let t = l.reserve(now);
  let started = false;
  try {
    // (a timer that fires late moves this start later: the check is made again from the times of
    // the starts before it, so real starts keep the limit, not only the times handed out)
    while (t > now) {
      yield at(site, new Delay(t - now));
      now = l.time((yield at(site, new Now())) as number, t);
      t = l.retime(t, now);
    }
    started = true;
  } finally {
    if (!started) l.unreserve(t);
  }
  return undefined;
}
named("rateLimit", takeGen);
waitsIn(takeGen, "limiter.take()"); // (timeout(limiter.take(), ms) names the call, as a concurrencyLimiter's)

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
export function rateLimited<P extends AnyProgramLike | AnyFunction>(
  limiter: RateLimiter,
  program: P & NoInfer<ProgramArg<P>>,
): Program<ResultOf<P>, EffectsOf<P> | Now | Delay> {
  if (!(limiter instanceof RateLimiter))
    throw new TypeError(
      `rateLimited expects a RateLimiter (from rateLimiter({ limit, interval })) first, got ${describe(limiter)}`,
    );
  checkProgramArg(program, "rateLimited");
  return rateLimitedProgram(limiter, program, callSite()) as Program<ResultOf<P>, EffectsOf<P> | Now | Delay>;
}

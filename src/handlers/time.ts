/**
 * Clocks (SEMANTICS §10): `simulatedTime({ start })` (virtual, deterministic, works under `run`) and
 * `realTime` (Date.now and timers). Both take `Now` and `Delay`.
 *
 * A scheduler is *present* when a handler visible at the perform site carries SCHEDULER. Then a
 * delay runs at the perform site (transferWith) and blocks the task on a scheduler promise: the
 * simulated clock completes it when it is the clock's turn (it is an idle source, R6), the real
 * clock from a setTimeout (an external promise). Without a scheduler the simulated clock just moves
 * forward, and the real clock pauses the whole run (asyncEscape).
 *
 * INV-13 (`run` + simulatedTime is deterministic) rests on two things here: the simulated clock reads
 * no real time and sets no real timer, and it moves only when the scheduler is idle (timers due at
 * one instant fire in the order they were set), so the order of everything is fixed by the program.
 */
import {
  createExternalPromise,
  createPromise,
  handleRef,
  type IdleSource,
  type PromiseHandle,
  registerIdleSource,
  SCHEDULER,
  wait,
} from "../effects/scheduler.js";
import { keepFast } from "../effects/keep-fast.js";
import { BEYOND_CLOCK, clockRead, Delay, Now } from "../effects/time.js";
import { DEADLINE } from "../effects/deadline.js";
import { AsyncRequiredError, DoeffError } from "../errors.js";
import {
  asyncEscape,
  callAtSiteAnswer,
  type Continuation,
  DEFER,
  describe,
  FAST_PATH,
  getHandlers,
  getRunContext,
  type Handler,
  hidden,
  listedUncalled,
  offAbort,
  onAbort,
  type RunContext,
  SHOWN_ARG,
  transfer,
  transferWith,
  TAKES,
  visibleMarked,
  waitsIn,
} from "../protocol.js";
import { named, raiseAt } from "./util.js";

function schedulerPresent(hs: readonly Handler[]): boolean {
  for (const h of hs) if ((h as { [SCHEDULER]?: unknown })[SCHEDULER] === true) return true;
  return false;
}

/**
 * A delay's handler program run at the perform site (the clocks' FAST_PATH): what the handler's
 * `transferWith(k, program)` does, without capturing k and invoking the handler — when a scheduler
 * lies between the perform site and the clock's prompt (so it is present; else the handler decides,
 * looking at every visible handler). A task's delay under `[scheduler, clock]` is that case.
 */
function atSite(site: unknown): boolean {
  return clockFastPaths.delayAtSite && site !== undefined && visibleMarked(site, SCHEDULER);
}

/** @internal The clocks' delay at the site, switchable so tests can compare it with the handler's. */
export const clockFastPaths = { delayAtSite: true };

// ---------------------------------------------------------------------------------------------
// simulatedTime

const PENDING = 0;
const FIRED = 1;
const REMOVED = 2;

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly promise: PromiseHandle<undefined>;
  /** the timers of its world, which hold it */
  readonly of: Timers;
  state: number;
}

/**
 * Rounds in a row that fire timers without moving virtual time before the clock calls it a livelock:
 * a loop whose delay is 0 (`while (!done) yield* delay(0)`, a deadline already passed) keeps time
 * at one instant, so timers due later never fire and `run` never returned — a hang with nothing to
 * say where. A program that means it yields 100,000 times in a row at one instant, which takes a
 * second or two; then, if a timer due later is pending (one the loop keeps from firing), the delays
 * fired in that round throw, at their sites, saying so. (`cede()` makes no round: a batch that
 * cedes is never counted.)
 */
const STUCK_ROUNDS = 100_000;
/** The value a stuck round completes its timers' promises with (simulatedDelay throws for it). */
export const STUCK = {};

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function push(h: Timer[], t: Timer): void {
  h.push(t);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[i]!, h[p]!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

function pop(h: Timer[]): Timer | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last !== undefined) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  return top;
}

/**
 * The timers of one scheduler world: a binary heap ordered by (due, seq), and the idle source the
 * world asks (R6). One heap per world, not one for the clock: a different scheduler nested in a
 * task is a world of its own on the same clock, and with one heap each world's idle step popped the
 * other world's timers due before its own, found them not its own and pushed them back — every
 * round, so a nested world's 4,000 rounds beside 4,000 overdue outer timers took 6 s, not 0.1 s.
 * @internal (also time-deadline.ts)
 */
export class Timers implements IdleSource {
  heap: Timer[] = [];
  /** timers in the heap that ended without firing (a timeout whose program finished in time) */
  removed = 0;
  /** timers in the heap still pending: at 0 the heap is dropped (see Clock.remove) */
  waiting = 0;
  /** registered with its world as an idle source (until the world drops it: `pending`) */
  registered = false;
  constructor(readonly clock: Clock) {}
  progress(complete: (promise: PromiseHandle<any>, value: unknown) => boolean): boolean {
    return this.clock.progress(this, complete);
  }
  /**
   * No timer pending: the world drops this idle source, and the next delay registers it again (at
   * its old place in the order). So a clock made per scope of a long run is not asked at every
   * idle moment for the rest of the run, and goes with its scope.
   */
  pending(): boolean {
    if (this.waiting > 0) return true;
    this.registered = false;
    return false;
  }
}

/**
 * @internal The virtual clock of one run: time, and the timers of each scheduler world that waits on
 * it (also time-deadline.ts).
 */
export class Clock {
  declare now: number;
  private seq = 0;
  /** rounds in a row that fired timers without moving time (STUCK_ROUNDS) */
  private still = 0;
  /** each world's timers (a world is the scheduler's record of its run: simulatedDelay) */
  private readonly worlds = new WeakMap<object, Timers>();
  /** the timers of a scheduler that does not say its world (another implementation): one heap */
  private readonly unknown = new Timers(this);
  /** the worlds' timers that hold any, for the stuck check (a world's is dropped when it empties) */
  private readonly holding = new Set<Timers>();
  constructor(start: number) {
    this.now = start;
  }

  timersOf(world: unknown): Timers {
    if (world === null || typeof world !== "object") return this.unknown;
    let ts = this.worlds.get(world);
    if (ts === undefined) this.worlds.set(world, (ts = new Timers(this)));
    return ts;
  }

  /**
   * A timer ended without firing. It stays in the heap until its due time, unless removed timers
   * are most of the heap: then they go at once (a filter and a sort, which is a heap), so 100,000
   * timeouts whose programs finish early — virtual time does not reach their deadlines while the
   * run has other work — do not keep 100,000 timers and their promises.
   */
  remove(t: Timer): void {
    if (t.state !== PENDING) return;
    t.state = REMOVED;
    const ts = t.of;
    // none pending any more: all go (a nested world that ended, its tasks cancelled in their
    // delays, is never idle again to pop them, and its timers' promises would keep it alive)
    if (--ts.waiting === 0) {
      ts.heap = [];
      ts.removed = 0;
      this.holding.delete(ts);
    } else if (++ts.removed > 64 && ts.removed * 2 > ts.heap.length) {
      ts.heap = ts.heap.filter((x) => x.state === PENDING).sort((a, b) => (before(a, b) ? -1 : 1));
      ts.removed = 0;
    }
  }

  add(ms: number, promise: PromiseHandle<undefined>, of: Timers): Timer {
    const due = this.now + ms;
    if (Math.abs(due) > Number.MAX_SAFE_INTEGER) throw pastSafe(this.now, ms);
    const t: Timer = { due, seq: this.seq++, promise, of, state: PENDING };
    if (of.heap.length === 0) this.holding.add(of);
    push(of.heap, t);
    of.waiting++;
    return t;
  }

  /** Is a timer due later than now pending, in any world? (one a loop at this instant holds back) */
  private laterPending(): boolean {
    for (const ts of this.holding)
      if (ts.heap.some((t) => t.state === PENDING && t.due > this.now)) return true;
    return false;
  }

  /**
   * Idle (R6) in the world of `ts`: move to the earliest due time among its timers and fire every
   * one of them due then, in seq order; the clock never goes back. (A timer `complete` refuses is
   * another world's — only in the heap of a scheduler that does not say its world — and is left.)
   */
  progress(ts: Timers, complete: (promise: PromiseHandle<any>, value: unknown) => boolean): boolean {
    // at the limit, stuck only if a timer due later is kept from firing: with none, a long loop of
    // zero delays (a batch that yields to the other tasks after each item) ends as under realTime
    if (this.still >= STUCK_ROUNDS && !this.laterPending()) this.still = 0;
    const h = ts.heap;
    const foreign: Timer[] = [];
    let due = -1;
    let fired = false;
    for (;;) {
      const t = h[0];
      if (t === undefined || (fired && t.due !== due)) break;
      pop(h);
      if (t.state !== PENDING) {
        ts.removed--;
        continue;
      }
      const stuck = t.due <= this.now && this.still >= STUCK_ROUNDS;
      if (!complete(t.promise, stuck ? STUCK : undefined)) {
        foreign.push(t);
        continue;
      }
      t.state = FIRED;
      ts.waiting--;
      if (!fired) {
        fired = true;
        due = t.due;
        if (due > this.now) {
          this.now = due;
          this.still = 0;
        } else this.still++;
      }
    }
    if (this.still > STUCK_ROUNDS) this.still = 0; // (reported: counted again from here)
    for (const t of foreign) push(h, t);
    if (ts.waiting === 0) {
      ts.heap = []; // (only timers that ended without firing were left)
      ts.removed = 0;
      this.holding.delete(ts);
    }
    return fired;
  }
}

/**
 * A due time past Number.MAX_SAFE_INTEGER is refused: there a millisecond no longer adds exactly
 * (2 ** 54 + 1 is 2 ** 54), so `delay(1)` would not move time — a simulation's loop read as stuck at
 * one instant, with a message about zero delays — and two delays of Number.MAX_VALUE made it Infinity.
 * So is one before -Number.MAX_SAFE_INTEGER (a `start` far in the past: delays never moved it).
 */
function pastSafe(now: number, ms: number): RangeError {
  const before = now + ms < 0;
  const e = new RangeError(
    before
      ? `delay(${ms}) at virtual time ${now} ms is due before -Number.MAX_SAFE_INTEGER ms, where a millisecond no longer adds exactly; start virtual time after it (simulatedTime option start)`
      : `delay(${ms}) at virtual time ${now} ms is due past Number.MAX_SAFE_INTEGER ms (285,000 years), where a millisecond no longer adds exactly; keep virtual time below it (to wait for ever, wait for a promise that is never completed)`,
  );
  if (!before) BEYOND_CLOCK.add(e);
  return e;
}

/** delay(ms) at the perform site, under a scheduler: block on a timer of the virtual clock. */
function* simulatedDelay(clock: Clock, ms: number): Generator<unknown, undefined, any> {
  const p = yield* createPromise<undefined>();
  // The world's timers must be an idle source of the world that waits on them: registered by the
  // world's first delay (and the first after the world dropped them, none pending: Timers.pending),
  // not each delay — an effect the scheduler answers for nothing was a sixth of the cost of a timer
  // (a simulation's entities wait in a loop). The promise's cell names its world (a scheduler that
  // does not: every delay registers, and the scheduler says if it is new).
  const world = (handleRef(p.future) as { world?: unknown } | undefined)?.world;
  const timers = clock.timersOf(world);
  if (!timers.registered) {
    yield* registerIdleSource(timers);
    timers.registered = world !== undefined;
  }
  const timer = clock.add(ms, p, timers);
  try {
    if ((yield* wait(p.future)) === STUCK) throw stuckError(clock);
    return undefined;
  } finally {
    clock.remove(timer); // (if it ended without firing: e.g. cancelled)
  }
}

/** @internal (also time-deadline.ts) */
export function stuckError(clock: Clock): DoeffError {
  return new DoeffError(
    `virtual time is stuck at ${clock.now} ms: timers fired at that instant ${STUCK_ROUNDS} times in a row, so later ones never fire — a loop of zero delays (\`while (!done) yield* delay(0)\`, a deadline already passed); wait for a promise or a channel, or delay(1) or more`,
  );
}

// (what an aborted run's report says a task blocked in one was blocked in, not `wait(a promise)`;
// with its ms, which simulatedDelayOf puts on the generator)
waitsIn(simulatedDelay, "delay(…)");

/**
 * simulatedDelay's generator, carrying its ms for the report (`blocked in delay(5000)`): a property
 * of the generator object, not a WeakMap entry per delay (~140 ns against ~5 measured, in what is a
 * simulation's loop).
 */
function simulatedDelayOf(clock: Clock, ms: number): Generator<unknown, undefined, any> {
  const g = simulatedDelay(clock, ms);
  (g as { [SHOWN_ARG]?: number })[SHOWN_ARG] = ms;
  return g;
}

/**
 * What a simulatedTime()'s clockOf (its DEADLINE) is given to look without making a clock. (clockIn
 * asks the handler's own function: not a property or a WeakMap entry per handler, and nothing written
 * on the handler during a run — a frozen one, a hardened realm's, threw at its first reading of time.)
 */
const PEEK = true;

/** @internal for tests: the clock of `handler` (a `simulatedTime()`) in the run of `ctx`, if it made one. */
export function clockIn(handler: object, ctx: RunContext): unknown {
  const clockOf = (handler as { [DEADLINE]?: unknown })[DEADLINE];
  return typeof clockOf === "function" ? clockOf(ctx, PEEK) : undefined;
}

/** Options of `simulatedTime(options)`. */
export interface SimulatedTimeOptions {
  /** Virtual epoch milliseconds at the start of each run (default 0). */
  start?: number;
}

/**
 * What every simulatedTime() takes: one array for all of them (the dispatch caches what a TAKES
 * array's classes are by the array: a new one per handler was a cache entry per handler). Frozen:
 * shared, it must not change under one handler.
 */
const CLOCK_TAKES: readonly [typeof Now, typeof Delay] = /* @__PURE__ */ Object.freeze([Now, Delay]);
const takesTime = (e: unknown): boolean => e instanceof Now || e instanceof Delay;

/**
 * The simulated clock's handler code, shared by every simulatedTime() (its own is an arrow). (The
 * name of this generator function is not shown anywhere: a handler's frames are named by the handler.)
 */
function* simulatedClock(
  clockOf: (ctx: RunContext) => Clock,
  effect: Now | Delay,
  k: Continuation,
): Generator<unknown, unknown, any> {
  const ctx = yield* getRunContext();
  const clock = clockOf(ctx);
  if (effect instanceof Now) return yield* transfer(k, read(effect, clock));
  if (!schedulerPresent(yield* getHandlers())) {
    const due = clock.now + effect.ms;
    if (Math.abs(due) > Number.MAX_SAFE_INTEGER) return yield* raiseAt(k, pastSafe(clock.now, effect.ms));
    clock.now = due;
    return yield* transfer(k, undefined);
  }
  return yield* transferWith(k, hidden(simulatedDelayOf, clock, effect.ms));
}

/** A virtual clock (a new handler object; its time is per run). */
export function simulatedTime(options: SimulatedTimeOptions = {}): Handler<Now | Delay> {
  listedUncalled(options, "simulatedTime");
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`simulatedTime expects options { start?: number }, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "start")
      throw new TypeError(`unknown simulatedTime option ${JSON.stringify(key)}; the only option is start`);
  }
  const start = options.start ?? 0;
  if (typeof start !== "number" || !Number.isFinite(start)) {
    throw new TypeError(`simulatedTime option start must be a finite number, got ${describe(start)}`);
  }
  // Each run's clock, by its context: not in the run's per-run map (perRun), which keeps its entries
  // until the run ends — a simulatedTime() made per scope of a long run then kept 2 kB per scope.
  // Here the clock goes with its handler object once its scope has ended (or with the run). (The
  // map is made with the first clock: a run that never reads the time makes none.)
  let clocks: WeakMap<RunContext, Clock> | null = null;
  const clockOf = (ctx: RunContext, peek?: typeof PEEK): Clock => {
    let c = clocks?.get(ctx);
    if (c === undefined && peek !== PEEK) (clocks ??= new WeakMap()).set(ctx, (c = new Clock(start)));
    return c!; // (undefined only to clockIn's peek)
  };
  // (an arrow: no `prototype` object to make when the run's option check reads it, as it does for a
  // generator function — a third of a simulatedTime() made per run, with its name's defineProperty)
  // (a property's arrow: named simulatedTime by the key, which a minifier keeps)
  const self = {
    simulatedTime: (effect: Now | Delay, k: Continuation) => simulatedClock(clockOf, effect, k),
  }.simulatedTime as unknown as Handler<Now | Delay>;
  self.handles = takesTime;
  self[TAKES] = CLOCK_TAKES;
  // (the name read by tracebacks, messages and getHandlers(): set only where a minifier renamed it)
  if (self.name !== "simulatedTime") named("simulatedTime", self);
  // (timeout's deadline without a timer task: time-deadline.ts, loaded with timeout, reads the clock)
  (self as { [DEADLINE]?: unknown })[DEADLINE] = clockOf;
  self[FAST_PATH] = (e: Now | Delay, ctx: RunContext, site?: unknown) => {
    const clock = clockOf(ctx);
    if (e instanceof Now) return read(e, clock);
    return atSite(site) ? callAtSiteAnswer(hidden(simulatedDelayOf, clock, e.ms)) : DEFER;
  };
  return self;
}

/** `clock`'s time, answering `e`: to a rate limiter's reading, which clock it is too (clockRead). */
function read(e: Now, clock: Clock): number {
  if (e === clockRead.now) clockRead.by = clock;
  return clock.now;
}

// ---------------------------------------------------------------------------------------------
// realTime

/** The longest delay a host timer honours (Node, browsers): longer ones fire at once (overflow). */
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * A host timer for any finite delay: delays above MAX_TIMEOUT are chained, MAX_TIMEOUT at a time, so
 * `delay(2 ** 31)` or `delay(1e12)` wait their full length. `clear` stops the pending link. The host
 * `setTimeout` / `clearTimeout` are looked up at each call (a test can stand in for them).
 */
/** @internal (also time-deadline.ts) */
export class LongTimer {
  #remaining: number;
  #id: unknown;
  readonly #fire: () => void;
  // (a class, not closures over a timer's variables: a `delay` under realTime makes one per call,
  // and a delay within the host's range arms `fire` itself, making no function at all)
  constructor(ms: number, fire: () => void) {
    this.#remaining = ms;
    this.#fire = fire;
    this.#arm();
  }
  #arm(): void {
    const step = Math.min(this.#remaining, MAX_TIMEOUT);
    this.#remaining -= step;
    this.#id = setTimeout(this.#remaining > 0 ? () => this.#arm() : this.#fire, step);
  }
  clear(): void {
    clearTimeout(this.#id as ReturnType<typeof setTimeout>);
  }
}

/** delay(ms) at the perform site, under a scheduler and runAsync: an external promise + setTimeout. */
function* realDelay(ms: number): Generator<unknown, undefined, any> {
  const ext = yield* createExternalPromise<undefined>();
  let fired = false;
  const timer = new LongTimer(ms, () => {
    fired = true;
    ext.complete(undefined);
  });
  try {
    return yield* wait(ext.future);
  } finally {
    if (!fired) {
      // ended without firing (e.g. cancelled): stop the timer and settle the promise, so the
      // scheduler does not count it as pending work any more. Completed, not failed: nothing else
      // can wait on this promise, and an error built here (its stack captured) for every
      // `timeout` that was in time cost a sixth of a streaming job's CPU time
      timer.clear();
      ext.complete(undefined);
    }
  }
}

waitsIn(realDelay, "delay(…)");

/** realDelay's generator, carrying its ms for the report (as simulatedDelayOf). */
function realDelayOf(ms: number): Generator<unknown, undefined, any> {
  const g = realDelay(ms);
  (g as { [SHOWN_ARG]?: number })[SHOWN_ARG] = ms;
  return g;
}

/**
 * A real sleep for a run without a scheduler. If the run's signal aborts meanwhile, the driver stops
 * waiting for it, and the timer is cleared with it (else it would keep the process alive for the rest
 * of the delay after the run ended: a CLI's Ctrl-C would seem to hang). A signal that aborted
 * already (a delay in a finally block of an aborted run) is awaited in full, as the driver does.
 */
function sleep(ms: number, signal: AbortSignal | null): Promise<undefined> {
  return new Promise((resolve) => {
    const clear = (): void => timer.clear();
    const timer = new LongTimer(ms, () => {
      if (signal !== null) offAbort(signal, clear);
      resolve(undefined);
    });
    if (signal !== null && !signal.aborted) onAbort(signal, clear);
  });
}

/** The real clock: Date.now() and real timers (delay needs runAsync). */
export const realTime: Handler<Now | Delay> = function* realTime(effect, k) {
  if (effect instanceof Now) return yield* transfer(k, Date.now());
  const ctx = yield* getRunContext();
  if (ctx.driver === "sync")
    return yield* raiseAt(
      k,
      new AsyncRequiredError(
        "delay (realTime)",
        // (a test on realTime under run: the virtual clock keeps it synchronous, and instant)
        "simulatedTime() in place of realTime to stay synchronous (its delays take no real time)",
      ),
    );
  const ms = effect.ms;
  if (schedulerPresent(yield* getHandlers())) return yield* transferWith(k, hidden(realDelayOf, ms));
  const signal = ctx.signal;
  return yield* transferWith(
    k,
    asyncEscape(() => sleep(ms, signal)),
  ); // no scheduler: the whole run pauses
};
(realTime as { [DEADLINE]?: unknown })[DEADLINE] = true; // (time-deadline.ts)
realTime.handles = (e) => e instanceof Now || e instanceof Delay;
realTime[TAKES] = [Now, Delay];
named("realTime", realTime);
realTime[FAST_PATH] = (e: Now | Delay, ctx: RunContext, site?: unknown) => {
  if (e instanceof Now) return Date.now();
  // (under run: the handler throws AsyncRequiredError)
  return ctx.driver !== "sync" && atSite(site) ? callAtSiteAnswer(hidden(realDelayOf, e.ms)) : DEFER;
};

// (fast also under keepNames, see keep-fast.ts; called by the clocks, not in effects/time.ts, where
// the call kept both classes in every bundle importing `now` or `delay` alone)
keepFast(Now, Delay);

/**
 * Semaphore (SEMANTICS §9.8, upstream doeff SPEC-EFF-014), made of ordinary programs over the §9
 * promise effects: a waiter blocks on a one-shot promise of its own, queued FIFO. `release` hands the
 * permit straight to the first waiter (no barging: a later `acquire` finds the permit already taken).
 * A cancelled waiter leaves the queue; one cancelled after being handed a permit passes it on.
 */
import { completePromise, createPromise, type PromiseHandle, wait } from "../effects/scheduler.js";
import { DoeffError } from "../errors.js";
import { describe } from "../vm/brand.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { fn, hidden, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { SHOWN_ARG, waitsIn } from "../trace/blocked-in.js";
import { Queue } from "./queue.js";
import type { SchedulerRow } from "./row.js";
import { at, callSite, named, wrappers } from "./site.js";

interface Waiter {
  readonly promise: PromiseHandle<undefined>;
  /** 0 waiting, 1 granted a permit, 2 left the queue (cancelled) */
  state: number;
}

/** A counting semaphore made by `createSemaphore(permits)`; use it within the run that made it. */
export class Semaphore {
  /** Permits currently held (granted and not released). */
  private held = 0;
  /** @internal */ readonly waiters = new Queue<Waiter>();
  /** @internal waiters still waiting (the queue also keeps cancelled ones until give() skips them) */
  live = 0;
  constructor(readonly permits: number) {
    // (the class is public: `new Semaphore()` had no permits, and its first acquire a DeadlockError)
    checkPermits(permits, "new Semaphore");
  }

  /** Permits free right now. */
  get available(): number {
    return this.permits - this.held;
  }
  /** Tasks blocked in acquire. */
  get waiting(): number {
    return this.live;
  }
  /** @internal */ take(): boolean {
    if (this.held < this.permits && this.waiters.length === 0) {
      this.held++;
      return true;
    }
    return false;
  }
  /** @internal The waiter to hand a released permit to (the permit stays held), or null (freed). */
  give(): Waiter | null {
    if (this.held === 0) {
      throw new DoeffError(
        `release without a matching acquire (semaphore of ${this.permits} permit(s), none held); release once per acquire, or use withPermit(sem, program)`,
      );
    }
    for (;;) {
      const w = this.waiters.shift();
      if (w === undefined) {
        this.held--;
        return null;
      }
      if (w.state === 0) {
        w.state = 1;
        this.live--;
        return w;
      }
    }
  }
}

function checkSemaphore(s: unknown, where: string): void {
  if (!(s instanceof Semaphore))
    throw new TypeError(`${where} expects a Semaphore (from yield* createSemaphore(n)), got ${describe(s)}`);
}

function* releaseGen(s: Semaphore, site: Error | null = null): Generator<unknown, void, any> {
  const w = s.give();
  if (w !== null) yield at(site, completePromise(w.promise, undefined));
}

function* acquireGen(s: Semaphore, site: Error | null = null): Generator<unknown, void, any> {
  if (s.take()) return;
  const promise = (yield at(site, createPromise<undefined>())) as PromiseHandle<undefined>;
  const w: Waiter = { promise, state: 0 };
  s.waiters.push(w);
  s.live++;
  let ok = false;
  try {
    yield at(site, wait(promise.future));
    ok = true;
  } finally {
    if (!ok) {
      if (w.state === 1)
        yield* releaseGen(s, site); // granted, but we will not use it: pass it on
      else {
        w.state = 2; // leave the queue (skipped by give)
        s.live--;
        // an unreleased semaphore would keep every waiter that left (a timed-out acquire), and its
        // task: drop them once they are most of the queue (amortized O(1))
        if (s.waiters.length > 32 && s.live * 2 < s.waiters.length) s.waiters.prune((x) => x.state === 0);
      }
    }
  }
}

function* newSemaphore(permits: number): Generator<unknown, Semaphore, any> {
  return new Semaphore(permits);
}

/** A new semaphore with `permits` permits (an integer ≥ 1): `const sem = yield* createSemaphore(3)`. */
export function createSemaphore(permits: number): Program<Semaphore, never> {
  checkPermits(permits, "createSemaphore");
  return hidden(newSemaphore, permits) as Program<Semaphore, never>;
}

function checkPermits(permits: unknown, where: string): void {
  if (typeof permits !== "number")
    throw new TypeError(`${where} expects a number of permits (an integer ≥ 1), got ${describe(permits)}`);
  if (!Number.isInteger(permits) || permits < 1)
    throw new RangeError(`${where} expects an integer number of permits ≥ 1, got ${String(permits)}`);
}

/**
 * What an aborted run's report says a task blocked in it was blocked in, not `wait(a promise)` (a
 * deadlock's message and chain say `acquire(…)`, the call alone: blocked-in.ts blockedName): which
 * semaphore, as far as one can be told — it has no name, so its permits (`acquire(a semaphore of 3
 * permits)`), which tell a pool's limit from a mutex's. All of them are
 * held while one blocks, and how many wait changes as tasks come and go: neither is shown, so the
 * tasks waiting on it read alike, and the report folds them into one entry. The semaphore goes on
 * the generator (SHOWN_ARG), written out only by a report.
 */
waitsIn(
  acquireGen,
  "acquire(…)",
  (s: Semaphore) => `a semaphore of ${s.permits} permit${s.permits > 1 ? "s" : ""}`,
);
// (and its maker, which `timeout(acquire(sem), ms)` and a Spawn's line name as the call: `acquire(…)`)
waitsIn(acquireOf, "acquire(…)");

/** acquireGen's generator, carrying its semaphore for the report (SHOWN_ARG). */
function acquireOf(s: Semaphore, site: Error | null = null): Generator<unknown, void, any> {
  const g = acquireGen(s, site);
  (g as { [SHOWN_ARG]?: Semaphore })[SHOWN_ARG] = s;
  return g;
}

/** Take a permit; blocks (FIFO) while none is free. */
export function acquire(sem: Semaphore): Program<undefined, SchedulerRow> {
  checkSemaphore(sem, "acquire");
  return hidden(acquireOf, sem) as Program<undefined, SchedulerRow>;
}

/** Give a permit back (to the first waiter, if any). More releases than acquires → DoeffError. */
export function release(sem: Semaphore): Program<undefined, SchedulerRow> {
  checkSemaphore(sem, "release");
  return hidden(releaseGen, sem) as Program<undefined, SchedulerRow>;
}

/**
 * @internal withPermit's fast path, switchable so that a test can compare it with the general path
 * (test/toolkit-permit-fast.test.ts): a free permit is taken in withPermit's own frame.
 */
export const permitFastPath = { on: true };

const withPermitGen = function* withPermit(s: Semaphore, p: AnyProgramLike, site: Error | null) {
  // A free permit is taken here: acquire's frame would take it the same way and return at once,
  // performing nothing (so nothing between the take and its return could be cancelled or traced).
  // Otherwise acquire in a frame of its own, not by native `yield*`: a waiter cancelled after it
  // was handed the permit passes it on from its finally, with an effect, and a `return()` that
  // yields through a `yield*` comes back out of it as a normal completion — it would go on to run `p`
  if (!permitFastPath.on || !s.take()) yield at(site, hidden(acquireOf, s, site));
  try {
    return (yield at(site, p as ProgramLikeOf<unknown>)) as unknown;
  } finally {
    // releaseGen, inline: the same code in the same frame (a native `yield*` makes no frame of its
    // own), without a generator
    const w = s.give();
    if (w !== null) yield at(site, completePromise(w.promise, undefined));
  }
};
const withPermitProgram = fn(withPermitGen);
named("withPermit", withPermitGen); // (its name survives a minifying bundler)
wrappers.set(withPermitGen, 1);

/** acquire; run `program`; release (in a finally). */
export function withPermit<P extends AnyProgramLike | AnyFunction>(
  sem: Semaphore,
  program: P & NoInfer<ProgramArg<P>>,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow> {
  checkSemaphore(sem, "withPermit");
  checkProgramArg(program, "withPermit");
  return withPermitProgram(sem, program, callSite()) as Program<ResultOf<P>, EffectsOf<P> | SchedulerRow>;
}

/**
 * A concurrency limit shared by runs: at most `limit` calls in flight at once, callers served in the
 * order they asked (FIFO, no barging). The usual reason is a downstream shared by every request of a
 * server — a database pool, a service that falls over past N concurrent calls — where each request
 * is a run of its own.
 *
 * A semaphore cannot be shared that way: its waiter blocks on a promise of its own run, which only a
 * task of that run can complete. Here a waiter blocks on an *external* promise of its run
 * (`createExternalPromise`), which plain JavaScript completes: the release of a slot is a plain call,
 * made from any run (or none), that hands the slot to the first waiter by completing its promise.
 * Its run takes the completion at its next step: at once when the release came from a task of the
 * same run (no real time, also under `simulatedTime`), at its next turn of the event loop when it
 * came from another run (runAsync: the run waits for it as for an awaited promise).
 *
 * The slot is handed over, not freed and taken again: a caller arriving between a release and the
 * wake of the waiter it went to finds none free. A waiter cancelled before its turn leaves the queue
 * (and settles its promise, so its run no longer waits for it); one cancelled after it was handed a
 * slot passes it on. Nothing in a `finally` needs an effect, so a task being cancelled (or a run
 * aborted) gives back what it held.
 *
 * Each slot is counted as its run's (the run stepping when it was taken or handed over: running.ts)
 * until it is given back. A waiter whose slots are all held by tasks of its own run waits for that
 * run alone: when every task of it waits, nothing will give one back, and the run fails with a
 * DeadlockError naming the tasks — under runAsync too (INSIDE_ONLY), instead of waiting for ever —
 * not with the AsyncRequiredError of a wait for another run's slot. (A release handed to a callback
 * outside the run still counts as the run's: give the slot back in the run, or await the callback.)
 */
import { CreateExternalPromise, type ExternalPromise, INSIDE_ONLY, wait } from "../effects/scheduler.js";
import { checkProgramArg } from "../effects/program-arg.js";
import { AsyncRequiredError } from "../errors.js";
import { running } from "../run/running.js";
import { waitsIn } from "../trace/blocked-in.js";
import { describe } from "../vm/brand.js";
import { fn, hidden, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { optionsObject } from "./check.js";
import { Queue } from "./queue.js";
import type { SchedulerRow } from "./row.js";
import { at, callSite, named, wrappers } from "./site.js";

/** Options of `concurrencyLimiter`. */
export interface ConcurrencyLimiterOptions {
  /** Calls allowed in flight at once (an integer ≥ 1). */
  readonly limit: number;
}

interface Waiter {
  readonly ext: ExternalPromise<undefined>;
  /** the run it waits in, whose slot it becomes (running.ts) */
  readonly run: object | null;
  /** 0 waiting, 1 handed a slot (its promise completed), 2 left the queue (cancelled) */
  state: number;
}

/**
 * At most `limit` calls in flight, made by `concurrencyLimiter({ limit })`: wrap each call with
 * `concurrencyLimited(limiter, program)`, or take a slot with `const release = yield*
 * limiter.take()` and call `release()` in a `finally`.
 */
export class ConcurrencyLimiter {
  /** slots taken and not given back (a slot handed to a waiter stays counted) */
  #held = 0;
  /** the waiters, FIFO; also those that left, until a release or a prune skips them */
  #waiters = new Queue<Waiter>();
  /** waiters still waiting */
  #live = 0;
  /** the slots each run holds (those handed to a waiter included), by run; a run holding none is absent */
  #runs = new Map<object | null, number>();
  declare readonly limit: number;
  constructor(limit: number) {
    if (typeof limit !== "number")
      throw new TypeError(
        `concurrencyLimiter option limit must be a number (calls in flight at once), got ${describe(limit)}`,
      );
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(
        `concurrencyLimiter option limit must be an integer ≥ 1 (calls in flight at once), got ${String(limit)}`,
      );
    this.limit = limit;
  }

  /** Slots taken and not yet released (including those handed to a waiter about to wake). */
  get inFlight(): number {
    return this.#held;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#live;
  }

  /**
   * Wait for a slot (FIFO); answers the function that gives it back — call it once, in a `finally`
   * (a second call does nothing). Returns at once, performing nothing, while a slot is free; else
   * waits on an external promise (the scheduler's), so a slot held by another run going on at once
   * needs `runAsync`.
   */
  take(): Program<() => void, SchedulerRow> {
    return hidden(takeGen, this, callSite()) as Program<() => void, SchedulerRow>;
  }

  /** @internal (tests) the queue's length, waiters that left and are not yet dropped included */
  get queued(): number {
    return this.#waiters.length;
  }

  /** @internal A slot now for `run` (none: held outside any run), if one is free and nobody waits for one (else the caller queues). */
  tryTake(run: object | null = null): boolean {
    if (this.#held < this.limit && this.#live === 0) {
      this.#held++;
      this.#own(run, 1);
      return true;
    }
    return false;
  }

  #own(run: object | null, n: number): void {
    const c = (this.#runs.get(run) ?? 0) + n;
    if (c === 0) this.#runs.delete(run);
    else this.#runs.set(run, c);
  }

  /** @internal Is every slot held by tasks of `run`? Then only `run` can give one back. */
  heldBy(run: object | null): boolean {
    return this.#runs.get(run) === this.#held;
  }

  /** @internal queue a waiter */
  enqueue(w: Waiter): void {
    this.#waiters.push(w);
    this.#live++;
  }

  /** @internal a waiter leaves the queue (cancelled before it was handed a slot) */
  leave(w: Waiter): void {
    w.state = 2;
    this.#live--;
    // a long-held limiter would keep every waiter that left (timed-out callers), and so their
    // runs' cells: drop them once they are most of the queue (amortized O(1))
    if (this.#waiters.length > 32 && this.#live * 2 < this.#waiters.length)
      this.#waiters.prune((x) => x.state === 0);
  }

  /** @internal Give `run`'s slot back: to the first waiter still waiting (it stays held), else free it. */
  release(run: object | null = null): void {
    this.#own(run, -1);
    for (;;) {
      const w = this.#waiters.shift();
      if (w === undefined) {
        this.#held--;
        return;
      }
      if (w.state === 0) {
        w.state = 1;
        this.#live--;
        this.#own(w.run, 1);
        // (plain JS: its run takes the completion at its next step, whichever run this is)
        w.ext.complete(undefined);
        return;
      }
    }
  }
}

/** The release function of `run`'s slot: gives it back once; later calls do nothing. */
function releaser(l: ConcurrencyLimiter, run: object | null): () => void {
  let held = true;
  return () => {
    if (held) {
      held = false;
      l.release(run);
    }
  };
}

function* takeGen(l: ConcurrencyLimiter, site: Error | null): Generator<unknown, () => void, any> {
  const run = running.run;
  if (l.tryTake(run)) return releaser(l, run);
  const create = new CreateExternalPromise<undefined>();
  // (when this run's own tasks hold every slot, no other run will wake it: see above)
  INSIDE_ONLY.set(create, () => l.heldBy(run));
  const ext = (yield at(site, create)) as ExternalPromise<undefined>;
  const w: Waiter = { ext, run, state: 0 };
  l.enqueue(w);
  let ok = false;
  try {
    yield at(site, wait(ext.future));
    ok = true;
  } catch (e) {
    // run's scheduler throws this when nothing but the outside can wake a task: say which wait
    if (e instanceof AsyncRequiredError && w.state === 0)
      throw new AsyncRequiredError(
        `waiting for a slot of concurrencyLimiter({ limit: ${l.limit} }) (all ${l.inFlight} in flight, held by another run or by tasks of this one that wait on the outside)`,
      );
    throw e;
  } finally {
    if (!ok) {
      if (w.state === 1)
        l.release(run); // handed a slot, but it will not be used: pass it on
      else if (w.state === 0) {
        l.leave(w);
        ext.complete(undefined); // settled, so that its run no longer waits for it (R6)
      }
    }
  }
  return releaser(l, run);
}
named("concurrencyLimit", takeGen);
// (what an aborted run's report says a task blocked here was blocked in, not `wait(a future)`)
waitsIn(takeGen, "limiter.take()");

const concurrencyLimitedGen = function* concurrencyLimited(
  l: ConcurrencyLimiter,
  p: AnyProgramLike,
  site: Error | null,
): Generator<unknown, unknown, any> {
  const release = (yield at(site, hidden(takeGen, l, site))) as () => void;
  try {
    return yield at(site, p as ProgramLikeOf<unknown>);
  } finally {
    release();
  }
};
const concurrencyLimitedProgram = fn(concurrencyLimitedGen);
named("concurrencyLimited", concurrencyLimitedGen); // (its name survives a minifying bundler)
wrappers.set(concurrencyLimitedGen, 1); // (timeout(concurrencyLimited(l, job)) names the job)

/**
 * A limit of at most `limit` calls in flight at once (FIFO). A plain object: make it once (module
 * level, or where the client of the downstream is made) and share it — by the tasks of one run, or
 * by runs going on at once (a server's requests, each a run), under any clock.
 *
 * ```ts
 * const db = concurrencyLimiter({ limit: 10 });
 * const rows = yield* concurrencyLimited(db, query(sql)); // waits for a slot, then queries
 * ```
 */
export function concurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  if (options === undefined)
    throw new TypeError(
      "concurrencyLimiter expects options { limit }, e.g. concurrencyLimiter({ limit: 10 })",
    );
  const o = optionsObject(options, "concurrencyLimiter", ["limit"]);
  return new ConcurrencyLimiter(o.limit as number);
}

// `const l = yield* concurrencyLimiter(…)`, as createSemaphore is written, would fail with V8's "is
// not iterable": say what to write instead. Not declared on the class, so TypeScript still refuses it.
Object.defineProperty(ConcurrencyLimiter.prototype, Symbol.iterator, {
  value(): never {
    throw new TypeError(
      "concurrencyLimiter(…) is a plain object, not a program: make it without yield* (const limiter = concurrencyLimiter({ limit })), then yield* concurrencyLimited(limiter, program) or const release = yield* limiter.take()",
    );
  },
});

/**
 * `program`, run in a slot of `limiter` (see `concurrencyLimiter`): waits for one, runs, and gives
 * it back however the program ends (a value, an error, a cancel). Adds the scheduler's effects.
 */
export function concurrencyLimited<P extends AnyProgramLike | AnyFunction>(
  limiter: ConcurrencyLimiter,
  program: P & NoInfer<ProgramArg<P>>,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow> {
  if (!(limiter instanceof ConcurrencyLimiter))
    throw new TypeError(
      `concurrencyLimited expects a ConcurrencyLimiter (from concurrencyLimiter({ limit })) first, got ${describe(limiter)}`,
    );
  checkProgramArg(program, "concurrencyLimited");
  return concurrencyLimitedProgram(limiter, program, callSite()) as Program<
    ResultOf<P>,
    EffectsOf<P> | SchedulerRow
  >;
}

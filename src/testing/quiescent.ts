/**
 * `quiescent()`: wait until a simulation has nothing left to do — every other task blocked and no
 * timer of the simulated clock pending. It is an idle source (SEMANTICS §9.2 R6) registered after
 * the clock, so the scheduler asks it only once the clock has no timer left to fire.
 */
import {
  createPromise,
  type IdleSource,
  type PromiseHandle,
  registerIdleSource,
  type SchedulerEffect,
  wait,
} from "../effects/scheduler.js";
import { type Delay, delay } from "../effects/time.js";
import { perRun } from "../run/context.js";
import { getRunContext } from "../vm/primitives.js";
import { fn, type Program } from "../vm/program.js";

/** The tasks waiting in `quiescent()` in one run, woken together when the scheduler is idle. */
class Quiet implements IdleSource {
  waiters: PromiseHandle<undefined>[] = [];
  progress(complete: (promise: PromiseHandle<undefined>, value: undefined) => boolean): boolean {
    const ws = this.waiters;
    this.waiters = [];
    let woke = false;
    // (a promise of another scheduler world nested in this run stays for that world)
    for (const p of ws)
      if (complete(p, undefined)) woke = true;
      else this.waiters.push(p);
    return woke;
  }
}

const QUIET = {}; // its per-run key

// (a frame of its own, named in a traceback: a task cancelled or failed while it waits here)
const quiet = fn(function* quiescent(): Generator<unknown, void, any> {
  // a delay first: the simulated clock registers as an idle source at its first delay in this
  // scheduler world, so it is registered (and asked) before this one
  yield* delay(0);
  const source = perRun(yield* getRunContext(), QUIET, () => new Quiet());
  yield* registerIdleSource(source);
  const p = yield* createPromise<undefined>();
  source.waiters.push(p);
  try {
    yield* wait(p.future);
  } finally {
    const i = source.waiters.indexOf(p); // (cancelled while waiting: not woken any more)
    if (i >= 0) source.waiters.splice(i, 1);
  }
});

/**
 * Wait until nothing else can happen: every other task is blocked (on a channel, a promise, a task)
 * and the simulated clock has no timer left. Then the tasks waiting in `quiescent()` go on, in the
 * order they called it, at the virtual time the last timer fired. For a simulation under
 * `simulatedTime()` (or `virtualClock()`): stop the faults, then `yield* quiescent()` lets every
 * message in flight be delivered and handled before the invariants are checked — instead of a
 * `delay` long enough, or a `DeadlockError` when the nodes wait for messages that never come. It does
 * not wait for real I/O (`awaitPromise`) or `realTime` timers.
 */
export function quiescent(): Program<void, Delay | SchedulerEffect<any>> {
  return quiet() as Program<void, Delay | SchedulerEffect<any>>;
}

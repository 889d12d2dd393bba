/**
 * `quiescent()`: wait until a simulation has nothing left to do — every other task blocked and no
 * timer of the simulated clock pending. It is an idle source (SEMANTICS §9.2 R6) registered after
 * the clock, so the scheduler asks it only once the clock has no timer left to fire; in the rounds
 * the clock fires timers it is passed over (PASSED_OVER), and counts them.
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
import { DoeffError } from "../errors.js";
import { BLOCKED } from "../handlers/scheduler-cell.js";
import { PASSED_OVER, type PassedOver, whereTheyWait } from "../handlers/scheduler-idle.js";
import type { TaskRec } from "../handlers/scheduler-task.js";
import type { World } from "../handlers/scheduler-world.js";

/**
 * Timer rounds `quiescent()` waits through, none ending a task that was running when they began,
 * before it calls the simulation one that never settles: a task looping on a timer for ever (a
 * heartbeat, a poller) always has a timer left, and under `run` virtual time ran on without end —
 * a synchronous hang no test runner's timeout can stop. A simulation that settles has its tasks
 * end (its messages in flight delivered, its timed steps done): this repository's settle within a
 * few rounds. 100,000 is STUCK_ROUNDS' number (handlers/time.ts): a second or two of rounds (60,000
 * to 200,000 a second); one task's loop of that many timers while others wait is a test that waits
 * for that task (`wait(task)`).
 */
const QUIESCENT_ROUNDS = 100_000;
/** How often (in rounds) it looks for a task that ended: a walk of the live tasks. */
const CHECK_EVERY = 1024;
/** The value the waiters' promises are completed with when the rounds run out. */
const LOOPING = {};

/** The tasks waiting in `quiescent()` in one run, woken together when the scheduler is idle. */
class Quiet implements IdleSource, PassedOver {
  waiters: PromiseHandle<unknown>[] = [];
  /** timer rounds passed over (the clock fired) while tasks waited here, in the window */
  private rounds = 0;
  /** the window's start: the first id spawned after it, and how many tasks were live then */
  private firstNew = 0;
  private live = 0;
  /** the world whose rounds ran out (for the error's message: where its tasks wait) */
  world: World | null = null;
  progress(complete: (promise: PromiseHandle<unknown>, value: unknown) => boolean): boolean {
    this.rounds = 0;
    const ws = this.waiters;
    this.waiters = [];
    let woke = false;
    // (a promise of another scheduler world nested in this run stays for that world)
    for (const p of ws)
      if (complete(p, undefined)) woke = true;
      else this.waiters.push(p);
    return woke;
  }
  /** A round in which the clock fired timers (so this source was not asked): counted while tasks wait. */
  [PASSED_OVER](w: World, complete: (promise: PromiseHandle<unknown>, value: unknown) => boolean): void {
    if (this.waiters.length === 0) {
      this.rounds = 0;
      return;
    }
    // (a task that ended is looked for every CHECK_EVERY rounds, and before the error)
    if (this.rounds === 0 || (this.rounds % CHECK_EVERY === 0 && this.ended(w))) this.begin(w);
    if (++this.rounds < QUIESCENT_ROUNDS) return;
    if (this.ended(w)) {
      this.begin(w);
      this.rounds = 1;
      return;
    }
    this.rounds = 0;
    this.world = w;
    const ws = this.waiters;
    this.waiters = [];
    for (const p of ws) if (!complete(p, LOOPING)) this.waiters.push(p);
  }
  /** A window starts: the tasks live now are the ones whose end counts as progress. */
  private begin(w: World): void {
    this.rounds = 0;
    this.firstNew = w.nextId;
    this.live = this.older(w);
  }
  /** Has a task live at the window's start ended since? */
  private ended(w: World): boolean {
    return this.older(w) < this.live;
  }
  private older(w: World): number {
    let n = 0;
    for (let t = w.liveHead; t !== null; t = t.nextLive) if (t.taskId < this.firstNew) n++;
    return n;
  }
}

const QUIET = {}; // its per-run key

/** The error of a `quiescent()` whose rounds ran out, naming the tasks still waiting and where. */
function* loopingError(w: World): Generator<unknown, DoeffError, any> {
  const blocked: TaskRec[] = [];
  if (w.main.run === BLOCKED) blocked.push(w.main);
  for (let t = w.liveHead; t !== null; t = t.nextLive) if (t.run === BLOCKED && t !== w.main) blocked.push(t);
  const more = blocked.length > 8 ? `; … (${blocked.length} in all)` : "";
  const where = yield* whereTheyWait(w, blocked.slice(0, 8));
  return new DoeffError(
    `quiescent() waited through ${QUIESCENT_ROUNDS.toLocaleString("en-US")} rounds of timers in which no task running when they began ended, so the simulation never settles: a task loops on a timer for ever (a heartbeat, a poller). Still running: ${where.join("; ") || "none blocked"}${more}. Cancel such a task before \`yield* quiescent()\` (\`yield* cancel(task)\`), or wait for the task under test (\`yield* wait(task)\`) or for a bounded time (\`yield* delay(ms)\`) instead`,
  );
}

// (a frame of its own, named in a traceback: a task cancelled or failed while it waits here)
const quiet = fn(function* quiescent(): Generator<unknown, void, any> {
  // a delay first: the simulated clock registers as an idle source at its first delay in this
  // scheduler world, so it is registered (and asked) before this one
  yield* delay(0);
  const source = perRun(yield* getRunContext(), QUIET, () => new Quiet());
  yield* registerIdleSource(source);
  const p = yield* createPromise<unknown>();
  source.waiters.push(p);
  let woken: unknown;
  try {
    woken = yield* wait(p.future);
  } finally {
    const i = source.waiters.indexOf(p); // (cancelled while waiting: not woken any more)
    if (i >= 0) source.waiters.splice(i, 1);
  }
  if (woken === LOOPING) throw yield* loopingError(source.world!);
});

/**
 * Wait until nothing else can happen: every other task is blocked (on a channel, a promise, a task)
 * and the simulated clock has no timer left. Then the tasks waiting in `quiescent()` go on, in the
 * order they called it, at the virtual time the last timer fired. For a simulation under
 * `simulatedTime()` (or `virtualClock()`): stop the faults, then `yield* quiescent()` lets every
 * message in flight be delivered and handled before the invariants are checked — instead of a
 * `delay` long enough, or a `DeadlockError` when the nodes wait for messages that never come. It does
 * not wait for real I/O (`awaitPromise`) or `realTime` timers. A simulation that never settles (a
 * task looping on a timer for ever) throws a DoeffError after 100,000 rounds of timers in which no
 * task running when they began ended, naming where the tasks wait: cancel such a task first.
 */
export function quiescent(): Program<void, Delay | SchedulerEffect<any>> {
  return quiet() as Program<void, Delay | SchedulerEffect<any>>;
}

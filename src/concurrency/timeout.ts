/**
 * `timeout(program, ms)` (SEMANTICS §9.8): an ordinary program over the §9 effects and `delay`.
 *
 * Two owned tasks: a timer (spawned first, so at a tie its `delay` fires before any timer the program
 * registers at the same instant: the deadline is exclusive) and the program. Whichever finishes first
 * wakes the caller through a one-shot promise; the timer, when it fires first, cancels the program
 * itself (its finally blocks run before anything else does). The caller then throws TimeoutError, or
 * delivers the program's outcome with `wait` (its value or its very error, merging its log).
 * Whoever cancels the program (the timer, or the caller's finally) keeps an error its finally blocks
 * threw on `RunResult.warnings` (pool.ts, cancelOwned): nothing waits for a timed-out program.
 */
import {
  type CancelledBy,
  cancel,
  completePromise,
  createPromise,
  isDone,
  type PromiseHandle,
  ownedSpawn,
  type Task,
  Wait,
  wait,
} from "../effects/scheduler.js";
import { BEYOND_CLOCK, delay } from "../effects/time.js";
import { type Armed, type DeadlineClock, deadlineAsk } from "../effects/deadline.js";
import { armDeadline, deadlineAtSite, retireDeadline } from "../handlers/scheduler-deadline.js";
import { TimeoutError } from "../errors.js";
import { fn, hidden, Program, type ProgramLikeOf } from "../vm/program.js";
import { className, isEffectInstance, isProgramLike } from "../vm/brand.js";
import { P_FLATMAP, P_INTERNAL, P_MAP } from "../vm/codes.js";
import { Primitive, underHandlers } from "../vm/primitives.js";
import { checkProgramArg } from "../effects/program-arg.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { milliseconds } from "./check.js";
import { TIMED_OUT } from "./timed-out.js";
import { waitName } from "../trace/blocked-in.js";
import { cancelOwned } from "./pool.js";
import type { TasksRow, TimedRow } from "./row.js";
import { at, callSite, named, shownAs, wrappers } from "./site.js";

interface Race {
  /** the deadline's clock, when the timer task waits on it without running to a `delay` (fired) */
  clock: DeadlineClock | null;
  /** …and that task, and the deadline the clock registered as the program's task started */
  timer: Task<unknown> | null;
  armed: Armed | null;
  readonly ms: number;
  settled: boolean;
  timedOut: boolean;
  /** the timer's own `delay` failed (no clock the timer can see): that error, thrown by timeout */
  clockFailed: boolean;
  work: Task<unknown> | null;
  wake: PromiseHandle<undefined>;
  /** timeout's call site (trace.sites) */
  site: Error | null;
}

function* settle(r: Race): Generator<unknown, void, any> {
  if (r.settled) return;
  r.settled = true;
  yield* completePromise(r.wake, undefined);
}

function* timer(r: Race, ms: number): Generator<unknown, void, any> {
  try {
    try {
      yield* delay(ms);
    } catch (e) {
      // a deadline past the end of the simulated clock never comes: the program runs without one,
      // as under realTime (a `start` at today's epoch and Number.MAX_SAFE_INTEGER for "no limit")
      if (!(e instanceof RangeError && BEYOND_CLOCK.has(e))) throw e;
      yield wait(r.wake.future); // (settled by the program's end; a deadlock is thrown on below)
      return;
    }
  } catch (e) {
    // no deadline can be kept: fail the timeout call with it (it was a warning about a task the
    // user never spawned, and the program ran with no deadline)
    // (rethrown: timeout takes it with `wait`, so its traceback goes on through timeout's caller)
    r.clockFailed = true;
    yield* settle(r);
    throw e;
  }
  // (settled, the program ended; but its task may not have: a handler inside the scheduler wraps
  // it and may still be working after the program returned — then the deadline holds for it too)
  if (r.settled && (yield* isDone(r.work!))) return;
  r.timedOut = true;
  yield* settle(r);
  yield* cancelOwned(r.work!, r.site, timedOut(r));
}

// (its task, as record lists it: `Spawn(timeout's timer(100 ms), "shared")`, not `program()`; the
// program's task, `work` below, as the program: `Spawn(charge(), "shared")`)
shownAs.set(timer, (args) => `timeout's timer(${args[1]} ms)`);

/**
 * The timer task of the deadline route (effects/deadline.ts), started when its deadline fired:
 * what `timer` does after its `delay` returns (or throws: virtual time stuck).
 */
function* fired(r: Race): Generator<unknown, void, any> {
  const a = r.armed!;
  const e = a.failure?.() ?? null;
  if (e !== null) {
    r.clockFailed = true;
    yield* settle(r);
    throw e;
  }
  a.fired?.();
  if (r.settled && (yield* isDone(r.work!))) return;
  r.timedOut = true;
  yield* settle(r);
  yield* cancelOwned(r.work!, r.site, timedOut(r));
}

shownAs.set(fired, (args) => `timeout's timer(${(args[0] as Race).ms} ms)`);

/** Who cancelled the program's task at the deadline, and why: its signal's reason says so. */
function timedOut(r: Race): CancelledBy {
  return { who: "timeout", why: `its deadline of ${r.ms} ms having passed (TimeoutError)` };
}

function* work(r: Race, p: ProgramLikeOf<unknown>): Generator<unknown, unknown, any> {
  // the deadline route: the timer task, made but not started, blocks on the deadline here — where
  // it would have run to its `delay`, just before this task started (effects/deadline.ts)
  if (r.clock !== null) r.armed = armDeadline(r.timer!, r.clock, r.ms);
  try {
    return yield p;
  } finally {
    // Also when this frame is closed before the program completed: it runs inside the handlers
    // the scheduler wraps the task in (§9.7), so a handler that throws, or answers without
    // resuming, ends the task past it — the caller then takes the task's outcome with `wait`.
    // (settle, written out: no generator per call)
    if (!r.settled) {
      r.settled = true;
      yield completePromise(r.wake, undefined);
    }
  }
}

// The scheduler's answer to timeout's question (effects/deadline.ts). Set here, from a named import:
// the package is free of side effects, so a bundler may drop a module imported for its effects only.
deadlineAsk.atSite = deadlineAtSite as typeof deadlineAsk.atSite;

interface TimedOutLabel {
  [TIMED_OUT](): readonly [what: string, fate: string];
}

/** doeff's effects that can keep a timeout waiting (a user's class of one of these names: rare) */
const DOEFF_TIMED = /^(AwaitPromise|Delay|Wait|Gather|Race|Local|Listen)$/;

/** What timed out, for TimeoutError (made when it is thrown: nothing per call that is in time). */
function label(p: unknown): readonly [what: string, fate?: string] {
  // withHandler(h, job) and intercept(job, f) (a withHandler too): the job, as a task spawned so is
  // named; this primitive's class name ("Primitive timed out") meant nothing to the reader
  // job.map(f), job.flatMap(f): the job they run first ("the program timed out" named nothing)
  for (let i = 0; i < 8; i++) {
    p = underHandlers(p);
    if (!(p instanceof Program && (p.tag === P_MAP || p.tag === P_FLATMAP))) break;
    p = p.a;
  }
  // a timeout of a timeout: "timeout timed out" said nothing; name the inner one and its limit
  if (p instanceof Program) {
    const args = p.b as unknown[];
    if (p.a === timeoutGen) return [`timeout(${label(args[0])[0]}, ${args[1]} ms)`];
    // scoped(job), retry(job), withPermit(job): name the program inside ("scoped timed out" did not);
    // recover(job, …), a hidden frame that no traceback shows either: the job alone
    const i = wrappers.get(p.a);
    if (i !== undefined) return [p.name === "" ? label(args[i])[0] : `${p.name}(${label(args[i])[0]})`];
    // receive(ch), send(ch, v), acquire(sem): hidden programs, named as an aborted run's report names them
    const w = waitName(p.a);
    if (w !== undefined) return [w];
    // any other hidden program given a program first (safe(job), a library's wrapper): that one
    if (p.tag === P_INTERNAL && p.name === "" && isProgramLike(args[0])) return label(args[0]);
  }
  const own = (p instanceof Wait ? p.waitable : p) as Partial<TimedOutLabel>;
  if (typeof own[TIMED_OUT] === "function") return own[TIMED_OUT]();
  const name = (p as { name?: unknown }).name;
  if (typeof name === "string" && name !== "") return [name];
  const C = (p as { constructor?: unknown }).constructor;
  const ctor = className(C);
  // one of doeff's own effects that can take time is written as its function: `timeout(awaitPromise(…),
  // ms)` reads "awaitPromise(…) timed out", not "AwaitPromise timed out". By name: a displayName of
  // its own does not tell doeff's classes apart, as the README asks users to give theirs one too
  if (isEffectInstance(p) && Object.hasOwn(C as object, "displayName") && DOEFF_TIMED.test(ctor))
    return [`${ctor[0]!.toLowerCase()}${ctor.slice(1)}(…)`];
  // (another primitive, a continuation's: its class's name would mean nothing either)
  return [ctor && ctor !== "Program" && !(p instanceof Primitive) ? ctor : "the program"];
}

wrappers.set(work, 1);

const timeoutGen = named(
  "timeout",
  function* timeout(p: AnyProgramLike, ms: number, site: Error | null): Generator<unknown, unknown, any> {
    const r: Race = {
      clock: null,
      timer: null,
      armed: null,
      ms,
      settled: false,
      timedOut: false,
      clockFailed: false,
      work: null,
      wake: null!,
      site,
    };
    // the wake promise, and the question whether the deadline can do without running its timer
    // task to a `delay`: the standard scheduler answers it where it answers this effect (at the
    // site) and then makes that task (effects/deadline.ts)
    const ask = deadlineAsk;
    const e = createPromise<undefined>();
    ask.effect = e;
    ask.by = timeoutGen;
    ask.ms = ms;
    ask.body = hidden(fired, r);
    ask.site = site;
    try {
      r.wake = (yield at(site, e)) as PromiseHandle<undefined>;
    } finally {
      // (nothing of this call kept in the slot: also when that effect throws here — a handler that
      // fails it, or answers it with an error — else the slot held this call's Race, its site and
      // its effect until the next timeout anywhere in the process)
      if (ask.effect === e) ask.effect = null; // (not answered there: the timer task runs)
      ask.body = ask.site = null;
    }
    let clock = ask.timer;
    if (clock !== null) {
      r.clock = ask.clock;
      r.timer = clock;
      ask.timer = ask.clock = null;
    }
    let taken = false; // the program's value was delivered by `wait`: its task is done
    try {
      clock ??= (yield at(site, ownedSpawn(hidden(timer, r, ms), site))) as Task<unknown>;
      r.work = (yield at(
        site,
        ownedSpawn(hidden(work, r, p as ProgramLikeOf<unknown>), site),
      )) as Task<unknown>;
      yield at(site, wait(r.wake.future));
      if (r.timedOut) throw new TimeoutError(ms, ...label(p));
      if (r.clockFailed) {
        // the program is cancelled, or already ended (a program of its own that needed the missing
        // clock failed the same way): its outcome is moot, taken here so it is no warning
        if (!(yield* cancelOwned(r.work, site, "timeout"))) {
          try {
            yield at(site, wait(r.work));
          } catch {}
        }
        yield at(site, wait(clock)); // failed: throws the timer's error here
      }
      try {
        const v = yield at(site, wait(r.work)); // done: its value, or its error unchanged
        taken = true;
        return v;
      } catch (e) {
        // (not marked taken: an error here may also be one thrown into this wait — a deadlock)
        if (r.timedOut) throw new TimeoutError(ms, ...label(p)); // its task outlived the deadline (timer)
        throw e;
      }
    } finally {
      // bare yields at the call site (site.ts): an error leaving this frame is recorded after them
      // (the deadline route's timer task, still waiting for its deadline, is taken back as this
      // cancel would end it, running no code: else it was woken, and this cancel is the same)
      if (clock !== null && (r.clock === null || !retireDeadline(clock))) yield at(site, cancel(clock));
      // (a task whose value `wait` gave is done: cancel would answer false, §9.4)
      if (r.work !== null && !taken) yield* cancelOwned(r.work, site, "timeout");
    }
  },
);
const timeoutProgram = fn(timeoutGen);
// (as a field shows it, all's task of it: `Spawn(timeout(charge(), 50 ms), "shared")`)
shownAs.set(timeoutGen, (args, show) => `timeout(${show(args[0])}, ${args[1]} ms)`);

/**
 * The program's value if it completes within `ms` (clock time), else it is cancelled (its finally
 * blocks run) and TimeoutError is thrown here. Its own failure is rethrown unchanged.
 */
export function timeout<P extends AnyProgramLike | AnyFunction>(
  program: P & NoInfer<ProgramArg<P>>,
  ms: number,
): Program<ResultOf<P>, EffectsOf<P> | TimedRow | TasksRow<[P]>> {
  checkProgramArg(program, "timeout");
  milliseconds(ms, "timeout");
  return timeoutProgram(program, ms, callSite()) as Program<
    ResultOf<P>,
    EffectsOf<P> | TimedRow | TasksRow<[P]>
  >;
}

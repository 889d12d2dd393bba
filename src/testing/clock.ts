/**
 * `virtualClock()`: `simulatedTime` with a scheduler, plus a probe that notes the virtual time, so a
 * test can run timed code instantly and deterministically under `run` and assert when things happened.
 */
import type { SchedulerEffect } from "../effects/scheduler.js";
import { Delay, Now } from "../effects/time.js";
import { DEADLINE, type DeadlineClock } from "../effects/deadline.js";
import { deadlineOf } from "../handlers/time-deadline.js";
import { scheduler } from "../handlers/scheduler.js";
import { realTime } from "../handlers/time.js";
import { type SimulatedTimeOptions, simulatedTime } from "../handlers/time.js";
import type { Handler } from "../vm/handler.js";
import { FAST_PATH, type FastPath, TAKES, TRACE_QUIET } from "../vm/handler.js";
import { getRunContext, transfer } from "../vm/primitives.js";
import { delegate } from "../vm/rare-ops.js";
import { hidden } from "../vm/program.js";
import type { RunOptions } from "../run/options.js";
import type { RunResult } from "../run/result.js";
import type { FirstPass, InferOnly, MaybeNone } from "../run/entry-check.js";
import type { AnyHandlerFn, ReturnedBy } from "../run/rows.js";
import { checkProgram, run, runAsync } from "../run/run.js";
import type { RunContext } from "../run/context.js";
import type { EnvPatch } from "../effects/env-types.js";
import type { SettleForAsync, TestCovered, TestCoveredProgram, TestRunOptionsOf } from "./covered.js";
import type { AnyFunction, AnyProgramLike, ProgramArg, ResultOf } from "../vm/types.js";
import { describe } from "../vm/brand.js";
import { AsyncRequiredError } from "../errors.js";
import { SYNC_RUN_OPTIONS, unknownOption } from "./util.js";

/** One `delay(ms)` seen by the clock: virtual time when it was performed and when it ended. */
export interface DelayRecord {
  readonly ms: number;
  readonly from: number;
  readonly until: number;
}

/** A virtual clock for tests; see `virtualClock`. */
export interface VirtualClock {
  /** `[scheduler, simulatedTime(options), probe]`: list them first in `handlers` (or use `run`). */
  readonly handlers: ClockHandlers;
  /** The virtual time last observed: after `run` / `runAsync`, the time at which the program ended. */
  readonly now: number;
  /**
   * Every completed `delay` of the last run the clock took part in, in the order they ended (each
   * run's virtual time starts again at `start`, so two runs' records would not read as one
   * timeline). `run` and `runAsync` clear it when they start; a run of your own with `handlers`
   * clears it at its first `now` or `delay`. One run at a time per clock.
   */
  readonly delays: readonly DelayRecord[];
  /**
   * `run(program, options)` with the clock's handlers outside `options.handlers`; clears `delays`
   * first and sets `now` to the virtual time at which the program ended (value or error).
   * Compile-time, as `run`: every effect the program may perform must be taken by the clock
   * (scheduler effects, `now`, `delay`) or one of `options.handlers` (`MissingHandlerError<…>`).
   * A TypeError while a `runAsync` of this clock is going on.
   */
  run<P extends AnyProgramLike | AnyFunction>(
    program: P & TestCoveredProgram<P, ClockHandlers>,
  ): RunResult<ResultOf<P>>;
  run<
    P extends AnyProgramLike | AnyFunction,
    const Hs extends readonly AnyHandlerFn[],
    Patch extends EnvPatch = EnvPatch,
    Keys extends PropertyKey = never,
    O extends object = {},
    // the check, never given (see FirstPass)
    C = FirstPass<Keys, O> extends true
      ? unknown
      : TestCovered<P, MaybeNone<Hs, O>, Patch, Keys, ClockHandlers>,
  >(
    program: P & NoInfer<ProgramArg<P>>,
    options: CheckedClockRunOptions<C, Hs, Keys, Patch, O>,
  ): RunResult<ResultOf<P> | ReturnedBy<Hs>>;
  /**
   * `run` on the event loop (`runAsync`): for a program that also awaits promises (`awaitPromise`),
   * with timers still virtual. Typed and checked as `run`; its promise rejects with a TypeError for
   * bad options, or while another run of this clock is going on (a clock keeps one run's `now` and
   * `delays`: make a clock per concurrent run).
   */
  runAsync<P extends AnyProgramLike | AnyFunction>(
    program: P & TestCoveredProgram<P, ClockHandlers>,
  ): Promise<RunResult<ResultOf<P>>>;
  runAsync<
    P extends AnyProgramLike | AnyFunction,
    const Hs extends readonly AnyHandlerFn[],
    Patch extends EnvPatch = EnvPatch,
    Keys extends PropertyKey = never,
    O extends object = {},
    // the check, never given (see FirstPass)
    C = FirstPass<Keys, O> extends true
      ? unknown
      : TestCovered<P, MaybeNone<Hs, O>, Patch, Keys, ClockHandlers>,
  >(
    program: P & NoInfer<ProgramArg<P>>,
    options: CheckedClockRunAsyncOptions<C, Hs, Keys, Patch, O>,
  ): Promise<RunResult<ResultOf<P> | ReturnedBy<Hs>>>;
}

/**
 * `clock.run`'s options parameter, as run's CheckedRunOptions: the check `C` (unknown, or the
 * error: MissingHandlerError<…>, …) first, then the options typed for inference (TestRunOptionsOf,
 * `settle` refused by SettleForAsync). One alias, so that a failed call's first line prints it by
 * its name and arguments, the missing effects first; written as a bare intersection, it printed
 * each member (~390 characters) and cut the check, last, to `MissingHandlerError<...>`.
 */
export type CheckedClockRunOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> &
  TestRunOptionsOf<Hs, Patch, Keys, keyof RunOptions, "settle"> &
  NoInfer<SettleForAsync<O, ClockRunSettleError>> &
  InferOnly<O>;

/** `clock.runAsync`'s options parameter, as CheckedClockRunOptions (`settle` is clock.runAsync's). */
export type CheckedClockRunAsyncOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> & TestRunOptionsOf<Hs, Patch, Keys> & InferOnly<O>;

/** The compile error for `settle` in clock.run's options, in the words of its TypeError. */
export type ClockRunSettleError =
  "doeff: the clock.run option settle is for clock.runAsync only (clock.run cannot wait): use clock.runAsync or remove it";

/** The handlers a virtual clock installs outside the run's own. */
export type ClockHandlers = readonly [
  Handler<SchedulerEffect<any>>,
  Handler<Now | Delay>,
  Handler<Now | Delay>,
];

/**
 * The start time of `virtualClock`'s options (simulatedTime's), or a TypeError naming virtualClock:
 * simulatedTime's own check named simulatedTime, which the test never called. (Here, not shared with
 * simulatedTime: the core bundle stays as it is.)
 */
function startOption(options: unknown): number {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new TypeError(`virtualClock expects options { start?: number }, got ${describe(options)}`);
  for (const key of Object.keys(options))
    if (key !== "start")
      throw new TypeError(`unknown virtualClock option ${JSON.stringify(key)}; the only option is start`);
  const start = (options as SimulatedTimeOptions).start ?? 0;
  if (typeof start !== "number" || !Number.isFinite(start))
    throw new TypeError(`virtualClock option start must be a finite number, got ${describe(start)}`);
  return start;
}

/**
 * A clock among the run's own handlers would answer `now`/`delay` before the virtual one (they are
 * inside it): realTime made a timed program need runAsync, another simulatedTime answered with its
 * own time while `clock.now` stayed at the start. Both are refused, saying why; so are options that
 * are not an options object, and handlers that are not an array.
 */
function checkClockOptions(opts: unknown, name: string): void {
  if (opts === undefined) return;
  // (the spread below would make an array's items run options: `unknown run option "0"`)
  if (opts === null || typeof opts !== "object" || Array.isArray(opts))
    throw new TypeError(
      `${name}'s second argument is its options, { handlers: [...], env?, store? }; got ${Array.isArray(opts) ? "an array (write { handlers: [state, …] })" : describe(opts)}`,
    );
  // (run's own refusal would say to use runAsync)
  if (name === "clock.run" && (opts as { settle?: unknown }).settle !== undefined)
    throw new TypeError(
      "clock.run: option settle is for clock.runAsync only (clock.run cannot wait): use clock.runAsync or remove it",
    );
  unknownOption(opts, name, name === "clock.run" ? SYNC_RUN_OPTIONS : [...SYNC_RUN_OPTIONS, "settle"]);
  const hs = (opts as { handlers?: unknown }).handlers;
  if (hs === undefined) return;
  if (!Array.isArray(hs))
    throw new TypeError(
      `${name}: options.handlers must be an array of handlers, got ${typeof hs === "function" ? `the handler ${hs.name || "function"} alone (write handlers: [${hs.name || "handler"}])` : describe(hs)}`,
    );
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i] as { name?: unknown } | undefined;
    if (h === realTime || (typeof h === "function" && h.name === "simulatedTime"))
      throw new TypeError(
        `${name}: options.handlers[${i}] is ${h === realTime ? "realTime" : "a simulatedTime()"}, a second clock that would answer now() and delay() instead of the virtual clock; leave it out: ${name} installs the clock (virtualClock({ start }) sets the start time)`,
      );
  }
}

/** run's advice in an AsyncRequiredError, as the test wrote it: the clock's own async form. */
const RUN_ADVICE = "use runAsync(program, options) instead of run()";

/**
 * An AsyncRequiredError out of clock.run said `use runAsync(program, options) instead of run()`:
 * a test that follows it drops the clock (its `now`, `delays`, and the scheduler and simulated time
 * it installs). It names `clock.runAsync` instead, as expectEffects names expectEffectsAsync.
 */
function asyncHint(e: AsyncRequiredError): void {
  try {
    const old = e.message;
    if (!old.includes(RUN_ADVICE)) return;
    const msg = old.replace(RUN_ADVICE, "use await clock.runAsync(program, options) instead of clock.run()");
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
  } catch {
    // (run's words stay)
  }
}

/**
 * A virtual clock for tests: a scheduler, `simulatedTime(options)` and a probe, so timers fire
 * instantly and in a fixed order under the synchronous `run` (or `runAsync`, for a program that also
 * awaits promises), and the test can read the virtual time (`now`) and every delay of the run
 * (`delays`) afterwards.
 *
 * @example
 * ```ts
 * const clock = virtualClock();
 * const r = clock.run(retryingFetch, { handlers: [mock(Fetch, flaky)] });
 * clock.now;    // 3000: three one-second back-offs, instantly
 * ```
 */
export function virtualClock(options: SimulatedTimeOptions = {}): VirtualClock {
  // (checked here, so that a bad option is named as virtualClock's, not simulatedTime's)
  const start = startOption(options);
  const time = simulatedTime(options);
  const delays: DelayRecord[] = [];
  let current = start;
  let recorded: RunContext | null = null; // the run `delays` lists (a run of your own, too)
  let running: string | null = null; // the clock.run / clock.runAsync going on
  const probe = function* clockProbe(effect: Now | Delay, k: Parameters<Handler>[1]) {
    const ctx = yield* getRunContext();
    if (ctx !== recorded) {
      recorded = ctx;
      delays.length = 0;
    }
    if (effect instanceof Now) {
      current = yield* delegate(effect);
      return yield* transfer(k, current);
    }
    const from: number = yield* delegate(new Now());
    yield* delegate(effect);
    current = yield* delegate(new Now());
    delays.push({ ms: effect.ms, from, until: current });
    return yield* transfer(k, undefined);
  } as unknown as Handler & { [TAKES]?: Function[] };
  probe.handles = (e) => e instanceof Now || e instanceof Delay;
  probe[TAKES] = [Now, Delay];
  // the clock's plumbing, as record() is: a task blocked in a delay reads in an aborted run's report
  // as under simulatedTime(), not with a `handler clockProbe for Delay(50)` line nobody wrote
  probe[TRACE_QUIET] = true;
  const handlers = [scheduler as Handler, time as Handler, probe] as const;
  // The end time is read from the simulated clock itself (its FAST_PATH answers `Now` exactly as the
  // handler would), not by performing `Now`: that would pass through the user's handlers, which
  // would see (record) an effect the program never performed, or answer it (a `mock(Now, ...)`).
  const readClock = time[FAST_PATH] as FastPath;
  // timeout's deadline without a timer task (effects/deadline.ts): the clock's, recorded as the
  // probe records the timer task's delay — from its start, once it fires (a cleared one: never)
  const inner = deadlineOf(time);
  (probe as { [DEADLINE]?: DeadlineClock })[DEADLINE] = {
    external: inner.external,
    can: inner.can,
    arm(due, ms) {
      const ctx = due.ctx;
      if (ctx !== recorded) {
        recorded = ctx;
        delays.length = 0;
      }
      const from = readClock(new Now(), ctx) as number;
      const a = inner.arm(due, ms);
      return {
        clear: () => a.clear(),
        failure: () => a.failure?.() ?? null,
        fired() {
          current = readClock(new Now(), ctx) as number;
          delays.push({ ms, from, until: current });
        },
      };
    },
  };
  function* ended(p: AnyProgramLike): Generator<unknown, unknown, any> {
    try {
      return yield* p as Iterable<unknown>;
    } finally {
      current = readClock(new Now(), yield* getRunContext()) as number;
    }
  }
  // clock.run's: run's advice in an AsyncRequiredError named clock.runAsync instead (here, as the
  // error passes, so that the run's report, made when it ends, reads so too)
  function* endedSync(p: AnyProgramLike): Generator<unknown, unknown, any> {
    try {
      return yield* ended(p);
    } catch (e) {
      if (e instanceof AsyncRequiredError) asyncHint(e);
      throw e;
    }
  }
  return {
    handlers,
    get now() {
      return current;
    },
    delays,
    run(program: AnyProgramLike, opts?: RunOptions): RunResult<any> {
      // (here, before it is wrapped: else V8's "undefined is not iterable" came back as the run's error)
      checkProgram(program, "clock.run");
      const o = begin("clock.run", opts);
      try {
        return (run as (p: unknown, o: RunOptions) => RunResult<unknown>)(hidden(endedSync, program), o);
      } finally {
        running = null;
      }
    },
    runAsync(program: AnyProgramLike, opts?: RunOptions): Promise<RunResult<any>> {
      try {
        checkProgram(program, "clock.runAsync");
        const o = begin("clock.runAsync", opts);
        return (runAsync as (p: unknown, o: RunOptions) => Promise<RunResult<unknown>>)(
          hidden(ended, program),
          o,
        ).finally(() => {
          running = null;
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
  /** The checks, a fresh record (`delays` cleared, `now` at the start), the options to run with. */
  function begin(name: string, opts: RunOptions | undefined): RunOptions {
    checkClockOptions(opts, name);
    if (running !== null)
      throw new TypeError(
        `${name}: this clock is running another program (a ${running} not yet ${running === "clock.run" ? "returned: called from inside it" : "settled"}); a clock keeps one run's now and delays: make a virtualClock() per run that goes on at the same time`,
      );
    running = name;
    delays.length = 0;
    recorded = null;
    current = start;
    return { ...opts, handlers: [...handlers, ...(opts?.handlers ?? [])] };
  }
}

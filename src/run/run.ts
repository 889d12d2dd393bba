/**
 * Entry points (SEMANTICS §8): `run` steps synchronously to the end (no await, no microtask hop);
 * `runAsync` steps on the event loop, awaiting asyncEscape thunks and yielding to the macrotask queue
 * after at most 10,000 steps or 5 ms.
 *
 * This file is what runs: the machine's start, both drivers, the RunResult. What the entry points are
 * typed with, the compile-time coverage check, is in rows.ts, coverage.ts, every-effect.ts and
 * entry-check.ts (types only: no bundle holds them); the run's signal is in signal.ts.
 */
import { macrotask } from "./macrotask.js";
import { brandOf, describe, isAsyncIterator, isGeneratorObject } from "../vm/brand.js";
import { deliver, Machine } from "../vm/machine.js";
import { M_THROW, ST_ASYNC, ST_DONE } from "../vm/modes.js";
import { withHandlerUnchecked } from "../vm/primitives.js";
import { fromGeneratorObject, Program } from "../vm/program.js";
import type { StepTracer } from "../vm/trace-hook.js";
import { formatAborted, formatFailure } from "../trace/format.js";
import { MARK_THREW } from "../trace/entries.js";
import { type ErrorTrace, errorTraces, type Origins, type RunTrace, runTraces } from "../trace/origin.js";
import { StepLineTracer } from "../trace/steps.js";
import { siteState } from "../vm/sites.js";
import { type Driver, Env, HOOK_PROMISE, RunContextImpl, type RunWarning, TaskCtx } from "./context.js";
import { checkOptions, type RunOptions } from "./options.js";
import { ReadOptions, readOptions } from "./read-options.js";
import { RunResult, resultOf } from "./result.js";
import { running } from "./running.js";
import { checkSettle, SETTLING, type Settling, settleWait } from "./settle.js";
import { listen, listenShared, type SharedSignal } from "./signal.js";
import { hooksSettled, waitForHook } from "./hook-wait.js";
import type { EnvPatch } from "../effects/env-types.js";
import type {
  CheckedRunAsyncOptions,
  CheckedRunOptions,
  Covered,
  CoveredProgram,
  FirstPass,
  MaybeNone,
} from "./entry-check.js";
import type { AnyHandlerFn, ReturnedBy, Runnable, RunValue } from "./rows.js";
import type { AnyFunction, ProgramArg } from "../vm/types.js";
import { B_EFFECT, B_PRIMITIVE, B_PROGRAM, P_PURE } from "../vm/codes.js";
import { AWAIT_CHECK, CHECK_STEPS, YIELD_MS, YIELD_STEPS } from "../vm/codes.js";

/** The raw generator objects given to run / runAsync (weakly held). */
const ran = new WeakSet<object>();

/** @internal also for runners built on run (virtualClock's clock.run), which wrap the program first */
export function checkProgram(p: unknown, where: string): void {
  const b = brandOf(p);
  if (b === B_PROGRAM || b === B_EFFECT || b === B_PRIMITIVE) return;
  if (isGeneratorObject(p)) {
    // a generator object runs once: a second run would silently give Ok(undefined)
    if (ran.has(p as object))
      throw new TypeError(
        `${where} got a generator object that was already run (a generator runs once); to run a program again, pass a Program: program(function* () {...}) or fn(function* name() {...})()`,
      );
    ran.add(p as object);
    return;
  }
  if (isAsyncIterator(p)) {
    throw new TypeError(
      `${where} got an async generator object; async generators are not supported: write function* and use awaitPromise for promises`,
    );
  }
  throw new TypeError(
    `${where} expects a Program (fn/program/pure), an Effect, or a generator object, got ${describe(p)}` +
      (typeof p === "function"
        ? "; did you forget to call it, e.g. run(main()) or program(function* () {...})?"
        : ""),
  );
}

function makeTracer(options: RunOptions | undefined): StepTracer | null {
  const steps = options?.trace?.steps;
  if (steps === undefined || (steps as unknown) === false) return null;
  const sink = steps === true ? (line: string) => console.error(line) : steps;
  return new StepLineTracer(sink);
}

/**
 * Build the machine for one run (its context is `m.ctx`): handlers = real nested withHandlers (INV-6).
 * The env and store Maps that readOptions made (ReadOptions.copies) are the run's: it takes them as
 * they are; any other env or store (doeff/workers' own options) is copied, never mutated (INV-17).
 */
function start(
  program: unknown,
  options: RunOptions | undefined,
  driver: Driver,
  shared: SharedSignal | null = null,
  listenTo: (m: Machine, signal: AbortSignal) => void = listen,
): Machine {
  const store = options?.store;
  const env = options?.env;
  const signal = options?.signal ?? null;
  const copies = options instanceof ReadOptions ? options.copies : 0;
  const ctx = new RunContextImpl(
    driver,
    new TaskCtx(
      store === undefined
        ? null
        : (copies & 2) !== 0
          ? (store as Map<string, unknown>)
          : new Map(store instanceof Map ? store : Object.entries(store)),
      env === undefined
        ? Env.EMPTY
        : (copies & 1) !== 0
          ? new Env(env as Map<string, unknown>)
          : Env.from(env),
    ),
    signal,
    options?.onWarning ?? null,
  );
  // (the brand first: it rules out a Program, the usual case, with one read)
  let top: unknown =
    brandOf(program) === 0 && isGeneratorObject(program) ? fromGeneratorObject(program) : program;
  const handlers = options?.handlers;
  if (handlers !== undefined)
    for (let i = handlers.length - 1; i >= 0; i--) top = withHandlerUnchecked(handlers[i], top);
  const sites = options?.trace?.sites === true;
  if (sites) siteState.on++;
  const m = new Machine(top, ctx, makeTracer(options), sites, signal !== null);
  ctx.machine = m;
  if (signal !== null) shared === null ? listenTo(m, signal) : shared.attach(m);
  return m;
}

function result<T>(m: Machine, ctx: RunContextImpl): RunResult<T> {
  return made(m, ctx, ended(m, ctx));
}

/**
 * runAsync's result: as run's, once the promises the run option onWarning returned have settled
 * (their rejections kept as warnings: context.ts tell), so that none rejects unhandled and an
 * `async` hook's last reports are sent when the result comes.
 */
function resultAsync(m: Machine, ctx: RunContextImpl): RunResult<unknown> | Promise<RunResult<unknown>> {
  const report = ended(m, ctx);
  // The run option settle (settle.ts): the result is made once the work the run left going has
  // ended, so what that work reports meanwhile — the warnings of a cancelled worker job's
  // finalization, a thread terminated after cancelGraceMs — is on it (made first, they were dropped).
  // (`users`: RunContext.user's Map, read without making it — a run with no settle has none)
  const s = (ctx as unknown as { users: Map<unknown, unknown> | null }).users?.get(SETTLING) as
    | Settling
    | undefined;
  const w = s === undefined ? null : settleWait(s);
  return w === null ? afterHooks(m, ctx, report) : w.then(() => afterHooks(m, ctx, report));
}

/**
 * The result once the promises the run option onWarning returned have settled — or, once the run's
 * signal has aborted, `settle` ms after (hook-wait.ts: runAsync's, the only run they can be pending in).
 */
function afterHooks(
  m: Machine,
  ctx: RunContextImpl,
  report: string | null,
): RunResult<unknown> | Promise<RunResult<unknown>> {
  const pending = ctx.pending;
  return pending === null || pending.size === 0
    ? made(m, ctx, report)
    : HOOK_PROMISE.settled!(ctx, pending, () => made(m, ctx, report));
}

/** The run ended: its listeners off, its error's report made, its warnings given their end (TRACED). */
function ended(m: Machine, ctx: RunContextImpl): string | null {
  ctx.machine = null; // (a task's handle kept after the run holds its context: not the machine too)
  if (m.sites) siteState.on--;
  const stop = m.stopListening;
  if (stop !== null) {
    m.stopListening = null;
    stop();
  }
  let report: string | null = null;
  const ws = ctx.warnings;
  const origins = m.origins;
  if (!m.ok) {
    try {
      if (abortedBySignal(m, ctx)) {
        const chains = origins === null ? null : origins.abortChains;
        report = `doeff: the run was aborted by its signal (run option \`signal\`)${m.abortJob === null ? " before it started" : "; its finally blocks ran"}\n${formatAborted(chains, m.result)}`;
        attachTrace(m.result, report, [true, chains]);
      } else {
        const o = origins === null ? null : origins.get(m.result);
        report = formatFailure(o, m.result);
        attachTrace(m.result, report, [false, o]);
      }
    } catch {
      report = "doeff traceback unavailable: the error object cannot be inspected (its properties throw)";
    }
  }
  const end = TRACED.end;
  if (ws !== null && end !== null) end(ctx, ws, origins, m.ok ? NO_ERROR : m.result);
  return report;
}

/** The run failed with its signal's reason: it was aborted (a fact that cannot change once true). */
const abortedBySignal = (m: Machine, ctx: RunContextImpl): boolean =>
  !m.ok && ctx.signal !== null && ctx.signal.aborted && m.result === ctx.signal.reason;

/** The RunResult of an ended run (its warnings as they are now: an async hook's rejections too). */
function made<T>(m: Machine, ctx: RunContextImpl, report: string | null): RunResult<T> {
  ctx.pending = null;
  ctx.ended = true;
  const ws = ctx.warnings;
  // what tracebackOf reads for the result (trace/data.ts): made only for a failure or warnings
  // (nothing more per run that succeeded without any)
  const t: RunTrace | null = m.ok && ws === null ? null : [m.origins, abortedBySignal(m, ctx), ws];
  // (the state map and log as made, if they were: reading `state` or `log` makes an empty one)
  const main = ctx.main as TaskCtx;
  const r = resultOf<T>(m.ok, m.result, main.map ?? NO_STATE, main.entries ?? NO_LOG, report, ws);
  if (t !== null) runTraces.set(r, t);
  return r;
}

const NO_ERROR = {};

/**
 * @internal What the run's warnings get when it ends, set when run/provisional.ts loads: the
 * traceback of a task's failure kept on them (only provisionalWarning marks a warning `traced`),
 * and the run option onWarning's "final" for the provisional ones still there. A bundle without that
 * module (the small import `run, program, state, get, put`, which cannot spawn) has neither to do.
 */
export const TRACED: {
  end: ((ctx: RunContextImpl, ws: RunWarning[], origins: Origins | null, runError: unknown) => void) | null;
} = { end: null };

const NO_STATE: ReadonlyMap<string, unknown> = new Map();
const NO_LOG: readonly unknown[] = Object.freeze([]);

/** The result of a run that ended Ok(v) at once with the empty store and log (never mutated: copied on read). */
function pureResult(v: unknown): RunResult<unknown> {
  return new RunResult<unknown>(true, v, NO_STATE, NO_LOG, null, null);
}

/**
 * The report goes on the original error as a non-enumerable `doeffTrace`, and what tracebackOf
 * reads with it — only with it: a frozen error that an earlier run gave one keeps that run's text,
 * so it keeps that run's data too. The error is never replaced.
 */
export function attachTrace(error: unknown, report: string, rec: ErrorTrace): void {
  if (error === null || (typeof error !== "object" && typeof error !== "function")) return;
  try {
    Object.defineProperty(error, "doeffTrace", {
      value: report,
      enumerable: false,
      configurable: true,
      writable: true,
    });
    errorTraces.set(error, rec);
  } catch {
    // a frozen error keeps no trace; RunResult.format() still has it
  }
}

/**
 * Run `program` synchronously to the end. Errors during the run become an Err result.
 * Compile-time: every effect the program may perform must be taken by one of `handlers` (API §7).
 * Two signatures told apart by arity, so a failed check reports one error, never an overload list:
 * without options, the program itself carries the check; with options, the options object does.
 */
export function run<P extends Runnable | AnyFunction>(program: P & CoveredProgram<P>): RunResult<RunValue<P>>;
export function run<
  P extends Runnable | AnyFunction,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  // O: the options object's own type, read only to see whether its `handlers` may be absent (MaybeNone)
  O extends object = {},
  // C: the check, never given (see FirstPass)
  C = FirstPass<Keys, O> extends true ? unknown : Covered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P & NoInfer<ProgramArg<P>>,
  options: CheckedRunOptions<C, Hs, Keys, Patch, O>,
): RunResult<RunValue<P> | ReturnedBy<Hs>>;
export function run(program: unknown, given?: unknown): RunResult<unknown> {
  // A finished program (`pure(v)`) with no options runs no step, no handler and no code: its result
  // is known without a machine (test/run-shortcut.test.ts compares it with the general path).
  if (given === undefined && program instanceof Program && program.tag === P_PURE)
    return pureResult(program.a);
  checkProgram(program, "run");
  const options = readOptions(given); // read once; a throwing read is a TypeError (§8.1)
  checkOptions(options);
  if (options?.settle !== undefined)
    throw new TypeError(
      "run option settle is for runAsync only (run cannot wait): use runAsync or remove it",
    );
  const m = start(program, options, "sync");
  slice(m, {}, Infinity);
  return result(m, m.ctx);
}

/** Run `program` on the event loop. The promise never rejects for program errors. Typed like run. */
export function runAsync<P extends Runnable | AnyFunction>(
  program: P & CoveredProgram<P>,
): Promise<RunResult<RunValue<P>>>;
export function runAsync<
  P extends Runnable | AnyFunction,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  O extends object = {},
  C = FirstPass<Keys, O> extends true ? unknown : Covered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P & NoInfer<ProgramArg<P>>,
  options: CheckedRunAsyncOptions<C, Hs, Keys, Patch, O>,
): Promise<RunResult<RunValue<P> | ReturnedBy<Hs>>>;
export function runAsync(program: unknown, given?: unknown): Promise<RunResult<unknown>> {
  try {
    checkProgram(program, "runAsync");
    const options = readOptions(given); // read once; a throwing read is a TypeError (§8.1)
    checkOptions(options);
    checkSettle(options?.settle);
    const r = driveAsync(program, options);
    return r instanceof RunResult ? Promise.resolve(r) : r;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * @internal runAsync after its checks: for doeff's own callers whose program and options are made
 * by the library and known good (doeff/workers' thread runs one per job; the checks were ~15 % of it).
 * With `shared` (whose signal is `options.signal`), the run is aborted through its listener. The
 * first slice runs now (as runAsync's does): a run that ends within it gives its result as is,
 * without a promise (the worker thread: a trivial job then costs no promise and no await there).
 */
export function driveAsync(
  program: unknown,
  options: RunOptions | undefined,
  shared: SharedSignal | null = null,
): RunResult<unknown> | Promise<RunResult<unknown>> {
  HOOK_PROMISE.wait = waitForHook;
  HOOK_PROMISE.settled = hooksSettled;
  // (runs in flight at once share one listener on a signal they share: signal.ts listenShared)
  const m = start(program, options, "async", shared, listenShared);
  const ctx = m.ctx;
  const ms = options?.settle;
  // (before the first step: a scheduler's world reads it when made, scheduler-world.ts; the
  // result waits on it, resultAsync)
  if (ms) ctx.user.set(SETTLING, { n: 0, done: null, ms } satisfies Settling);
  // (the first slice is short: a step may answer up to 64 effects, and none was measured yet)
  const id = {};
  const st = slice(m, id, 16);
  return st === ST_DONE ? resultAsync(m, ctx) : drive(m, ctx, id, st);
}

/** The driver's outcome of an asyncEscape or an awaitAnswer that failed: thrown where it waited. */
function throwAwaited(m: Machine, e: unknown): void {
  const effect = m.awaitEffect;
  if (effect === null) {
    m.throwHere(e);
    return;
  }
  m.awaitEffect = null;
  m.noteError(e, { effect, site: m.cur, taker: m.awaitTaker, marker: MARK_THREW });
  m.mode = M_THROW;
  m.value = e;
}

/**
 * Up to `n` steps of `m`, as the run stepping now, `id` (running.ts: an object of its own, so that a
 * slot a run never gave back keeps no more than it alive); then the one before, if any, again.
 */
function slice(m: Machine, id: object, n: number): number {
  const prev = running.run;
  running.run = id;
  try {
    return m.run(n);
  } finally {
    running.run = prev;
  }
}

/**
 * Turns of the event loop, as a sentinel macrotask counts them: one queued at a time for all runs
 * (one per run kept each run's machine alive until the next turn: a loop of short runAsync calls
 * whose promises had settled kept them all).
 */
let turns = 0;
let sentinel = false;
const sawTurn = (): void => {
  turns++;
  sentinel = false;
};
function watchTurns(): number {
  if (!sentinel) {
    sentinel = true;
    macrotask().then(sawTurn);
  }
  return turns;
}

/**
 * The rest of an async run, whose first slice of 16 steps ended with `st` (not ST_DONE). With a
 * signal, an await must also end when the signal aborts, even if its promise never settles (a
 * fetch that ignores the signal). That was a promise of its own per await, racing the thunk's
 * (3 promises and 4 closures: ~1 µs of an await's ~2 µs). Instead the driver's loop awaits the
 * thunk's promise as is, and an abort during the wait starts the loop afresh (Waker.wake): the
 * waiting one, when its promise settles, finds it is no longer current and stops. So an await
 * with a signal costs what one without does; a run pays one promise (its result's) and a closure.
 */
function drive(m: Machine, ctx: RunContextImpl, id: object, st: number): Promise<RunResult<unknown>> {
  if (m.base === null) return steps(m, ctx, id, st, null) as Promise<RunResult<unknown>>;
  return new Promise((resolve, reject) => new Waker(m, ctx, id, resolve, reject).go(st));
}

/** (steps' answer when an abort woke the run during its await: another loop goes on) */
const STALE = null;
/** (the st a woken loop starts with: the await it replaces was abandoned) */
const ST_WOKEN = -1;

/** The driver's loops of a run with a signal: the current one, and the result they settle. */
class Waker {
  /** the current loop (a loop whose await an abort abandoned is not) */
  declare loop: number;
  declare readonly wake: () => void;
  constructor(
    readonly m: Machine,
    readonly ctx: RunContextImpl,
    readonly id: object,
    readonly resolve: (r: RunResult<unknown>) => void,
    readonly reject: (e: unknown) => void,
  ) {
    this.loop = 0;
    // the signal aborted while the loop awaited: the loop is abandoned where it waits (as the
    // promise raced against the thunk's was resolved) and a new one goes on in a microtask
    this.wake = () => {
      m.wakeOnAbort = null;
      this.loop++;
      queueMicrotask(() => this.go(ST_WOKEN));
    };
  }

  go(st: number): void {
    steps(this.m, this.ctx, this.id, st, this).then((r) => {
      if (r !== STALE) this.resolve(r);
    }, this.reject);
  }
}

/** drive's loop: `w` (a run with a signal) wakes it from an await when the signal aborts. */
async function steps(
  m: Machine,
  ctx: RunContextImpl,
  id: object,
  st: number,
  w: Waker | null,
): Promise<RunResult<unknown> | typeof STALE> {
  let sinceYield = 0;
  let lastYield = Date.now();
  let budget = 16;
  // the awaits' window: since the run last yielded itself, or a reading found the event loop turned
  let yielded = lastYield; // Date.now() when it began
  let awaits = 0; // the awaits in it …
  let nextRead = AWAIT_CHECK; // … at which the clock is read next,
  let readEvery = AWAIT_CHECK; // … that many after the last reading,
  let lastRead = lastYield; // … and what the last reading read
  let seen = turns; // the turns of the event loop the last reading saw
  for (;;) {
    if (st === ST_ASYNC) {
      const thunk = m.asyncThunk!;
      m.asyncThunk = null;
      m.halt = false;
      // (while an aborted run is being finalized, an asyncEscape of a finally block is awaited to
      // its end: nothing wakes it)
      const loop = w === null || m.abortState !== 0 ? -1 : w.loop;
      if (loop >= 0) m.wakeOnAbort = w!.wake;
      try {
        const v = await thunk();
        if (loop >= 0) {
          if (w!.loop !== loop) return STALE;
          m.wakeOnAbort = null;
          m.beforeAbort = null; // (the site's wait is over: site-answers.ts handBack)
        }
        if (m.abortState !== 1) deliver(m, v); // else: abandoned, the next run() begins the abort
      } catch (e) {
        if (loop >= 0) {
          if (w!.loop !== loop) return STALE;
          m.wakeOnAbort = null;
          m.beforeAbort = null;
        }
        if (m.abortState !== 1) throwAwaited(m, e);
      }
      // the event loop ran meanwhile, most often: the steps' clock restarts at their next check
      sinceYield = 0;
      lastYield = -1;
      // But not always: a promise that had already settled (a cache hit, `Promise.resolve(v)`)
      // resumes the run in a microtask, and a run of such awaits kept timers, I/O and its own
      // signal out until it ended (and every WeakRef target made meanwhile alive: they live to the
      // end of the host's job). So the run yields after YIELD_STEPS awaits, or YIELD_MS, in a
      // window that begins when it last yielded itself or when a reading found that the event
      // loop turned (an await of a timer or of I/O: a sentinel macrotask, one queued at a time, ran)
      // — what follows such an await is not cut short, as a test that lets one setImmediate pass
      // expects. The clock is read every `readEvery` awaits: AWAIT_CHECK at first and while a
      // reading finds no millisecond gone since the last (no Date.now() per cheap await), halved
      // down to every await while readings do (awaits whose thunk or the steps after them compute
      // for 1 ms ran 128 at a time without a turn; now 64 at first, then ~YIELD_MS' worth).
      if (++awaits >= nextRead) {
        const now = Date.now();
        if (turns !== seen) {
          awaits = 0;
          yielded = now;
        } else if (awaits >= YIELD_STEPS || now - yielded >= YIELD_MS) {
          await macrotask();
          awaits = 0;
          yielded = Date.now();
        }
        readEvery = now > lastRead ? readEvery >> 1 || 1 : Math.min(AWAIT_CHECK, readEvery * 2);
        lastRead = now;
        nextRead = awaits + readEvery;
        seen = watchTurns();
      }
    } else if (st !== ST_WOKEN) {
      // the work done: the steps, plus the effects the fast lane answered inside them (machine.ts);
      // the next budget shrinks by the same factor, so each check comes after ~CHECK_STEPS of work
      const work = budget + m.laneEffects;
      sinceYield += work;
      budget = Math.max(16, Math.floor((CHECK_STEPS * budget) / work));
      if (lastYield < 0) lastYield = Date.now();
      else if (sinceYield >= YIELD_STEPS || Date.now() - lastYield >= YIELD_MS) {
        await macrotask();
        sinceYield = awaits = 0;
        nextRead = readEvery;
        seen = turns;
        lastRead = lastYield = yielded = Date.now();
      }
    }
    m.laneEffects = 0;
    st = slice(m, id, budget);
    if (st === ST_DONE) return resultAsync(m, ctx);
  }
}

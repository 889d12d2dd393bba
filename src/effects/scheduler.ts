/**
 * Concurrency effects (API §5, SEMANTICS §9): tasks, waiting, one-shot promises, external promises,
 * awaitPromise and idle sources. Constructors validate eagerly (TypeError at construction); the
 * `scheduler` handler (handlers/scheduler.ts) gives them meaning. The handles they answer and take
 * (Task, Future, PromiseHandle, …) are in effects/handles.ts, re-exported here.
 */
import { describe, isProgramLike } from "../vm/brand.js";
import { checkProgramArg } from "./program-arg.js";
import type { Program, ProgramLikeOf } from "../vm/program.js";
import { CAPTURE_DEPTH, siteState } from "../vm/sites.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { Effect } from "./effect.js";
import {
  type ExternalPromise,
  Future,
  type IdleSource,
  PromiseHandle,
  type RaceResult,
  Task,
  type Waitable,
  type WaitableValue,
} from "./handles.js";

export {
  type ExternalPromise,
  Future,
  handleRef,
  type IdleSource,
  PromiseHandle,
  type RaceResult,
  SCHEDULER,
  Task,
  type Waitable,
  type WaitableValue,
} from "./handles.js";
/**
 * @internal Handle construction, internal where declared: a re-export of its own, so the .d.ts
 * leaves it out too (in the list above, the .d.ts re-exported names it no longer declares).
 */
export { newFuture, newTask, TaskRecord } from "./handles.js";

// ---------------------------------------------------------------------------------------------
// Effect classes

/** Base class of the scheduler's effects (its `handles` test). */
export abstract class SchedulerEffect<A = unknown> extends Effect<A> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "scheduler";
  /**
   * @internal Who performs these effects, for UnhandledEffectError's message: a program that
   * called only `all` or `timeout` never wrote `Spawn` or `CreatePromise` itself.
   */
  static readonly performedBy: string =
    "spawn, wait, awaitPromise and the concurrency toolkit (all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest) perform scheduler effects: a program that calls only them needs the scheduler too";
  /**
   * @internal Set by the scheduler module: why an effect about a task or future went unhandled,
   * when the scheduler knows (its run has ended), for UnhandledEffectError's message.
   */
  static unhandledHint: ((effect: unknown) => string | null) | null = null;
  /**
   * @internal Set by the scheduler module: the task performing now in the run whose context is
   * given, as `getTaskInfo()` would answer there (null: no scheduler world is running it), for
   * `observe`'s callback, for every observed effect: a read of the run's open worlds (a scheduler
   * keeps no per-effect record of it).
   */
  static currentTask: ((ctx: unknown) => TaskInfo | null) | null = null;
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName: string = "SchedulerEffect";
  /** Phantom: distinguishes scheduler effects from other effects in effect rows (API §7). */
  declare readonly _scheduler: true;
}

/**
 * How a spawned task sees the state (`spawn(p, { store })`): `"shared"` (the default) — the very same
 * state as its parent, so a `put` in either is seen by both; `"isolated"` — a shallow copy of the
 * parent's state taken at spawn, so the child's writes stay its own.
 */
export type SpawnStore = "isolated" | "shared";
/**
 * Options of `spawn(program, options)`.
 *
 * @example
 * ```ts
 * const t = yield* spawn(worker, { store: "isolated" }); // the worker's puts stay its own
 * ```
 */
export interface SpawnOptions {
  /**
   * "shared" (the default, SEMANTICS §9.6 revision 2): the child uses the very same state Map as
   * its parent; "isolated": the child gets a shallow copy of the parent's state at spawn.
   */
  store?: SpawnStore;
}

/**
 * What a stand-in does for the task spawning it (Spawn.standIn): its traceback line's account of it,
 * and the fields that account is made from, which `tracebackOf`'s `forwarded` entry takes as they
 * are (trace/entries.ts LineFields). Not exported by the package (its declarations name it).
 */
export interface StandIn {
  /** `forwarded Fetch from worker job jobs.js#crawl` */
  readonly text: string;
  /** the forwarded effect's class, as the text names it (`"effect"` for a class without a name) */
  readonly effectClass: string;
  /** the worker job that forwarded it, `module#export` */
  readonly job: string;
}

/** Marks a Spawn as ownedSpawn's (set by Spawn's static block: its private field). */
let markOwned: (s: Spawn<unknown, unknown>, child: OwnedChild | null) => void;
/** Its program runs under the handlers of the spawn site: its row `R` is part of the spawner's row. */
export class Spawn<T = unknown, R = never> extends SchedulerEffect<Task<T>> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Spawn";
  declare readonly _tag: "Spawn";
  /** Phantom: the spawned program's row (not optional: read as exactly `R` under plain `strict`). */
  declare readonly __row: R;
  /** With `trace: { sites: true }`: where spawn() was called (non-enumerable; for tracebacks). */
  declare readonly site?: Error;
  /**
   * @internal Set on the Spawn of a stand-in: a task that performs something for the task spawning
   * it, as that task, so that the spawner can go on meanwhile and cancel it (doeff/workers performs
   * each effect a job forwards in one: workers/job-loop.ts, whose subclass of Spawn sets it, and
   * `owned`). It has no id of its own: its id and parent are its spawner's, so `getTaskInfo()` and
   * observe's task answer for the spawner there, and the ids of the tasks spawned after it are as
   * without it. Its traceback line names the spawner and this account of what it does for it
   * (`── in task 1 (forwarded Fetch from worker job jobs.js#crawl) ──`). Only the handler makes one
   * (scheduler-ops.ts handleEffect): the FAST_PATH takes class Spawn exactly, not a subclass.
   */
  declare readonly standIn?: StandIn;
  declare readonly program: ProgramLikeOf<T>;
  declare readonly store: SpawnStore;
  constructor(program: ProgramLikeOf<T>, store: SpawnStore, site: Error | null = null) {
    super();
    this.program = program;
    this.store = store;
    // The classes check their arguments (SEMANTICS §1), named as the function that makes them,
    // which checks nothing itself: they are public (expectEffects lists effects as instances), and
    // `new Wait(5)` was reported later, as a "yielded 5" the user never wrote, a missing handler, or
    // V8's "… is not a function"
    checkProgramArg(program, "spawn");
    if (store !== "shared" && store !== "isolated")
      throw new TypeError(`spawn expects a store, "shared" or "isolated", got ${describe(store)}`);
    if (site !== null) Object.defineProperty(this, "site", { value: site });
  }
  /**
   * A toolkit combinator's own child (`ownedSpawn`): a private field, so no property of the effect
   * shows it. It was a non-enumerable own property made with `defineProperty`, which cost each
   * spawn of `all`, `forEach`, … more than the rest of its Spawn did (a runtime call per spawn).
   */
  #owned = false;
  /** ownedSpawn's OwnedChild, when it gave one (see OwnedChild) */
  #child: OwnedChild | null = null;
  static {
    markOwned = (s, child) => {
      s.#owned = true;
      s.#child = child;
    };
  }
  /** @internal A toolkit combinator's own child (`ownedSpawn`); false for every other Spawn. */
  get owned(): boolean {
    return this.#owned;
  }
  /** @internal The combinator's OwnedChild for this child, or null (see OwnedChild). */
  get child(): OwnedChild | null {
    return this.#child;
  }
}

/**
 * @internal A toolkit combinator's child that the scheduler may run bare (`all`'s, concurrency/
 * pool.ts). The Spawn's program is a wrapper frame around `program` that tells the combinator of its
 * outcome (and completes its wake-up promise) as it ends. When no handler at all stands between the
 * spawn site and the scheduler (none could see the effects of the wrapper or the combinator's, and
 * the task is wrapped in none), the scheduler runs `program` itself as the task's body and, as the
 * body ends, calls `done` (or `ended` when the task was being cancelled) with what the wrapper would
 * have seen, completing the promise it answers as the wrapper's `completePromise` would have, at
 * the same point (before the task's own report): the same states, the same order, no wrapper frame.
 */
export abstract class OwnedChild {
  declare readonly program: ProgramLikeOf<unknown>;
  constructor(program: ProgramLikeOf<unknown>) {
    this.program = program;
  }
  /** The program ended with a value (`ok`) or threw `value`: → the promise to complete, or null. */
  abstract done(ok: boolean, value: unknown): PromiseHandle<undefined> | null;
  /** The task was cancelled (or ended) without its program ending: → the promise to complete, or null. */
  abstract ended(): PromiseHandle<undefined> | null;
}
/**
 * @internal The Spawn of a toolkit combinator's child (concurrency/pool.ts, timeout, latest, …).
 * §9.8 says whose logs a combinator delivers (`all` on failure: the failed task's only), so a child's
 * log it does not collect is its decision, not a forgotten task: the scheduler does not report it as
 * lost (World.close). Marked off the constructor, non-enumerable (as `site`), so the public Spawn and
 * what `record` / `console.log` show of one stay as they are.
 */
export function ownedSpawn(
  program: ProgramLikeOf<unknown>,
  site: Error | null,
  child: OwnedChild | null = null,
): Spawn<unknown, unknown> {
  const s = new Spawn(program, "shared", site);
  markOwned(s, child);
  return s;
}
/** @internal Marks `s` (a subclass's Spawn: workers/job-loop.ts StandInSpawn) as ownedSpawn does. */
export function markOwnedSpawn(s: Spawn<unknown, unknown>): void {
  markOwned(s, null);
}
/**
 * @internal Effects that doeff's own machinery performs for a program, which `observe` and `record`
 * pass on unshown: RetryCede, a stand-in's Spawn (Spawn.standIn), and the Wait and Cancel of it
 * (workers/job-loop.ts). The program never wrote them, and a test listing its effects would list
 * how doeff/workers is built.
 */
export const UNSHOWN = new WeakSet<object>();
/** The effect of `wait(waitable)`: block until the task or future finishes; answers its value or throws its error. */
export class Wait<T = unknown> extends SchedulerEffect<T> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Wait";
  declare readonly _tag: "Wait";
  declare readonly waitable: Waitable<T>;
  constructor(waitable: Waitable<T>) {
    super();
    this.waitable = waitable;
    if (!(waitable instanceof Task || waitable instanceof Future)) checkWaitable(waitable, "wait");
  }
}
/** The effect of `gather(...)`: every waitable's value in input order; fails fast with the first failure. */
export class Gather<T = unknown[]> extends SchedulerEffect<T> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Gather";
  declare readonly _tag: "Gather";
  declare readonly waitables: readonly Waitable<unknown>[];
  constructor(waitables: readonly Waitable<unknown>[]) {
    super();
    this.waitables = waitables;
    // (gather() has just checked each item, naming it as its caller wrote it: not twice)
    if (checkedByGather === null || waitables !== checkedByGather) checkWaitables(waitables, "gather");
    checkedByGather = null;
  }
}
/** The effect of `race(...)`: the first waitable to finish, as `{ index, value, rest }` (throws its error if it failed). */
export class Race<T = unknown, W extends Waitable<unknown> = Waitable<unknown>> extends SchedulerEffect<
  RaceResult<T, W>
> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Race";
  declare readonly _tag: "Race";
  declare readonly waitables: readonly Waitable<unknown>[];
  constructor(waitables: readonly Waitable<unknown>[]) {
    super();
    this.waitables = waitables;
    checkWaitables(waitables, "race");
  }
}
/** The effect of `cancel(task)`: runs the task's finally blocks, then answers true (false if it was already done). */
export class Cancel extends SchedulerEffect<boolean> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Cancel";
  declare readonly _tag: "Cancel";
  /**
   * @internal A combinator cancelling a task it owns (concurrency/pool.ts `cancelOwned`), which
   * nothing else waits for: the scheduler says (`cleanCancel`) when the task is done and its finally
   * blocks threw nothing, so the combinator need not `wait` for a TaskCancelledError that says
   * nothing (an Error made, thrown and caught per lost race was most of a race's cost). The answer
   * stays `true` (what an observer of the Cancel sees).
   */
  declare readonly owned: boolean;
  declare readonly task: Task<unknown>;
  constructor(task: Task<unknown>, owned = false) {
    super();
    this.task = task;
    checkTask(task, "cancel");
    this.owned = owned;
  }
}
/**
 * @internal The owned Cancel the scheduler last answered `true` having ended its task clean (its
 * finally blocks threw nothing), read by `cancelOwned` as soon as its Cancel is answered. Not a
 * field of the Cancel: the scheduler wrote `clean` on the effect object, so an effect a program
 * performed changed after the fact, and `record`, `expectEffects`, `console.log` and JSON showed the
 * toolkit's cancels with a `clean` that one answer set and another did not. Only an identity match
 * counts: anything else in between (a handler or observer that runs a nested run's combinators)
 * leaves the slot to another Cancel, and `cancelOwned` then waits for the task, as for an unclean one.
 */
export const cleanCancel: { effect: Cancel | null } = { effect: null };
/**
 * @internal The owned Cancel being performed and the combinator performing it (`cancelOwned`:
 * "forEachLatest", "timeout", "raceAll", …), read by the scheduler as it takes that Cancel: the
 * reason the task's AbortSignal aborts with names the combinator (handlers/scheduler-cancel.ts
 * `abortReason`), for code outside the run. Not a field of the Cancel, for the reason `cleanCancel`
 * gives; a slot, not a WeakMap by task (an entry per cancelled loser made raceAll and timeout 1–3%
 * slower, where this slot measured no difference). Only an identity match counts, as for `cleanCancel`: a Cancel
 * another run performed in between leaves the reason generic, never wrong.
 */
export const cancelOwner: { effect: Cancel | null; who: CancelledBy } = { effect: null, who: "" };
/**
 * @internal Who cancelled a task it owns, for its signal's reason: the combinator's name ("which
 * started it and no longer needs it" follows), or its name and why, when there is more to say
 * (`timeout`: its ms passed).
 */
export type CancelledBy = string | { readonly who: string; readonly why: string };
/** The effect of `isDone(waitable)`: true once a task finished or is being cancelled, or a future settled. Never blocks. */
export class IsDone extends SchedulerEffect<boolean> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "IsDone";
  declare readonly _tag: "IsDone";
  declare readonly waitable: Waitable<unknown>;
  constructor(waitable: Waitable<unknown>) {
    super();
    this.waitable = waitable;
    if (!(waitable instanceof Task || waitable instanceof Future)) checkWaitable(waitable, "isDone");
  }
}
/** The effect of `createPromise()`: answers a new one-shot `PromiseHandle` (wait on its `.future`). */
export class CreatePromise<T = unknown> extends SchedulerEffect<PromiseHandle<T>> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "CreatePromise";
  declare readonly _tag: "CreatePromise";
}
/** The effect of `completePromise(promise, value)`: settle it with `value`, waking its waiters (PromiseAlreadyCompletedError if already settled). */
export class CompletePromise extends SchedulerEffect<undefined> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "CompletePromise";
  declare readonly _tag: "CompletePromise";
  declare readonly promise: PromiseHandle<unknown> | ExternalPromise<unknown>;
  declare readonly value: unknown;
  constructor(promise: PromiseHandle<unknown> | ExternalPromise<unknown>, value: unknown) {
    super();
    this.promise = promise;
    this.value = value;
    checkPromise(promise, "completePromise");
  }
}
/** The effect of `failPromise(promise, error)`: settle it with `error`, thrown to its waiters (PromiseAlreadyCompletedError if already settled). */
export class FailPromise extends SchedulerEffect<undefined> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "FailPromise";
  declare readonly _tag: "FailPromise";
  declare readonly promise: PromiseHandle<unknown> | ExternalPromise<unknown>;
  declare readonly error: unknown;
  constructor(promise: PromiseHandle<unknown> | ExternalPromise<unknown>, error: unknown) {
    super();
    this.promise = promise;
    this.error = error;
    checkPromise(promise, "failPromise");
  }
}
/** The effect of `createExternalPromise()`: answers an `ExternalPromise` that code outside the VM (callbacks, timers, I/O) settles with `complete(v)` / `fail(e)`. */
export class CreateExternalPromise<T = unknown> extends SchedulerEffect<ExternalPromise<T>> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "CreateExternalPromise";
  declare readonly _tag: "CreateExternalPromise";
}
/**
 * @internal CreateExternalPromise effects whose promise can only cancel, never unblock a program:
 * abortable's signal. Under `run` a deadlock that only they could end is a DeadlockError, not a wait
 * for the event loop (scheduler-idle.ts pickNext (3)).
 */
export const CANCEL_ONLY: WeakSet<object> = new WeakSet();
/**
 * @internal CreateExternalPromise effects whose promise, while the function answers true, no one
 * outside the run will complete: a concurrencyLimiter waiter's, while every slot is held by tasks of
 * its own run. When every task waits and such promises are all that is pending, the run is
 * deadlocked — under runAsync too, which would otherwise wait for them for ever (pickNext (3)).
 */
export const INSIDE_ONLY: WeakMap<object, () => boolean> = new WeakMap();
/** The effect of `awaitPromise(thunk)`: block the task on the JS promise `thunk(signal)` returns (runAsync only; other tasks run meanwhile). */
export class AwaitPromise<T = unknown> extends SchedulerEffect<T> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "AwaitPromise";
  declare readonly _tag: "AwaitPromise";
  /** Called by the scheduler with the awaiting task's AbortSignal (aborted when it is cancelled). */
  declare readonly thunk: (signal: AbortSignal) => PromiseLike<T> | T;
  constructor(thunk: (signal: AbortSignal) => PromiseLike<T> | T) {
    super();
    this.thunk = thunk;
    checkThunk(thunk, "awaitPromise");
  }
}
/** The current task's AbortSignal: aborted when the task is cancelled or the run is aborted (§9.8). */
export class GetAbortSignal extends SchedulerEffect<AbortSignal> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "GetAbortSignal";
  declare readonly _tag: "GetAbortSignal";
}
/** What `getTaskInfo()` answers: the current task's id and the id of the task that spawned it. */
export interface TaskInfo {
  /** 0 for main, then 1, 2, … in spawn order within the scheduler world (`Task.id`, `── in task N ──`). */
  readonly id: number;
  /** The id of the task whose `spawn` made this one (0: main); null for main itself. */
  readonly parent: number | null;
}
/** The current task's id and its parent's (§9): for correlating logs and spans with tracebacks. */
export class GetTaskInfo extends SchedulerEffect<TaskInfo> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "GetTaskInfo";
  declare readonly _tag: "GetTaskInfo";
}
/**
 * The effect of `cede()`: the performing task goes to the back of the ready queue (R4), behind every
 * task ready now; with none ready, or while it is being finalized (§9.4: no switch then), it goes
 * on at once. No idle processing: a clock does not move and fires no timer for it.
 */
export class Cede extends SchedulerEffect<undefined> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "Cede";
  declare readonly _tag: "Cede";
}
/**
 * @internal `retry`'s turn for the other tasks (`times: Infinity` without a delay, retry.ts): a
 * Cede that `observe` and `record` do not show. The program never wrote it (retry performs it
 * between attempts), and a test listing the effects of a retried program would have to list one
 * per attempt, which depends on how retry is built; a user's own `cede()` is the program's, and is
 * shown like any effect.
 */
export class RetryCede extends Cede {
  constructor() {
    super();
    UNSHOWN.add(this);
  }
}
/**
 * @internal The TaskCancelledErrors a blocking call throws in a task being finalized (cancelled, or
 * its run aborted): every later blocking call throws one again, so `retry` never retries them.
 */
export const FINALIZING = new WeakSet<object>();
/**
 * @internal Failures received outside the run: a task's signal → the error it is about to fail with,
 * which code outside the run was already given (channelStream's pump: its consumer's pull rejected
 * with it). The task fails all the same — a `wait` on it still receives the error — but it is no
 * warning "task N failed and nothing waited for it": somebody did get it.
 */
export const RECEIVED_OUTSIDE = new WeakMap<AbortSignal, unknown>();
/** The effect of `registerIdleSource(source)`: register an `IdleSource` with the scheduler world (answers true if it was not registered: new, or dropped as drained). */
export class RegisterIdleSource extends SchedulerEffect<boolean> {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "RegisterIdleSource";
  declare readonly _tag: "RegisterIdleSource";
  declare readonly source: IdleSource;
  constructor(source: IdleSource) {
    super();
    this.source = source;
    checkIdleSource(source, "registerIdleSource");
  }
}

// ---------------------------------------------------------------------------------------------
// Constructors (eager validation)

function checkWaitable(x: unknown, where: string): void {
  if (x instanceof Task || x instanceof Future) return;
  throw new TypeError(
    `${where} expects a Task (from spawn) or a Future (a promise's .future), got ${describe(x)}` +
      (x instanceof PromiseHandle
        ? "; pass promise.future"
        : x instanceof Spawn
          ? ": `yield*` it first, const task = yield* spawn(p)"
          : isProgramLike(x)
            ? ": `yield*` a program to run it, or spawn it first"
            : ""),
  );
}

function checkTask(task: unknown, where: string): void {
  if (!(task instanceof Task))
    throw new TypeError(`${where} expects a Task (from spawn), got ${describe(task)}`);
}

function checkWaitables(ws: unknown, where: string): void {
  if (!Array.isArray(ws))
    throw new TypeError(`${where} expects an array of Tasks or Futures, got ${describe(ws)}`);
  for (let i = 0; i < ws.length; i++) {
    const x: unknown = ws[i];
    if (!(x instanceof Task || x instanceof Future)) checkWaitable(x, `${where} (item ${i})`);
  }
}

function checkThunk(thunk: unknown, where: string): void {
  if (typeof thunk !== "function")
    throw new TypeError(
      `${where} expects a function returning a promise, e.g. awaitPromise((signal) => fetch(url, { signal })), got ${describe(thunk)}`,
    );
}

function checkIdleSource(source: unknown, where: string): void {
  if (source === null || typeof source !== "object" || typeof (source as IdleSource).progress !== "function")
    throw new TypeError(`${where} expects { progress(complete): boolean }, got ${describe(source)}`);
  const pending = (source as IdleSource).pending;
  // (else a TypeError from the scheduler's idle step, naming no source)
  if (pending !== undefined && typeof pending !== "function")
    throw new TypeError(
      `${where} expects { progress(complete): boolean, pending?(): boolean }, got pending: ${describe(pending)}`,
    );
}

function checkPromise(p: unknown, where: string): void {
  if (p !== null && typeof p === "object" && (p as { future?: unknown }).future instanceof Future) return;
  throw new TypeError(
    `${where} expects a promise made by createPromise() or createExternalPromise(), got ${describe(p)}`,
  );
}

/** (a spawn site's library frame above the user's: spawn's own) */
CAPTURE_DEPTH["doeff spawn site"] = 1;

/** Start `program` as a new task (it has not started yet when this answers). */
export function spawn<P extends AnyProgramLike | AnyFunction>(
  program: P & NoInfer<ProgramArg<P>>,
  options?: SpawnOptions,
): Spawn<ResultOf<P>, EffectsOf<P>> {
  let store: SpawnStore = "shared";
  if (options !== undefined) {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new TypeError(
        `spawn options must be an object ({ store?: "shared" | "isolated" }), got ${describe(options)}; omit it to share the parent's state`,
      );
    }
    for (const key of Object.keys(options)) {
      if (key !== "store")
        throw new TypeError(
          `unknown spawn option ${JSON.stringify(key)}; the only option is store ("shared" or "isolated")`,
        );
    }
    if (options.store !== undefined) {
      if (options.store !== "isolated" && options.store !== "shared") {
        throw new TypeError(
          `spawn option store must be "shared" (the default: the child uses the parent's state) or "isolated" (the child gets a copy of it), got ${describe(options.store)}`,
        );
      }
      store = options.store;
    }
  }
  const site = siteState.on !== 0 ? new Error("doeff spawn site") : null;
  return new Spawn(program as ProgramLikeOf<ResultOf<P>>, store, site);
}

/** The waitable's value, or its error (TaskCancelledError for a cancelled task). */
export function wait<T>(waitable: Waitable<T>): Wait<T> {
  return new Wait<T>(waitable);
}

/** The values of a list of waitables: a tuple for a tuple, an array for an array. */
export type GatherValues<W extends readonly unknown[]> = { -readonly [I in keyof W]: WaitableValue<W[I]> };

/**
 * Every item's value, in input order; fails fast with the first item to fail. Takes the waitables
 * as arguments (`gather(a, b)`: a tuple) or as one array (`gather(tasks)`: any number of them, e.g.
 * 1,000,000 — more than a spread call can pass).
 */
export function gather<const W extends readonly Waitable<any>[]>(waitables: W): Gather<GatherValues<W>>;
export function gather<const W extends readonly Waitable<any>[]>(...waitables: W): Gather<GatherValues<W>>;
export function gather(...args: unknown[]): Gather<unknown[]> {
  const first = args[0];
  if (args.length === 1 && Array.isArray(first)) {
    const items = first as readonly unknown[];
    const n = items.length;
    const out = new Array<Waitable<unknown>>(n);
    for (let i = 0; i < n; i++) {
      const x = items[i];
      if (!(x instanceof Task || x instanceof Future)) checkWaitable(x, `gather (array item ${i})`);
      out[i] = x as Waitable<unknown>;
    }
    checkedByGather = out;
    return new Gather(out);
  }
  for (let i = 0; i < args.length; i++) {
    const x = args[i];
    if (!(x instanceof Task || x instanceof Future)) {
      if (args.length === 1 && x !== null && typeof x === "object" && Symbol.iterator in x) {
        throw new TypeError(
          `gather takes waitables as arguments, gather(a, b), or as one array, gather(tasks); got ${describe(x)}: pass an array, e.g. gather([...tasks])`,
        );
      }
      checkWaitable(x, `gather (item ${i})`);
    }
  }
  checkedByGather = args;
  return new Gather(args as Waitable<unknown>[]);
}
/**
 * @internal The Gather of `tasks`, each the answer of a Spawn, checked as the caller took it
 * (`all` over its 10,000 tasks): not checked a second time, item by item, as the Gather is made.
 */
export function gatherChecked<T>(tasks: readonly Task<T>[]): Gather<T[]> {
  checkedByGather = tasks;
  return new Gather<T[]>(tasks);
}
/** The array gather() has just checked item by item and is making its Gather of (else null). */
let checkedByGather: readonly unknown[] | null = null;

/** The first item to finish: `{ index, value, rest }`; throws its error if it failed. */
export function race<const W extends readonly Waitable<any>[]>(
  ...waitables: W
): Race<WaitableValue<W[number]>, W[number]> {
  // (a bad argument is refused at the call, SEMANTICS §6: a race of nothing would never be decided)
  if (waitables.length === 0) throw new TypeError("race() needs at least one waitable (a Task or a Future)");
  if (waitables.length === 1 && Array.isArray(waitables[0]))
    throw new TypeError("race takes the waitables as arguments, not an array: race(...tasks), or race(a, b)");
  return new Race(waitables.slice());
}

/** Cancel a task: false if it is already done; else true once its finally blocks have run. */
export function cancel(task: Task<unknown>): Cancel {
  return new Cancel(task);
}

/** True once the task completed, failed, was cancelled or is being cancelled (a future: settled). */
export function isDone(waitable: Waitable<unknown>): IsDone {
  return new IsDone(waitable);
}

/** A new one-shot promise `{ future }`. */
export function createPromise<T = unknown>(): CreatePromise<T> {
  return new CreatePromise<T>();
}

/** Complete a promise with `value` (PromiseAlreadyCompletedError if it already settled). */
export function completePromise<T>(
  promise: PromiseHandle<T> | ExternalPromise<T>,
  value: T,
): CompletePromise {
  return new CompletePromise(promise as PromiseHandle<unknown>, value);
}

/** Fail a promise with `error` (PromiseAlreadyCompletedError if it already settled). */
export function failPromise(promise: PromiseHandle<any> | ExternalPromise<any>, error: unknown): FailPromise {
  return new FailPromise(promise, error);
}

/** A promise completed from outside the VM: `{ id, future, complete(v), fail(e) }`. */
export function createExternalPromise<T = unknown>(): CreateExternalPromise<T> {
  return new CreateExternalPromise<T>();
}

/**
 * Await a JS promise (runAsync only; other tasks run meanwhile). `thunk` is called by the scheduler
 * with the awaiting task's AbortSignal, aborted if the task is cancelled (or the run aborted) while
 * it waits: `awaitPromise((signal) => fetch(url, { signal }))`. The signal is made (and passed)
 * only when the thunk declares a parameter (`thunk.length > 0`), as in Effect's `Effect.promise`:
 * making one costs microseconds. Write `(signal) => …`, not `(...args) => …` or `(s = x) => …`.
 *
 * A thunk that returns a Program or an effect (`awaitPromise(() => fetchUser(1))` with `fetchUser` a
 * doeff `fn`) is a mistake — `yield*` it instead: the answer is then a type that cannot be
 * `yield*`ed (its one member names the fix; the first overload, typed only for such thunks), and at
 * run time a TypeError at the perform site (a generator object too).
 */
export function awaitPromise<P extends Program<unknown, unknown> | Effect<unknown>, Shown extends P>(
  thunk: (signal: AbortSignal) => P,
): 0 extends 1 & Shown // (a thunk typed \`any\`: as the second overload)
  ? AwaitPromise<Shown>
  : [Shown] extends [never]
    ? AwaitPromise<never>
    : {
        readonly "awaitPromise's function returned a Program; `yield*` it instead (awaitPromise is for promises)": Shown;
      };
export function awaitPromise<T>(thunk: (signal: AbortSignal) => PromiseLike<T> | T): AwaitPromise<T>;
export function awaitPromise<T>(thunk: (signal: AbortSignal) => PromiseLike<T> | T): AwaitPromise<T> {
  return new AwaitPromise<T>(thunk);
}

/** The current task's AbortSignal (aborted when the task is cancelled or the run is aborted). */
export function getAbortSignal(): GetAbortSignal {
  return new GetAbortSignal();
}

/**
 * The current task's id and the id of the task that spawned it (`{ id: 0, parent: null }` in main),
 * as tracebacks number them (`── in task 3 (spawned by task 1) ──`): put them on log lines and spans
 * to find a task of a traceback in them. Ids are per scheduler world (per run).
 */
export function getTaskInfo(): GetTaskInfo {
  return new GetTaskInfo();
}

/**
 * Let every other ready task run first: the calling task goes to the back of the ready queue and
 * goes on when their turns are done (at once if none is ready). For a long batch that must not hold
 * the other tasks up: `for (const item of items) { work(item); yield* cede(); }`. Unlike `delay(0)`
 * it is no clock round: a simulated clock neither moves nor fires a timer for it (timers fire when
 * every task waits), so a batch of any length never reads as a clock stuck at one instant. It
 * needs the scheduler (without one it is an UnhandledEffectError, as `spawn` is).
 */
export function cede(): Cede {
  return new Cede();
}

/** Register an idle source with the scheduler (once per scheduler world, and again after its `pending()` said false; answers true if it was not registered). */
export function registerIdleSource(source: IdleSource): RegisterIdleSource {
  return new RegisterIdleSource(source);
}

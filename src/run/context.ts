/**
 * The run store (SEMANTICS §7.1). L2: one TaskContext per task plus `current`; L3: `user`, a per-run
 * Map for custom handlers. Standard handlers and the scheduler go through this object only, so a
 * replacement can do everything they do.
 */
import type { Origins } from "../trace/origin.js";
import { isThenable } from "../vm/brand.js";

/** Which driver runs the program: `"sync"` for `run`, `"async"` for `runAsync`. */
export type Driver = "sync" | "async";

const NO_KEYS: ReadonlyMap<string, unknown> = new Map();
const NO_PROGRAMS: ReadonlySet<unknown> = new Set();
const MISSING: unique symbol = Symbol("doeff.env.missing");

/**
 * An immutable environment view. `local` makes a new view; nothing mutates one.
 *
 * A view is its own keys (the overlay) plus a link to the view it overlays, so `with(patch)` costs
 * O(size of patch), not O(size of env): deep `local` nesting stays linear. A lookup that goes past the
 * view's own keys walks the parent links once per (view, key) and caches the answer on the view (safe:
 * views never change).
 */
export class Env {
  declare private readonly parent: Env | null;
  declare private readonly own: ReadonlyMap<string, unknown>;
  /** Answers found through `parent` (MISSING for an absent key); created at the first such lookup. */
  declare private cache: Map<string, unknown> | null;
  /** Programs being evaluated as lazy values along this view (CircularAskError detection). */
  declare readonly evaluating: ReadonlySet<unknown>;
  constructor(
    map: ReadonlyMap<string, unknown>,
    evaluating: ReadonlySet<unknown> = NO_PROGRAMS,
    parent: Env | null = null,
  ) {
    // (assigned in the order declared: the properties an Env had as class fields, in that order)
    this.parent = parent;
    this.own = map;
    this.cache = null;
    this.evaluating = evaluating;
  }
  /** A view of a copy of `source` (a plain object or a Map with string keys). */
  static from(source: Record<string, unknown> | ReadonlyMap<string, unknown>): Env {
    return new Env(new Map(source instanceof Map ? source : Object.entries(source)));
  }
  /** The empty environment (immutable, so shared). */
  static readonly EMPTY: Env = new Env(NO_KEYS);

  private lookup(key: string): unknown {
    const found = this.own.get(key);
    if (found !== undefined || this.own.has(key)) return found;
    if (this.parent === null) return MISSING;
    const cache = this.cache;
    if (cache?.has(key)) return cache.get(key);
    let v: unknown = MISSING;
    for (let e: Env | null = this.parent; e !== null; e = e.parent) {
      if (e.own.has(key)) {
        v = e.own.get(key);
        break;
      }
      if (e.cache?.has(key)) {
        v = e.cache.get(key);
        break;
      }
    }
    (this.cache ??= new Map()).set(key, v);
    return v;
  }
  has(key: string): boolean {
    return this.lookup(key) !== MISSING;
  }
  get(key: string): unknown {
    const v = this.lookup(key);
    return v === MISSING ? undefined : v;
  }
  /** Every key of the view (outer keys first, in insertion order). O(size of env). */
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  /** @internal The view flattened to one Map (a new Map each call). O(size of env). */
  get map(): ReadonlyMap<string, unknown> {
    const chain: Env[] = [];
    for (let e: Env | null = this; e !== null; e = e.parent) chain.push(e);
    const m = new Map<string, unknown>();
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i]!.own) m.set(k, v);
    return m;
  }
  /** A new view overlaid by `patch`; outer keys not overridden stay. O(size of patch). */
  with(patch: Record<string, unknown>): Env {
    const own = new Map<string, unknown>();
    for (const k of Object.keys(patch)) own.set(k, patch[k]);
    return new Env(own, this.evaluating, this);
  }
  /** A new view marked as evaluating `program` (same keys). */
  evaluatingProgram(program: unknown): Env {
    const s = new Set(this.evaluating);
    s.add(program);
    return new Env(this.own, s, this.parent);
  }
}

/** The per-task part of the run store: its state, environment and log. */
export interface TaskContext {
  state: Map<string, unknown>;
  env: Env;
  log: unknown[];
}

/**
 * @internal The TaskContext the run and the scheduler make. Its log array is made on first use:
 * most spawned tasks never `tell`, and an empty array per task was 32 B of every pending task. So
 * is the state map of a run given no `store` (~200 B and two objects of every such run).
 */
export class TaskCtx implements TaskContext {
  /** @internal The state map if one was made (null: the run's own, not made yet: see `state`). */
  declare map: Map<string, unknown> | null;
  declare env: Env;
  /**
   * @internal The log if one was made (null: nothing logged): what the scheduler reads to see it
   * without making it (a field, not a method, so that a bundle without the scheduler carries nothing).
   */
  declare entries: unknown[] | null;
  constructor(state: Map<string, unknown> | null, env: Env) {
    this.map = state;
    this.env = env;
    this.entries = null;
  }
  get state(): Map<string, unknown> {
    return (this.map ??= new Map());
  }
  set state(map: Map<string, unknown>) {
    this.map = map;
  }
  get log(): unknown[] {
    return (this.entries ??= []);
  }
  set log(entries: unknown[]) {
    this.entries = entries;
  }
}

/**
 * What `getRunContext()` gives a handler: the driver, the current task's context, and per-run
 * storage. The standard handlers and the scheduler use only this, so replacements can do the same.
 */
export interface RunContext {
  readonly driver: Driver;
  readonly current: TaskContext;
  setCurrent(ctx: TaskContext): void;
  /** L3: per-run data for custom handlers; standard handlers key theirs by handler object. */
  readonly user: Map<unknown, unknown>;
  /**
   * The run's AbortSignal (run option `signal`, SEMANTICS §9.8), or null. When it aborts, the run
   * stops at the next step boundary and is finalized; a scheduler aborts its tasks' signals at once.
   */
  readonly signal: AbortSignal | null;
  /**
   * Report an error that no program can receive any more (e.g. thrown by a finally block of a task
   * cancelled as main finished, §9.4): it is kept on `RunResult.warnings`, never dropped, and told
   * at once to the run option `onWarning` as `"final"`. `where` says what threw it (shown by
   * `RunResult.format()`). (An error a program may still receive later: `provisionalWarning`.)
   */
  warn(error: unknown, where: string): void;
}

/** An error reported with RunContext.warn. */
export interface RunWarning {
  readonly error: unknown;
  readonly where: string;
  /** show where it was thrown (a task's own failure): set by provisionalWarning's `traced` */
  readonly traced?: boolean;
  /** where the error was thrown: its traceback's chain lines, made when the run ends (run.ts) */
  readonly trace?: string;
}

/**
 * What the run option `onWarning` is told with each error: `where` says what threw it (the line
 * `RunResult.format()` shows), `status` how sure it is that no program will receive it.
 *
 * - `"final"`: no program can receive the error; it is on `RunResult.warnings`. Each error of
 *   `RunResult.warnings` is told `"final"` exactly once.
 * - `"provisional"`: a spawned task's error that nothing is waiting for yet — a task that failed,
 *   or whose `finally` block threw while a program cancelled it. A `wait` / `gather` / `race` on
 *   the task later still receives it. Told at once, so that a long-lived run (a server whose `main`
 *   returns only at shutdown) hears of it while it runs. Each `"provisional"` call is followed,
 *   before the run's result is given, by exactly one call for the same error: `"retracted"` when a
 *   program received it (it is not on `RunResult.warnings`), or `"final"` when the run ended with
 *   nothing having received it.
 * - `"retracted"`: a program received the error told `"provisional"` before.
 */
export interface WarningInfo {
  readonly where: string;
  readonly status: WarningStatus;
}

/** See {@link WarningInfo}. */
export type WarningStatus = "final" | "provisional" | "retracted";

/** The run option `onWarning`. */
export type WarningHook = (error: unknown, info: WarningInfo) => void;

/**
 * @internal What runAsync does with a promise the run option onWarning returned: keep it on
 * `pending` until it settles, its rejection (an async function's throw) kept as the hook's throw
 * (hook-wait.ts waitForHook, set by runAsync's driver, the only maker of an "async" run: a bundle
 * without runAsync leaves it out), and its result's wait for them (`settled`: hooksSettled, bounded
 * once the run's signal aborts).
 */
export const HOOK_PROMISE: {
  wait:
    | ((ctx: RunContextImpl, r: PromiseLike<unknown>, threw: (e: unknown) => void, where: string) => void)
    | null;
  settled: (<T>(ctx: RunContextImpl, pending: Set<Promise<unknown>>, done: () => T) => Promise<T>) | null;
} = { wait: null, settled: null };

export class RunContextImpl implements RunContext {
  declare readonly driver: Driver;
  declare current: TaskContext;
  /** `user`, once read (null until then: most runs never read it, and a Map is ~200 B) */
  declare private users: Map<unknown, unknown> | null;
  declare readonly main: TaskContext;
  declare readonly signal: AbortSignal | null;
  /** errors reported with warn(), in report order (null until the first) */
  declare warnings: RunWarning[] | null;
  /** the run option onWarning (null: none) */
  declare hook: WarningHook | null;
  /**
   * The promises the hook returned under runAsync, until each settles (its result waits for them:
   * run.ts); under run, an empty set once the hook returned one (its warning is said once).
   */
  declare pending: Set<Promise<unknown>> | null;
  /**
   * The run's result was made (run.ts made): a warning reported now would be on no RunResult. Read
   * by what reports from outside the run's steps (doeff/workers: a cancelled job's warnings).
   */
  declare ended: boolean;
  /**
   * @internal The run's machine, read for the origins of its errors by what formats a traceback
   * outside the machine's own end (a task's failure told to onWarning as "provisional": provisional.ts).
   */
  declare machine: { readonly origins: Origins | null } | null;
  constructor(
    driver: Driver,
    main: TaskContext,
    signal: AbortSignal | null = null,
    hook: WarningHook | null = null,
  ) {
    this.driver = driver;
    this.current = main;
    this.users = null;
    this.main = main;
    this.signal = signal;
    this.warnings = null;
    this.hook = hook;
    this.pending = null;
    this.ended = false;
    this.machine = null;
  }
  get user(): Map<unknown, unknown> {
    return (this.users ??= new Map());
  }
  warn(error: unknown, where: string, traced = false): void {
    const w = { error, where: String(where), traced };
    this.keep(w);
    if (this.hook !== null) this.tell(w, "final");
  }
  /** @internal Put `w` on the warnings (the hook is not told). */
  keep(w: RunWarning): void {
    if (this.warnings === null) this.warnings = [w];
    else this.warnings.push(w);
  }
  /**
   * @internal Call the hook. A throw from it is kept as a warning of its own, final and told to
   * nobody (the hook that threw would be called with its own error, perhaps without end), and the
   * run goes on. (A provisional warning's calls are made by run/provisional.ts, which a bundle that
   * cannot spawn leaves out.) A promise it returns (an `async` hook that sends the error to a
   * tracker) is never left to reject unhandled, which would end a Node process: under runAsync the
   * result waits for it, its rejection kept as a warning; `run` cannot wait, and says so once.
   */
  tell(w: RunWarning, status: WarningStatus): void {
    const threw = (e: unknown) =>
      this.keep({ error: e, where: `the run option onWarning threw (called for: ${w.where})` });
    try {
      const r: unknown = this.hook!(w.error, { where: w.where, status });
      if (!isThenable(r)) return;
      if (this.driver === "async") {
        HOOK_PROMISE.wait!(this, r as PromiseLike<unknown>, threw, w.where);
        return;
      }
      Promise.resolve(r).then(undefined, () => {});
      if (this.pending === null) {
        this.pending = new Set(); // (said once)
        this.keep({
          error: new TypeError(
            "run cannot wait for the promise the run option onWarning returned (its rejection is ignored): use runAsync, or a hook that returns nothing",
          ),
          where: "the run option onWarning returned a promise",
        });
      }
    } catch (e) {
      threw(e);
    }
  }
  setCurrent(ctx: TaskContext): void {
    this.current = ctx;
  }
}

/** Per-(run, handler object) data for stateful handlers (SEMANTICS §7.1). */
export function perRun<T>(ctx: RunContext, key: object, init: () => T): T {
  let v = ctx.user.get(key) as T | undefined;
  if (v === undefined) {
    v = init();
    ctx.user.set(key, v);
  }
  return v;
}

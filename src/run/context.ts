/**
 * The run store (SEMANTICS §7.1). L2: one TaskContext per task plus `current`; L3: `user`, a per-run
 * Map for custom handlers. Standard handlers and the scheduler go through this object only, so a
 * replacement can do everything they do.
 */
/** Which driver runs the program: `"sync"` for `run`, `"async"` for `runAsync`. */
export type Driver = "sync" | "async";

/** An immutable environment view. `local` makes a new view; nothing mutates one. */
export class Env {
  /** @internal */ readonly map: ReadonlyMap<string, unknown>;
  /** Programs being evaluated as lazy values along this view (CircularAskError detection). */
  readonly evaluating: ReadonlySet<unknown>;
  constructor(map: ReadonlyMap<string, unknown>, evaluating: ReadonlySet<unknown> = new Set()) {
    this.map = map;
    this.evaluating = evaluating;
  }
  static from(record: Record<string, unknown>): Env {
    return new Env(new Map(Object.entries(record)));
  }
  /** The empty environment (immutable, so shared). */
  static readonly EMPTY: Env = new Env(new Map());
  has(key: string): boolean {
    return this.map.has(key);
  }
  get(key: string): unknown {
    return this.map.get(key);
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  /** A new view overlaid by `patch`; outer keys not overridden stay. */
  with(patch: Record<string, unknown>): Env {
    const m = new Map(this.map);
    for (const [k, v] of Object.entries(patch)) m.set(k, v);
    return new Env(m, this.evaluating);
  }
  /** A new view marked as evaluating `program`. */
  evaluatingProgram(program: unknown): Env {
    const s = new Set(this.evaluating);
    s.add(program);
    return new Env(this.map, s);
  }
}

/** The per-task part of the run store: its state, environment and log. */
export interface TaskContext {
  state: Map<string, unknown>;
  env: Env;
  log: unknown[];
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
}

export class RunContextImpl implements RunContext {
  readonly driver: Driver;
  current: TaskContext;
  readonly user = new Map<unknown, unknown>();
  readonly main: TaskContext;
  constructor(driver: Driver, main: TaskContext) {
    this.driver = driver;
    this.current = main;
    this.main = main;
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

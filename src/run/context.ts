/**
 * The run store (SEMANTICS §7.1). L2: one TaskContext per task plus `current`; L3: `user`, a per-run
 * Map for custom handlers. Standard handlers and the scheduler go through this object only, so a
 * replacement can do everything they do.
 */
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

export interface TaskContext {
  state: Map<string, unknown>;
  env: Env;
  log: unknown[];
}

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
   * cancelled as main finished, §9.4): it is kept on `RunResult.warnings`, never dropped. `where`
   * says what threw it (shown by `RunResult.format()`).
   */
  warn(error: unknown, where: string): void;
}

/** An error reported with RunContext.warn. */
export interface RunWarning {
  readonly error: unknown;
  readonly where: string;
}

export class RunContextImpl implements RunContext {
  readonly driver: Driver;
  current: TaskContext;
  readonly user = new Map<unknown, unknown>();
  readonly main: TaskContext;
  readonly signal: AbortSignal | null;
  /** errors reported with warn(), in report order (null until the first) */
  warnings: RunWarning[] | null = null;
  constructor(driver: Driver, main: TaskContext, signal: AbortSignal | null = null) {
    this.driver = driver;
    this.current = main;
    this.main = main;
    this.signal = signal;
  }
  warn(error: unknown, where: string): void {
    const w = { error, where: String(where) };
    if (this.warnings === null) this.warnings = [w];
    else this.warnings.push(w);
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

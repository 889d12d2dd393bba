/**
 * A task record (SEMANTICS §9): the task's cell, its run state and stashed continuation, and the
 * Reporter its body runs under; and TaskDone, the effect its report performs.
 */
import { keepFast } from "../effects/keep-fast.js";
import { Effect } from "../effects/effect.js";
import { handleRef, OwnedChild, type StandIn, type TaskInfo, TaskRecord } from "../effects/scheduler.js";
import {
  type Continuation,
  Env,
  type Handler,
  type LineFields,
  siteOf,
  type TaskContext,
  withHandler,
} from "../protocol.js";
import {
  type Cell,
  LazyValue,
  PENDING,
  PromiseCell,
  READY,
  readValue,
  START,
  type Waiter,
} from "./scheduler-cell.js";
import type { AwaitLink } from "./scheduler-promise.js";
import type { World } from "./scheduler-world.js";

/**
 * A task's completion report; performed by the task's report (TaskRec.exit) straight at the
 * scheduler's prompt. One per world (World.report), its fields written per report: a report is applied as soon
 * as it is performed (taskDone: at the perform site, or first thing in the handler) and before any
 * other task runs, so two are never in flight. 48 B less per task.
 */
export class TaskDone extends Effect<undefined> {
  declare task: TaskRec;
  declare ok: boolean;
  declare value: unknown;
  /** the task's OwnedChild when it ran one bare (TaskRec.startBare), told first (taskDone); else null */
  declare child: OwnedChild | null;
  constructor(task: TaskRec, ok: boolean, value: unknown) {
    super();
    this.task = task;
    this.ok = ok;
    this.value = value;
    this.child = null;
  }
}

/** The context of every finished task that logged nothing (frozen: nothing may write to it). */
export const DONE_CTX: TaskContext = Object.freeze({
  state: new Map<string, unknown>(),
  env: Env.EMPTY,
  log: Object.freeze([]) as unknown as unknown[],
});

/**
 * The context of a finished task that logged and whose log nothing has merged yet, counted on its
 * world (World.finished) until a waiter merges it (mergeLog) or the world closes and says it was
 * lost. It keeps only the log: the task runs no more code.
 */
export class Uncollected implements TaskContext {
  declare readonly log: unknown[];
  constructor(log: unknown[]) {
    this.log = log;
  }
  get state(): Map<string, unknown> {
    return DONE_CTX.state;
  }
  get env(): Env {
    return DONE_CTX.env;
  }
}

/** A task's rarely set fields (TaskRec.rare). */
interface TaskRare {
  ctl: AbortController | null;
  awaiting: AwaitLink | null;
  spawnSite: Error | null;
  /** the cell whose failure woke it (its error not yet received: World.unreceived / received) */
  wokenBy: Cell | null;
}

/**
 * An unstarted task's body and the handlers between its spawn site and the scheduler, innermost
 * first (TaskRec.body): only a task spawned inside handlers has one, until it starts.
 */
export class Wrapped {
  declare readonly body: unknown;
  declare readonly hs: readonly Handler[];
  constructor(body: unknown, hs: readonly Handler[]) {
    this.body = body;
    this.hs = hs;
  }
}

/**
 * The phases of a task's report (TaskRec as its Reporter), kept in its `body` field once the body
 * has started (before: the body itself, unstarted).
 */
const R_RUNNING = 1; // the body is running
const R_REPORTED = 2; // TaskDone performed

/**
 * A task. It is also the Reporter of its body (`reported`, program.ts): the body runs on the
 * task's scheduler prompt, marked with the task, and when it returns or throws the VM hands the
 * outcome to `exit`, which answers `TaskDone` to perform there — as the generator
 *
 *     function* report(t, body) {
 *       let ok = true, value;
 *       try { value = yield body; } catch (e) { ok = false; value = e; }
 *       yield new TaskDone(t, ok, value);
 *     }
 *
 * would, without a generator, its arguments, its label string, or even a frame per task (spawn +
 * gather: a third of the allocation per task, then 88 B more). It sits between the task's scheduler
 * prompt and the inherited handlers, so no user handler or interceptor is ever offered the report.
 * When the task is being finalized the report is answered (taskDone) and the prompt exits. Its
 * traceback line, `── in task N (spawned by task P at file:line) ──`, is made by frameLabel()
 * only when a traceback is.
 *
 * And it is the task's cell (PromiseCell's fields, declared here too) and the `Task` handle its
 * spawn answers (a TaskRecord: its id is `taskId`): one object per task, not a record and a handle.
 */
export class TaskRec extends TaskRecord<unknown> {
  readonly world: World;
  state = PENDING;
  /** the value, or a LazyValue that makes it on first read (a cancelled task's TaskCancelledError: most are never read) */
  v: unknown = undefined;
  /**
   * completion order (R5, fail-fast and race decisions), read only once the cell is settled; while
   * the cell is pending and the task blocked, its blocking order (World.block, R6): one field
   */
  seq = 0;
  /** one waiter inline, an array only from the second (a gather registers on each of its cells) */
  waiters: Waiter | Waiter[] | null = null;
  /** the id of the task that spawned it (0: main), for its traceback line */
  readonly parent: number;
  /** its context; a finished task that logged nothing drops its own for DONE_CTX (World.finished) */
  ctx: TaskContext;
  /** stashed continuation (blocked or ready; null while unstarted: see World.enter) */
  k: Continuation | null = null;
  run = READY;
  action = START;
  /** the blocking registration, while BLOCKED */
  waiter: Waiter | null = null;
  /** ctl, awaiting and spawnSite, made when one is first set (most tasks never set any) */
  private rare: TaskRare | null = null;
  /** World's live list (tasks not done, in id order): its neighbours while linked, else null */
  prevLive: TaskRec | null = null;
  nextLive: TaskRec | null = null;
  /**
   * The report's state in one field (every field is 8 B per task, kept by all tasks not yet
   * collected): the body until it starts — the program, or a Wrapped when there are handlers
   * between the spawn site and the scheduler (null: none left), or a combinator's OwnedChild to run
   * bare (it stays while the body runs) — then the report's phase.
   */
  body: unknown = null;
  constructor(world: World, id: number, parent: number, ctx: TaskContext) {
    super(id);
    this.world = world;
    this.parent = parent;
    this.ctx = ctx;
  }

  /** The Task the user holds: the record itself (main, task 0, has none). */
  get handle(): TaskRec | null {
    return this.taskId === 0 ? null : this;
  }

  // ---- the cell (as PromiseCell's) ----

  get value(): unknown {
    return readValue(this);
  }
  set value(v: unknown) {
    this.v = v;
  }
  setLazyValue(f: () => unknown): void {
    this.v = new LazyValue(f);
  }
  /**
   * What a ready task is continued with (action VALUE / THROW). It shares the cell's value field:
   * a task is continued only until it is done, and its cell is settled only once it is done
   * (World.finished first): 8 B less per task.
   */
  get actionValue(): unknown {
    return this.v;
  }
  set actionValue(x: unknown) {
    this.v = x;
  }

  /** its AbortSignal's controller, made on first use (getAbortSignal, awaitPromise) */
  get ctl(): AbortController | null {
    return this.rare === null ? null : this.rare.ctl;
  }
  set ctl(c: AbortController | null) {
    if (c !== null || this.rare !== null) this.rareFields().ctl = c;
  }
  /**
   * the link to the cell of its pending awaitPromise: cleared when the promise settles (`awaited`),
   * or abandoned when the task is cancelled while waiting for it (`abandonAwait`: scheduler-promise.ts)
   */
  get awaiting(): AwaitLink | null {
    return this.rare === null ? null : this.rare.awaiting;
  }
  set awaiting(c: AwaitLink | null) {
    const r = this.rare;
    if (c !== null) this.rareFields().awaiting = c;
    // cleared (the await settled): the record goes when nothing else is in it (48 B per waiting task)
    else if (r !== null) {
      if (r.ctl === null && r.spawnSite === null && r.wokenBy === null) this.rare = null;
      else r.awaiting = null;
    }
  }
  /** where spawn() was called (trace sites on), for the frame label */
  get spawnSite(): Error | null {
    return this.rare === null ? null : this.rare.spawnSite;
  }
  set spawnSite(e: Error | null) {
    if (e !== null || this.rare !== null) this.rareFields().spawnSite = e;
  }
  /** the cell whose failure woke it, until it runs (or is cancelled) */
  set wokenBy(c: Cell) {
    this.rareFields().wokenBy = c;
  }
  takeWokenBy(): Cell | null {
    const r = this.rare;
    if (r === null || r.wokenBy === null) return null;
    const c = r.wokenBy;
    r.wokenBy = null;
    if (r.ctl === null && r.awaiting === null && r.spawnSite === null) this.rare = null;
    return c;
  }
  private rareFields(): TaskRare {
    return (this.rare ??= { ctl: null, awaiting: null, spawnSite: null, wokenBy: null });
  }

  // ---- the Reporter of its body (see the class comment) ----

  /**
   * Its body under its handlers (Wrapped), to call now that its report has started (`reported`).
   * The withHandler wrappers are made here, when the task starts, not at spawn.
   */
  start(): unknown {
    let body = this.startBare();
    if (body instanceof Wrapped) {
      const hs = body.hs;
      body = body.body;
      for (let i = 0; i < hs.length; i++) body = withHandler(hs[i]!, body as never);
    }
    return body;
  }

  /**
   * Its body as spawned: the program, or a Wrapped (a task start at the perform site makes the
   * prompts of its handlers itself: SITE_SWITCH).
   */
  startBare(): unknown {
    const body = this.body;
    // a combinator's child run bare: its OwnedChild stays, as the running phase, until the report
    if (body instanceof OwnedChild) return body.program;
    this.body = R_RUNNING;
    return body;
  }

  /** The task is done: an unstarted one lets go of its body (a kept handle retains no program). */
  dropBody(): void {
    if (typeof this.body !== "number") this.body = null;
  }

  /**
   * The body returned (ok) or threw: its world's TaskDone, written for this task's outcome, to
   * perform at its prompt. Then (the report answered: a task finished during its own finalization)
   * null, and the prompt exits with that answer.
   */
  exit(ok: boolean, value: unknown): unknown {
    const b = this.body;
    if (b !== R_RUNNING && !(b instanceof OwnedChild)) return null;
    this.body = R_REPORTED;
    const d = this.world.report;
    d.task = this;
    d.ok = ok;
    d.value = value;
    d.child = b === R_RUNNING ? null : (b as OwnedChild);
    return d;
  }

  /**
   * Its traceback chain ends at its line (Reporter.chainEnd): its prompt is linked wherever the
   * scheduler switched to it — under main's frames when the scheduler is installed inside main. A
   * getter, on the prototype: a field is 8 B per task.
   */
  get chainEnd(): boolean {
    return true;
  }

  /**
   * How messages name it: `task 3`, or in a scheduler nested in a task `task 2.3` (World.prefix).
   * A getter (on the prototype), made only when a message is.
   */
  get label(): string {
    const what = STAND_INS.get(this);
    // a stand-in (STAND_INS): the name of the task it stands in for, whose id it has, and what it
    // does for it
    return what === undefined
      ? `task ${this.world.prefix}${this.taskId}`
      : `${(this.lineFields as { caller: string }).caller} (${what.text})`;
  }

  /**
   * A stand-in's line as fields (FrameLabel.lineFields), which its label is made from and
   * `tracebackOf`'s `forwarded` entry takes: the task it stands in for as messages name it (`task 1`,
   * `task 2.1`, `main`), its id in a scheduler of the run's own (not nested in a task: `task 2.1`
   * has none; the report orders the stand-in's chain after that task's), and what it does for it.
   * Another task's, in a scheduler of the run's own: its id, its parent's and where it was spawned
   * (what frameLabel writes), which the report and `tracebackOf` read rather than its text — a
   * `boundary("in task 7", …)` of a handler library's is no task. In a nested one (`task 2.3`): none.
   */
  get lineFields(): LineFields | undefined {
    const what = STAND_INS.get(this);
    const w = this.world;
    const id = this.taskId;
    if (what === undefined)
      return w.prefix === "" ? { id, by: this.parent, at: siteOf(this.spawnSite) } : undefined;
    return {
      caller: id === 0 ? w.mainName : `task ${w.prefix}${id}`,
      ...(w.prefix === "" ? { task: id } : {}),
      standIn: what,
    };
  }

  /** How messages name the task that spawned it, or "" for its world's main (named by its own line). */
  parentLabel(): string {
    return this.parent === 0 ? "" : `task ${this.world.prefix}${this.parent}`;
  }

  /**
   * `in task N`, with what a reader of nested tasks needs to tell the tree: the task that spawned it
   * when it is not main (`spawned by task P`) and, trace sites on, where (`spawned at file:line`).
   */
  frameLabel(): string {
    if (STAND_INS.has(this)) return `in ${this.label}`;
    const at = siteOf(this.spawnSite);
    const p = this.parentLabel();
    const by = p === "" ? "" : ` by ${p}`;
    if (at === null && by === "") return `in ${this.label}`;
    return `in ${this.label} (spawned${by}${at === null ? "" : ` at ${at}`})`;
  }
}

/**
 * Stand-ins (Spawn.standIn: scheduler-ops.ts handleEffect) → what each does for the task it stands
 * in for, whose id and parent it has (label). Weak: a stand-in goes when its task does.
 */
export const STAND_INS = new WeakMap<TaskRec, StandIn>();

/** The cell behind a Task / Future handle, or null. */
export function cellOf(x: unknown): Cell | null {
  if (x instanceof TaskRec) return x; // (this scheduler's tasks: the record is the handle)
  const r = handleRef(x);
  return r instanceof TaskRec || r instanceof PromiseCell ? r : null;
}

/** Does world `w` own the waitable `x` (a Task or a Future of its own)? */
export function mine(w: World | undefined, x: unknown): boolean {
  if (w === undefined) return false;
  const c = cellOf(x);
  return c !== null && c.world === w;
}

/** The cells of `ws` when world `w` owns every one of them, else null. */
export function ownedCells(w: World | undefined, ws: readonly unknown[]): Cell[] | null {
  // one builtin copy of the exact size, its handles then replaced by their cells — a task's is
  // itself — rather than an array grown by push (~20 B less garbage per task in a gather of 10,000)
  const items = ws.slice() as Cell[];
  for (let i = 0; i < items.length; i++) {
    const c = cellOf(items[i]);
    if (c === null || c.world !== w) return null;
    items[i] = c;
  }
  return items;
}

/** getTaskInfo's answer for `t` (main's spawner is none: its `parent` field is 0 like its children's). */
export function taskInfo(t: TaskRec): TaskInfo {
  return { id: t.taskId, parent: t.taskId === 0 ? null : t.parent };
}

keepFast(TaskDone, TaskRec); // (one TaskRec per spawn: see keep-fast.ts)

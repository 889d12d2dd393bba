/**
 * The scheduler's per-run world (SEMANTICS §9): tasks, the FIFO ready queue, external completions
 * and idle sources. Everything here is synchronous bookkeeping; the handler (scheduler.ts) does the
 * switching with transfer / transferWith / resume.
 *
 * Waitables are *cells* (a task record is a cell too). A blocked task registers one *waiter* on
 * every pending cell it waits for; completing a cell offers it to its waiters in the order they
 * blocked (R4), and a waiter whose outcome becomes decided appends its task to the ready queue.
 *
 * Beside it, as functions of the world: waiters and the settling of cells (scheduler-waiters.ts),
 * what a decided wait answers (scheduler-outcome.ts), promises and the queueing of external
 * completions (scheduler-promise.ts), cancellation's bookkeeping (scheduler-cancel.ts).
 */
import { SETTLING, type Settling } from "../effects/settling.js";
import { keepFast } from "../effects/keep-fast.js";
import type { IdleSource, PromiseHandle } from "../effects/scheduler.js";
import {
  type Continuation,
  type Handler,
  offAbort,
  onAbort,
  provisionalWarning,
  reported,
  type RunContext,
  type TaskContext,
  TaskCtx,
  unstarted,
} from "../protocol.js";
import { abortSignal, noteWaits } from "./scheduler-cancel.js";
import { BLOCKED, type Cell, DONE, PENDING, PromiseCell, READY, RUNNING } from "./scheduler-cell.js";
import { type LostLogs, lostLogWarning, NAMED } from "./scheduler-lost-log.js";
import { cellOf, DONE_CTX, TaskDone, TaskRec, Uncollected } from "./scheduler-task.js";
import { settle } from "./scheduler-waiters.js";
import { PASSED_OVER, type PassedOver } from "./scheduler-idle.js";

interface ExtCompletion {
  readonly cell: PromiseCell;
  readonly ok: boolean;
  readonly value: unknown;
}

/**
 * The context an unstarted task holds: the state and env it was spawned with, shared by the tasks
 * spawned one after another with the same ones (World.spawnCtx). Never current: a task gets a
 * context of its own, with its own log, when it first runs (World.enterTask). So a task waiting to
 * start holds no context of its own (48 B each: spawn 10,000 then gather kept 10,000 of them alive,
 * copied by every young-generation collection until they ran).
 */
class SpawnCtx extends TaskCtx {
  /** The context the task gets when it first runs: its own, with its own log. */
  fresh(): TaskCtx {
    return new TaskCtx(this.state, this.env);
  }
}

/**
 * A toolkit combinator's child's context (ownedSpawn): the same, of a class of its own, so that a
 * log the combinator leaves uncollected is known as its decision (§9.8), not reported as lost
 * (World.finished). A class, not a field: 8 B less per task, and it is asked only as a task ends.
 */
class OwnedCtx extends TaskCtx {}
class OwnedSpawnCtx extends SpawnCtx {
  override fresh(): TaskCtx {
    return new OwnedCtx(this.state, this.env);
  }
}

/**
 * Per-run data under this key: the run's open worlds in the order they were made (absent: none
 * made yet) — a different scheduler nested in a task makes its world after the one hosting it. For
 * observe's task lookup (scheduler.ts `currentTask`) on every observed effect: one read of the
 * per-run data and, with one world, one comparison, where it walked all of that data.
 */
export const OPEN: unique symbol = Symbol("doeff.scheduler.openWorlds");

export class World {
  declare readonly ctx: RunContext;
  /** runAsync's option settle: the run's awaitPromise promises counted until they settle (or null) */
  declare readonly settling: Settling | null;
  declare readonly main: TaskRec;
  declare current: TaskRec;
  nextId = 1;
  /** `[scheduler]`, the handlers of every task's unstarted continuation (made once, never written) */
  selfOnly: readonly Handler[] | null = null;
  /** the context of the last task spawned with a shared store (SpawnCtx), or null */
  private spawnCtx: SpawnCtx | null = null;
  /** the same for a toolkit combinator's children (OwnedSpawnCtx) */
  private ownedSpawnCtx: SpawnCtx | null = null;
  /**
   * Finished tasks whose log nothing merged (yet): a `tell` in a task reaches RunResult.log only
   * through a wait / gather / race on it (§9.3), and one never collected was dropped without a
   * word. Counted as they end (finished) and uncounted as a waiter merges them (mergeLog); what is
   * left when the world closes is one warning. Counts and the first NAMED ids, not the tasks: a
   * server spawning forgotten tasks keeps two numbers, not every task and its log.
   */
  uncollected: LostLogs | null = null;
  /** the scheduler's scope was abandoned (a handler outside it threw) before main ended: no lost-log warning */
  cutOff = false;
  /**
   * Tasks not done, in spawn order — ascending id order, but for a stand-in, which has the id of
   * the task it stands in for (STAND_INS): an intrusive doubly linked list through TaskRec
   * (prevLive/nextLive), not a Map — a Map entry cost a hash insert and delete per task and ~40 B.
   * A task is linked exactly while it is not DONE (newTask links, World.finished unlinks).
   */
  liveHead: TaskRec | null = null;
  private liveTail: TaskRec | null = null;
  private queue: TaskRec[] = [];
  private head = 0;
  doneSeq = 0; // (a settled cell's seq: Cell.seq, scheduler-waiters.ts settle)
  private blockSeq = 0; // (a blocked task's seq: Cell.seq)
  /**
   * Idle sources (R6), in registration order. One that reports nothing pending (`pending()` false,
   * after a progress that completed nothing) is dropped: a `simulatedTime()` made per scope of a
   * long run registered one each and they all stayed — 20,000 scopes took 34 s, every idle moment
   * asking every clock ever made, and kept 2 kB each. Registered again, it goes back to its place.
   */
  idleSources: IdleSource[] = [];
  /** each source ever registered → its place in registration order: seq, or ~seq once dropped (weak: a dropped source nobody holds goes) */
  private idleSeqs: WeakMap<IdleSource, number> | null = null;
  /** idle sources ever registered (a dropped one counts: idle step (0) of pickNext) */
  idleSeq = 0;
  /** external completions requested (scheduler-promise.ts `request`), applied in call order (R7) */
  extQueue: ExtCompletion[] = [];
  pendingExternal = 0;
  /** the pending external promises among them that only cancel (abortable's signal: CANCEL_ONLY), made on first use */
  cancelOnly: Set<PromiseCell> | null = null;
  /** those that, while their function answers true, only this run could complete (INSIDE_ONLY), made on first use */
  insideOnly: Map<PromiseCell, () => boolean> | null = null;
  /** runAsync idle wait: resolved by the next external completion */
  notify: (() => void) | null = null;
  closed = false;
  /** the run's signal aborted (§9.8): every task is being finalized; blocking operations throw */
  aborting = false;
  /**
   * Failures handed to a task that did not run to receive them (scheduler-finalize.ts `unreceived`), by
   * the cell that failed: kept on the warnings until another task woken by that cell receives its
   * error (null: none, the usual case). `heard`: the failed cells whose error a woken task received.
   * Both weak: they are only ever asked about a cell in hand, and a strong Set kept every failed task
   * a waiter caught (its error and traceback, ~2 kB) until the run ended — a server loop grew per
   * failed request.
   */
  unheard: WeakMap<Cell, () => void> | null = null;
  heard: WeakSet<Cell> | null = null;
  /**
   * An awaitPromise whose thunk the FAST_PATH already called, then found it could not await at the
   * site (the thunk made another task runnable): the handler takes this outcome instead of calling
   * the thunk again. Set and consumed within one dispatch (the invocation follows at once).
   */
  prestarted: { effect: unknown; ok: boolean; value: unknown } | null = null;
  /**
   * An awaitPromise awaited at its site in a run with a signal, being handed back to the handler as
   * the run aborts (scheduler-site.ts awaitAtSite): the FAST_PATH defers it and the handler awaits
   * this outcome of its thunk alone (awaitAlone), as it would have. Set and consumed within one
   * dispatch.
   */
  handedBack: { readonly value: unknown } | null = null;
  /**
   * The task whose TaskDone report the FAST_PATH already applied (doneAtSite) before finding it
   * could not switch at the site, and the task it dequeued (null: none ready, pickNext's idle
   * processing decides): the handler takes over from there. Set and consumed within one dispatch.
   */
  doneApplied: TaskRec | null = null;
  doneNext: TaskRec | null = null;
  /** the TaskDone every task report of this world performs (see TaskDone) */
  declare readonly report: TaskDone;
  /** the listener on the run's signal, removed when the world closes */
  private onRunAbort: (() => void) | null = null;

  /** the scheduler handler whose world this is (the taker a traceback names: throwIntoBlocked) */
  declare readonly self: Handler | null;
  /**
   * How messages name this world's tasks and main (TaskRec.label, World.mainName). A world made
   * inside another world's task (a different scheduler nested there, §9.7) numbers its tasks from 1
   * again, so its warnings and traceback lines said `task 1` and `main` for tasks the outer world
   * calls the same: they are named by the hosting task instead — `task 2.1` is task 1 of the
   * scheduler in task 2, `task 0.1` of one in main — and its main is "the main of the scheduler in
   * task 2". A world of its own (not nested): "" and "main". Ids (`task.id`, getTaskInfo) keep
   * the world's own numbers.
   */
  declare readonly prefix: string;
  declare readonly mainName: string;

  constructor(ctx: RunContext, self: Handler | null = null) {
    this.ctx = ctx;
    this.settling = (ctx.user.get(SETTLING) as Settling | undefined) ?? null;
    this.self = self;
    this.main = new TaskRec(this, 0, 0, ctx.current);
    this.main.run = RUNNING;
    this.current = this.main;
    this.report = new TaskDone(this.main, true, undefined);
    const open = ctx.user.get(OPEN) as World[] | undefined;
    // the task hosting it: the running task of an open world whose context is current (the
    // innermost such, as SchedulerEffect.currentTask finds it)
    let host: TaskRec | null = null;
    for (let i = (open?.length ?? 0) - 1; i >= 0 && host === null; i--) {
      const t = open![i]!.current;
      if (t.ctx === ctx.current) host = t;
    }
    if (host === null) {
      this.prefix = "";
      this.mainName = "main";
    } else {
      const hw = host.world;
      this.prefix = `${hw.prefix}${host.taskId}.`;
      this.mainName = `the main of the scheduler in ${host === hw.main ? hw.mainName : host.label}`;
    }
    if (open === undefined) ctx.user.set(OPEN, [this]);
    else open.push(this);
    const sig = ctx.signal;
    if (sig !== null) {
      if (sig.aborted) this.aborting = true;
      else {
        const f = () => this.runAborted(sig.reason);
        this.onRunAbort = f;
        onAbort(sig, f); // (one listener per signal, shared with the run's own: abort-listeners.ts)
      }
    }
  }

  /** The world ends (R9 done): it no longer listens to the run's signal. */
  close(): void {
    this.closed = true;
    this.warnUncollected();
    this.spawnCtx = null;
    const open = this.ctx.user.get(OPEN) as World[] | undefined;
    const i = open?.indexOf(this) ?? -1;
    if (i >= 0) open!.splice(i, 1);
    this.report.task = this.main; // (a kept handle reaches the world: not the last task's value)
    this.report.value = undefined;
    this.report.child = null;
    // A task handle kept after the run reaches this world (TaskRec.world): let go of the tasks the
    // ready queue still lists (dequeue only drops consumed entries when it compacts or empties)
    this.queue = [];
    this.head = 0;
    const f = this.onRunAbort;
    if (f !== null) {
      this.onRunAbort = null;
      const sig = this.ctx.signal;
      if (sig !== null) offAbort(sig, f);
    }
  }

  /** The run's signal aborted: every task's signal aborts now, before any finally block runs. */
  private runAborted(reason: unknown): void {
    this.onRunAbort = null;
    if (this.closed) return;
    noteWaits(this);
    this.aborting = true;
    abortSignal(this.main, () => reason);
    for (let t = this.liveHead; t !== null; t = t.nextLive) abortSignal(t, () => reason);
  }

  // ---- tasks and the ready queue (R4) ----

  /**
   * The context of a task spawned now by the current task: a copy of its state (`isolated`), or
   * (shared, §9.6 rev. 2) the very same state Map and its env, held until the task starts (SpawnCtx).
   */
  spawnContext(isolated: boolean, owned = false): TaskContext {
    const parent = this.ctx.current;
    if (isolated) return new (owned ? OwnedCtx : TaskCtx)(new Map(parent.state), parent.env);
    const s = owned ? this.ownedSpawnCtx : this.spawnCtx;
    if (s !== null && s.state === parent.state && s.env === parent.env) return s;
    if (owned) return (this.ownedSpawnCtx = new OwnedSpawnCtx(parent.state, parent.env));
    return (this.spawnCtx = new SpawnCtx(parent.state, parent.env));
  }

  /**
   * A new task record, spawned by the current task (not yet queued: the caller gives it its
   * continuation, then enqueues it).
   */
  newTask(ctx: TaskContext): TaskRec {
    const t = new TaskRec(this, this.nextId++, this.current.taskId, ctx);
    const tail = this.liveTail;
    t.prevLive = tail;
    if (tail === null) this.liveHead = t;
    else tail.nextLive = t;
    this.liveTail = t;
    return t;
  }

  /**
   * `t` is done (completed, failed or cancelled): off the live list, its continuation gone, and its
   * context too when it logged nothing (it runs no more code; a waiter merging its log finds none:
   * 48 B less per finished task a gather still waits to collect). Its outcome is settled by the caller.
   *
   * `forgotten`: whether a log nothing collects would be lost unnoticed — false for a task a program
   * cancelled (it decided the task's fate; a cancelled task's log reaches only a waiter that asks,
   * as §9.8's combinators' do not) and for a toolkit combinator's child (OwnedCtx). A task that ran
   * to its end, or was cancelled as main ended (R9), is counted (uncollected) until merged.
   */
  finished(t: TaskRec, forgotten = true): void {
    t.run = DONE;
    t.k = null;
    t.dropBody();
    const c = t.ctx;
    if (c instanceof TaskCtx) {
      const log = c.entries;
      if (log === null) t.ctx = DONE_CTX;
      else if (forgotten && log.length > 0 && !(c instanceof OwnedCtx)) {
        t.ctx = new Uncollected(log as unknown[]);
        const u = (this.uncollected ??= { tasks: 0, entries: 0, ids: [] });
        u.tasks++;
        u.entries += log.length;
        if (u.ids.length < NAMED) u.ids.push(t.taskId);
      }
    }
    this.unlinkLive(t);
  }

  /**
   * Is `t` a toolkit combinator's child (ownedSpawn)? Read only as R9 cancels a task unstarted: its
   * context is still the one it was spawned with (OwnedSpawnCtx, or OwnedCtx for an isolated store).
   */
  owned(t: TaskRec): boolean {
    const c = t.ctx;
    return c instanceof OwnedSpawnCtx || c instanceof OwnedCtx;
  }

  /** A waiter merged the log of `t` (its context an Uncollected): no longer lost. */
  collected(t: TaskRec, entries: number): void {
    const u = this.uncollected!;
    u.tasks--;
    u.entries -= entries;
    const i = u.ids.indexOf(t.taskId);
    if (i >= 0) u.ids.splice(i, 1);
  }

  /**
   * The world closes: the logs of finished tasks nothing collected are gone with it. Said on the
   * run's warnings (an error no program can receive, as "task N failed and nothing waited for
   * it"), naming the tasks, with how to keep them. The merge rules themselves stay §9.3's.
   */
  private warnUncollected(): void {
    const u = this.uncollected;
    this.uncollected = null;
    // (a run its signal aborted, or the scheduler's scope abandoned: main was cut off before it
    // could collect them — a main waiting for a task was told "wait for the task" — and the run's
    // Err says why)
    if (u === null || u.tasks === 0 || this.aborting || this.cutOff) return;
    const [error, where] = lostLogWarning(u, this.prefix, this.mainName);
    this.ctx.warn(error, where);
  }

  /** Take a task off the live list (its links cleared: a kept handle retains nothing). */
  private unlinkLive(t: TaskRec): void {
    const p = t.prevLive;
    const n = t.nextLive;
    if (p === null) {
      if (this.liveHead !== t) return; // not linked (already unlinked)
      this.liveHead = n;
    } else p.nextLive = n;
    if (n === null) this.liveTail = p;
    else n.prevLive = p;
    t.prevLive = null;
    t.nextLive = null;
  }

  /**
   * Can nothing but `t` run until a promise `t` awaits settles? (See awaitAlone in scheduler-ops.)
   * `external`: how many pending external promises there are besides — 1 for a task waiting on one
   * (waitAlone in scheduler-site), which then is the only thing that can complete.
   */
  aloneWith(t: TaskRec, external = 0): boolean {
    return (
      t.run === RUNNING &&
      this.pendingExternal === external &&
      this.extQueue.length === 0 &&
      this.idleSources.length === 0 &&
      !this.hasReady()
    );
  }

  enqueue(t: TaskRec): void {
    t.run = READY;
    this.queue.push(t);
  }

  hasReady(): boolean {
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.run !== READY) this.head++;
    if (this.head < q.length) return true;
    // only entries of tasks cancelled meanwhile were left: drop them here too, not only in dequeue
    // (a main that spawns and cancels in a loop and never dequeues kept every cancelled task)
    if (q.length > 0) {
      this.queue = [];
      this.head = 0;
    }
    return false;
  }

  /** The head of the ready queue (entries of tasks cancelled meanwhile are skipped), or null. */
  dequeue(): TaskRec | null {
    if (!this.hasReady()) {
      this.queue = [];
      this.head = 0;
      return null;
    }
    const t = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return t;
  }

  /**
   * A switch into `t`: its stashed continuation (taken), `t` running, its context current. An
   * unstarted task gets its continuation only now — its body, reported to it, under
   * `[scheduler]` — so a pending spawned task holds no continuation and no program wrapper (spawn
   * 10,000 then gather: that much less memory kept alive, and promoted, while they wait).
   */
  enter(t: TaskRec): Continuation {
    const k = t.k ?? unstarted(reported(t), this.selfOnly!);
    this.enterTask(t);
    return k;
  }

  /** enter's state changes alone (its stashed continuation is taken by the caller). */
  enterTask(t: TaskRec): void {
    t.k = null;
    if (t.run === READY || t.run === BLOCKED) t.run = RUNNING;
    this.current = t;
    let c = t.ctx;
    if (c instanceof SpawnCtx) t.ctx = c = c.fresh(); // its first run: its own context
    this.ctx.setCurrent(c);
  }

  /** The ready-queue head without taking it (null: none). */
  peek(): TaskRec | null {
    return this.hasReady() ? this.queue[this.head]! : null;
  }

  /** `k` null: the VM fills `t.k` in (a block at the perform site, SITE_SWITCH.keep). */
  block(t: TaskRec, k: Continuation | null): void {
    t.k = k;
    t.run = BLOCKED;
    t.seq = ++this.blockSeq;
  }

  /** The most recently blocked task still blocked (R6: receives AsyncRequired / Deadlock errors). */
  mostRecentlyBlocked(): TaskRec | null {
    let best: TaskRec | null = this.main.run === BLOCKED ? this.main : null;
    for (let t = this.liveHead; t !== null; t = t.nextLive) {
      if (t.run === BLOCKED && (best === null || t.seq > best.seq)) best = t;
    }
    return best;
  }

  /**
   * Error `e`, which cell `from` handed to a task that did not run to receive it: a warning, unless a
   * task woken by the same cell received it, now or later. (`from` null: not from a cell; warned.)
   */
  unreceived(from: Cell | null, e: unknown, where: string): void {
    if (from === null) {
      this.ctx.warn(e, where);
      return;
    }
    if (this.heard?.has(from)) return;
    const m = (this.unheard ??= new WeakMap());
    if (!m.has(from)) m.set(from, provisionalWarning(this.ctx, e, where));
  }

  /** A task woken by cell `from`'s failure runs with its error: it received it. */
  received(from: Cell): void {
    (this.heard ??= new WeakSet()).add(from);
    const retract = this.unheard?.get(from);
    if (retract !== undefined) {
      this.unheard!.delete(from);
      retract();
    }
  }

  /** Take a blocked task out of its wait (its waiter is dropped) so an error can be thrown into it. */
  unblock(t: TaskRec): void {
    const x = t.waiter;
    if (x !== null) {
      x.active = false;
      t.waiter = null;
      // timeout's timer task waiting for its deadline (scheduler-deadline.ts): its clock's timer
      // cleared, as its `delay`'s finally block does when it ends without firing
      (x as { armed?: { clear(): void } | null }).armed?.clear();
    }
  }

  // ---- idle sources (R6) ----

  /** registerIdleSource: true if `source` was not registered (new, or dropped as drained). */
  registerIdle(source: IdleSource): boolean {
    const seqs = (this.idleSeqs ??= new WeakMap());
    const seq = seqs.get(source);
    if (seq !== undefined && seq >= 0) return false;
    const list = this.idleSources;
    let i = list.length;
    if (seq === undefined) seqs.set(source, this.idleSeq++);
    else {
      // dropped before: back to its place, so R6's order stays that of first registration (a clock
      // registered again behind a source made after it would let that one's timers fire first)
      seqs.set(source, ~seq);
      while (i > 0 && seqs.get(list[i - 1]!)! > ~seq) i--;
    }
    list.splice(i, 0, source);
    return true;
  }

  /**
   * R6 (1), one round: ask each idle source in order until a task is ready; answers whether any
   * progressed. A source that completed nothing and whose `pending()` answers false is dropped.
   */
  askIdle(): boolean {
    const seqs = this.idleSeqs!;
    let progressed = false;
    let dropped = false;
    const list = this.idleSources;
    for (let i = 0; i < list.length; i++) {
      const src = list[i]!;
      if (src.progress(this.completeFromIdle)) progressed = true;
      else if (src.pending?.() === false) {
        seqs.set(src, ~seqs.get(src)!);
        dropped = true;
      }
      if (this.hasReady()) {
        // the sources after it are not asked this round: one may count such rounds (PASSED_OVER)
        for (let j = i + 1; j < list.length; j++)
          (list[j] as PassedOver)[PASSED_OVER]?.(this, this.completeFromIdle);
        break;
      }
    }
    if (dropped) this.idleSources = this.idleSources.filter((src) => seqs.get(src)! >= 0);
    return progressed;
  }

  // ---- external completions (R7; queued by request, scheduler-promise.ts) ----

  /** Apply queued external completions in call order (R7). Returns how many were applied. */
  applyExternal(): number {
    const q = this.extQueue;
    if (q.length === 0) return 0;
    this.extQueue = [];
    for (const c of q) settle(this, c.cell, c.ok, c.value);
    return q.length;
  }

  /** The `complete` callback handed to idle sources: applied at once; false for others' promises. */
  readonly completeFromIdle = (promise: PromiseHandle<unknown>, value: unknown): boolean => {
    const cell = cellOf(promise?.future);
    if (cell === null || cell.world !== this || cell.state !== PENDING) return false;
    if (cell instanceof PromiseCell && cell.requested) return false;
    settle(this, cell, true, value);
    return true;
  };
}

keepFast(SpawnCtx); // (see keep-fast.ts)

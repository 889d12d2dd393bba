/**
 * Waitable cells and the waiters blocked on them (SEMANTICS §9). A cell is what a Task or a Future
 * handle stands for (a task record is a cell too: scheduler-task.ts); a blocked task registers one
 * waiter on every pending cell it waits for, and settle (scheduler-waiters.ts) offers a completed
 * cell to its waiters in the order they blocked (R4). cellOf / ownedCells (scheduler-task.ts) read
 * the cell behind a handle.
 */
import type { Waitable } from "../effects/scheduler.js";
import type { TaskRec } from "./scheduler-task.js";
import type { World } from "./scheduler-world.js";

/** Cell states. */
export const PENDING = 0;
export const SUCCEEDED = 1;
export const FAILED = 2;

/** Task run states. */
export const READY = 0; // in the ready queue (unstarted: action START)
export const RUNNING = 1;
export const BLOCKED = 2;
export const CANCELLING = 3; // being finalized (cancel or R9)
export const DONE = 4; // completed, failed or cancelled

/** What a ready task does when switched to. */
export const START = 0;
export const VALUE = 1;
export const THROW = 2;

export const W_WAIT = 0;
export const W_GATHER = 1;
export const W_RACE = 2;

/** A cell value made on first read (setLazyValue). */
export class LazyValue {
  declare readonly make: () => unknown;
  constructor(make: () => unknown) {
    this.make = make;
  }
}

/**
 * A cell's value from its slot `v` (a value, or a LazyValue made now and stored in its place).
 * Shared by both kinds of cell, which cannot share a base class (see Cell).
 */
export function readValue(c: { v: unknown }): unknown {
  const v = c.v;
  if (v instanceof LazyValue) {
    c.v = undefined; // (a throwing maker is not called twice)
    return (c.v = v.make());
  }
  return v;
}

/**
 * A waitable cell: a promise's (PromiseCell) or a task's (its record, TaskRec, which is also the
 * Task handle and so cannot extend a cell class: the same fields, declared in both).
 */
export type Cell = PromiseCell | TaskRec;

/** A promise's cell (createPromise, createExternalPromise, awaitPromise). */
export class PromiseCell {
  readonly world: World;
  state = PENDING;
  /** @internal the value, or a LazyValue that makes it on first read (readValue) */
  v: unknown = undefined;
  /** completion order (R5, fail-fast and race decisions), read only once the cell is settled */
  seq = 0;
  /** one waiter inline, an array only from the second (a gather registers on each of its cells) */
  waiters: Waiter | Waiter[] | null = null;
  /** complete/fail already requested or settled (a second request → PromiseAlreadyCompletedError) */
  requested = false;
  /** an external promise: counted in world.pendingExternal until settled */
  external = false;
  constructor(world: World) {
    this.world = world;
  }
  get value(): unknown {
    return readValue(this);
  }
  set value(v: unknown) {
    this.v = v;
  }
  setLazyValue(f: () => unknown): void {
    this.v = new LazyValue(f);
  }
}

/**
 * A blocked task's wait. A W_WAIT on one cell keeps neither the cell nor the handle (nothing reads
 * them again): a task blocked on I/O holds this record only, not two one-element arrays beside it.
 */
export class Waiter {
  declare readonly task: TaskRec;
  declare readonly kind: number;
  /** gather / race: the cells, in the order given (null for W_WAIT) */
  declare readonly items: readonly Cell[] | null;
  /** race: the handles, for the losers list (null for W_WAIT) */
  declare readonly handles: readonly Waitable<unknown>[] | null;
  /** gather: the pending cells still to complete (a W_WAIT is decided by its one cell: unread) */
  declare remaining: number;
  declare active: boolean;
  /**
   * The effect the task blocked at (its Wait / Gather / Race / AwaitPromise): a deadlock found as
   * another task ends is thrown into this task from that task's invocation, where it is not known,
   * and its traceback names it as the other paths do (`effect Wait(Future): scheduler ✗`).
   */
  declare readonly effect: unknown;
  constructor(
    task: TaskRec,
    kind: number,
    items: readonly Cell[] | null,
    handles: readonly Waitable<unknown>[] | null,
    effect: unknown,
  ) {
    this.task = task;
    this.kind = kind;
    this.items = items;
    this.handles = handles;
    this.remaining = 0;
    this.active = true;
    this.effect = effect;
  }
}

/** Add `w` to `c`'s waiters; false if it is there already (the same cell twice in one gather/race). */
export function addTo(c: Cell, w: Waiter): boolean {
  const ws = c.waiters;
  if (ws === null) c.waiters = w;
  else if (!Array.isArray(ws)) {
    if (ws === w) return false;
    c.waiters = [ws, w];
  } else if (ws[ws.length - 1] === w) return false;
  else {
    // A waiter decided elsewhere (a race another cell won, a cancelled task) leaves its other cells
    // lazily (settle skips it). A long-lived cell (a shutdown future raced against every unit
    // of work) would keep them all, and their tasks, until it settles: drop them whenever the list
    // doubles — amortized O(1) per waiter, order kept.
    const n = ws.length;
    if (n >= 16 && (n & (n - 1)) === 0) {
      let j = 0;
      for (let i = 0; i < n; i++) {
        const x = ws[i]!;
        if (x.active) ws[j++] = x;
      }
      ws.length = j;
    }
    ws.push(w);
  }
  return true;
}

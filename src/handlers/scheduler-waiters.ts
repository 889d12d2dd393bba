/**
 * Waiters (SEMANTICS §9.2 R3–R5, §9.3): a blocked task registers one waiter on every pending cell
 * it waits for (addWaiterOf); a cell that settles offers itself to its waiters in the order they
 * blocked, and a waiter whose outcome that decides wakes its task — appended to the ready queue
 * with what the wait answers (scheduler-outcome.ts), the delivered task's log merged (§9.3).
 *
 * Functions of the world rather than World's methods, so that the world (scheduler-world.ts) holds
 * the tasks and the ready queue and this file the one path every completion takes: a task's, a
 * promise's, an external completion's, a cancelled task's.
 */
import type { Waitable } from "../effects/scheduler.js";
import { noteBlockedAt } from "../protocol.js";
import {
  addTo,
  type Cell,
  FAILED,
  PENDING,
  PromiseCell,
  SUCCEEDED,
  THROW,
  VALUE,
  W_GATHER,
  W_WAIT,
  Waiter,
} from "./scheduler-cell.js";
import { gatherValues, mergeLog, raceOutcome } from "./scheduler-outcome.js";
import { TaskRec } from "./scheduler-task.js";
import type { World } from "./scheduler-world.js";

/** Record a cell's outcome and offer it to its waiters in the order they blocked (R4, R5). */
export function settle(
  w: World,
  cell: Cell,
  ok: boolean,
  value: unknown,
  lazy: (() => unknown) | null = null,
): void {
  cell.state = ok ? SUCCEEDED : FAILED;
  if (lazy === null) cell.value = value;
  else cell.setLazyValue(lazy);
  cell.seq = ++w.doneSeq;
  if (cell instanceof PromiseCell) {
    cell.requested = true;
    if (cell.external) {
      w.pendingExternal--;
      w.cancelOnly?.delete(cell); // (an abortable's signal: no longer pending)
      w.insideOnly?.delete(cell);
    }
  }
  const ws = cell.waiters;
  cell.waiters = null;
  if (ws === null) return;
  if (!Array.isArray(ws)) {
    if (ws.active) offer(w, ws, cell);
    return;
  }
  for (const x of ws) if (x.active) offer(w, x, cell);
}

function offer(w: World, x: Waiter, cell: Cell): void {
  if (x.kind === W_WAIT) {
    decide(w, x, cell.state === SUCCEEDED, cell.value, cell);
  } else if (x.kind === W_GATHER) {
    if (cell.state === FAILED) decide(w, x, false, cell.value, cell);
    else if (--x.remaining === 0) decideGather(w, x);
  } else {
    decideRace(w, x, cell);
  }
}

function decide(w: World, x: Waiter, ok: boolean, value: unknown, from: Cell | null): void {
  x.active = false;
  const t = x.task;
  t.waiter = null;
  if (from instanceof TaskRec) mergeLog(t, from);
  if (!ok && from !== null) {
    t.wokenBy = from; // (whether it receives the error: unreceived)
    // a rejected awaitPromise (or a failed promise) is thrown into t, often from the invocation
    // of another task's effect, where t's AwaitPromise is not known: its traceback lost the
    // `effect AwaitPromise(…): scheduler ✗` line as soon as two tasks awaited at once (README's
    // forEach of fetches). Noted as a deadlock is (throwIntoBlocked); taken by the first snapshot
    if (from instanceof PromiseCell && t.k !== null && w.self !== null)
      noteBlockedAt(t.k, x.effect, w.self, value);
  }
  wake(w, t, ok, value);
}

function decideGather(w: World, x: Waiter): void {
  x.active = false;
  const t = x.task;
  t.waiter = null;
  wake(w, t, true, gatherValues(t, x.items!));
}

function decideRace(w: World, x: Waiter, cell: Cell): void {
  const { ok, value } = raceOutcome(x.items!, x.handles!, cell);
  decide(w, x, ok, value, cell);
}

function wake(w: World, t: TaskRec, ok: boolean, value: unknown): void {
  t.action = ok ? VALUE : THROW;
  t.actionValue = value;
  w.enqueue(t);
}

/** W_WAIT: `on` is the one pending cell; else the cells of a gather / race and their handles. */
export function addWaiterOf(
  t: TaskRec,
  kind: number,
  on: Cell | readonly Cell[],
  handles: readonly unknown[] | null,
  effect: unknown,
): void {
  if (kind === W_WAIT) addWait(t, on as Cell, effect);
  else addWaiter(t, kind, on as readonly Cell[], handles as readonly Waitable<unknown>[], effect);
}

/** Register `t` as waiting on `cell` (pending) alone: W_WAIT. */
function addWait(t: TaskRec, cell: Cell, effect: unknown): void {
  const x = new Waiter(t, W_WAIT, null, null, effect);
  addTo(cell, x);
  x.remaining = 1;
  t.waiter = x;
}

/** Register `t` as waiting on the pending cells among `items`: W_GATHER / W_RACE. */
function addWaiter(
  t: TaskRec,
  kind: number,
  items: readonly Cell[],
  handles: readonly Waitable<unknown>[],
  effect: unknown,
): void {
  const x = new Waiter(t, kind, items, handles, effect);
  for (const c of items) if (c.state === PENDING && addTo(c, x)) x.remaining++;
  t.waiter = x;
}

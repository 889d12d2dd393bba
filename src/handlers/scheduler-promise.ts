/**
 * Promises (SEMANTICS §9, R6, R7): createPromise's handle, createExternalPromise's (External), and
 * the external cells behind it and behind awaitPromise. An external cell is completed from outside
 * the run — a callback, a settled JS promise — so its completion is only queued here (request) and
 * applied in call order at the world's next step (World.applyExternal); until it settles it counts
 * as pending work (World.pendingExternal), which R6 (3) waits for, or fails the run without it.
 */
import {
  CANCEL_ONLY,
  type ExternalPromise,
  INSIDE_ONLY,
  type Future,
  newFuture,
  PromiseHandle,
} from "../effects/scheduler.js";
import { PromiseAlreadyCompletedError } from "../errors.js";
import { PromiseCell } from "./scheduler-cell.js";
import type { TaskRec } from "./scheduler-task.js";
import type { World } from "./scheduler-world.js";

/** Per-run counter for external promise ids (unique per run across scheduler worlds). */
const EXT_IDS = Symbol("doeff.scheduler.extIds");

export function newPromise(w: World): PromiseHandle<unknown> {
  return new PromiseHandle(newFuture(new PromiseCell(w)));
}

export function newExternal(w: World, effect: object): ExternalPromise<unknown> {
  const cell = externalCell(w);
  if (CANCEL_ONLY.has(effect)) (w.cancelOnly ??= new Set()).add(cell);
  const inside = INSIDE_ONLY.get(effect);
  if (inside !== undefined) (w.insideOnly ??= new Map()).set(cell, inside);
  return new External(cell, nextExtId(w));
}

/**
 * An external cell that takes the run's next `ext-N` id as createExternalPromise's would, for a
 * promise nothing outside the scheduler reads (timeout's deadline, scheduler-deadline.ts): no
 * External, no Future, no `complete` closure made — completed with `request` itself.
 */
export function newExternalCell(w: World): PromiseCell {
  const cell = externalCell(w);
  nextExtId(w);
  return cell;
}

function nextExtId(w: World): number {
  const ids = w.ctx.user.get(EXT_IDS) as { n: number } | undefined;
  const counter = ids ?? { n: 0 };
  if (ids === undefined) w.ctx.user.set(EXT_IDS, counter);
  return ++counter.n;
}

/** A pending external cell (counted in pendingExternal until settled): completed by request. */
export function externalCell(w: World): PromiseCell {
  const cell = new PromiseCell(w);
  cell.external = true;
  w.pendingExternal++;
  return cell;
}

/** Queue the completion of an external cell (applied in call order: R7); ignored after the run. */
export function request(w: World, cell: PromiseCell, ok: boolean, value: unknown): void {
  if (w.closed) return; // calls after the run are ignored (R7)
  if (cell.requested) throw new PromiseAlreadyCompletedError();
  cell.requested = true;
  w.extQueue.push({ cell, ok, value });
  const n = w.notify;
  if (n !== null) {
    w.notify = null;
    n();
  }
}

/**
 * What a pending awaitPromise's settlement callbacks hold (awaitExternal): the task and its cell,
 * cut (both null) once the await settles or is abandoned (its task cancelled — by `cancel`, a
 * timeout, main's end or the run's abort: each finalizes it through abandonAwait).
 * A promise that never settles keeps its callbacks for as long as it lives — a shutdown promise
 * shared by every request of a server, a cache entry's promise — and so everything they reach: they
 * held the world itself (every task, continuation and store of the run): 1–10 KB per run or per
 * cancelled await, kept for good. Now they reach this record only: with the callbacks and the
 * promise's reaction, ~290 B per abandoned await (test/leaks.test.ts).
 */
export class AwaitLink {
  declare t: TaskRec | null;
  declare cell: PromiseCell | null;
  constructor(t: TaskRec | null, cell: PromiseCell | null) {
    this.t = t;
    this.cell = cell;
  }
}

/**
 * An awaitPromise's promise settled (awaitExternal): request its cell's completion, and `t` stops
 * pointing at it (abandonAwait has nothing left to abandon: the cell is requested), so a task that
 * goes on to wait elsewhere — a queue producer's job, waiting for its result — does not keep it.
 * A link already cut (abandoned) is ignored: nobody waits for the cell, and it no longer counts as
 * pending work.
 */
export function awaited(a: AwaitLink, ok: boolean, value: unknown): void {
  const t = a.t;
  const cell = a.cell;
  if (t === null || cell === null) return;
  a.t = null;
  a.cell = null;
  if (t.awaiting === a) t.awaiting = null;
  const w = cell.world;
  // Settled after the run's signal aborted: an abandoned await, as a cancelled task's
  // (abandonAwait) — every task is being finalized and none runs to receive it, and a rejection
  // is most likely the abort's own (a fetch rejects with signal.reason), so it warns of nothing
  // (`unreceived` skips a cell no longer external). One settled before the abort still does.
  if (w.aborting && cell.external && !cell.requested) {
    cell.external = false;
    w.pendingExternal--;
  }
  request(w, cell, ok, value);
}

/** Nobody waits for the task's awaitPromise any more: it no longer counts as pending work (R6). */
export function abandonAwait(w: World, t: TaskRec): void {
  const a = t.awaiting;
  if (a === null) return;
  t.awaiting = null;
  const c = a.cell;
  a.t = null; // (cut: see AwaitLink)
  a.cell = null;
  if (c?.external && !c.requested) {
    c.external = false;
    w.pendingExternal--;
  }
}

/** Settles when an external completion is queued (at once if one is): R6 (3)'s idle wait. */
export function nextExternal(w: World): Promise<void> {
  return new Promise<void>((resolve) => {
    if (w.extQueue.length > 0) resolve();
    else w.notify = resolve;
  });
}

/**
 * createExternalPromise's answer. Immutable by construction (accessors over private fields, as
 * RunResult: Object.freeze costs 30–45 ns), and its `id`, `future`, `complete` and `fail` are made
 * when first read — a pending one is usually read once, when it is completed. So it holds its cell
 * and a number while it waits (~60 B) instead of three closures, their context, a frozen object, a
 * future and an id string (~400 B): every job in flight of doeff/queue holds one, and memory held
 * by pending tasks is what young-generation collections copy. `complete` / `fail` are bound (as
 * before): `emitter.once("done", ext.complete)` works.
 */
class External implements ExternalPromise<unknown> {
  readonly #cell: PromiseCell;
  readonly #n: number;
  #future: Future<unknown> | null = null;
  #complete: ((value: unknown) => void) | null = null;
  #fail: ((error: unknown) => void) | null = null;
  constructor(cell: PromiseCell, n: number) {
    this.#cell = cell;
    this.#n = n;
  }
  get id(): string {
    return `ext-${this.#n}`;
  }
  get future(): Future<unknown> {
    return (this.#future ??= newFuture(this.#cell));
  }
  get complete(): (value: unknown) => void {
    const c = this.#cell;
    return (this.#complete ??= (value) => request(c.world, c, true, value));
  }
  get fail(): (error: unknown) => void {
    const c = this.#cell;
    return (this.#fail ??= (error) => request(c.world, c, false, error));
  }
  /** `JSON.stringify(ext)` shows its id (and its future, `{}`), as when it was a plain object. */
  toJSON(): { id: string; future: Future<unknown> } {
    return { id: this.id, future: this.future };
  }
}
// `console.log(ext)` shows its id, not an empty-looking object (every member is an accessor).
Object.defineProperty(External.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: External) {
    return `ExternalPromise { id: '${this.id}' }`;
  },
});

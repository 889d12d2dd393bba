/**
 * What a decided wait, gather or race answers (SEMANTICS §9.3, R5): a gather's values in item order,
 * a race's `{index, value, rest}` or its winner's error, and the logs of the finished tasks it read
 * merged into the waiter's. One copy, for an answer decided at once (scheduler-ops.ts,
 * scheduler-site.ts) and for one decided when a cell settles later (settle, scheduler-waiters.ts).
 */
import type { Waitable } from "../effects/scheduler.js";
import { TaskCtx } from "../protocol.js";
import { type Cell, FAILED } from "./scheduler-cell.js";
import { DONE_CTX, TaskRec, Uncollected } from "./scheduler-task.js";

/**
 * Merge `from`'s log into `to`'s, once (SEMANTICS §9.3). `from` is done (it runs no more code): its
 * context goes once merged, which marks it merged (no flag kept per task).
 */
export function mergeLog(to: TaskRec, from: TaskRec): void {
  const fc = from.ctx;
  if (fc === DONE_CTX || from === to) return;
  from.ctx = DONE_CTX;
  // (a task that logged nothing has no log array: none is made just to be merged)
  const src = fc instanceof TaskCtx ? fc.entries : fc.log;
  if (src === null || src.length === 0) return;
  if (fc instanceof Uncollected) from.world.collected(from, src.length);
  const dst = to.ctx.log;
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

/** gather success: values in item order, logs merged in item order. */
export function gatherValues(t: TaskRec, items: readonly Cell[]): unknown[] {
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) {
    const c = items[i]!;
    out[i] = c.value;
    if (c instanceof TaskRec) mergeLog(t, c);
  }
  return out;
}

/** race decided by `winner`: `{index, value, rest}` or the winner's error. */
export function raceOutcome(
  items: readonly Cell[],
  handles: readonly Waitable<unknown>[],
  winner: Cell,
): { ok: boolean; value: unknown } {
  if (winner.state === FAILED) return { ok: false, value: winner.value };
  const index = items.indexOf(winner);
  const rest: Waitable<unknown>[] = [];
  for (let i = 0; i < handles.length; i++) if (i !== index) rest.push(handles[i]!);
  return { ok: true, value: Object.freeze({ index, value: winner.value, rest }) };
}

/**
 * The reasons of the aborted signals `abortable` threw, for `retry`: an abort means stop, so retry
 * never retries one (else `retry(abortable(job, signal), { times: Infinity })` retried for ever once
 * the signal was aborted — each attempt threw `signal.reason` again). A module of its own: retry
 * reads it without bundling abortable.
 *
 * An object reason is known by identity. A primitive one (`controller.abort("shutdown")`) has none:
 * any equal value is taken for it, while it is one of the last 32 primitive reasons noted in the
 * same run — few, so an unrelated `throw "shutdown"` is rarely taken for one; bounded by a count,
 * not by a WeakRef to the signal (whose collection would make retry differ from one run to the
 * next). Per run for the same reason: kept for the process, one run's abort("shutdown") made every
 * later run's retry give up on a `throw "shutdown"` (a test suite's outcome depended on the order of
 * its tests). One forgotten costs at most one more attempt: its abortable throws it, and notes it,
 * again.
 */
import { perRun, type RunContext } from "../run/context.js";

const objects = new WeakSet<object>();
/** the key of a run's primitive reasons (RunContext.user) */
const PRIMITIVES = {};

/** Is `e`, which abortable is about to throw, a primitive reason of `signal`, aborted? (noted per run) */
export const primitiveReason = (signal: AbortSignal, e: unknown): boolean =>
  e !== Object(e) && signal.aborted && Object.is(e, signal.reason);

/**
 * `e`, which abortable throws: noted when it is the reason of `signal`, aborted — a primitive one in
 * `ctx`'s run (the caller reads it when primitiveReason says so; null otherwise).
 */
export function noted(signal: AbortSignal, e: unknown, ctx: RunContext | null): unknown {
  if (ctx !== null) {
    const list = perRun(ctx, PRIMITIVES, (): unknown[] => []);
    if (!list.includes(e) && list.push(e) > 32) list.shift();
  } else if (e === Object(e) && signal.aborted && e === signal.reason) objects.add(e as object);
  return e;
}

/** Was `e` thrown by abortable as the reason of an aborted signal? (a primitive one: in `ctx`'s run) */
export const isAbortReason = (e: unknown, ctx: RunContext | null): boolean =>
  ctx === null
    ? objects.has(e as object)
    : ((ctx.user.get(PRIMITIVES) as unknown[] | undefined)?.includes(e) ?? false);

/**
 * The reasons of the aborted signals `abortable` threw, for `retry`: an abort means stop, so retry
 * never retries one (else `retry(abortable(job, signal), { times: Infinity })` retried for ever once
 * the signal was aborted — each attempt threw `signal.reason` again). A module of its own: retry
 * reads it without bundling abortable.
 *
 * An object reason is known by identity. A primitive one (`controller.abort("shutdown")`) has none:
 * any equal value is taken for it, while it is one of the last 32 primitive reasons noted — few, so
 * an unrelated `throw "shutdown"` is rarely taken for one; bounded by a count, not by a WeakRef to
 * the signal (whose collection would make retry differ from one run to the next). One forgotten
 * costs at most one more attempt: its abortable throws it, and notes it, again.
 */
const objects = new WeakSet<object>();
const primitives: unknown[] = [];

/** `e`, which abortable throws: noted when it is the reason of `signal`, aborted. */
export function noted(signal: AbortSignal, e: unknown): unknown {
  if (signal.aborted && Object.is(e, signal.reason)) {
    if (e === Object(e)) objects.add(e as object);
    else if (!primitives.includes(e) && primitives.push(e) > 32) primitives.shift();
  }
  return e;
}

/** Was `e` thrown by abortable as the reason of an aborted signal? (see above) */
export const isAbortReason = (e: unknown): boolean =>
  e === Object(e) ? objects.has(e as object) : primitives.includes(e);

/**
 * The run option `settle` (runAsync only): the promises of awaitPromise calls that cancellation
 * abandoned (scheduler-promise.ts abandonAwait) may still be running — a write stream still opening
 * its file — and cleanup done after runAsync would race them. The scheduler counts them on the run
 * (a counter in the run context's `user` map, present only when `settle` > 0, so a run without it
 * pays nothing); runAsync's result waits until the count is 0 or `settle` ms have passed.
 * A counter, not a list of promises: a long run (a server) whose timeouts abandon awaits keeps
 * nothing per settled one; the abandoned promise's own reactions (awaitExternal) already handle
 * its rejection, so none is unhandled.
 */

/** The key of the run's Settling in RunContext.user. */
export const SETTLING: unique symbol = Symbol("doeff.settle");

/** The abandoned awaits still pending, and who waits for the count to reach 0. */
export interface Settling {
  n: number;
  done: (() => void) | null;
  /**
   * The thunks of the driver's awaits that are an awaitPromise's (awaited alone or at its site:
   * scheduler-promise.ts settleable): an abort that abandons the driver's await of one counts it
   * (run.ts Waker). Not the scheduler's idle wait, which never settles once the run is over.
   */
  thunks: WeakSet<object>;
}

/** `r` once the abandoned awaits counted on `s` settled, or `ms` passed (whichever comes first). */
export function settled<R>(r: R | Promise<R>, s: Settling, ms: number): Promise<R> {
  return Promise.resolve(r).then((v) => {
    if (s.n === 0) return v;
    return new Promise<R>((resolve) => {
      const timer = setTimeout(end, ms);
      function end(): void {
        s.done = null;
        clearTimeout(timer);
        resolve(v);
      }
      s.done = end;
    });
  });
}

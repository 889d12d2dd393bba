/**
 * The run option `settle`'s counter (run/settle.ts says what the option does): runAsync puts a
 * Settling on the run's context before the first step, and the scheduler counts each awaitPromise
 * thunk's promise on it until the promise settles (scheduler-ops.ts callThunk), and doeff/workers
 * each cancelled job until its thread is done with it (workers/parent-job.ts). Here, beside the
 * effects, because handlers import only the protocol, the errors and effect modules (structure
 * rule 1), and run/ reads it too.
 */
/** The key of the run's Settling in RunContext.user (present only when `settle` > 0). */
export const SETTLING: unique symbol = Symbol("doeff.settle");

/** The run's abandoned work still going (awaitPromise promises, cancelled worker jobs), and who waits for the count to reach 0. */
export interface Settling {
  n: number;
  done: (() => void) | null;
  /** the option's value: how long runAsync's result waits at most */
  readonly ms: number;
}

/**
 * Count `r` (an awaitPromise thunk's promise) until it settles. (A thenable that is no Promise is
 * first made one by callThunk, whose await then reads that promise: its `then`, which may start its
 * work, is called once.)
 */
export function track(s: Settling, r: Promise<unknown>): void {
  s.n++;
  const end = (): void => {
    if (--s.n === 0 && s.done !== null) s.done();
  };
  r.then(end, end);
}

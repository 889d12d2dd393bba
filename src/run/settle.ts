/**
 * The run option `settle` (runAsync only). A task cancelled while it waits in awaitPromise — the
 * run's abort, main's end (R9), a timeout or a cancel — is finalized at once, but the promise its
 * thunk returned may still be running (a write stream still opening its file): cleanup done after
 * runAsync would race it. With `settle`, the scheduler counts the run's awaitPromise promises until
 * each settles (scheduler-ops.ts callThunk), and runAsync's result waits until none is pending or
 * `settle` ms have passed. Once the run's outcome is decided no await can end but by its promise
 * settling, so those still pending then are exactly the abandoned ones. doeff/workers counts a
 * cancelled job the same way (workers/parent-job.ts cancelledIn), from its calling task's cancel
 * until its thread replied (its finally blocks ran there) or was terminated after cancelGraceMs:
 * work the run started that is still going in another thread.
 * A count, not a list: a long run keeps nothing per settled promise. Their outcomes are ignored,
 * a rejection included (handled here: never unhandled, never a warning).
 */
import { describe } from "../vm/brand.js";
import type { Settling } from "../effects/settling.js";

export { SETTLING, type Settling, track } from "../effects/settling.js";

/**
 * The option's value: a TypeError unless a non-negative finite number. Checked by runAsync only
 * (run refuses the option whatever its value), so that run's bundle does not hold this.
 */
export function checkSettle(ms: unknown): void {
  if (ms !== undefined && !(typeof ms === "number" && ms >= 0 && ms < Infinity))
    throw new TypeError(
      `run option settle must be a non-negative finite number of milliseconds (0: do not wait), got ${describe(ms)}`,
    );
}

/**
 * A promise that resolves once the promises counted on `s` settled, or `s.ms` passed (whichever
 * comes first); null when none is pending. A host timer fires at once past 2 ** 31 - 1 ms (with a
 * TimeoutOverflowWarning): a longer `ms` is waited in links of that length.
 */
export function settleWait(s: Settling): Promise<void> | null {
  if (s.n === 0) return null;
  let ms = s.ms;
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout>;
    const end = (): void => {
      clearTimeout(timer);
      s.done = null;
      resolve();
    };
    const arm = (): void => {
      const step = Math.min(ms, 2 ** 31 - 1);
      ms -= step;
      timer = setTimeout(ms > 0 ? arm : end, step);
    };
    arm();
    s.done = end;
  });
}

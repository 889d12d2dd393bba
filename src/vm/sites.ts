/**
 * Yield sites for tracebacks (`trace: { sites: true }`, SEMANTICS §8.7). The iterators of Effect,
 * Program and Primitive run *inside* the user's generator when it does `yield* x`, so an Error made
 * there has the user's `file:line` on its stack. It is only parsed if the run fails. Off (the
 * default), each iterator pays one integer test.
 */
export const siteState: { on: number; last: Error | null } = { on: 0, last: null };

/**
 * Only the frames a site is read from are captured: this function's, the iterator's that called it
 * (and the engine's `next` of program.ts's callTrap, a generator) and the generator's that did
 * `yield*` (format.ts siteOf, CAPTURE_DEPTH). Below them are the VM's own: with the engine's 10,
 * the capture was most of a `yield*`'s cost with sites on (twice what 4 cost).
 */
const SITE_FRAMES = 4;

/**
 * Library frames above the user's frame on a captured site's stack, by the capture's message: the
 * capture function, then the iterator (a yield); spawn's (effects/scheduler.ts) and the toolkit
 * function's that called callSite (timeout, retry, all, …: concurrency/site.ts) are added by their
 * modules as they load, so a bundle that makes neither carries neither.
 */
export const CAPTURE_DEPTH: Record<string, number> = { "doeff yield site": 2 };

/** (V8's; other engines have none, and ignore it) */
const E = Error as { stackTraceLimit?: number | undefined };

export function captureSite(): void {
  const limit = E.stackTraceLimit;
  if (!(limit! > SITE_FRAMES)) {
    siteState.last = new Error("doeff yield site");
    return;
  }
  E.stackTraceLimit = SITE_FRAMES;
  siteState.last = new Error("doeff yield site");
  E.stackTraceLimit = limit;
}

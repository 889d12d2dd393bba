/**
 * Call sites for tracebacks (`trace: { sites: true }`, SEMANTICS §8.7). A toolkit combinator's frame
 * yields from library code, so a yield site captured there would point past the library (at the
 * driver's call). Instead the combinator captures the user's call site once, when it is called
 * (construction runs in the user's generator), and performs its effects with bare `yield at(site, e)`,
 * so its frame always shows where it was called, and the tasks it spawns say where they came from.
 */
import { siteState } from "../vm/sites.js";

/**
 * The toolkit programs that run a program given to them (`scoped`, `retry`, `withPermit`): their
 * generator function → that program's index in their arguments. `timeout` reads it to name the
 * program inside (`scoped(job) timed out`, not `scoped timed out`): wrapping a job in `scoped` is
 * what makes a timeout end the tasks it spawned, and the message should still say which job.
 */
export const wrappers = new Map<unknown, number>();

/** The caller's site, when sites are on (else null). Call it at construction. */
export function callSite(): Error | null {
  return siteState.on !== 0 ? new Error("doeff call site") : null;
}

/** `x`, after marking `site` as the site of the bare `yield` that is about to yield it. */
export function at<T>(site: Error | null, x: T): T {
  siteState.last = site;
  return x;
}

export { named } from "../handlers/util.js";

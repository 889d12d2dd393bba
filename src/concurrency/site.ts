/**
 * Call sites for tracebacks (`trace: { sites: true }`, SEMANTICS §8.7). A toolkit combinator's frame
 * yields from library code, so a yield site captured there would point past the library (at the
 * driver's call). Instead the combinator captures the user's call site once, when it is called
 * (construction runs in the user's generator), and performs its effects with bare `yield at(site, e)`,
 * so its frame always shows where it was called, and the tasks it spawns say where they came from.
 */
import { CAPTURE_DEPTH, siteState } from "../vm/sites.js";

/** (its library frames above the user's: this function's and the toolkit function's that called it) */
CAPTURE_DEPTH["doeff call site"] = 2;

/** (the wrappers' map is in trace/program-field.ts: a printed field names the program inside too) */
export { shownAs, wrappers } from "../trace/program-field.js";

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

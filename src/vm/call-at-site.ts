/**
 * A FAST_PATH answer that calls a program at the perform site (SITE_SWITCH.call): what a handler
 * doing `return yield* transferWith(k, program)` does — the chain is not cut, since an invocation's
 * transferWith links k back where it was — without capturing k and invoking the handler. The
 * clocks answer a delay under a scheduler so (src/handlers/time.ts). Not part of the VM core: the
 * core only calls the function SITE_SWITCH.call holds, so an import of run/program/state does not
 * carry this.
 */
import { SITE_SWITCH } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_HANDLE_YIELD } from "./modes.js";
import { pure } from "./program.js";
import type { Invocation, Segment } from "./segment.js";

/** the program callAtSite calls (set with SITE_SWITCH.call, taken at once) */
let program: unknown;

/**
 * @internal The answer for a FAST_PATH hook to return: call `p` at the perform site. Only for a
 * *hidden* program (vm/program.ts `hidden`: no traceback line of its own, as a standard handler's
 * transferWith program): an error its frame throws right at the site is attributed to the effect,
 * as after a transferWith.
 */
export function callAtSiteAnswer(p: unknown): unknown {
  program = p;
  SITE_SWITCH.call = callAtSite;
  return SITE_SWITCH;
}

/**
 * performTerminal's OP_TRANSFER_WITH (finalize.ts) at the site of effect `e`, taken at prompt `p`,
 * recording the same for tracebacks (machine.ts noteError reads these four fields of the last
 * transferWith's invocation, and the frame it called).
 */
function callAtSite(m: Machine, p: Segment, e: unknown, site: Segment): void {
  const q = program;
  program = undefined;
  m.lastTransferWith = { effect: e, site, prompt: p, outer: p.caller } as unknown as Invocation;
  const below = site.top;
  m.callProgramLike(q);
  m.lastTransferFrame = m.cur === site && site.top !== below ? site.top : null;
  if (m.mode === M_DELIVER) {
    // Its first step a step of its own: stepResume's fast lane reads M_DELIVER at the site as the
    // answer for the frame that performed (it would give that frame undefined, not start this one)
    m.mode = M_HANDLE_YIELD;
    m.value = START;
  }
}

/** HandleYield of it delivers undefined to the top frame: callAtSite's start. */
const START = pure(undefined);

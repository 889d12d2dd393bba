/**
 * The `handler h for E ⇢` lines (SEMANTICS §8.8's ⇢): what a handler started at the perform site with
 * `transferWith(k, program)` or `transferWith(k, effect)`, noted as each runs, for tracebacks. Turned
 * on by the public transferWith (transfersOn, vm/primitives.ts), the one way to give transferWith a
 * program of the user's or an effect: a bundle whose only transferWith is raiseAt's (handlers/util.ts,
 * the small import's state handler), which runs a hidden program and so never has such a line,
 * carries none of this (frame-lines.ts `transfers` stays null).
 */
import { brandOf } from "../vm/brand.js";
import { B_EFFECT } from "../vm/codes.js";
import { TRACE_QUIET } from "../vm/handler.js";
import type { Frame, Invocation, Segment } from "../vm/segment.js";
import { type Entry, handlerName, MARK_TRANSFERRED } from "./entries.js";
import { noteTransfers, type TransferNotes } from "./frame-lines.js";
import { quietOrigin } from "./origin.js";

/**
 * A named program's frame that a handler started with `transferWith(k, program)` at the perform
 * site — or the effect it gave instead (`transferWith(k, awaitPromise(…))`) — and that invocation:
 * the traceback shows `handler h for Effect ⇢` between the performer's frame and the program's (or
 * the effect's line), or they would read as the performer's own. Not for hidden frames (the
 * standard handlers' transferWith programs).
 */
const transferredInto = new WeakMap<Frame, Invocation>();
/** the performer frame of an effect given to transferWith → [the invocation, the effect] */
// (keyed by the performer's frame, not the effect: a constant module-level effect given to
// transferWith would keep the invocation and its frames alive after the run)
const transferredEffects = new WeakMap<Frame, [Invocation, object]>();

const transferLine = (inv: Invocation): Entry => ({
  kind: "handler",
  name: handlerName(inv.handler!),
  site: null,
  marker: MARK_TRANSFERRED,
  effect: inv.effect,
});

const NOTES: TransferNotes = {
  note(f, inv, arg, performer) {
    if (f !== null) {
      if (f.name !== null) transferredInto.set(f, inv);
    } else if (brandOf(arg) === B_EFFECT && performer !== null)
      transferredEffects.set(performer, [inv, arg as object]);
  },
  into(f) {
    const inv = transferredInto.get(f);
    return inv === undefined ? undefined : transferLine(inv);
  },
  /**
   * The invocation that gave `effect` to transferWith, if this perform at `site` is that one: the
   * same effect object given again, or performed later by another frame of the segment, is not.
   */
  of(effect, site) {
    const t = site.top === null ? undefined : transferredEffects.get(site.top);
    return t !== undefined && t[1] === effect && t[0].site === site ? transferLine(t[0]) : undefined;
  },
  quiet: (inv, e, passed) =>
    inv.handler![TRACE_QUIET] === true && transferredOnto(inv) ? quietOrigin(inv, e, passed) : undefined,
};

/**
 * Does the handler segment `seg` hold a frame another handler started there with `transferWith` —
 * a program given to the continuation of this handler's `delegate()` (an `observe` delegating the
 * effect, answered by `handle(E, (e, k) => transferWith(k, program))`)? Such a frame runs on the
 * handler's segment, so its throw would read as the handler's own code's. Cold path: an error's.
 */
function transferredOnto(seg: Segment): boolean {
  for (let f = seg.top; f !== null; f = f.prev) {
    const inv = transferredInto.get(f);
    if (inv !== undefined && inv !== seg) return true;
  }
  return false;
}

/** @internal Turns the notes on (the public transferWith, each call: one store). */
export function transfersOn(): void {
  noteTransfers(NOTES);
}

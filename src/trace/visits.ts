/**
 * The handlers an error's effect visited (SEMANTICS §8.8's `effect E — handlers: …` line), each
 * with its outcome marker: those it passed (↗), the one that took it, those it never reached (·),
 * and — when a handler's code runs with that very effect (`delegate()`) — the visits that led
 * there (⇆). Read by the snapshot (origin.ts) when an error concerns an effect.
 */
import { TRACE_QUIET } from "../vm/handler.js";
import type { Invocation, Segment } from "../vm/segment.js";
import { S_HANDLER } from "../vm/codes.js";
import {
  MARK_DELEGATED,
  MARK_NOT_REACHED,
  MARK_PASSED,
  MARK_RESUMED,
  MARK_THREW,
  MARK_TRANSFERRED,
  type Visit,
} from "./entries.js";

/**
 * Handlers visible from `site`, marked: inside `taker` ↗, `taker` gets `marker`, outside it ·
 * (those of `outer`, when given; else none past the taker).
 */
export function visitsFrom(
  site: Segment,
  taker: Segment | null,
  marker: string,
  outer?: Segment | null,
): Visit[] {
  const out: Visit[] = [];
  let reached = false;
  let p = site.firstPrompt;
  while (p !== null) {
    if (p === taker) {
      out.push({ handler: p.handler!, marker });
      reached = true;
      if (outer !== undefined) break;
    } else out.push({ handler: p.handler!, marker: reached ? MARK_NOT_REACHED : MARK_PASSED });
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  for (p = outer == null ? null : outer.firstPrompt; p !== null; ) {
    out.push({ handler: p.handler!, marker: MARK_NOT_REACHED });
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}

/**
 * The visits of the effect of `inv`, a handler that delegated it (`delegate()`) and then threw, the
 * answer back: inside it ↗, it ✗, and outside it ↗ up to `to`, the prompt that answered — ✓ when
 * that handler resumed (its invocation is live below `cur`), else ⇢ (transfer, or a fast path: the
 * same by definition) — then ·.
 */
function answeredVisits(cur: Segment, inv: Invocation, to: Segment): Visit[] {
  const out = visitsFrom(inv.site, inv.prompt, MARK_THREW, null);
  const answered = resumedBy(cur, to) ? MARK_RESUMED : MARK_TRANSFERRED;
  let before = true;
  for (let p = inv.outer === null ? null : inv.outer.firstPrompt; p !== null; ) {
    out.push({ handler: p.handler!, marker: !before ? MARK_NOT_REACHED : p === to ? answered : MARK_PASSED });
    if (p === to) before = false;
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}
/**
 * answeredVisits once delegate's module has loaded (vm/rare-ops.ts, answerDelegated): without it no
 * invocation has a `delegatedTo`, and a bundle that cannot delegate leaves it out.
 */
export let delegated: typeof answeredVisits | null = null;
/** @internal Turns on the visits of a delegated effect's answer (see answeredVisits). */
export function answerDelegated(): void {
  delegated = answeredVisits;
}

/**
 * The handlers `effect` visited from `site` — first, when `site` runs the code of an invocation
 * given that very effect object (`delegate()`, or the handler performing its `effect` itself), the
 * visits that led there: the handlers inside the delegator that passed it on, then the delegator
 * (⇆), outermost delegation first. A quiet handler (`record()`) delegates every effect and stays
 * out of the line, as in a run without it.
 */
export function visited(effect: unknown, site: Segment, visits: Visit[]): Visit[] {
  const rev = visits.reverse();
  for (let inv = site.invocation; inv !== null && inv.effect === effect; inv = inv.site.invocation) {
    const h = inv.handler!;
    for (const v of visitsFrom(inv.site, inv.prompt, MARK_DELEGATED, null).reverse())
      if (v.handler !== h || h[TRACE_QUIET] !== true) rev.push(v);
  }
  return rev.reverse();
}

/** Is an invocation of prompt `p`'s handler that resumed live on the chain from `cur`? */
function resumedBy(cur: Segment, p: Segment): boolean {
  for (let s: Segment | null = cur; s !== null; s = s.caller)
    if (s.kind === S_HANDLER && s.prompt === p && s.k.used) return true;
  return false;
}

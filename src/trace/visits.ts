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
 * For an error thrown by a program an outer handler gave transferWith onto the segment of quiet
 * `q` (an observe, at its delegate): the handler that handed the effect on to `q` with delegate()
 * (through any other quiet one: two observes), and the effect's visits as that handler's own throw
 * once its delegate was answered — inside it ↗, it ✗, then `q`'s visits past it (the answerer ⇢,
 * then ·) without the quiet handlers the effect passed. So the report is the one of the run without
 * `q`, where the program ran on that handler's segment (`cache ✗, db ⇢, …`). null when the effect
 * came to `q` from its perform site: there, without `q`, the program ran at the site itself.
 */
function quietHost(cur: Segment, q: Invocation): [Invocation, Visit[]] | null {
  let h = q;
  for (;;) {
    const s = h.site;
    const d = s.kind === S_HANDLER ? s.invocation : null;
    if (d === null || d.effect !== h.effect) return null;
    h = d;
    if (h.handler![TRACE_QUIET] !== true) break;
  }
  const out = visitsFrom(h.site, h.prompt, MARK_THREW, null);
  const to = q.delegatedTo;
  const past = to === null ? visitsFrom(q.site, q.prompt, MARK_THREW, q.outer) : answeredVisits(cur, q, to);
  for (let i = past.findIndex((v) => v.handler === q.handler) + 1; i > 0 && i < past.length; i++)
    if (past[i]!.marker !== MARK_PASSED || past[i]!.handler[TRACE_QUIET] !== true) out.push(past[i]!);
  return [h, out];
}
/** quietHost once delegate's module has loaded (a quiet handler's delegate needs it: observe's). */
export let hostOf: typeof quietHost | null = null;

/**
 * answeredVisits once delegate's module has loaded (vm/rare-ops.ts, answerDelegated): without it no
 * invocation has a `delegatedTo`, and a bundle that cannot delegate leaves it out.
 */
export let delegated: typeof answeredVisits | null = null;
/** @internal Turns on the visits of a delegated effect's answer (see answeredVisits). */
export function answerDelegated(): void {
  delegated = answeredVisits;
  hostOf = quietHost;
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

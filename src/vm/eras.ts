/**
 * The chain as it was when an effect was performed, for getHandlers (SEMANTICS §4: "handler objects
 * visible at the perform site when the effect was performed").
 *
 * getHandlers walks the chain from the perform site when it is called: copying it at dispatch would
 * cost every effect. The walk must follow the links as they were then. Links move only where a
 * captured prompt is linked again (resume, transfer, transferWith, pass, finalize, a switch: `link`),
 * and the handlers outside it change only when the new caller's nearest prompt is not the one the
 * prompt was captured from — a *re-link* (a handler's usual resume or transfer links it back in
 * front of the same prompts). So:
 *
 * - Invocations are counted per *era*: a re-link ends the open era. An invocation keeps the era its
 *   effect was performed in (Invocation.era), and the eras' counts are the machine's depth, so the
 *   count costs nothing an invocation did not already do.
 * - A re-link of prompt p records p's nearest outside prompt until then, tagged with the era it
 *   ended (`Relinks`, per prompt, oldest first). A walk for an invocation of era e takes, at each
 *   prompt, the oldest record tagged e or later (the link as it was in e), else the live link (or
 *   the caller the prompt was detached from).
 * - What is kept is what a walk can still need: a record only while an invocation of an era it
 *   answers for is alive (dropped at p's next re-link; all at once when no invocation is alive), and
 *   only while p is (a WeakMap: a prompt nobody holds is on no chain a walk can follow); an era
 *   only while it has a live invocation or is the open one.
 *
 * Nothing is done per effect or resume beyond the comparison in `link`; the rest happens at a
 * re-link, or when getHandlers is called. And only where getHandlers can be called: its module
 * (introspect.ts) turns the recording on when it loads (`recordRelinks`), before any run could call
 * it; a bundle without it (the small import `run, program, state, get, put`) has no reader of the
 * records, and neither makes them nor carries their code.
 *
 * Unless that module is loaded while a run is under way (a dynamic import, a lazily loaded chunk):
 * the re-links made before then were not recorded, and a walk for an invocation performed before
 * one of them would follow the link as it is now. So a re-link made while nothing records ends the
 * open era anyway, marking it `lost` (`lose`: no records, no chain — a new Era when an invocation is
 * in it, else nothing), and getHandlers in an invocation of a lost era throws a HandlerContextError
 * that says to load it before the run starts (introspect.ts) rather than list the wrong handlers.
 * Recording every re-link instead would put the records' code back in the small import.
 */
import type { Machine } from "./machine.js";
import { type Segment, walkedPast } from "./segment.js";

/** An era: the time between two re-links (see above). */
export class Era {
  /** in order */
  declare readonly n: number;
  /** invocations whose effect was performed in this era and that have not ended */
  declare live: number;
  /** the next era kept; null for the open one */
  declare later: Era | null;
  /** ended by a re-link nothing recorded (see above): its invocations' chains cannot be walked */
  declare lost: boolean;
  constructor(n: number) {
    this.n = n;
    this.live = 0;
    this.later = null;
    this.lost = false;
  }
}

/** A prompt's re-links, oldest first: the era each ended, and the prompt's nearest outside prompt until then. */
export type Relinks = (number | Segment | null)[];

/** Link prompt `p`, detached by a capture, below `to`. Every caller change after a capture is made here. */
export function link(m: Machine, p: Segment, to: Segment | null): void {
  p.caller = to;
  const from = p.detachedFrom;
  const before = from === null ? null : from.firstPrompt;
  // The prompts outside p are those it was captured from (a resume or transfer in place, a task
  // switched back in): the search caches inside it still hold (a capture left them alone: nothing
  // inside a captured continuation searches until it is linked again). Else only the caches whose
  // walks went past p can be wrong now, and p is marked if there are any (dispatch.ts, the
  // search-cache invariant): the epoch moves then, not for a prompt no search has gone past.
  if (before !== (to === null ? null : to.firstPrompt)) {
    if (walkedPast(m, p)) m.linkEpoch++;
    if (from !== null) relinking !== null ? relinking(m, p, before) : lose(m);
  }
}

/** Invocations started and not ended (the machine's depth). */
export function liveInvocations(m: Machine): number {
  let n = 0;
  for (let e: Era | null = m.eras ?? m.era; e !== null; e = e.later) n += e.live;
  return n;
}

/** A re-link with nothing recording (see above): the open era, if an invocation is in it, is lost. */
function lose(m: Machine): void {
  const e = m.era;
  if (e.live === 0) return;
  e.lost = true;
  m.era = new Era(e.n + 1);
}

/** A re-link of `p`, whose nearest outside prompt was `next` until now. */
/** `relinked` once getHandlers's module has loaded (recordRelinks), else null: nothing to record for. */
let relinking: typeof relinked | null = null;

/** @internal Turns the re-link records on (introspect.ts, at its load). */
export function recordRelinks(): void {
  relinking = relinked;
}

function relinked(m: Machine, p: Segment, next: Segment | null): void {
  if (liveInvocations(m) === 0) {
    m.eras = m.relinks = null; // nobody can walk through a link as it was: forget them all
    return;
  }
  const ended = m.era;
  const open = (ended.later = m.era = new Era(ended.n + 1));
  // keep the eras someone is in, and the open one
  const live: number[] = [];
  let last: Era | null = null;
  for (let e = m.eras ?? ended; e !== open; e = e.later!) {
    if (e.live === 0) continue;
    live.push(e.n);
    if (last === null) m.eras = e;
    else last.later = e;
    last = e;
  }
  if (last === null) m.eras = open;
  else last.later = open;
  // p's records and this one; keep those an era someone is in still takes (the eras after the one before)
  const relinks = (m.relinks ??= new WeakMap());
  const all = relinks.get(p) ?? [];
  all.push(ended.n, next);
  const kept: Relinks = [];
  let after = -1;
  for (let i = 0; i < all.length; i += 2) {
    const n = all[i] as number;
    if (live.some((l) => l > after && l <= n)) {
      kept.push(n, all[i + 1]!);
      after = n;
    }
  }
  if (kept.length === 0) relinks.delete(p);
  else relinks.set(p, kept);
}

/** The nearest prompt outside prompt `p` as it was in era `era` (see above). */
export function nextPromptIn(m: Machine, p: Segment, era: Era): Segment | null {
  const r = m.relinks === null ? undefined : m.relinks.get(p);
  if (r !== undefined)
    for (let i = 0; i < r.length; i += 2) if ((r[i] as number) >= era.n) return r[i + 1] as Segment | null;
  const c = p.caller ?? p.detachedFrom;
  return c === null ? null : c.firstPrompt;
}

/**
 * The scheduler's answers at the perform site, through SITE_SWITCH.call (handler.ts): a task switch
 * (`switchAnswer`) and a wait for the driver (`awaitAnswer`). Not part of the VM core, as
 * call-at-site.ts is not: the core only calls the function SITE_SWITCH.call holds, so an import of
 * run/program/state, which can neither switch tasks nor await at a site, does not carry these.
 */
import { captured } from "./continuation.js";
import { deliverTo, dropSearchCache } from "./dispatch.js";
import { VMInternalError } from "../errors.js";
import { link } from "./eras.js";
import { startUnstarted } from "./finalize.js";
import { SITE_SWITCH } from "./handler.js";
import { suspendOn, type Machine } from "./machine.js";
import { M_AWAIT, M_DELIVER, ST_ASYNC } from "./modes.js";
import { reportsOn } from "./reported.js";
import { type Segment, walkedPast } from "./segment.js";
import { S_PROMPT } from "./codes.js";
import { siteState } from "./sites.js";

// a task started here is marked for its report (SITE_SWITCH.reporter): its segment's exit and its
// line in an aborted run's report, grouped as a task's
reportsOn();

/** @internal The answer for a FAST_PATH hook to return once SITE_SWITCH's fields are set: switch. */
export function switchAnswer(): unknown {
  SITE_SWITCH.call = switchAtSite;
  return SITE_SWITCH;
}

/** the thunk awaitAtSite suspends on, and what the abort calls first (set by awaitAnswer, taken at once) */
let thunk: (() => unknown) | null = null;
let back: ((m: Machine) => void) | null = null;

/**
 * @internal A FAST_PATH answer that suspends the perform site on `f` (runAsync only): the driver
 * awaits `f()` and continues the site with its value, or throws its error there — no continuation
 * captured, no handler frame. It is equivalent to the handler doing
 * `transfer(k, yield* asyncEscape(f))` only when nothing can observe the difference while the
 * promise is pending (no other task to run): the hook must decide that. The run's abort is the one
 * thing that still can: in a run with a signal, `onAbort` (which calls handBack) makes the wait the
 * handler's before the abort is seen.
 */
export function awaitAnswer(f: () => unknown, onAbort: ((m: Machine) => void) | null = null): unknown {
  thunk = f;
  back = onAbort;
  SITE_SWITCH.call = awaitAtSite;
  return SITE_SWITCH;
}

/** The site waits for the driver (ST_ASYNC); the fast lane stops on the mode. */
function awaitAtSite(m: Machine, p: Segment, e: unknown): void {
  const f = thunk!;
  thunk = null;
  m.mode = M_AWAIT;
  m.value = undefined;
  suspendOn(m, f);
  m.awaitEffect = e; // (after escape, which clears it)
  m.awaitTaker = p;
  m.beforeAbort = back;
  back = null;
}

/**
 * @internal The site's wait on an awaitAnswer becomes its handler's: the effect goes to the prompt
 * that took it, as if its FAST_PATH had deferred (the hook must defer it now), and the handler runs
 * until it suspends on its own asyncEscape — the state the general path would be in. For the run's
 * abort (Machine.beforeAbort): requested now (the driver is waiting: signal.ts abortRun) or
 * beginning (the hook's own call aborted the run: finalize.ts beginAbort). Only the handler's code
 * runs here, none of the program's.
 */
export function handBack(m: Machine): void {
  const p = m.awaitTaker!;
  const e = m.awaitEffect;
  const aborting = m.abortState;
  m.awaitEffect = null;
  m.awaitTaker = null;
  m.asyncThunk = null;
  m.abortState = 0; // (so that the handler's asyncEscape stops the steps below, not the abort)
  m.halt = false;
  // untraced (trace.steps): the handler's steps belong where the site's wait began, and an
  // at-site await shows none there
  const tracer = m.tracer;
  m.tracer = null;
  // (an abort called by another run's program, in its step: the site it is about to record is its own)
  const site = siteState.last;
  deliverTo(m, p, e, m.cur);
  const st = m.run(HAND_BACK_STEPS);
  siteState.last = site;
  m.tracer = tracer;
  m.abortState = aborting;
  if (aborting !== 0) m.halt = true;
  if (st !== ST_ASYNC && !m.done)
    m.finish(false, new VMInternalError("a handler given back an awaited effect did not suspend on it"));
}
/** (the scheduler's handler reaches its asyncEscape within a dozen steps) */
const HAND_BACK_STEPS = 10_000;

/**
 * A FAST_PATH's SITE_SWITCH answer at prompt `p` (see its declaration): the performer's chain up to
 * `p` is dropped, as a handler's `transfer` into another continuation drops its own k (the OP_TRANSFER
 * case of performTerminal); `k` is linked below `p`'s caller — where the invocation would have
 * run — and continued, or started if it is unstarted.
 */
function switchAtSite(m: Machine, p: Segment, _e: unknown, site: Segment): void {
  const k = SITE_SWITCH.k;
  const v = SITE_SWITCH.value;
  const keep = SITE_SWITCH.keep;
  SITE_SWITCH.k = null;
  SITE_SWITCH.value = undefined;
  SITE_SWITCH.keep = null;
  const outer = p.caller;
  if (keep !== null) {
    // the performer's continuation, captured and detached exactly as for an invocation (materialize)
    keep.k = captured(m, site, p);
    p.caller = null;
    p.detachedFrom = outer;
    // The search cache its perform site started from: dropped while it waits unless worth keeping
    // (dispatch.ts). (p is at or below site, so site has a first prompt)
    dropSearchCache(m, site.firstPrompt!);
  }
  if (k === null || k.top === null) {
    // A task that finished here (no keep) and an unstarted one next: the next one's prompt is the
    // finished one's, reused (112 B and a constructor less per task in spawn + gather) when nothing
    // can hold it — frameless, never captured or detached, no error origin or trace recorded in this
    // run (those keep segments) — and identical to what startUnstarted would make (its one handler,
    // the same caller, no invocation).
    let reuse: Segment | null = null;
    if (
      keep === null &&
      k === null &&
      p === site &&
      p.kind === S_PROMPT &&
      p.top === null &&
      p.invocation === null &&
      p.detachedFrom === null &&
      m.origins === null &&
      m.tracer === null &&
      !m.sites
    ) {
      reuse = p;
      p.job = null;
      p.cache = walkedPast(m, p) ? p.cache : null; // a mark stays (dispatch.ts; its entries hold: same caller)
    }
    startUnstarted(m, k, outer, reuse); // (marks k used; k null: SITE_SWITCH.reporter's body starts)
    return;
  }
  k.used = true;
  link(m, k.bottom!, outer);
  m.cur = k.top;
  m.mode = M_DELIVER;
  m.value = v;
}

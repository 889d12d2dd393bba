/**
 * Exit rules, abandonment and finalization (SEMANTICS §2.3, §5).
 *
 * Finalizing k: mark it used, hang a finalizer segment FR below k's bottom prompt, and unwind from
 * k's top: frames are closed with return() innermost first; prompts are passed through and stay on
 * the chain, so finally blocks run in their original context and their effects are handled normally
 * (deep). FR then delivers: the pending outcome if it is an error, else the first recorded error,
 * else the pending value (INV-5: all before the handler's outcome leaves the withHandler).
 */
import { ContinuationConsumedError, VMInternalError } from "../errors.js";
import { type Continuation, captured, newUnstarted, UNSTARTED } from "./continuation.js";
import { SITE_SWITCH } from "./handler.js";
import type { Machine } from "./machine.js";
import { transfers } from "../trace/frame-lines.js";
import { Origins } from "../trace/origin.js";
import { M_DELIVER, M_RETURN_ERROR, M_THROW, M_UNWIND } from "./modes.js";
import { isPrimitive, OP_NAMES } from "./primitives.js";
import { describe } from "./brand.js";
import { type Invocation, Job, type Reporter, Segment } from "./segment.js";
import { link } from "./eras.js";
import {
  J_CLOSE,
  J_FINALIZE,
  OP_PASS,
  OP_TRANSFER,
  OP_TRANSFER_WITH,
  S_BODY,
  S_FINALIZER,
  S_HANDLER,
  S_PROMPT,
  S_ROOT,
} from "./codes.js";

/**
 * @internal A reported segment's exit (vm/reported.ts exitReported), set where one can be made —
 * reported.ts and site-answers.ts, when they load: a bundle without them marks no segment, and
 * exitSegment only tests the mark.
 */
export const REPORTS: {
  exit: ((m: Machine, s: Segment, r: Reporter, isErr: boolean) => boolean) | null;
} = { exit: null };

/**
 * @internal What performTerminal does for pass once the invocation is closed (vm/pass.ts performPass),
 * set when that module loads, with pass's executor (execute.ts LATE_OPS): a bundle without it (the
 * small import `run, program, state, get, put`) makes no pass.
 */
export const PASSES: {
  perform: ((m: Machine, inv: Invocation, k: Continuation, arg: unknown) => void) | null;
} = { perform: null };

/** Return(o) at `cur` (§2.3). */
export function exitSegment(m: Machine, isErr: boolean): void {
  const s = m.cur;
  switch (s.kind) {
    case S_BODY:
    case S_PROMPT: {
      const r = s.job;
      // a reported segment (vm/reported.ts): its outcome goes to its Reporter (REPORTS.exit)
      if (r !== null && REPORTS.exit!(m, s, r as Reporter, isErr)) return;
      const c = s.caller;
      if (c === null)
        throw new VMInternalError(`${s.kind === S_BODY ? "body" : "prompt"} segment has no caller`);
      m.cur = c;
      m.mode = isErr ? M_THROW : M_DELIVER;
      return;
    }
    case S_HANDLER:
      endInvocation(m, s.invocation!, m.value, isErr);
      return;
    case S_FINALIZER:
      if (isErr) {
        if (s.job === m.abortJob) abortError(m, m.value);
        (s.job as Job).record(m.value);
      }
      completeFinalizer(m, s);
      return;
    case S_ROOT:
      m.finish(!isErr, m.value);
      return;
  }
  throw new VMInternalError(`unknown segment kind ${s.kind}`);
}

/** The invocation ended: out of its era's count (the machine's depth, eras.ts). */
function markEnded(inv: Invocation): void {
  const era = inv.era;
  if (era !== null) {
    inv.era = null;
    era.live--;
  }
}

/** A handler invocation ended with outcome o: finalize its k unless used or detached, then pass o on. */
export function endInvocation(m: Machine, inv: Invocation, o: unknown, isErr: boolean): void {
  markEnded(inv);
  if (!isErr && isPrimitive(o)) {
    // `return resume(k, v)` in a function* handler (no `yield*`): the primitive was never performed
    o = new TypeError(
      `handler ${describe(inv.handler)} returned ${o} unperformed: write \`return yield* ${OP_NAMES[o.op]}(k, …)\``,
    );
    isErr = true;
    m.noteError(o);
  }
  const k = inv.k;
  const caller = inv.caller;
  if (!k.used && !k.detached) {
    const fr = startFinalization(m, k, caller, inv);
    const job = fr.job as Job;
    job.pending = o;
    job.pendingIsError = isErr;
    return;
  }
  if (caller === null) throw new VMInternalError("handler segment has no caller");
  m.cur = caller;
  m.mode = isErr ? M_THROW : M_DELIVER;
  m.value = o;
}

/**
 * The error for a use of the used continuation `k` (cold: only when one is misused). When k was
 * finalized, its bottom prompt still hangs on that finalization's FR (nothing relinks it unless a
 * finally block's effect was taken at that very prompt), so the message can say so — and, when the
 * end of its handler invocation finalized it, that `detach(k)` keeps a continuation past that end.
 */
export function consumedError(k: Continuation): ContinuationConsumedError {
  const fr = k.top !== null ? k.bottom!.caller : null;
  if (fr === null || fr.kind !== S_FINALIZER || (fr.job as Job).k !== k)
    return new ContinuationConsumedError();
  const inv = (fr.job as Job).inv;
  return new ContinuationConsumedError(
    "continuation",
    inv === null
      ? "finalize(k) finalized it"
      : `it was finalized (its finally blocks ran) when handler ${describe(inv.handler)} ended without using or detaching it; to resume k after the handler returns, call \`yield* detach(k)\` before`,
  );
}

/**
 * Begin unwinding k into a fresh finalizer segment whose caller is `receiver`. Returns FR. `inv`:
 * the invocation whose end finalizes its k (§5.1 b), kept on the job for a later use's message
 * (consumedError); null for `finalize(k)` and an abort.
 */
export function startFinalization(
  m: Machine,
  k: Continuation,
  receiver: Segment | null,
  inv: Invocation | null = null,
): Segment {
  k.used = true;
  // an abort ends it (main, a task): keep where it was for the report (before k is linked on). Not
  // when the end of a handler invocation finalizes its k (inv): the chain kept for the computation
  // that invocation ran in already shows k's frames, under the handler's line; kept apart, they
  // read as more of main's chain (a task's kept chain starts at its boundary, so it is no prefix)
  if (m.abortState === 2 && inv === null) (m.origins ??= new Origins()).aborted(k);
  const job = new Job(J_FINALIZE, inv, 0, k, undefined);
  const fr = new Segment(S_FINALIZER, receiver, null, null);
  fr.job = job;
  link(m, k.bottom!, fr);
  m.cur = k.top!;
  m.mode = M_UNWIND;
  m.job = job;
  return fr;
}

/** Unwind(J) on an empty segment (§5.2 unwind-exit rule). */
export function unwindExit(m: Machine): void {
  const s = m.cur;
  const job = m.job!;
  switch (s.kind) {
    case S_BODY:
    case S_PROMPT:
      if (s.caller === null) throw new VMInternalError("unwinding reached a segment with no caller");
      m.cur = s.caller;
      return;
    case S_HANDLER: {
      const inv = s.invocation!;
      if (job.kind === J_CLOSE && job.inv === inv) {
        completeClose(m, job);
        return;
      }
      // A nested invocation ended by closing: apply §5.1 to its own k before going on.
      markEnded(inv);
      const k = inv.k;
      if (!k.used && !k.detached) {
        const fr = startFinalization(m, k, s.caller, inv);
        (fr.job as Job).resumeJob = job;
        return;
      }
      if (s.caller === null) throw new VMInternalError("unwinding reached a handler segment with no caller");
      m.cur = s.caller;
      return;
    }
    case S_FINALIZER:
      if (s.job === job) completeFinalizer(m, s);
      else {
        // Abrupt exit outside k: a newer unwinding passes through, discarding this one's outcome.
        if (s.caller === null) throw new VMInternalError("finalizer has no caller");
        m.cur = s.caller;
      }
      return;
  }
  throw new VMInternalError("unwinding reached the root segment");
}

/**
 * The run's signal aborted (SEMANTICS §9.8): finalize everything between the current segment and
 * the run's base segment, as one continuation — finally blocks run innermost first, their effects
 * handled by the handlers in scope (a scheduler's cleanup finalizes main and cancels its tasks, R9)
 * — and then end the run with `Err(reason)`. Begins at a step boundary; while an invocation is being
 * closed for a terminal primitive (a switch half done) it waits for that to finish (halt stays set,
 * so the next step boundary asks again). Answers false when it waited.
 */
export function beginAbort(m: Machine): boolean {
  // (a site waiting on a FAST_PATH's awaitAnswer whose own call aborted the run: the wait becomes
  // the handler's first, as the general path would have had it — site-answers.ts handBack)
  const back = m.beforeAbort;
  if (back !== null) {
    m.beforeAbort = null;
    back(m);
  }
  const job0 = m.job;
  if (m.mode === M_UNWIND && job0 !== null && job0.kind === J_CLOSE) return false;
  m.abortState = 2;
  m.halt = false;
  m.asyncThunk = null; // an asyncEscape awaited at the abort is abandoned (its outcome is ignored)
  const base = m.base;
  let s: Segment | null = m.cur;
  while (s !== null && s !== base) s = s.caller;
  // not above the base: the run's body has already ended (only the root's exit is left)
  if (s === null || base === null) return true;
  const fr = startFinalization(m, captured(m, m.cur, base), base.caller);
  const job = fr.job as Job;
  job.pending = m.abortReason;
  job.pendingIsError = true;
  m.abortJob = job;
  return true;
}

/** An error thrown while an aborted run is finalized: kept on RunResult.warnings (§9.4, §9.8). */
export function abortError(m: Machine, e: unknown): void {
  m.ctx.warn(e, "a finally block threw while the run was aborted");
}

/** Finalization complete: deliver FR's outcome to its caller. */
function completeFinalizer(m: Machine, fr: Segment): void {
  const job = fr.job as Job;
  const caller = fr.caller;
  if (caller === null) throw new VMInternalError("finalizer has no caller");
  m.cur = caller;
  const outer = job.resumeJob;
  if (outer !== null) {
    if (job.hasError) {
      if (outer === m.abortJob) abortError(m, job.error);
      outer.record(job.error);
    }
    m.mode = M_UNWIND;
    m.job = outer;
    return;
  }
  if (job.pendingIsError) {
    // the handler's error is the outcome (§5.2); a finally block's error beside it is kept, not dropped
    // (not the abort's own finalization: abortError has reported its finally errors already)
    if (job.hasError && job.error !== job.pending && job !== m.abortJob)
      m.ctx.warn(job.error, "a finally block threw after its handler failed");
    m.mode = M_THROW;
    m.value = job.pending;
  } else if (job.hasError) {
    m.mode = M_THROW;
    m.value = job.error;
  } else {
    m.mode = M_DELIVER;
    m.value = job.pending;
  }
}

/**
 * §5.3: the invocation's frames are closed (HS is empty): perform the terminal primitive, or, if a
 * finally block threw, abandon it — the target becomes unused again and the invocation ends with the
 * first error.
 */
function completeClose(m: Machine, job: Job): void {
  const inv = job.inv!;
  if (job.hasError) {
    if (job.k !== null) job.k.used = false;
    m.cur = inv;
    m.mode = M_RETURN_ERROR;
    m.value = job.error;
    return;
  }
  performTerminal(m, inv, job.op, job.k!, job.arg);
}

/** The invocation's frames are closed: end it and perform transfer / transferWith / pass. */
export function performTerminal(
  m: Machine,
  inv: Invocation,
  op: number,
  k: Continuation,
  arg: unknown,
): void {
  markEnded(inv);
  const outer = inv.caller;
  switch (op) {
    case OP_TRANSFER:
      if (k.top === null) UNSTARTED.start!(m, k, outer);
      else {
        link(m, k.bottom!, outer);
        m.cur = k.top;
        m.mode = M_DELIVER;
        m.value = arg;
      }
      return;
    case OP_TRANSFER_WITH: {
      m.lastTransferWith = inv;
      link(m, k.bottom!, outer);
      const site = k.top!;
      const below = site.top;
      m.cur = site;
      m.callProgramLike(arg);
      // the frame the program runs in (none when it is an effect or a primitive): only an error
      // thrown by that very frame is "thrown right at the transferWith's site" (machine.ts noteError)
      const f = (m.lastTransferFrame = m.cur === site && site.top !== below ? site.top : null);
      transfers?.note(f, inv, arg, below); // (the `handler h for E ⇢` lines, trace/transfers.ts)
      return;
    }
    case OP_PASS:
      PASSES.perform!(m, inv, k, arg);
      return;
  }
  throw new VMInternalError(`unknown closing primitive ${op}`);
}

/**
 * @internal An unstarted continuation that runs `program` under `handlers` (innermost first) when
 * resumed or transferred into: createContinuation's, a scheduler task's.
 */
export function unstarted(program: unknown, handlers: readonly unknown[]): Continuation {
  UNSTARTED.start = startUnstarted;
  UNSTARTED.notStarted = notStarted;
  return newUnstarted(program, handlers);
}

const notStarted = (): TypeError =>
  new TypeError("transferWith needs a started continuation; use transfer or resume for an unstarted one");

/**
 * Start an unstarted continuation from segment `from`: withHandler(hs[n-1], … withHandler(hs[0], p)).
 * With `k` null, SITE_SWITCH's start (see its declaration): the same for `reported(reporter)`
 * under SITE_SWITCH.handlers, its reporter already started, which gave `body`.
 * `reuse`: a dead prompt on `from` (switchAtSite), taken instead of a new one when it is of hs's one handler.
 */
export function startUnstarted(
  m: Machine,
  k: Continuation | null,
  from: Segment | null,
  reuse: Segment | null = null,
): void {
  if (k !== null) k.used = true;
  const hs = k !== null ? k.handlers! : SITE_SWITCH.handlers!;
  // The body's frames go on its innermost prompt itself, not on a body segment above it: a prompt
  // holds frames like a body (search starts at its firstPrompt, itself; a capture's top may be the
  // prompt; it exits and unwinds as a body does), and that body segment would never be detached or
  // hold anything else. One Segment (112 B) and constructor less per task start (spawn + gather).
  const top =
    reuse !== null && hs.length === 1 && reuse.handler === hs[0]
      ? reuse
      : hs.length > 0
        ? startPrompts(from, hs)!
        : new Segment(S_BODY, from, null, null);
  m.cur = top;
  if (k !== null) {
    m.callProgramLike(k.source);
    return;
  }
  const body = SITE_SWITCH.body;
  const wrap = SITE_SWITCH.wrap;
  top.job = SITE_SWITCH.reporter; // (top: new, so frameless and unmarked, as `reported` needs)
  SITE_SWITCH.reporter = null;
  SITE_SWITCH.body = undefined;
  SITE_SWITCH.handlers = null;
  SITE_SWITCH.wrap = null;
  // calling withHandler(wrap[n-1], … withHandler(wrap[0], body)) here, without its n steps
  if (wrap !== null && wrap.length > 0) m.cur = startPrompts(top, wrap)!; // (frames on its prompt, as above)
  m.callProgramLike(body);
}

/**
 * The prompts of `hs` (innermost first) on `seg`, for a computation started under them: what
 * withHandler(hs[n-1], … withHandler(hs[0], ·)) makes, without the body segments between two
 * prompts (they would never hold a frame). The new segments have no invocation (§4: starting an
 * unstarted continuation). Only startUnstarted calls it (test/structure.test.ts, rule 3).
 */
function startPrompts(seg: Segment | null, hs: readonly unknown[]): Segment | null {
  for (let i = hs.length - 1; i >= 0; i--) seg = new Segment(S_PROMPT, seg, null, hs[i] as never);
  return seg;
}

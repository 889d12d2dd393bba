/**
 * resume, resumeContinuation and discontinue: the primitives after which a handler waits for k's
 * outcome (its frame parked, segment.ts unpark), with their executor and the step into a parked
 * frame. A module of its own: when it loads, execute.ts's switch (the hot path) runs them through
 * RESUMES, and tracebacks start summarizing runs of such waiting handlers (trace/waiting-runs.ts
 * recordRuns); a bundle without it (the small import `run, program, state, get, put`) can have no
 * waiting handler, and carries neither the executor nor the summaries.
 */
import { MARK_THREW } from "../trace/entries.js";
import { recordRuns } from "../trace/waiting-runs.js";
import { type Continuation, UNSTARTED } from "./continuation.js";
import { link } from "./eras.js";
import { foreign, RESUMES } from "./execute.js";
import { consumedError } from "./finalize.js";
import { TRACE_QUIET } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_THROW } from "./modes.js";
import { type AnswerArg, checkK, OP_NAMES, Primitive } from "./primitives.js";
import { putBack, throwInto } from "./invalid-yield.js";
import { checked } from "./result.js";
import { Frame, type Segment } from "./segment.js";
import { OP_DISCONTINUE, OP_RESUME, OP_RESUME_CONTINUATION, S_HANDLER } from "./codes.js";

recordRuns();
RESUMES.k = resumeK;
RESUMES.parked = stepParked;
OP_NAMES[OP_RESUME] = "resume";
OP_NAMES[OP_RESUME_CONTINUATION] = "resumeContinuation";
OP_NAMES[OP_DISCONTINUE] = "discontinue";

/**
 * Resume `k` with `v`; evaluates to k's final outcome (non-tail). `v` must be of k's answer type; the
 * result is the handled body's result type where it is known (a continuation from
 * `createContinuation(p)`); in `handle(C, f)` the body is not known, so it is the opaque `BodyResult`:
 * return it as it is (`return yield* resume(k, v)`), or cast it to compute with it (docs/types.md,
 * "Handler results").
 */
export function resume<A, R, E = never>(
  k: Continuation<A, R, E>,
  ...v: AnswerArg<NoInfer<A>>
): Primitive<R, E>;
export function resume(k: Continuation<unknown, unknown, unknown>, v?: unknown): Primitive<unknown, unknown> {
  checkK(k, "resume");
  return new Primitive(OP_RESUME, k, v);
}

/** Identical to resume. */
export function resumeContinuation<A, R, E = never>(
  k: Continuation<A, R, E>,
  ...v: AnswerArg<NoInfer<A>>
): Primitive<R, E>;
export function resumeContinuation(
  k: Continuation<unknown, unknown, unknown>,
  v?: unknown,
): Primitive<unknown, unknown> {
  checkK(k, "resumeContinuation");
  return new Primitive(OP_RESUME_CONTINUATION, k, v);
}

/** Resume `k` by throwing `e` at its perform site; evaluates to k's final outcome. */
export function discontinue<R, E = never>(k: Continuation<unknown, R, E>, e: unknown): Primitive<R, E> {
  checkK(k, "discontinue");
  return new Primitive(OP_DISCONTINUE, k, e);
}

/**
 * resume / resumeContinuation / discontinue (execute.ts RESUMES.k): attach k below `cur` and
 * continue at its top.
 */
function resumeK(m: Machine, prim: Primitive): void {
  const isThrow = prim.op === OP_DISCONTINUE;
  const k = prim.a as Continuation;
  const v = prim.b;
  // INV-1: a used k is refused before anything else happens (no link, no state change)
  if (k.used) {
    m.throwHere(consumedError(k));
    return;
  }
  if (k.top === null) {
    if (isThrow) {
      k.used = true; // an unstarted k discontinued never starts; the error is thrown here
      m.throwHere(v);
    } else UNSTARTED.start!(m, k, m.cur);
    return;
  }
  if (k.source !== m && foreign(m, k, prim)) return;
  // discontinue(k, e): the error appears at k's perform site without being thrown by a frame there,
  // so its origin is recorded now, from the handler while k is still unused — as an error the
  // handler's code throws is: main … the perform site, then the handler (✗), and the effect
  const cur = m.cur;
  if (isThrow) {
    // …but a quiet handler's discontinue of its own k hands on an error that is not its own (the
    // scheduler gives a task the rejection of its awaitPromise, a failed task's error, a deadlock):
    // no handler line for it, as for its transfers; the effect's line still names it (✗)
    const quiet = cur.kind === S_HANDLER && cur.k === k && cur.handler![TRACE_QUIET] === true;
    m.noteError(
      v,
      quiet
        ? {
            effect: cur.effect,
            site: cur.site,
            taker: cur.prompt,
            marker: MARK_THREW,
            outer: cur.outer,
            handedOn: true,
          }
        : null,
    );
  }
  k.used = true;
  const f = cur.top;
  // the handler waits for k's outcome in its own frame: parked while it waits (segment.ts unpark)
  if (
    cur.kind === S_HANDLER &&
    f !== null &&
    f.prev === null &&
    f.name === null &&
    f.program === null &&
    f.closing === null &&
    m.tracer === null
  ) {
    cur.detachedFrom = f.gen as never;
    cur.top = null;
  }
  link(m, k.bottom!, cur);
  m.cur = k.top;
  m.mode = isThrow ? M_THROW : M_DELIVER;
  m.value = v;
}

/**
 * Deliver(v) / Throw(e) into the parked frame of handler segment `seg` (segment.ts `unpark`;
 * machine.ts stepResume calls it through RESUMES.parked): as stepResume into that frame, which is
 * the segment's only one, hidden and not closing — so when the generator returns or throws
 * (`return yield* resume(k, v)`: at once) its frame would be popped at once and none is made;
 * only when it yields again is it made again.
 */
function stepParked(m: Machine, seg: Segment, isThrow: boolean): void {
  const gen = seg.detachedFrom as unknown as Generator<unknown, unknown, unknown>;
  seg.detachedFrom = null;
  let done: unknown;
  let value: unknown;
  try {
    const ok = checked(isThrow ? throwInto(gen, m.value) : gen.next(m.value));
    done = ok.done;
    value = ok.value;
  } catch (x) {
    const e = putBack(gen, x, isThrow, m.value); // (as in stepResume)
    if (e === x && (!isThrow || e !== m.value)) m.noteError(e);
    m.mode = M_THROW; // (frameThrew for a frame that is not closing)
    m.value = e;
    return;
  }
  if (done) {
    m.mode = M_DELIVER; // (afterCall for a frame that is not closing)
    m.value = value;
    return;
  }
  const f = new Frame(gen, null, null);
  seg.top = f;
  m.afterCall(seg, f, false, value);
}

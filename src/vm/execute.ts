/**
 * Executing primitives (SEMANTICS §4). Errors are thrown into the yielder (catchable). Handler-only
 * primitives check `cur.invocation` first, before arguments and continuation state.
 */
import { ContinuationConsumedError, HandlerContextError } from "../errors.js";
import { MARK_THREW } from "../trace/origin.js";
import { describe } from "./brand.js";
import { type Continuation, UNSTARTED } from "./continuation.js";
import { link } from "./eras.js";
import { consumedError, performTerminal } from "./finalize.js";
import { type Handler, TRACE_QUIET } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_THROW, M_UNWIND } from "./modes.js";
import { OP_NAMES, type Primitive } from "./primitives.js";
import { type Frame, type Invocation, Job, Segment } from "./segment.js";
import {
  J_CLOSE,
  OP_CALL_GEN,
  OP_DISCONTINUE,
  OP_GET_RUN_CONTEXT,
  OP_PASS,
  OP_RESUME,
  OP_RESUME_CONTINUATION,
  OP_TRANSFER,
  OP_TRANSFER_WITH,
  OP_WITH_HANDLER,
  S_BODY,
  S_HANDLER,
  S_PROMPT,
} from "./codes.js";

/**
 * The executors of getHandlers, getCallStack and originOf (introspect.ts), and of delegate,
 * getContinuation, createContinuation, detach, finalize and asyncEscape (rare-ops.ts), by op: each
 * is set by its function when that function makes one, so a bundle that never imports it leaves it out.
 * execute reads this only for an op its switch does not know — a malformed primitive's too
 * (`new Primitive("constructor")` from plain JavaScript): no prototype, so no op finds a method of
 * Array.prototype or Object.prototype here instead of the TypeError below.
 */
export const LATE_OPS = { __proto__: null } as unknown as Record<
  number,
  ((m: Machine, prim: Primitive) => void) | undefined
>;

export function execute(m: Machine, prim: Primitive): void {
  switch (prim.op) {
    case OP_WITH_HANDLER: {
      const cur = m.cur;
      const prompt = new Segment(S_PROMPT, cur, cur.invocation, prim.a as Handler);
      m.cur = new Segment(S_BODY, prompt, cur.invocation, null);
      m.callProgramLike(prim.b);
      return;
    }
    case OP_RESUME:
    case OP_RESUME_CONTINUATION:
      resumeK(m, prim, false);
      return;
    case OP_DISCONTINUE:
      resumeK(m, prim, true);
      return;
    case OP_TRANSFER:
    case OP_TRANSFER_WITH:
    case OP_PASS:
      terminal(m, prim);
      return;
    case OP_GET_RUN_CONTEXT:
      m.deliver(m.ctx);
      return;
    case OP_CALL_GEN:
      m.callGenerator(prim.a as Generator<unknown, unknown, unknown>, prim.b as string);
      return;
  }
  const late = LATE_OPS[prim.op];
  if (late !== undefined) {
    late(m, prim);
    return;
  }
  m.throwHere(
    new TypeError(
      `got a Primitive made with new Primitive(…), which doeff cannot run: make it with resume, transfer, withHandler, …`,
    ),
  );
}

export function handlerOnly(m: Machine, prim: Primitive): Invocation | null {
  const inv = m.cur.invocation;
  if (inv === null || inv.era === null) {
    const name = OP_NAMES[prim.op];
    m.throwHere(
      new HandlerContextError(
        inv === null
          ? `${name}() can only be used inside a handler invocation (code run by a handler (effect, k) => ...), not in a program body${prim.op === OP_TRANSFER ? "; to continue a kept k from here, yield* resume(k, value), which works anywhere" : ""}`
          : `${name}(): the handler invocation this code was started in has ended (a continuation captured inside it was resumed after it returned); use it only while that handler runs`,
      ),
    );
    return null;
  }
  return inv;
}

/**
 * Is `k` a continuation another run captured? Then it is not this run's to use: its segments were
 * linked in that run's chain and its code reads that run's store. The use throws here and `k` stays
 * as it was. (An unstarted one is a program and its handlers: it starts wherever it is used.)
 */
export function foreign(m: Machine, k: Continuation, prim: Primitive): boolean {
  if (k.top === null || k.source === m) return false;
  m.throwHere(
    new HandlerContextError(
      `${OP_NAMES[prim.op]}(k): this continuation belongs to the run that captured it, not this one: use it only there (a run() nested in a handler returns a value instead)`,
    ),
  );
  return true;
}

/** resume / resumeContinuation / discontinue: attach k below `cur` and continue at its top. */
function resumeK(m: Machine, prim: Primitive, isThrow: boolean): void {
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

/** transfer / transferWith / pass: close the invocation (§5.3), then perform (finalize.ts). */
function terminal(m: Machine, prim: Primitive): void {
  const inv = handlerOnly(m, prim);
  if (inv === null) return;
  const top = m.cur.top;
  if (top !== null && top.closing !== null) {
    m.throwHere(
      new HandlerContextError(
        `${OP_NAMES[prim.op]}() cannot be used from a finally block that is being closed; the invocation is already ending`,
      ),
    );
    return;
  }
  const k = prim.op === OP_PASS ? inv.k : (prim.a as Continuation);
  if (k.used) {
    m.throwHere(
      prim.op === OP_PASS
        ? new ContinuationConsumedError("invocation's continuation (pass after resume?)")
        : consumedError(k),
    );
    return;
  }
  if (prim.op === OP_TRANSFER_WITH && k.top === null) {
    m.throwHere(
      new TypeError("transferWith needs a started continuation; use transfer or resume for an unstarted one"),
    );
    return;
  }
  if (k.source !== m && foreign(m, k, prim)) return;
  k.used = true;
  const arg = prim.op === OP_PASS ? prim.a : prim.b;
  if (m.cur === inv && top !== null && top.prev === null && m.tracer === null) {
    // Fast path for the usual `return yield* transfer(k, v)` in a handler's own frame: close it
    // right here. Only if its finally blocks yield or throw does a closing job get made (§5.3).
    closeHandlerFrame(m, inv, prim.op, k, arg, top);
    return;
  }
  m.job = new Job(J_CLOSE, inv, prim.op, k, arg);
  m.mode = M_UNWIND;
}

/** §5.3 for a handler segment holding only the yielding frame `f`. */
function closeHandlerFrame(
  m: Machine,
  inv: Invocation,
  op: number,
  k: Continuation,
  arg: unknown,
  f: Frame,
): void {
  const seg = m.cur;
  let done: unknown;
  let value: unknown;
  try {
    const r = f.gen.return(undefined);
    if (r === null || typeof r !== "object")
      throw new TypeError(`an iterator's return() gave ${describe(r)}`);
    done = r.done;
    value = r.value;
  } catch (e) {
    // a finally block threw: the primitive is abandoned, the invocation ends with that error
    m.noteError(e);
    seg.top = f.prev;
    const job = new Job(J_CLOSE, inv, op, k, arg);
    job.record(e);
    m.job = job;
    m.mode = M_UNWIND; // HS is empty: the unwind-exit rule completes the (failed) close
    return;
  }
  if (done) {
    seg.top = f.prev;
    performTerminal(m, inv, op, k, arg);
    return;
  }
  // a finally block yielded (an effect): go on as an ordinary closing job
  const job = new Job(J_CLOSE, inv, op, k, arg);
  f.closing = job;
  m.job = job;
  m.handleYield(value);
}

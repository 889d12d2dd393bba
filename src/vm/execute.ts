/**
 * Executing primitives (SEMANTICS §4). Errors are thrown into the yielder (catchable). Handler-only
 * primitives check `cur.invocation` first, before arguments and continuation state.
 */
import { HandlerContextError } from "../errors.js";
import { describe } from "./brand.js";
import { type Continuation, UNSTARTED } from "./continuation.js";
import { consumedError, performTerminal } from "./finalize.js";
import type { Handler } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_UNWIND } from "./modes.js";
import { OP_NAMES, type Primitive } from "./primitives.js";
import { Frame, type Invocation, Job, pushFrame, Segment, unpark } from "./segment.js";
import {
  J_CLOSE,
  OP_CALL_GEN,
  OP_DISCONTINUE,
  OP_GET_RUN_CONTEXT,
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
 * is set by its function when that function makes one, so a bundle that never imports it leaves it out;
 * pass's (vm/pass.ts) when its module loads.
 * execute reads this only for an op its switch does not know — a malformed primitive's too
 * (`new Primitive("constructor")` from plain JavaScript): no prototype, so no op finds a method of
 * Array.prototype or Object.prototype here instead of the TypeError below.
 */
export const LATE_OPS = { __proto__: null } as unknown as Record<
  number,
  ((m: Machine, prim: Primitive) => void) | undefined
>;

/**
 * @internal The executor of resume, resumeContinuation and discontinue (`k`, on the hot path: a slot
 * of its own read by the switch, not LATE_OPS) and the step into a handler's frame parked while it
 * waits for k's outcome (`parked`, machine.ts stepResume), set by vm/resume.ts when it loads: a
 * bundle without it (the small import `run, program, state, get, put`) makes none of these
 * primitives and parks no frame.
 */
export const RESUMES: {
  k: ((m: Machine, prim: Primitive) => void) | null;
  parked: ((m: Machine, seg: Segment, isThrow: boolean) => void) | null;
} = { k: null, parked: null };

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
    case OP_DISCONTINUE: {
      const k = RESUMES.k;
      if (k !== null) {
        k(m, prim);
        return;
      }
      break; // (a primitive made with new Primitive(…) in a bundle without resume: refused below)
    }
    case OP_TRANSFER:
    case OP_TRANSFER_WITH:
      terminal(m, prim);
      return;
    case OP_GET_RUN_CONTEXT:
      m.mode = M_DELIVER;
      m.value = m.ctx;
      return;
    case OP_CALL_GEN:
      // a raw generator object (a named-recursion call, program.ts): push its frame and start it
      pushFrame(
        m.cur,
        new Frame(prim.a as Generator<unknown, unknown, unknown>, (prim.b as string) || "(anonymous)", null),
      );
      m.mode = M_DELIVER;
      m.value = undefined;
      return;
  }
  const late = LATE_OPS[prim.op];
  if (late !== undefined) {
    late(m, prim);
    return;
  }
  // (a resume made with new Primitive(…) in a bundle without resume's module, a handler's first
  // yield: dispatch.ts invokeTail parked the handler's frame for it — made again, to throw into)
  const cur = m.cur;
  if (cur.top === null && cur.kind === S_HANDLER && cur.detachedFrom !== null) unpark(cur);
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

/** transfer / transferWith: close the invocation (§5.3), then perform (finalize.ts). */
function terminal(m: Machine, prim: Primitive): void {
  const inv = handlerOnly(m, prim);
  if (inv === null) return;
  const top = m.cur.top;
  if (top !== null && top.closing !== null) {
    m.throwHere(closingError(prim));
    return;
  }
  const k = prim.a as Continuation;
  if (k.used) {
    m.throwHere(consumedError(k));
    return;
  }
  if (prim.op === OP_TRANSFER_WITH && k.top === null) {
    m.throwHere(UNSTARTED.notStarted!());
    return;
  }
  if (k.source !== m && foreign(m, k, prim)) return;
  k.used = true;
  const arg = prim.b;
  if (m.cur === inv && top !== null && top.prev === null && m.tracer === null) {
    // Fast path for the usual `return yield* transfer(k, v)` in a handler's own frame: close it
    // right here. Only if its finally blocks yield or throw does a closing job get made (§5.3).
    closeHandlerFrame(m, inv, prim.op, k, arg, top);
    return;
  }
  m.job = new Job(J_CLOSE, inv, prim.op, k, arg);
  m.mode = M_UNWIND;
}

/** @internal A terminal primitive (transfer, transferWith, pass: vm/pass.ts) in a finally block being closed. */
export function closingError(prim: Primitive): HandlerContextError {
  return new HandlerContextError(
    `${OP_NAMES[prim.op]}() cannot be used from a finally block that is being closed; the invocation is already ending`,
  );
}

/** @internal §5.3 for a handler segment holding only the yielding frame `f` (terminal, vm/pass.ts). */
export function closeHandlerFrame(
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

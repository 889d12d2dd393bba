/**
 * delegate, getContinuation, createContinuation, detach, finalize and asyncEscape, and their
 * executors. A module of its own, as introspect.ts is: execute.ts's switch kept these executors in
 * every bundle, that of the small import `run, program, state, get, put` too, which can make none
 * of these primitives; now each function sets its executor in LATE_OPS when it makes a primitive.
 * The primitives on the hot path (withHandler, resume, transfer, transferWith, pass, discontinue)
 * stay in the switch.
 */
import { answerDelegated } from "../trace/visits.js";
import { waitOf } from "../trace/blocked-in.js";
import { boundaryLine } from "../trace/frame-lines.js";
import { Origins } from "../trace/origin.js";
import type { FrameLabel } from "./segment.js";
import { brandOf, describe } from "./brand.js";
import type { Continuation } from "./continuation.js";
import { dispatch } from "./dispatch.js";
import { foreign, handlerOnly, LATE_OPS } from "./execute.js";
import { consumedError, startFinalization, unstarted } from "./finalize.js";
import type { Handler } from "./handler.js";
import { deliver, suspendOn, type Machine } from "./machine.js";
import { checkHandler, checkK, OP_NAMES, Primitive } from "./primitives.js";
import { checkProgramArg } from "./program-arg.js";
import type {
  AnswerOf,
  AnyEffect,
  AnyFunction,
  AnyProgramLike,
  EffectsOf,
  ProgramArg,
  ResultOf,
} from "./types.js";
import type { EmittedBy, HandledBy, NotTakenBy, ReturnedBy } from "../run/rows.js";
import {
  OP_ASYNC_ESCAPE,
  OP_CREATE_CONTINUATION,
  OP_DELEGATE,
  OP_DETACH,
  OP_FINALIZE,
  OP_GET_CONTINUATION,
  P_REPORT,
} from "./codes.js";

OP_NAMES[OP_DELEGATE] = "delegate";
OP_NAMES[OP_GET_CONTINUATION] = "getContinuation";
OP_NAMES[OP_CREATE_CONTINUATION] = "createContinuation";
OP_NAMES[OP_DETACH] = "detach";
OP_NAMES[OP_FINALIZE] = "finalize";
OP_NAMES[OP_ASYNC_ESCAPE] = "asyncEscape";

/**
 * Perform the effect (or a substitute) from the handler's position; non-terminal (handler only).
 * Evaluates to the answer of the effect (of the substitute's type; `unknown` for the current effect).
 */
export function delegate<E extends AnyEffect>(effect: E): Primitive<AnswerOf<E>, E>;
export function delegate<A = unknown>(): Primitive<A>;
export function delegate(effect?: unknown): Primitive<unknown> {
  LATE_OPS[OP_DELEGATE] = execRare;
  answerDelegated(); // (a handler that delegated and then threw: its traceback names who answered)
  if (effect !== undefined && brandOf(effect) !== 1) {
    throw new TypeError(`delegate expects an Effect or nothing, got ${describe(effect)}`);
  }
  return new Primitive(OP_DELEGATE, effect, undefined);
}

const GET_CONTINUATION = /* @__PURE__ */ new Primitive<Continuation>(
  OP_GET_CONTINUATION,
  undefined,
  undefined,
);

/** The current invocation's continuation (handler only). */
export function getContinuation(): Primitive<Continuation> {
  LATE_OPS[OP_GET_CONTINUATION] = execRare;
  return GET_CONTINUATION;
}

/** An unstarted continuation that runs `p` under `handlers` (innermost first) when resumed. */
export function createContinuation<
  P extends AnyProgramLike | AnyFunction,
  const Hs extends readonly Handler<any, any>[] = [],
>(
  p: P & NoInfer<ProgramArg<P>>,
  handlers: Hs = [] as unknown as Hs,
): Primitive<
  Continuation<unknown, ResultOf<P> | ReturnedBy<Hs>, NotTakenBy<EffectsOf<P>, HandledBy<Hs>> | EmittedBy<Hs>>
> {
  LATE_OPS[OP_CREATE_CONTINUATION] = execRare;
  // (a function: what to pass instead, as spawn says, not only "got function (anonymous)")
  checkProgramArg(p, "createContinuation");
  if (!Array.isArray(handlers))
    throw new TypeError(`createContinuation expects an array of handlers, got ${describe(handlers)}`);
  for (const h of handlers) checkHandler(h, "createContinuation");
  return new Primitive(OP_CREATE_CONTINUATION, p, handlers.slice());
}

/** Keep `k`: the end of its invocation will not finalize it. */
export function detach(k: Continuation<unknown, unknown, unknown>): Primitive<undefined> {
  LATE_OPS[OP_DETACH] = execRare;
  checkK(k, "detach");
  return new Primitive(OP_DETACH, k, undefined);
}

/**
 * Use `k` and close its frames now (their finally blocks run). Any continuation, whatever effects its
 * program performs: finally blocks are handled where their frames are; an unstarted one runs nothing.
 */
export function finalize(k: Continuation<unknown, unknown, unknown>): Primitive<undefined> {
  LATE_OPS[OP_FINALIZE] = execRare;
  checkK(k, "finalize");
  return new Primitive(OP_FINALIZE, k, undefined);
}

/** runAsync awaits `thunk()` (nothing else runs meanwhile); under run → AsyncRequiredError. */
export function asyncEscape<A>(thunk: () => PromiseLike<A> | A): Primitive<A> {
  LATE_OPS[OP_ASYNC_ESCAPE] = execRare;
  if (typeof thunk !== "function") {
    throw new TypeError(`asyncEscape expects a function returning a promise, got ${describe(thunk)}`);
  }
  return new Primitive(OP_ASYNC_ESCAPE, thunk, undefined);
}

/** The executor of the primitives above, by op (as execute.ts's switch was). */
/**
 * An abort finalizes an unstarted task the scheduler noted as blocked — timeout's timer task waiting
 * for its deadline (handlers/scheduler-deadline.ts), whose `delay` never ran: kept for the report as
 * the timer task blocked in that `delay` is, its task's line and what it waits in.
 */
function abortedUnstarted(m: Machine, k: Continuation): void {
  const p = k.source as { tag?: unknown; a?: unknown };
  if (p.tag === P_REPORT && waitOf?.(k) !== undefined)
    (m.origins ??= new Origins()).aborted(k, [boundaryLine(p.a as FrameLabel)]);
}

function execRare(m: Machine, prim: Primitive): void {
  switch (prim.op) {
    case OP_DELEGATE: {
      const inv = handlerOnly(m, prim);
      if (inv === null) return;
      // (`inv.job` is delegatedTo for a handler segment: see Segment.delegatedTo) — only for its
      // own effect: the taker of another (`delegate(new Config())`) did not answer this one
      const e = prim.a === undefined ? inv.effect : prim.a;
      const q = dispatch(m, e);
      if (e === inv.effect) inv.job = q;
      return;
    }
    case OP_GET_CONTINUATION: {
      const inv = handlerOnly(m, prim);
      if (inv !== null) deliver(m, inv.k);
      return;
    }
    case OP_CREATE_CONTINUATION:
      deliver(m, unstarted(prim.a, prim.b as Handler[]));
      return;
    case OP_DETACH: {
      const k = prim.a as Continuation;
      if (foreign(m, k, prim)) return;
      if (!k.used) k.detached = true;
      deliver(m, undefined);
      return;
    }
    case OP_FINALIZE: {
      const k = prim.a as Continuation;
      if (k.used) {
        m.throwHere(consumedError(k));
        return;
      }
      if (k.top === null) {
        k.used = true;
        if (m.abortState === 2) abortedUnstarted(m, k);
        deliver(m, undefined);
        return;
      }
      if (foreign(m, k, prim)) return;
      // receiver = cur (the yielder), pending = undefined: finalize(k) returns undefined or throws
      // the first error a finally block threw.
      startFinalization(m, k, m.cur);
      return;
    }
    default: // OP_ASYNC_ESCAPE
      suspendOn(m, prim.a as () => unknown);
  }
}

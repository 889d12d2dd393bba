/**
 * getHandlers, getCallStack, originOf and closingReason, and their executors. A module of their own, apart from
 * the primitives every program uses: execute.ts's switch kept these executors, and what they read
 * (eras.ts nextPromptIn), in every bundle; now each function sets its executor in LATE_OPS when it
 * makes a primitive, so a bundle that never imports it leaves them out (~230 B min+gzip of the
 * small import `run, program, state, get, put`).
 */
import { HandlerContextError } from "../errors.js";
import { takeOrigin } from "../trace/origin.js";
import type { Continuation } from "./continuation.js";
import { J_FINALIZE, OP_CLOSING_REASON, OP_GET_CALL_STACK, OP_GET_HANDLERS, OP_ORIGIN } from "./codes.js";
import { nextPromptIn, recordRelinks } from "./eras.js";
import { handlerOnly, LATE_OPS } from "./execute.js";
import type { Handler } from "./handler.js";
import { deliver, type Machine } from "./machine.js";
import { type CallStackEntry, checkK, OP_NAMES, Primitive } from "./primitives.js";
import type { Invocation, Job, Segment } from "./segment.js";

// getHandlers walks the chain as it was linked when the effect was performed (eras.ts): from now
// on, before any run could call it, re-links are recorded
recordRelinks();
OP_NAMES[OP_GET_HANDLERS] = "getHandlers";
OP_NAMES[OP_GET_CALL_STACK] = "getCallStack";
OP_NAMES[OP_ORIGIN] = "originOf";
OP_NAMES[OP_CLOSING_REASON] = "closingReason";

const GET_HANDLERS = /* @__PURE__ */ new Primitive<Handler[]>(OP_GET_HANDLERS, undefined, undefined);
const GET_CALL_STACK = /* @__PURE__ */ new Primitive<CallStackEntry[]>(
  OP_GET_CALL_STACK,
  undefined,
  undefined,
);

/** Handlers visible at the perform site, innermost first (handler only). */
export function getHandlers(): Primitive<Handler[]> {
  LATE_OPS[OP_GET_HANDLERS] = execGetHandlers;
  return GET_HANDLERS;
}

/**
 * Where the run saw `error` first (its trace origin: the chain and the failing effect), or null.
 * Internal: `safe` keeps it on its `Err` so that `Err.format()` reads like `RunResult.format()`; a
 * primitive's is then forgotten (Origins.take).
 */
export function originOf(error: unknown): Primitive<import("../trace/origin.js").Origin | null> {
  LATE_OPS[OP_ORIGIN] = execOrigin;
  return new Primitive(OP_ORIGIN, error, undefined);
}

/**
 * Program frames on the caller chain, innermost first. Given a continuation: the frames it holds
 * suspended (where a blocked task waits, say), innermost first; none for an unstarted or used one.
 */
export function getCallStack(k?: Continuation<unknown, unknown, unknown>): Primitive<CallStackEntry[]> {
  LATE_OPS[OP_GET_CALL_STACK] = execGetCallStack;
  if (k === undefined) return GET_CALL_STACK;
  checkK(k, "getCallStack");
  return new Primitive(OP_GET_CALL_STACK, k, undefined);
}

/**
 * Why the program is being closed, asked in its `finally` block: how a tracing wrapper tells "the
 * handler of my effect threw" from "my program was cancelled" (SEMANTICS §5). Frames are closed by
 * the machine, not by their own code, when the computation they are part of is abandoned; the
 * wrapper's `finally` runs then, and sees neither a value nor an error of its own.
 *
 * - `{ status: "threw", error }`: a handler invocation ended by throwing, and this program was part
 *   of the computation it ended (§5.1 b): a `handle` handler whose own code threw (an
 *   `awaitPromise` in it rejected), abandoning the program up to its `withHandler` — the error
 *   `observe` reports as the effect's outcome, which no `try` in the program sees.
 * - `{ status: "cancelled" }`: closed for any other reason: its task was cancelled (`cancel`,
 *   `timeout`, `all`, main ending), the run was aborted, a handler returned a value without
 *   resuming, or `finalize(k)`.
 * - `null`: not being closed — the `finally` runs because the body returned or threw by itself (the
 *   wrapper knows those), or the frame is a handler's, closed as it ends in tail position
 *   (`transfer`, `pass`), or the block is not a `finally` (or is a program the `finally` called:
 *   ask in the `finally` block of the program being closed).
 *
 * Cold: only a finally block that asks pays for it.
 *
 * @example
 * ```ts
 * const traced = <P extends AnyProgramLike>(name: string, p: P) =>
 *   program(function* traced() {
 *     let ended = false;
 *     try {
 *       const v = yield* p;
 *       ended = true;
 *       return v;
 *     } finally {
 *       if (!ended) {
 *         const why = yield* closingReason(); // null when p threw: the error goes on as usual
 *         if (why !== null) console.log(name, why.status === "threw" ? why.error : "cancelled");
 *       }
 *     }
 *   });
 * ```
 */
export function closingReason(): Primitive<ClosingReason | null> {
  LATE_OPS[OP_CLOSING_REASON] = execClosingReason;
  return CLOSING_REASON;
}
const CLOSING_REASON = /* @__PURE__ */ new Primitive<ClosingReason | null>(
  OP_CLOSING_REASON,
  undefined,
  undefined,
);

/** What {@link closingReason} answers for a program being closed. */
export type ClosingReason =
  | { readonly status: "threw"; readonly error: unknown }
  | { readonly status: "cancelled" };

const CANCELLED: ClosingReason = Object.freeze({ status: "cancelled" });

function execClosingReason(m: Machine): void {
  // the frame that performed it is the top of the current segment; the job closing it, then the
  // jobs that job goes on with (a nested invocation's k finalized on the way, unwindExit)
  const f = m.cur.top;
  const first = f === null ? null : f.closing;
  // (J_CLOSE: a handler's own frames, closed as it ends by transfer / transferWith / pass)
  if (first === null || first.kind !== J_FINALIZE) {
    deliver(m, null);
    return;
  }
  for (let job: Job | null = first; job !== null; job = job.resumeJob) {
    // (an abort's and finalize(k)'s jobs have no invocation: a cancellation, not a handler's error)
    if (job.kind === J_FINALIZE && job.inv !== null && job.pendingIsError) {
      deliver(m, { status: "threw", error: job.pending });
      return;
    }
  }
  deliver(m, CANCELLED);
}

function execGetHandlers(m: Machine, prim: Primitive): void {
  const inv = handlerOnly(m, prim);
  if (inv === null) return;
  // performed before a re-link made while this module was not loaded (eras.ts `lose`): the chain as
  // it was then is not known, and the walk would list the handlers of today's
  if (inv.era!.lost)
    m.throwHere(
      new HandlerContextError(
        "getHandlers(): its module was loaded during the run (a dynamic import), after this effect was performed and its chain re-linked, so the handlers at its perform site are not known; import getHandlers before the run starts",
      ),
    );
  else deliver(m, handlersAtSite(m, inv));
}

function execGetCallStack(m: Machine, prim: Primitive): void {
  const k = prim.a as Continuation | undefined;
  // a continuation's frames: top out to its bottom prompt (a used one's segments are live elsewhere)
  deliver(m, k === undefined ? callStack(m.cur, null) : k.used ? [] : callStack(k.top, k.bottom));
}

function execOrigin(m: Machine, prim: Primitive): void {
  deliver(m, m.origins === null ? null : takeOrigin(m.origins, prim.a));
}

/**
 * Handlers visible at the perform site when the effect was performed, innermost first: the chain is
 * walked now, as it was linked in the invocation's era (eras.ts), not copied at dispatch
 * (which would cost every effect). The site's prompts out to the invocation's, then those outside it.
 */
function handlersAtSite(m: Machine, inv: Invocation): Handler[] {
  const era = inv.era!;
  const out: Handler[] = [];
  const prompt = inv.prompt;
  for (let p = inv.site.firstPrompt; p !== null; p = nextPromptIn(m, p, era)) {
    out.push(p.handler!);
    if (p === prompt) break;
  }
  for (let p = inv.outer === null ? null : inv.outer.firstPrompt; p !== null; p = nextPromptIn(m, p, era))
    out.push(p.handler!);
  return out;
}

/** Program frames on the caller chain, innermost first; library-internal frames omitted. */
function callStack(seg: Segment | null, last: Segment | null): CallStackEntry[] {
  const out: CallStackEntry[] = [];
  while (seg !== null) {
    for (let f = seg.top; f !== null; f = f.prev) {
      if (f.name !== null) out.push({ name: f.name, program: f.program });
    }
    seg = seg === last ? null : seg.caller;
  }
  return out;
}

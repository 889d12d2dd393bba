/**
 * pass: a handler hands its effect (or a substitute) to the next handler out. A module of its own:
 * when it loads, it sets its executor (execute.ts LATE_OPS) and what performTerminal does for it
 * once the invocation is closed (finalize.ts PASSES); a bundle without it (the small import `run,
 * program, state, get, put`) makes no pass and carries neither. (A FAST_PATH's decline, SITE_PASS,
 * goes on with dispatch.ts passOn, which is not a pass.)
 */
import { ContinuationConsumedError } from "../errors.js";
import { brandOf, describe } from "./brand.js";
import type { Continuation } from "./continuation.js";
import { passOn } from "./dispatch.js";
import { link } from "./eras.js";
import { closeHandlerFrame, closingError, handlerOnly, LATE_OPS } from "./execute.js";
import { PASSES } from "./finalize.js";
import type { Machine } from "./machine.js";
import { OP_NAMES, Primitive } from "./primitives.js";
import { type Invocation, Job } from "./segment.js";
import { M_UNWIND } from "./modes.js";
import type { AnyEffect } from "./types.js";
import { J_CLOSE, OP_PASS } from "./codes.js";

LATE_OPS[OP_PASS] = executePass;
PASSES.perform = performPass;
OP_NAMES[OP_PASS] = "pass";

/** Forward the effect (or a substitute) to the next handler out; terminal (handler only). */
export function pass(): Primitive<never>;
/** With a substitute: the handler's own code performs it (its row), taken by the handlers outside. */
export function pass<E extends AnyEffect>(effect: E): Primitive<never, E>;
export function pass(effect?: unknown): Primitive<never, unknown> {
  if (effect !== undefined && brandOf(effect) !== 1) {
    throw new TypeError(`pass expects an Effect or nothing, got ${describe(effect)}`);
  }
  return new Primitive(OP_PASS, effect, undefined);
}

/**
 * pass at a handler's yield: close the invocation (§5.3) with its own continuation, then performPass
 * — execute.ts terminal (transfer's), with the invocation's own `k` and its own message for a used one.
 */
function executePass(m: Machine, prim: Primitive): void {
  const inv = handlerOnly(m, prim);
  if (inv === null) return;
  const top = m.cur.top;
  if (top !== null && top.closing !== null) {
    m.throwHere(closingError(prim));
    return;
  }
  const k = inv.k;
  if (k.used) {
    m.throwHere(new ContinuationConsumedError("invocation's continuation (pass after resume?)"));
    return;
  }
  // (no foreign check: an invocation on this run's chain was captured by this run)
  k.used = true;
  if (m.cur === inv && top !== null && top.prev === null && m.tracer === null) {
    closeHandlerFrame(m, inv, OP_PASS, k, prim.a, top);
    return;
  }
  m.job = new Job(J_CLOSE, inv, OP_PASS, k, prim.a);
  m.mode = M_UNWIND;
}

/** The invocation is closed (finalize.ts performTerminal): its effect, or `arg`, goes on outward. */
function performPass(m: Machine, inv: Invocation, k: Continuation, arg: unknown): void {
  const outer = inv.caller;
  link(m, inv.prompt, outer);
  const q = passOn(m, outer, arg === undefined ? inv.effect : arg, k.top!);
  // a handler that delegated this effect now waits for the handler it is passed to (its
  // traceback line, Segment.delegatedTo)
  const d = k.top!.invocation;
  if (d !== null && d.job === inv.prompt && arg === undefined) d.job = q;
}

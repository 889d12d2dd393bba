/**
 * resume, resumeContinuation and discontinue: the primitives after which a handler waits for k's
 * outcome (its frame parked, segment.ts unpark). A module of its own: when it loads, tracebacks
 * start summarizing runs of such waiting handlers (trace/origin.ts recordRuns); a bundle without it
 * (the small import `run, program, state, get, put`) can have no waiting handler, and neither makes
 * the summaries nor carries their code. Executed by execute.ts's switch (the hot path) as before.
 */
import type { Continuation } from "./continuation.js";
import { type AnswerArg, checkK, Primitive } from "./primitives.js";
import { recordRuns } from "../trace/origin.js";
import { OP_DISCONTINUE, OP_RESUME, OP_RESUME_CONTINUATION } from "./codes.js";

recordRuns();

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

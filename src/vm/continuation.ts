/**
 * Continuations (SEMANTICS §3–§5): an opaque one-shot handle on a suspended computation.
 * A captured continuation is the segment chain `top → … → bottom` (bottom = the handling prompt),
 * moved out of the live chain in O(1); nothing is copied. An unstarted continuation holds a program
 * and the handlers to start it under.
 */
import { brand } from "./brand.js";
import type { Segment } from "./segment.js";
import { B_CONTINUATION } from "./codes.js";

const TOKEN = Symbol("doeff.continuation");

/**
 * A one-shot continuation: the rest of the handled computation from the perform site out to the
 * handler's prompt. A handler gets one as its `k`: answer the effect with `resume(k, v)` (and wait for
 * the outcome), `transfer(k, v)` (tail call), `transferWith(k, program)` or `discontinue(k, error)`.
 * Using it twice throws `ContinuationConsumedError`; an unused one is finalized (its finally blocks
 * run) when the handler invocation ends, unless `detach(k)` was called. `A` is the answer it expects,
 * `R` what the handled computation returns. `createContinuation(p)` makes an unstarted one.
 *
 * @example
 * ```ts
 * const dice = handle(Roll, (roll, k) => resume(k, roll.sides)); // k: Continuation<number, BodyResult>
 * ```
 */
export class Continuation<A = unknown, R = unknown, E = never> {
  /** Phantom: the answer, the result, and the effects running it performs (`E`: a created one's program's). */
  declare readonly __types?: [A, R, E];
  /** @internal top segment (perform site), or null for an unstarted continuation */
  declare top: Segment | null;
  /**
   * @internal captured: the prompt this continuation reaches down to. Unstarted (`top` null): the
   * handlers to start it under, innermost first (read as `handlers`) — one slot for both, as `source`.
   */
  declare bottom: Segment | null;
  /** @internal used by resume/transfer/discontinue/pass/finalize */
  declare used: boolean;
  /** @internal detached: its invocation's end will not finalize it */
  declare detached: boolean;
  /**
   * @internal unstarted: its program; captured: the run (Machine) that captured it — a captured
   * continuation is resumed only by that run (§3: its segments and store are that run's). One slot for
   * both: a pending resume and a blocked task keep a continuation each, and a field costs 8 B there.
   */
  declare source: unknown;

  /**
   * @internal Continuations are made by the VM only (a constructed one throws a TypeError). Left out
   * of the .d.ts (its parameters are the VM's segments, a type a user cannot name): the class is
   * exported as a type only, so a user cannot `new` it whatever its declared constructor.
   */
  constructor(
    token: symbol,
    top: Segment | null,
    bottom: Segment | null,
    source: unknown,
    handlers: readonly unknown[] | null,
  ) {
    if (token !== TOKEN) {
      throw new TypeError(
        "continuations are made by the VM only; a handler receives one as its `k` argument",
      );
    }
    this.top = top;
    this.bottom = top !== null ? bottom : (handlers as unknown as Segment | null);
    this.used = false;
    this.detached = false;
    this.source = source;
  }

  /** @internal unstarted: the handlers to start it under (innermost first); captured: null */
  get handlers(): readonly unknown[] | null {
    return this.top === null ? (this.bottom as unknown as readonly unknown[] | null) : null;
  }

  get started(): boolean {
    return this.top !== null;
  }

  toString(): string {
    return this.used ? "Continuation(used)" : this.top === null ? "Continuation(unstarted)" : "Continuation";
  }
}
brand(Continuation.prototype, B_CONTINUATION);

/** Is `x` a Continuation (by its prototype chain: see isEffectInstance). Never throws. @internal */
export function isContinuation(x: unknown): x is Continuation {
  if (x === null || typeof x !== "object") return false;
  try {
    return x instanceof Continuation;
  } catch {
    return false;
  }
}

/** @internal `m`: the run capturing it (its owner: see Continuation.source) */
export function captured(m: object, top: Segment, bottom: Segment): Continuation {
  return new Continuation(TOKEN, top, bottom, m, null);
}

/** @internal (finalize.ts `unstarted` makes them, and sets how they start) */
export function newUnstarted(program: unknown, handlers: readonly unknown[]): Continuation {
  return new Continuation(TOKEN, null, null, program, handlers);
}

/**
 * @internal How an unstarted continuation starts (finalize.ts startUnstarted), set where one is made:
 * the VM calls it through here, so a bundle that makes none (the small import) does not carry it.
 */
export const UNSTARTED: {
  start: ((m: import("./machine.js").Machine, k: Continuation, from: Segment | null) => void) | null;
  /** the TypeError for transferWith(k, …) of an unstarted k (execute.ts terminal) */
  notStarted: (() => TypeError) | null;
} = { start: null, notStarted: null };

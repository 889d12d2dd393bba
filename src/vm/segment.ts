/**
 * Frames, segments, invocations and unwinding jobs (SEMANTICS §2.1, §5).
 *
 * Invariant (INV-8): only prompt segments ever change `caller` (capture detaches a prompt; resume,
 * transfer, pass and finalize attach one). So `firstPrompt` — the nearest prompt at or below a
 * segment — is fixed at creation, and handler search visits prompts only, never frames.
 */
import type { Continuation } from "./continuation.js";
import type { Handler } from "./handler.js";

export const S_ROOT = 0;
export const S_BODY = 1;
export const S_PROMPT = 2;
export const S_HANDLER = 3;
export const S_FINALIZER = 4;
export const SEGMENT_KINDS = ["root", "body", "prompt", "handler", "finalizer"] as const;

/** One generator being driven by the machine. */
export class Frame {
  gen: Generator<unknown, unknown, unknown>;
  started: boolean;
  /** Program name for getCallStack/tracebacks; null for library-internal frames (omitted). */
  name: string | null;
  program: unknown;
  /** The unwinding job closing this frame, if any (§5). */
  closing: Job | null;
  /** Trace: where the frame's current yield happened (an Error whose stack is parsed on failure). */
  site: Error | null;
  /** Trace: a hidden frame that marks a boundary (e.g. "in task 3 (spawned at a.ts:9)"). */
  label: string | null;
  constructor(gen: Generator<unknown, unknown, unknown>, name: string | null, program: unknown) {
    this.gen = gen;
    this.started = false;
    this.name = name;
    this.program = program;
    this.closing = null;
    this.site = null;
    this.label = null;
  }
}

export class Segment {
  readonly frames: Frame[];
  caller: Segment | null;
  readonly kind: number;
  readonly invocation: Invocation | null;
  readonly firstPrompt: Segment | null;
  /** prompt: the handler of its withHandler */
  readonly handler: Handler | null;
  /** finalizer: its job and pending outcome */
  job: Job | null;
  pending: unknown;
  pendingIsError: boolean;
  /** finalizer of a nested finalization inside an unwinding: the outer job to continue */
  resumeJob: Job | null;
  constructor(kind: number, caller: Segment | null, invocation: Invocation | null, handler: Handler | null) {
    this.frames = [];
    this.caller = caller;
    this.kind = kind;
    this.invocation = invocation;
    this.handler = handler;
    this.firstPrompt = kind === S_PROMPT ? this : caller === null ? null : caller.firstPrompt;
    this.job = null;
    this.pending = undefined;
    this.pendingIsError = false;
    this.resumeJob = null;
  }
}

/** One call of a handler for one effect. */
export class Invocation {
  readonly handler: Handler;
  readonly effect: unknown;
  readonly k: Continuation;
  readonly prompt: Segment;
  /** the handler segment */
  hs: Segment | null;
  /** the perform site (k.top) and the chain outside the prompt when captured, for getHandlers */
  readonly site: Segment;
  readonly outer: Segment | null;
  ended: boolean;
  /** trace: the dispatch record this invocation belongs to */
  record: unknown;
  constructor(
    handler: Handler,
    effect: unknown,
    k: Continuation,
    prompt: Segment,
    site: Segment,
    outer: Segment | null,
  ) {
    this.handler = handler;
    this.effect = effect;
    this.k = k;
    this.prompt = prompt;
    this.hs = null;
    this.site = site;
    this.outer = outer;
    this.ended = false;
    this.record = null;
  }
}

export const J_FINALIZE = 0; // finalize a continuation (explicit or on invocation end)
export const J_CLOSE = 1; // close an invocation before a terminal primitive (transfer, transferWith, pass)

/** An unwinding job (§5): closes frames innermost first, recording the first error a finally throws. */
export class Job {
  readonly kind: number;
  hasError: boolean;
  error: unknown;
  /** J_CLOSE: the invocation being closed, and the primitive to perform afterwards */
  readonly inv: Invocation | null;
  readonly op: number;
  readonly k: Continuation | null;
  readonly arg: unknown;
  constructor(kind: number, inv: Invocation | null, op: number, k: Continuation | null, arg: unknown) {
    this.kind = kind;
    this.hasError = false;
    this.error = undefined;
    this.inv = inv;
    this.op = op;
    this.k = k;
    this.arg = arg;
  }
  record(e: unknown): void {
    if (!this.hasError) {
      this.hasError = true;
      this.error = e;
    }
  }
}

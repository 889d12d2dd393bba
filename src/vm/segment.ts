/**
 * Frames, segments, invocations and unwinding jobs (SEMANTICS §2.1, §5).
 *
 * Invariant (INV-8): only prompt segments ever change `caller` (capture detaches a prompt; resume,
 * transfer, pass and finalize attach one). So `firstPrompt` — the nearest prompt at or below a
 * segment — is fixed at creation, and handler search visits prompts only, never frames.
 */
import type { Continuation } from "./continuation.js";
import { FAST_PATH, type FastPath, type Handler, TAKES } from "./handler.js";
import type { Era } from "./eras.js";
import type { Machine } from "./machine.js";
import { S_HANDLER, S_PROMPT } from "./codes.js";

export const SEGMENT_KINDS = ["root", "body", "prompt", "handler", "finalizer"] as const;

/** A boundary's traceback label, made only when a traceback is (a Reporter's). */
export interface FrameLabel {
  frameLabel(): string;
  /**
   * What that label is made from, where `tracebackOf`'s entry for its line says more than the
   * text (trace/entries.ts LineFields: a stand-in task's); undefined for a plain line.
   */
  readonly lineFields?: unknown;
}

/**
 * What a body or prompt segment marked by `reported` (program.ts) hands its outcome to when it
 * returns or throws (finalize.ts, exitSegment): `exit` answers an effect to perform right there,
 * at that segment, instead of exiting — the answer to it is then the segment's outcome — or null
 * to exit as usual. Tracebacks show it as the boundary line `── frameLabel() ──` below the
 * segment's frames, where a frame driving a report would have been.
 */
export interface Reporter extends FrameLabel {
  exit(ok: boolean, value: unknown): unknown;
  /**
   * True for a computation of its own that something else runs (a scheduler's task): the segment's
   * caller is where that runner switched to it, not a caller of the body, so a traceback's chain
   * ends at its line. Else (a reported program called from a frame) the chain goes on to its caller.
   */
  readonly chainEnd?: boolean;
}

/** One generator being driven by the machine. */
export class Frame {
  declare gen: Generator<unknown, unknown, unknown>;
  /** the frame below this one in its segment (a segment's frames are a linked stack: see Segment.top) */
  declare prev: Frame | null;
  /** Program name for getCallStack/tracebacks; null for library-internal frames (omitted). */
  declare name: string | null;
  /**
   * A named frame: its Program (getCallStack). A hidden one (`name` null): the traceback label of a
   * boundary it marks (a `boundary(name, …)` program's name, a string), else null (read by
   * frame-lines.ts entriesOf). One field for both: a hidden frame's Program is never read, and a
   * field costs 8 B on every frame (a handler's frame per pending non-tail resume).
   */
  declare program: unknown;
  /** The unwinding job closing this frame, if any (§5). */
  declare closing: Job | null;
  /** Trace: where the frame's current yield happened (an Error whose stack is parsed on failure). */
  declare site: Error | null;
  /** `name` null: hidden; `program`: the label for a hidden frame or the Program of a named one */
  constructor(gen: Generator<unknown, unknown, unknown>, name: string | null, program: unknown) {
    this.gen = gen;
    this.prev = null;
    this.name = name;
    this.program = program;
    this.closing = null;
    this.site = null;
  }
}

/**
 * A segment of the chain. A handler segment (S_HANDLER) is also its invocation — one call of a
 * handler for one effect — so the fields a prompt only needs hold the invocation's there: a pending
 * non-tail resume keeps its invocation alive, and a separate `Invocation` object cost 72 B and an
 * allocation per handled effect. The invocation's fields are read through the accessors below
 * (`effect`, `k`, `era`, `outer`, `prompt`, `site`); code reading a prompt-only field must know it
 * has a prompt (search visits prompts only: firstPrompt, INV-8).
 */
export class Segment {
  /**
   * The top frame (null when the segment has none), the others linked below it by `prev`. A linked
   * stack, not an array: most segments hold zero or one frame (prompts, finalizers, a handler
   * segment), and an array cost 60 bytes more for one — per pending non-tail resume and per task.
   */
  declare top: Frame | null;
  declare caller: Segment | null;
  declare readonly kind: number;
  /** the handler segment (the invocation) this segment runs in, or null; a handler segment's: itself */
  declare readonly invocation: Invocation | null;
  declare readonly firstPrompt: Segment | null;
  /** prompt: the handler of its withHandler; handler segment: the handler invoked */
  declare readonly handler: Handler | null;
  /**
   * finalizer: its job (which holds the pending outcome). Body or prompt: its Reporter, or null —
   * one field for both (a field is 8 B on every segment; a task start then needs no report frame).
   * Handler segment: the prompt its last `delegate()` went to, or null (`delegatedTo`).
   */
  declare job: Job | Reporter | Segment | null;
  /**
   * prompt: the prototypes of its handler's TAKES classes, or null (then `handles` decides).
   * Handler segment: the effect (`effect`).
   */
  declare takes: readonly object[] | null;
  /** prompt: its handler's FAST_PATH hook, read once when the prompt is made. Handler segment: `k`. */
  declare fast: FastPath | undefined;
  /**
   * prompt: the handler-search skip cache (see dispatch.ts). Handler segment: the era the effect was
   * performed in, for getHandlers (eras.ts), null once the invocation ended (`era`).
   */
  declare cache: SearchCache | null;
  /**
   * prompt: its caller when a capture last detached it. getHandlers walks the chain as it was at a
   * perform site; a prompt detached since (captured, and maybe never resumed) is passed through here,
   * and `link` compares it with the prompt's new caller (eras.ts). Handler segment: its parked
   * frame's generator, or null (see `unpark`).
   */
  declare detachedFrom: Segment | null;
  constructor(kind: number, caller: Segment | null, invocation: Invocation | null, handler: Handler | null) {
    this.top = null;
    this.caller = caller;
    this.kind = kind;
    this.invocation = kind === S_HANDLER ? this : invocation;
    this.firstPrompt = kind === S_PROMPT ? this : caller === null ? null : caller.firstPrompt;
    this.handler = handler;
    this.job = null;
    this.takes = kind === S_PROMPT && handler !== null ? takesOf(handler) : null;
    this.fast = kind === S_PROMPT && handler !== null ? fastOf(handler) : undefined;
    this.cache = null;
    this.detachedFrom = null;
  }

  // ---- a handler segment's invocation (kind S_HANDLER only) ----

  /** the effect the handler was invoked for */
  get effect(): unknown {
    return this.takes;
  }
  /**
   * The prompt that took the effect this invocation last handed on with `delegate()` (its own
   * effect, not another one it delegated), or null. For
   * its traceback line when the handler throws after the answer came back: that handler was
   * reached (it answered), not `·`.
   */
  get delegatedTo(): Segment | null {
    return this.job as Segment | null;
  }
  /** the invocation's continuation */
  get k(): Continuation {
    return this.fast as unknown as Continuation;
  }
  /**
   * The era the effect was performed in, for getHandlers (eras.ts); null once the invocation ended.
   * One field for both: a pending non-tail resume keeps an invocation alive, and a field costs 8 B.
   */
  get era(): Era | null {
    return this.cache as unknown as Era | null;
  }
  set era(e: Era | null) {
    this.cache = e as unknown as SearchCache | null;
  }
  /**
   * The chain outside the prompt when captured, for getHandlers: the handler segment's caller, which
   * never changes (INV-8: only prompts change caller).
   */
  get outer(): Segment | null {
    return this.caller;
  }
  /**
   * The handling prompt and the perform site: k's bottom and top, which never change for a captured
   * continuation (derived, to keep the per-invocation footprint small — non-tail resumes keep one
   * invocation alive per effect).
   */
  get prompt(): Segment {
    return this.k.bottom!;
  }
  get site(): Segment {
    return this.k.top!;
  }
}

/**
 * A parked frame (a handler segment's `detachedFrom`, when not null): the generator of the handler
 * segment's one frame, held there instead of a Frame while the segment's `top` is null. A handler
 * suspended in `yield* resume(k, v)` waits for as long as the resumed computation runs (a non-tail
 * resume per effect in a loop keeps one such handler per effect), and its Frame was 72 B holding
 * nothing but the generator. It is parked (resume.ts resumeK, dispatch.ts invokeTail) only when it
 * is the segment's only frame, hidden and unlabelled (`name` and `program` null) and not closing,
 * and the run has no step tracer (whose lines count frames), so `unpark` makes the same frame again
 * (a hidden frame's `site` is never read). That happens when the machine next acts on the segment: an
 * Unwind through it (machine.ts stepUnwind: the "no top frame" branch), or a Deliver or Throw into
 * it that leaves the generator suspended again (stepParked: when it returns or throws — at once,
 * for `return yield* resume(k, v)` — no frame is made; the two "no top frame" branches are the
 * only places where an empty segment is acted on). Everything else that reads frames sees none
 * for a hidden frame (tracebacks, getCallStack), so parked or not is the same to it.
 */
export function unpark(hs: Segment): Frame {
  const f = new Frame(hs.detachedFrom as unknown as Generator<unknown, unknown, unknown>, null, null);
  hs.detachedFrom = null;
  hs.top = f;
  return f;
}

/**
 * One call of a handler for one effect: its handler segment (S_HANDLER), the handler's frames on it.
 * Made only here (and by nothing else: `new Segment(S_HANDLER, …)` gives no effect, k or era).
 */
export type Invocation = Segment;

/** Start an invocation of `h` for effect `e` with continuation `k`, performed in `era`, below `outer`. */
export function newInvocation(
  h: Handler,
  e: unknown,
  k: Continuation,
  outer: Segment | null,
  era: Era,
): Invocation {
  const hs = new Segment(S_HANDLER, outer, null, h);
  hs.takes = e as readonly object[] | null;
  hs.fast = k as unknown as FastPath;
  hs.cache = era as unknown as SearchCache;
  return hs;
}

/** A handler's FAST_PATH hook, or undefined (also for a malformed one). Never throws. */
function fastOf(h: Handler): FastPath | undefined {
  try {
    const f = h[FAST_PATH];
    return typeof f === "function" ? f : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A handler's TAKES declaration as the classes' prototypes, read once when its prompt is made (so
 * dispatch compares prototypes instead of running a megamorphic `instanceof`). null when it has none
 * or it is malformed (then `handles` decides, as always). Never throws.
 *
 * The result is shared, never written: kept per TAKES value (the class, or the array of classes) and
 * handed out again while every class still has the same prototype. A task spawned inside handlers
 * makes a prompt per handler at each start, alternating declarations, so a one-entry memory missed
 * and each prompt kept its own array (~70 B per prompt of every waiting task).
 */
function takesOf(h: Handler): readonly object[] | null {
  try {
    const t: unknown = h[TAKES];
    if (typeof t !== "function" && !Array.isArray(t)) return null; // none (undefined) or malformed
    let protos = t === lastTakes ? lastProtos : protosByTakes.get(t);
    if (protos == null || !sameProtos(t, protos)) {
      protos = protosOf(t);
      if (protos === null) return null;
      protosByTakes.set(t, protos);
    }
    lastTakes = t;
    return (lastProtos = protos);
  } catch {
    return null;
  }
}
/** takesOf's results by TAKES value, and its last one (read-only once made: shared by prompts) */
const protosByTakes = new WeakMap<object, readonly object[]>();
let lastTakes: unknown;
let lastProtos: readonly object[] | null = null;

/** Do the classes of TAKES value `t` still have the prototypes `protos`? (may throw: a hostile Proxy) */
function sameProtos(t: object, protos: readonly object[]): boolean {
  if (typeof t === "function") return protos.length === 1 && protoOf(t) === protos[0];
  const a = t as readonly unknown[];
  let i = 0;
  while (i < a.length && protoOf(a[i]) === protos[i]) i++;
  return i === protos.length && i === a.length;
}

/**
 * The prototypes of a TAKES class or array of classes, or null if one is not a class. Read by index
 * into an exact-size array of our own (not the declaration's `slice`, which an Array subclass may
 * override: the result is shared by every prompt made from the declaration).
 */
function protosOf(t: object): readonly object[] | null {
  const a = (typeof t === "function" ? [t] : t) as readonly unknown[];
  const n = a.length;
  const protos = new Array<object>(n);
  for (let i = 0; i < n; i++) {
    const proto = protoOf(a[i]);
    if (proto === null) return null;
    protos[i] = proto;
  }
  return protos;
}

/** A class's prototype object, or null when `c` is not a class. May throw (a hostile Proxy). */
function protoOf(c: unknown): object | null {
  const proto = typeof c === "function" ? (c as { prototype?: unknown }).prototype : undefined;
  return proto !== null && typeof proto === "object" ? proto : null;
}

/**
 * Has a handler-search walk gone past prompt `p` in this epoch, so that a cache can depend on its
 * caller? (eras.ts `link`; dispatch.ts, the search-cache invariant: such a prompt holds a cache of
 * the epoch, its own or the shared mark, and only such a prompt does.)
 */
export function walkedPast(m: Machine, p: Segment): boolean {
  const c = p.cache;
  return c !== null && c.epoch === m.linkEpoch;
}

/**
 * Handler search cache, kept on the first prompt a search starts from: for effects whose prototype
 * is key i, the prompts before skip i all have class-based handlers (TAKES) that decline them.
 * Valid while the machine's link epoch is `epoch` (bumped when a prompt that a valid entry's walk
 * went past is linked below other prompts than it was captured from: dispatch.ts, eras.ts `link`), so a
 * fixed stack of `handle(Other, …)` handlers costs one check per effect instead of one per handler.
 * Four entries, since programs interleave effect classes (get/put). Fields, not three arrays: ~110 B
 * instead of ~300 B, and every task spawned inside handlers makes one on its innermost prompt.
 */
export class SearchCache {
  declare k0: unknown;
  declare k1: unknown;
  declare k2: unknown;
  declare k3: unknown;
  declare s0: Segment | null;
  declare s1: Segment | null;
  declare s2: Segment | null;
  declare s3: Segment | null;
  /**
   * bit i: skip i is a class-based handler that takes key i (a hit needs no further check); and the
   * flags SC_LONG and SC_SHARED above, kept by `add`
   */
  declare found: number;
  declare epoch: number;
  declare next: number;
  constructor(epoch: number) {
    this.k0 = undefined;
    this.k1 = undefined;
    this.k2 = undefined;
    this.k3 = undefined;
    this.s0 = null;
    this.s1 = null;
    this.s2 = null;
    this.s3 = null;
    this.found = 0;
    this.epoch = epoch;
    this.next = 0;
  }
  /** The prompt cached for `proto` when it is a class-based taker of it, else null. */
  taker(proto: unknown): Segment | null {
    const f = this.found;
    if (this.k0 === proto) return f & 1 ? this.s0 : null;
    if (this.k1 === proto) return f & 2 ? this.s1 : null;
    if (this.k2 === proto) return f & 4 ? this.s2 : null;
    if (this.k3 === proto) return f & 8 ? this.s3 : null;
    return null;
  }
  /** The prompt cached for `proto` (null: no handler takes it), or undefined when not cached. */
  skip(proto: unknown): Segment | null | undefined {
    if (this.k0 === proto) return this.s0;
    if (this.k1 === proto) return this.s1;
    if (this.k2 === proto) return this.s2;
    if (this.k3 === proto) return this.s3;
    return undefined;
  }
  /** Cache `skip` for `proto` (round robin over the four entries). */
  add(proto: unknown, skip: Segment | null): void {
    const i = this.next;
    this.next = (i + 1) & 3;
    const bit = 1 << i;
    // the search stopped there because a class-based handler takes proto
    this.found = skip !== null && skip.takes !== null ? this.found | bit : this.found & ~bit;
    if (i === 0) {
      this.k0 = proto;
      this.s0 = skip;
    } else if (i === 1) {
      this.k1 = proto;
      this.s1 = skip;
    } else if (i === 2) {
      this.k2 = proto;
      this.s2 = skip;
    } else {
      this.k3 = proto;
      this.s3 = skip;
    }
  }
}

/**
 * One-hop answers of the handler search (dispatch.ts search), shared by every prompt and run: for
 * a prompt whose TAKES prototypes are `hopInner` (takesOf: one array per declaration) and whose next
 * prompt out has `hopOuter`, effect prototypes the first declines and the second takes. An answer of
 * the two declarations alone (handler.ts TAKES: "the answer depends only on the effect's class"),
 * so it holds for any two prompts so declared, whatever their links: no epoch, and no prompt is
 * marked walked past (dispatch.ts, the search-cache invariant: it is about cache entries). Kept for
 * the last pair answered so, eight prototypes round robin. (A task started inside handlers gets
 * prompts of its own — its clock's inside its scheduler's under `[scheduler, realTime]` — and its
 * first scheduler effect made a SearchCache, ~110 B, to skip one prompt.)
 */
export let hopInner: readonly object[] | null = null;
export let hopOuter: readonly object[] | null = null;
/** the prototypes, round robin from hopNext */
export const hopKeys: unknown[] = [];
let hopNext = 0;

/** Remember that `inner` declines `proto` and prompt `q`'s handler (class-based) takes it; → q. */
export function hopAdd(inner: readonly object[], q: Segment, proto: unknown): Segment {
  const outer = q.takes;
  if (inner !== hopInner || outer !== hopOuter) {
    hopInner = inner;
    hopOuter = outer;
    hopKeys.length = hopNext = 0;
  }
  hopKeys[hopNext] = proto;
  hopNext = (hopNext + 1) & 7;
  return q;
}

/** An unwinding job (§5): closes frames innermost first, recording the first error a finally throws. */
export class Job {
  declare readonly kind: number;
  declare hasError: boolean;
  declare error: unknown;
  /** J_CLOSE: the invocation being closed, and the primitive to perform afterwards */
  declare readonly inv: Invocation | null;
  declare readonly op: number;
  declare readonly k: Continuation | null;
  declare readonly arg: unknown;
  /** J_FINALIZE: the outcome its finalizer delivers when done (§5.2), or the outer job to go on with */
  declare pending: unknown;
  declare pendingIsError: boolean;
  declare resumeJob: Job | null;
  constructor(kind: number, inv: Invocation | null, op: number, k: Continuation | null, arg: unknown) {
    this.kind = kind;
    this.hasError = false;
    this.error = undefined;
    this.inv = inv;
    this.op = op;
    this.k = k;
    this.arg = arg;
    this.pending = undefined;
    this.pendingIsError = false;
    this.resumeJob = null;
  }
  record(e: unknown): void {
    if (!this.hasError) {
      this.hasError = true;
      this.error = e;
    }
  }
}

/** Push `f` on `seg`. (Pop: `seg.top = f.prev`, where `f` is its top frame.) */
export function pushFrame(seg: Segment, f: Frame): void {
  f.prev = seg.top;
  seg.top = f;
}

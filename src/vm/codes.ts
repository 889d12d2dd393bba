/**
 * The VM's small-integer codes: brands, program kinds, primitive ops, segment kinds, search-cache
 * flags and unwinding-job kinds. A module of their own that imports nothing and runs nothing, so a
 * bundler inlines them: esbuild replaces an imported `const` by its value only when its module is
 * outside every import cycle and the const comes before any top-level code that may have side
 * effects — brand.ts, program.ts, primitives.ts and segment.ts are each one or the other, and there
 * every use read a variable (~600 B minified in the small import). The limits below are here for
 * the same reason.
 */

/** Brands (brand.ts): what a library value is, read with one property load. */
export const B_EFFECT = 1;
export const B_PROGRAM = 2;
export const B_PRIMITIVE = 3;
export const B_CONTINUATION = 4;

/** Program kinds (program.ts). */
export const P_GEN = 0; // fn(...args)
export const P_PURE = 1; // value
export const P_MAP = 2; // source.map(f)
export const P_FLATMAP = 3; // source.flatMap(f)
export const P_LIFT = 4; // Effect or Primitive as a one-step program
export const P_GENOBJ = 5; // a raw generator object (top level of run only); one-shot
export const P_INTERNAL = 6; // like P_GEN, but a library-internal frame (omitted from call stacks)
export const P_REPORT = 7; // `a` (a Reporter) started, its body run with its outcome reported (one-shot)
export const P_GEN1 = 8; // fn(b): P_GEN of one argument, held inline (no arguments array)

/** Primitive ops (primitives.ts; their names in OP_NAMES there). */
export const OP_WITH_HANDLER = 0;
export const OP_RESUME = 1;
export const OP_TRANSFER = 2;
export const OP_TRANSFER_WITH = 3;
export const OP_DISCONTINUE = 4;
export const OP_PASS = 5;
export const OP_DELEGATE = 6;
export const OP_GET_CONTINUATION = 7;
export const OP_GET_HANDLERS = 8;
export const OP_CREATE_CONTINUATION = 9;
export const OP_RESUME_CONTINUATION = 10;
export const OP_DETACH = 11;
export const OP_FINALIZE = 12;
export const OP_GET_CALL_STACK = 13;
export const OP_GET_RUN_CONTEXT = 14;
export const OP_ASYNC_ESCAPE = 15;
export const OP_CALL_GEN = 16;
export const OP_ORIGIN = 17;
export const OP_CLOSING_REASON = 18;

/** Segment kinds (segment.ts; their names in SEGMENT_KINDS there). */
export const S_ROOT = 0;
export const S_BODY = 1;
export const S_PROMPT = 2;
export const S_HANDLER = 3;
export const S_FINALIZER = 4;

/** SearchCache.found flag: an entry's walk went past LONG_WALK prompts or more (dispatch.ts) */
export const SC_LONG = 16;
/** SearchCache.found flag: the shared mark of prompts without a cache of their own (dispatch.ts passMark) */
export const SC_SHARED = 32;

/** Unwinding-job kinds (segment.ts Job). */
export const J_FINALIZE = 0; // finalize a continuation (explicit or on invocation end)
export const J_CLOSE = 1; // close an invocation before a terminal primitive (transfer, transferWith, pass)

/** A handler-search walk of this many prompts or more is worth keeping the cache it made across a task switch (dispatch.ts). */
export const LONG_WALK = 8;
/** Effects a FAST_PATH handler answers inside one step (machine.ts, stepResume's fast lane). */
export const FAST_LANE = 64;
/** Re-throw chains a traceback keeps at each end (origin.ts: a chain of 100,000 waiting tasks would print them all). */
export const OUTER_KEEP = 3;
/** Entries a traceback's chain keeps at each end, the rest counted as skipped (walk.ts Collector). */
export const KEEP = 40;
/** runAsync yields to the event loop after this many steps or milliseconds (run.ts, SEMANTICS §7) … */
export const YIELD_STEPS = 10_000;
export const YIELD_MS = 5;
/** … and reads the clock about every this many steps. */
export const CHECK_STEPS = 1_000;
/** … and, while it only awaits (promises that may have settled already), every this many awaits. */
export const AWAIT_CHECK = 64;

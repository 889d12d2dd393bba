/**
 * The handler protocol (SEMANTICS §1): a function `(effect, k) => Generator | ProgramLike`, optionally
 * carrying `handles(effect) => boolean` and a fast-path hook.
 */
import type { Continuation } from "./continuation.js";

/**
 * The call signature, declared method-style so a handler's effect parameter is bivariant: a list of
 * handlers of different effect types (`[state, writer]`) is then usable where one is expected.
 */
type HandlerCall<H> = {
  bivarianceHack(effect: H, k: Continuation<any, any>): HandlerResult;
}["bivarianceHack"];

/** The key of BodyResult's brand (type only: no such value exists). */
declare const BODY_RESULT: unique symbol;

/**
 * What `resume(k, v)` (and `discontinue`) evaluates to in a handler made by `handle(C, f)`: the
 * result of the computation `k` continues — the withHandler's result, which `handle` cannot know
 * (the same handler is installed around bodies of any type). Opaque, so that `withHandler` can tell
 * it apart in what the handler returns: `return yield* resume(k, v)` hands the body's result on and
 * adds nothing to withHandler's type, while `return null` adds `null`. To compute with it, cast it
 * (`as number`: a claim about the bodies the handler is installed around); to inspect it at run
 * time, widen it first (`const r: unknown = yield* resume(k, v)`), since `typeof` does not narrow it.
 */
export interface BodyResult {
  readonly [BODY_RESULT]?: "the handled body's result: cast it to use it, or return it unchanged";
}

/** `X` without BodyResult (by identity: `{}` or `object`, which BodyResult is assignable to, stay). */
export type WithoutBodyResult<X> = X extends unknown
  ? (<T>() => T extends X ? 1 : 2) extends <T>() => T extends BodyResult ? 1 : 2
    ? never
    : X
  : never;

/** What a handler function may return: a generator (the usual `function*`) or a ProgramLike. */
export type HandlerResult =
  | Generator<unknown, unknown, unknown>
  | { [Symbol.iterator](): Iterator<unknown, unknown, unknown> };

/**
 * A handler taking effects `H` (API §7: withHandler subtracts them from the body's row) and itself
 * performing effects `Em` (added to the row: a handler's effects go to handlers outside it). `Ret`
 * is what an invocation may return as the `withHandler`'s result in place of the body's (a handler
 * that ends without resuming `k`: `return null`); withHandler adds it to the result type. The
 * default `Handler` is open: it may take any effect, so it subtracts everything; its `Ret` is
 * `never` (not known: a handler typed by hand claims no result of its own).
 */
export interface Handler<H = any, Em = never, Ret = never> extends HandlerCall<H> {
  /** Phantom: the effects the handler's own code performs. Never set at run time. */
  readonly __emits?: Em;
  /**
   * Phantom: what the handler may return in place of the body's result. Never set at run time. A
   * method, so that `Ret` is bivariant: a handler returning `null` is still a `Handler<Fail>` (the
   * annotation forgets its result, as before `Ret` existed) and a `Handler[]` list holds it.
   */
  __returns?(value: Ret): void;
  /** When present and false, the handler is skipped as if it had called `pass()` at once. */
  handles?: ((effect: unknown) => boolean) | undefined;
  /** Optional: the classes it takes (see TAKES). */
  [TAKES]?: Function | readonly Function[] | undefined;
  /** Optional: hide this handler's invocations from traceback chains (see TRACE_QUIET). */
  [TRACE_QUIET]?: boolean | undefined;
  /** Optional fast path (see FAST_PATH). */
  [FAST_PATH]?: FastPath | undefined;
}

/**
 * The generic fast-path hook. A handler may carry `handler[FAST_PATH] = (effect, ctx) => answer`:
 * when the handler is selected for `effect`, the VM calls the hook first. Returning a value behaves
 * exactly like the handler doing `transfer(k, value)`; throwing behaves like `transferWith(k, throwing)`
 * (the error is thrown at the perform site); returning `DEFER` runs the handler function normally.
 * No continuation is captured and no handler frame is pushed, so the hook must be observably
 * identical to the generator it shortcuts (INV-10). Any handler may use it; the VM names none.
 * Like TAKES, it is read once, when the handler is installed (withHandler).
 */
export const FAST_PATH: unique symbol = Symbol("doeff.fastPath");
/** Returned by a FAST_PATH hook to run the handler function normally for this effect. */
export const DEFER: unique symbol = Symbol("doeff.defer");

/**
 * @internal Set by a FAST_PATH hook just before it returns DEFER, to decline the effect *at this
 * prompt* after all: the search goes on outward from the prompt, exactly as if this prompt's handler
 * did not take the effect (its code is not run). For a handler installed a second time inside its
 * own scope (the scheduler: `reinstalled`), so that the inner installation is transparent. A flag on
 * the DEFER answer, not an answer of its own, so the hot path of a value answer is unchanged.
 */
export const SITE_PASS: { on: boolean } = { on: false };

/**
 * @internal A FAST_PATH answer that continues `k` (unused, captured up to a prompt of the same
 * handler) with `value` instead of the performer — what the handler doing
 * `return yield* transfer(k, value)` does (a scheduler switching tasks), without the invocation.
 * The performer's continuation is dropped (a finished task), or, when `keep` is set, captured into
 * `keep.k` as the handler's own `k` would have been (a task that blocks). One shared object,
 * recognised by identity (an answer may be a hostile Proxy: no instanceof); the hook sets the fields
 * just before returning it (as `switchAnswer()`) and the VM takes them at once.
 *
 * With `k` null it *starts* a computation instead — what transferring into the unstarted
 * continuation `createContinuation(reported(reporter), handlers)` does when the reporter gives
 * `body` to start — without the continuation or the program: the prompts of `handlers` (innermost
 * first) are made where the invocation would have run, the innermost marked with `reporter` (it
 * has started: it must expect the outcome of `body` next), and `body` is called on it. (A
 * scheduler's task start: `reporter` is the task.) `wrap` (innermost first, or null) are handlers
 * `body` runs under, as if it were `withHandler(wrap[n-1], … withHandler(wrap[0], body))`: their
 * prompts are made on top of the marked one, with `body` on the innermost of them (a task spawned
 * inside handlers).
 */
export const SITE_SWITCH: {
  /**
   * The function the VM calls, with the machine, the taking prompt, the effect and the perform site
   * (set by the answer's maker, taken at once): the switch described above (site-answers.ts
   * `switchAnswer`), a wait for the driver at the site (`awaitAnswer`, there too), or a program
   * called at the site, as the handler's `transferWith(k, program)` would (call-at-site.ts
   * `callAtSiteAnswer`). Kept out of the VM core, which only calls it.
   */
  call:
    | ((
        m: import("./machine.js").Machine,
        p: import("./segment.js").Segment,
        e: unknown,
        site: import("./segment.js").Segment,
      ) => void)
    | null;
  k: import("./continuation.js").Continuation | null;
  value: unknown;
  keep: { k: import("./continuation.js").Continuation | null } | null;
  reporter: import("./segment.js").Reporter | null;
  body: unknown;
  handlers: readonly unknown[] | null;
  wrap: readonly unknown[] | null;
} = {
  call: null,
  k: null,
  value: undefined,
  keep: null,
  reporter: null,
  body: undefined,
  handlers: null,
  wrap: null,
};

/**
 * `handler[TAKES] = EffectClass | EffectClass[]` declares that the handler takes exactly the
 * instances of those classes; it then replaces `handles` (keep the two consistent). Because the
 * answer depends only on the effect's class, the VM may cache "this handler declines effects of
 * class C" and skip such handlers in O(1). `handle(C, f)` and the standard handlers set it.
 */
export const TAKES: unique symbol = Symbol("doeff.takes");

/**
 * A handler carrying `handler[TRACE_QUIET] = true` is left out of the program chain in tracebacks
 * (it still appears in an effect's visit list). For infrastructure handlers whose invocations are
 * always on the chain, such as a scheduler resuming its main task.
 */
export const TRACE_QUIET: unique symbol = Symbol("doeff.traceQuiet");
/** The signature of a FAST_PATH hook: answer the effect, throw, or return DEFER. */
export type FastPath = (
  effect: any,
  ctx: import("../run/context.js").RunContext,
  // the perform site and the taking prompt, opaque (for the library's own hooks: handlersInside)
  site?: unknown,
  prompt?: unknown,
) => unknown;

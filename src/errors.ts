/**
 * Library errors (SEMANTICS §6, API §6). Every message says what happened and what to do.
 * User errors are never wrapped: these classes are only for conditions the library detects.
 */
import { className, describe, TWO_COPIES } from "./vm/brand.js";
import { TAKES } from "./vm/handler.js";

/**
 * The base class of every error doeff itself throws. Catch it to handle any library error; errors
 * your own code throws are never wrapped. The table of causes and fixes is in docs/errors.md.
 */
export class DoeffError extends Error {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName: string = "DoeffError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The fields these constructors fill are set by Reflect.set, not `this.name = …`: where a
    // subclass overrode one with a getter alone (or a read-only value), that stands and the set is
    // skipped (it returns false), where an assignment threw a TypeError out of this constructor
    // (`class E extends DoeffError { get name() { … } }`). TypeScript forbids overriding a property
    // with an accessor; JS and `any` do not. A setter the subclass wrote still runs (and may throw:
    // that is its own code).
    Reflect.set(this, "name", className(new.target));
  }
}

/** `key` as it would be written in an object literal: bare when an identifier, else quoted. */
function literalKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function effectName(effect: unknown): string {
  let ctor: unknown;
  try {
    ctor = (effect as { constructor?: unknown } | null)?.constructor;
  } catch {
    // a hostile effect (a throwing `constructor` getter): the message is still made, unnamed
  }
  return className(ctor) || describe(effect);
}

/** The effect class's own account of why it went unhandled (see SchedulerEffect), or null. Never throws. */
function unhandledHintOf(effect: unknown): string | null {
  try {
    const c = (effect as { constructor?: { unhandledHint?: unknown } } | null)?.constructor;
    const f = c?.unhandledHint;
    return typeof f === "function" ? ((f as (e: unknown) => string | null)(effect) ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * A phrase for messages that the effect's class keeps in a static string, or null. Never throws.
 * `standardHandler`: the standard handler that answers it (inherited: every SchedulerEffect says
 * "scheduler"); `performedBy`: who performs it besides the program's own code (the scheduler's
 * effects, which `all` or `timeout` perform for a program that never wrote `Spawn`).
 */
function classPhrase(effect: unknown, key: "standardHandler" | "performedBy"): string | null {
  try {
    const c = (effect as { constructor?: Record<string, unknown> } | null)?.constructor;
    const v = c?.[key];
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}

/**
 * The handlers among `handlers` made by another copy of doeff, described: the standard handlers and
 * those of `handle`/`answer` carry that copy's own TAKES symbol (same description, another symbol).
 * They take only that copy's effect classes, so with two copies loaded `state` from a library's copy
 * declined this copy's `get` and the message said to add `state`, which the list had. Never throws.
 */
function otherCopies(handlers: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const h of handlers)
    try {
      if (Object.getOwnPropertySymbols(h).some((s) => s !== TAKES && s.description === "doeff.takes"))
        out.push(describe(h));
    } catch {}
  return out;
}

/**
 * No installed handler takes an effect (also: `pass()`/`delegate()` found none further out). Thrown
 * at the perform site; `handlers` lists the handlers that were visible there, innermost first. Fix:
 * install a handler for the effect (`run(p, { handlers: [...] })` or `withHandler`).
 */
export class UnhandledEffectError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "UnhandledEffectError";
  declare readonly effect: unknown;
  declare readonly handlers: readonly unknown[];
  constructor(effect: unknown, handlers: readonly unknown[] = [], context = "") {
    const name = effectName(effect);
    const standard = classPhrase(effect, "standardHandler");
    const hint = unhandledHintOf(effect);
    const by = classPhrase(effect, "performedBy");
    const others = otherCopies(handlers);
    super(
      `no handler takes ${name}${context}` +
        (handlers.length === 0
          ? context === ""
            ? "; no handlers are installed here"
            : ""
          : `; ${handlers.length} visible handler(s) declined it`) +
        (others.length > 0
          ? `, among them ${others.join(", ")} from another copy of doeff, whose handlers take only its own effects ${TWO_COPIES}`
          : "") +
        (hint !== null
          ? `. ${hint}`
          : standard !== null
            ? `. ${name} is answered by the standard handler ${standard}: ${
                context === ""
                  ? "add it to the run's handlers"
                  : "install it outside that handler (in run's handlers, list it before the handler)"
              }${by === null ? "" : `. ${by}`}`
            : handlers.length === 0
              ? `. Install one ${context === "" ? "" : "further out "}with withHandler(handler, program) or run(program, { handlers: [...] })`
              : `. Install a handler for ${name} (e.g. handle(${name}, ...)) around the code that performs it`),
    );
    Reflect.set(this, "effect", effect);
    // not enumerable: Node prints an error's own enumerable properties, its uncaught-error report
    // without any hook (below), and each handler showed its internals (TAKES lists, fast paths)
    if (Reflect.set(this, "handlers", handlers) && Object.hasOwn(this, "handlers"))
      Object.defineProperty(this, "handlers", { enumerable: false });
  }
}
// Node prints an error as its stack and then its own enumerable properties: `handlers` was one, each
// handler function with its symbol-keyed internals (TAKES lists, fast paths), a screenful that
// buried the effect. console.log and util.inspect show the stack, the effect as Node shows any
// object, and doeff's traceback once a run gave the error one (`doeffTrace`, whose last line, the
// message, the stack already shows: it says where the effect was performed, which the stack, ending
// in the machine's dispatch, does not; its effect line names the handlers that declined it). Node's report of an uncaught error
// calls no hook: the stack and `{ effect }` there. Without Node's `inspect` (chai's loupe calls
// the hook bare), the stack alone. Never throws.
Object.defineProperty(UnhandledEffectError.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(
    this: UnhandledEffectError,
    depth: number,
    options: object,
    inspect?: (v: unknown, o: object) => string,
  ): string {
    const line = `\n${this.name}: ${this.message}`;
    const head = this.stack ?? line.slice(1);
    if (typeof inspect !== "function") return head;
    try {
      const t: unknown = (this as { doeffTrace?: unknown }).doeffTrace;
      const tail = `\neffect: ${inspect(this.effect, { ...options, depth })}${
        typeof t === "string" ? `\n${t.endsWith(line) ? t.slice(0, -line.length) : t}` : ""
      }`;
      return head + tail.replaceAll("\n", "\n  ");
    } catch {
      return head;
    }
  },
});

/**
 * A one-shot continuation was used twice (resumed, transferred, discontinued, finalized), or used
 * after `pass()` handed it on. Thrown at the second use, which changes nothing.
 */
export class ContinuationConsumedError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "ContinuationConsumedError";
  constructor(what = "continuation", why?: string) {
    super(
      why === undefined
        ? `this ${what} was already used (resumed, transferred, discontinued, passed or finalized); a continuation is one-shot. Keep the value it returned instead of resuming it twice`
        : `this ${what} was already used: ${why}`,
    );
  }
}

/**
 * A handler-only primitive (`transfer`, `transferWith`, `pass`, `delegate`, `getContinuation`,
 * `getHandlers`) was used outside a handler invocation, or a tail primitive from a `finally` block
 * of an invocation being closed; or a continuation was used by a run other than the one that
 * captured it (a later run, or a `run()` nested in a handler); or `getHandlers` was loaded during
 * the run, too late to know the handlers at the effect's perform site (import it before the run).
 */
export class HandlerContextError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "HandlerContextError";
}

/** `get(key)` of a key the state does not have. Fix: `put` it first or seed `run(p, { store })`. */
export class MissingStateKeyError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "MissingStateKeyError";
  declare readonly key: string;
  constructor(key: string) {
    super(
      `state has no key ${JSON.stringify(key)}; put() it first or seed it with run(p, { store: { ${literalKey(key)}: ... } })`,
    );
    Reflect.set(this, "key", key);
  }
}

/** `ask(key)` of a key the environment does not have. Fix: `run(p, { env })` or `local(patch, p)`. */
export class MissingEnvKeyError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "MissingEnvKeyError";
  declare readonly key: string;
  constructor(key: string) {
    super(
      `environment has no key ${JSON.stringify(key)}; pass it with run(p, { env: { ${literalKey(key)}: ... } }) or local({ ${literalKey(key)}: ... }, program)`,
    );
    Reflect.set(this, "key", key);
  }
}

/** A lazily evaluated environment value (a Program in `env`) needs itself to be evaluated. */
export class CircularAskError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "CircularAskError";
  declare readonly key: string;
  constructor(key: string) {
    super(
      `ask(${JSON.stringify(key)}) needs the lazy env value it is evaluating (a cycle); break the cycle between env programs`,
    );
    Reflect.set(this, "key", key);
  }
}

/**
 * Waiting for a cancelled task (`wait`, `gather`, `race`), or blocking inside a task that is being
 * cancelled. `cause` holds the first error a `finally` block of the cancelled task threw, if any.
 */
export class TaskCancelledError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "TaskCancelledError";
  declare readonly task: unknown;
  constructor(task: unknown, message?: string, options?: { cause?: unknown }) {
    super(message ?? `task was cancelled${task ? ` (${describe(task)})` : ""}`, options);
    Reflect.set(this, "task", task);
  }
}

/** Every task is blocked and nothing (timer, external promise) can wake one. */
export class DeadlockError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "DeadlockError";
  constructor(message = "deadlock: every task is blocked and nothing external or timed is pending") {
    super(message);
  }
}

/**
 * Work that needs the event loop (`awaitPromise`, `asyncEscape`, `realTime`'s `delay`, waiting for
 * external promises) reached the synchronous `run`. Fix: use `runAsync` (or `simulatedTime()`).
 */
export class AsyncRequiredError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "AsyncRequiredError";
  /** `otherwise`: a way to stay synchronous, when there is one (realTime's delay: a virtual clock) */
  constructor(what: string, otherwise?: string) {
    super(
      `${what} needs the event loop; use runAsync(program, options) instead of run()${otherwise === undefined ? "" : `, or ${otherwise}`}`,
    );
  }
}

/** A doeff promise was completed or failed a second time; a promise settles once. */
export class PromiseAlreadyCompletedError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "PromiseAlreadyCompletedError";
  constructor() {
    super("this promise was already completed or failed; a promise settles once");
  }
}

/** A bug in doeff itself: the machine's state is inconsistent. Ends the run at once. */
export class VMInternalError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "VMInternalError";
}

/** `timeout(program, ms)` (SEMANTICS §9.8): the program was still running after `ms` of clock time. */
export class TimeoutError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "TimeoutError";
  /** The deadline that passed, in milliseconds. */
  declare readonly ms: number;
  constructor(ms: number, what = "the program", fate = "it was cancelled and its finally blocks ran") {
    super(
      `${what} timed out after ${ms} ms (${fate}); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it`,
    );
    Reflect.set(this, "ms", ms);
  }
}

/** A channel was closed: `send` after (or blocked at) `close(ch)` (SEMANTICS §9.8). */
export class ChannelClosedError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "ChannelClosedError";
  constructor(message = "send on a closed channel; stop sending before close(ch), or check for the error") {
    super(message);
  }
}

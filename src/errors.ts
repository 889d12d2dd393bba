/**
 * Library errors (SEMANTICS §6, API §6). Every message says what happened and what to do.
 * User errors are never wrapped: these classes are only for conditions the library detects.
 */
import { describe } from "./vm/brand.js";

export class DoeffError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `key` as it would be written in an object literal: bare when an identifier, else quoted. */
function literalKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function effectName(effect: unknown): string {
  const ctor = (effect as { constructor?: { name?: string } } | null)?.constructor;
  return ctor?.name || describe(effect);
}

export class UnhandledEffectError extends DoeffError {
  readonly effect: unknown;
  readonly handlers: readonly unknown[];
  constructor(effect: unknown, handlers: readonly unknown[], context = "") {
    const name = effectName(effect);
    super(
      `no handler takes ${name}${context}` +
        (handlers.length === 0
          ? "; no handlers are installed here. Install one with withHandler(handler, program) or run(program, { handlers: [...] })"
          : `; ${handlers.length} visible handler(s) declined it. Install a handler for ${name} (e.g. handle(${name}, ...)) around the code that performs it`),
    );
    this.effect = effect;
    this.handlers = handlers;
  }
}

export class ContinuationConsumedError extends DoeffError {
  constructor(what = "continuation") {
    super(
      `this ${what} was already used (resumed, transferred, discontinued, passed or finalized); a continuation is one-shot. Keep the value it returned instead of resuming it twice`,
    );
  }
}

export class HandlerContextError extends DoeffError {}

export class MissingStateKeyError extends DoeffError {
  readonly key: string;
  constructor(key: string) {
    super(
      `state has no key ${JSON.stringify(key)}; put() it first or seed it with run(p, { store: { ${literalKey(key)}: ... } })`,
    );
    this.key = key;
  }
}

export class MissingEnvKeyError extends DoeffError {
  readonly key: string;
  constructor(key: string) {
    super(
      `environment has no key ${JSON.stringify(key)}; pass it with run(p, { env: { ${literalKey(key)}: ... } }) or local({ ${literalKey(key)}: ... }, program)`,
    );
    this.key = key;
  }
}

export class CircularAskError extends DoeffError {
  readonly key: string;
  constructor(key: string) {
    super(
      `ask(${JSON.stringify(key)}) needs the lazy env value it is evaluating (a cycle); break the cycle between env programs`,
    );
    this.key = key;
  }
}

export class TaskCancelledError extends DoeffError {
  readonly task: unknown;
  constructor(task: unknown, message?: string, options?: { cause?: unknown }) {
    super(message ?? `task was cancelled${task ? ` (${describe(task)})` : ""}`, options);
    this.task = task;
  }
}

export class DeadlockError extends DoeffError {
  constructor(message = "deadlock: every task is blocked and nothing external or timed is pending") {
    super(message);
  }
}

export class AsyncRequiredError extends DoeffError {
  constructor(what: string) {
    super(`${what} needs the event loop; use runAsync(program, options) instead of run()`);
  }
}

export class PromiseAlreadyCompletedError extends DoeffError {
  constructor() {
    super("this promise was already completed or failed; a promise settles once");
  }
}

/** A bug in doeff itself: the machine's state is inconsistent. Ends the run at once. */
export class VMInternalError extends DoeffError {}

/** `timeout(program, ms)` (SEMANTICS §9.8): the program was still running after `ms` of clock time. */
export class TimeoutError extends DoeffError {
  /** The deadline that passed, in milliseconds. */
  readonly ms: number;
  constructor(ms: number, what = "the program") {
    super(
      `${what} timed out after ${ms} ms (it was cancelled and its finally blocks ran); raise the limit, or catch TimeoutError (safe(timeout(p, ms))) to handle it`,
    );
    this.ms = ms;
  }
}

/** A channel was closed: `send` after (or blocked at) `close(ch)` (SEMANTICS §9.8). */
export class ChannelClosedError extends DoeffError {
  constructor(message = "send on a closed channel; stop sending before close(ch), or check for the error") {
    super(message);
  }
}

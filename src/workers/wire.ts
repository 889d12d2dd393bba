/**
 * Errors across a process or thread boundary. A thrown value is turned into plain, structured-
 * cloneable (and JSON-safe) data on one side and rebuilt on the other: class name, message, stack,
 * `cause` (recursively), AggregateError's `errors`, and the error's own cloneable fields (`key`,
 * `code`, `ms`, …). The class is found by its class name, then by its `name`, among the classes the
 * user registers and the built-in error classes (a DOMException as a DOMException of its name); an
 * unknown class comes back as a `RemoteError` whose `name` is the original `name` (or, when the
 * class kept its base class's `name`, as that built-in class). doeff's own error classes are rebuilt
 * only from an error that was one (`doeff` on the wire): a user's class that happens to be called
 * `TimeoutError`, or a DOMException named so, is not doeff's TimeoutError.
 */
import * as doeff from "../index.js";
import { className } from "../protocol.js";

export interface WireError {
  readonly name: string;
  /** the error's class name (`className` of its constructor), when it is not `name` */
  readonly cls?: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause?: WireError;
  readonly errors?: readonly WireError[];
  /** own enumerable fields that survived cloning */
  readonly fields: Record<string, unknown>;
  /** a thrown non-Error value (cloneable), or its printed form */
  readonly value?: unknown;
  readonly isError: boolean;
  /** the doeff traceback printed on the far side, when there was one */
  readonly traceback?: string;
  /** it was an instance of doeff's own exported class of its class name (rebuilt as that class) */
  readonly doeff?: true;
}

/** An error whose class is not known on this side: `name` keeps the original class name. */
export class RemoteError extends Error {}

export type ErrorClass = abstract new (...args: any[]) => Error;

const BUILTIN: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

let doeffClasses: Map<string, ErrorClass> | null = null;
/** every Error subclass doeff's main entry exports (DoeffError, TaskCancelledError, …) */
function doeffErrors(): Map<string, ErrorClass> {
  if (doeffClasses === null) {
    doeffClasses = new Map();
    for (const [name, v] of Object.entries(doeff)) {
      if (typeof v === "function" && v.prototype instanceof Error) doeffClasses.set(name, v as ErrorClass);
    }
  }
  return doeffClasses;
}

/** the classes registered (by the user, and doeff's subpaths for theirs), by class name */
const registered = new Map<string, ErrorClass>([["RemoteError", RemoteError]]);

/** Register error classes so they are rebuilt as themselves (by class name) when they cross. */
export function registerErrorClasses(classes: Iterable<ErrorClass>): void {
  for (const c of classes) {
    if (typeof c !== "function" || !(c.prototype instanceof Error))
      throw new TypeError(
        `registerErrorClasses expects Error subclasses (class X extends Error), got ${String(c)}`,
      );
    registered.set(className(c), c);
  }
}

function cloneable(v: unknown): boolean {
  if (v === null || typeof v !== "object") return typeof v !== "function" && typeof v !== "symbol";
  try {
    structuredClone(v);
    return JSON.stringify(v) !== undefined;
  } catch {
    return false;
  }
}

const SKIP = new Set(["name", "message", "stack", "cause", "errors"]);

/** `e` as plain data. Never throws. */
export function toWire(e: unknown, traceback?: string, depth = 0): WireError {
  if (!(e instanceof Error)) {
    return {
      name: "Error",
      message: `thrown: ${safeString(e)}`,
      stack: undefined,
      fields: {},
      value: cloneable(e) ? e : safeString(e),
      isError: false,
      ...(traceback === undefined ? {} : { traceback }),
    };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    if (SKIP.has(key)) continue;
    const v = (e as unknown as Record<string, unknown>)[key];
    if (cloneable(v)) fields[key] = v;
  }
  const out: {
    -readonly [K in keyof WireError]: WireError[K];
  } = {
    name: typeof e.name === "string" ? e.name : className(e.constructor),
    message: typeof e.message === "string" ? e.message : safeString(e.message),
    stack: typeof e.stack === "string" ? e.stack : undefined,
    fields,
    isError: true,
  };
  const cls = classOf(e);
  if (cls !== "" && cls !== out.name) out.cls = cls;
  if (cls !== "" && doeffErrors().get(cls) === e.constructor) out.doeff = true;
  if (e.cause !== undefined && depth < 8) out.cause = toWire(e.cause, undefined, depth + 1);
  if (e instanceof AggregateError && Array.isArray(e.errors) && depth < 8)
    out.errors = e.errors.map((x: unknown) => toWire(x, undefined, depth + 1));
  if (traceback !== undefined) out.traceback = traceback;
  return out;
}

/** className of `e`'s constructor, or "" (a hostile constructor getter). Never throws. */
function classOf(e: Error): string {
  try {
    return className(e.constructor);
  } catch {
    return "";
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function define(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Rebuild an error. `separator` (e.g. `── in worker (jobs.ts#fib) ──`) is appended to the stack, so a
 * printed stack reads: the far side's frames, the separator, then `here` (this side's frames).
 */
export function fromWire(w: WireError, separator?: string, here?: string): unknown {
  if (!w.isError) return w.value;
  // by class first: a registered `class MyError extends Error {}` that never sets `name` is named
  // "Error", and one may set a `name` that is not its class name
  const name = w.cls ?? w.name;
  const cls =
    (w.doeff === true ? doeffErrors().get(name) : undefined) ??
    registered.get(name) ??
    registered.get(w.name) ??
    builtin(name) ??
    builtin(w.name) ??
    RemoteError;
  // its name and message live in internal slots: made with its constructor
  if (name === "DOMException") return finish(new DOMException(w.message, w.name), w, separator, here);
  const e = Object.create(cls.prototype) as Error;
  define(e, "message", w.message);
  if (cls === RemoteError || Object.getPrototypeOf(e).name !== w.name) define(e, "name", w.name);
  return finish(e, w, separator, here);
}

function builtin(name: string): ErrorClass | undefined {
  return Object.hasOwn(BUILTIN, name) ? BUILTIN[name] : undefined;
}

/** The stack (with the separator and this side's frames), cause, errors and fields of `w` on `e`. */
function finish(e: Error, w: WireError, separator?: string, here?: string): Error {
  let stack = w.stack ?? `${w.name}: ${w.message}`;
  if (separator !== undefined) stack += `\n    ${separator}`;
  if (here !== undefined) stack += `\n${here}`;
  define(e, "stack", stack);
  if (w.cause !== undefined) define(e, "cause", fromWire(w.cause));
  if (w.errors !== undefined)
    define(
      e,
      "errors",
      w.errors.map((x) => fromWire(x)),
    );
  Object.assign(e, w.fields);
  // classes that set `name` as an own field (DoeffError does) keep it as one
  if (Object.hasOwn(w.fields, "name") === false && e instanceof doeff.DoeffError) {
    Object.defineProperty(e, "name", { value: w.name, writable: true, configurable: true, enumerable: true });
  }
  if (w.traceback !== undefined) define(e, "remoteTraceback", w.traceback);
  return e;
}

/**
 * Errors across a process or thread boundary. A thrown value is turned into plain, structured-
 * cloneable (and JSON-safe) data on one side and rebuilt on the other: class name, message, stack,
 * `cause` (recursively), AggregateError's `errors`, and the error's own cloneable fields (`key`,
 * `code`, `ms`, …). Classes are matched by class name, then by `name`, but a class name alone never
 * decides: the sender says what the error really is. doeff's own classes (its main entry's and its
 * subpaths') are rebuilt only from an error that was one (`doeff` on the wire); a registered class
 * only from an error that is an instance of the sender's registered class of that name, when the
 * sender has one (`registered`); anything else as the built-in class it extends (`base`: a
 * TypeError as a TypeError, a DOMException as a DOMException of its name), or a `RemoteError`
 * keeping its `name` when it extends Error itself. So a user's class called `TimeoutError`, or a
 * DOMException named so, is not doeff's TimeoutError on the other side.
 */
import * as doeff from "../index.js";
import { className, describe } from "../protocol.js";

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
  /** it was an instance of doeff's own class of its class name (or `name`): rebuilt as that class */
  readonly doeff?: true;
  /**
   * true: it was an instance of the class the sender registered under its class name (or `name`);
   * false: the sender has such a registered class and this error is not one of it (not rebuilt as
   * it); absent: the sender registered no class of that name (the receiver's, if any, is used)
   */
  readonly registered?: boolean;
  /** the nearest built-in class it extends (`TypeError`, `DOMException`, …); rebuilt as it when no class above matches */
  readonly base?: string;
}

/** An error whose class is not known on this side: `name` keeps the original class name. */
export class RemoteError extends Error {}

/**
 * An error class (a constructor of `Error` instances), as `registerErrorClasses` and `workers({ errors })`
 * take it: an error of a registered class crosses a thread or a queue as an instance of that class.
 */
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

/** doeff's subpaths' own classes (WorkerModuleError, …), by class name: rebuilt only from doeff's errors */
const doeffRegistered = new Map<string, ErrorClass>([["RemoteError", RemoteError]]);
/** the classes the user registered, by class name */
const registered = new Map<string, ErrorClass>();

function checkClasses(classes: Iterable<ErrorClass>): ErrorClass[] {
  // (one class without its brackets read "classes is not iterable"; a string, its letters)
  const c0: unknown = classes;
  if (
    typeof c0 !== "object" ||
    c0 === null ||
    typeof (c0 as Iterable<unknown>)[Symbol.iterator] !== "function"
  )
    throw new TypeError(
      `registerErrorClasses expects an array of Error subclasses, e.g. registerErrorClasses([MyError]), got ${describe(c0)}`,
    );
  const list = [...classes];
  for (const c of list)
    if (typeof c !== "function" || !(c.prototype instanceof Error))
      throw new TypeError(
        `registerErrorClasses expects Error subclasses (class X extends Error), got ${describe(c)}`,
      );
  return list;
}

/**
 * Register error classes so they are rebuilt as themselves (by class name) when they cross into
 * this thread or process: in a worker thread's `setup` module (`workers({ errors })` does it in the
 * parent), or on a queue's producer side.
 *
 * @example
 * ```ts
 * class QuotaError extends Error {}
 * registerErrorClasses([QuotaError]); // a job's QuotaError is caught as one: e instanceof QuotaError
 * ```
 */
export function registerErrorClasses(classes: Iterable<ErrorClass>): void {
  for (const c of checkClasses(classes)) registered.set(className(c), c);
}

/**
 * @internal doeff's subpaths register their own error classes here: like doeff's main-entry classes,
 * they are rebuilt only from an error that was one, never from a user's class of the same name.
 */
export function registerDoeffErrorClasses(classes: Iterable<ErrorClass>): void {
  for (const c of checkClasses(classes)) doeffRegistered.set(className(c), c);
}

function doeffClass(name: string): ErrorClass | undefined {
  return doeffErrors().get(name) ?? doeffRegistered.get(name);
}

/** the class `find` gives for the class name `cls`, else for `name` */
function lookup(
  find: (n: string) => ErrorClass | undefined,
  cls: string,
  name: string,
): ErrorClass | undefined {
  return (cls === "" ? undefined : find(cls)) ?? find(name);
}

/** the name of the nearest built-in error class `e` is an instance of ("Error" at least) */
function baseOf(e: Error): string {
  if (typeof DOMException === "function" && e instanceof DOMException) return "DOMException";
  for (const [name, c] of Object.entries(BUILTIN)) if (name !== "Error" && e instanceof c) return name;
  return "Error";
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
    if (cloneable(v)) own(fields, key, v);
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
  // what the error really is, so that the far side does not go by its name alone
  const ours = lookup(doeffClass, cls, out.name);
  if (ours !== undefined && isInstance(e, ours)) out.doeff = true;
  const reg = lookup((n) => registered.get(n), cls, out.name);
  if (reg !== undefined) out.registered = isInstance(e, reg);
  out.base = baseOf(e);
  if (e.cause !== undefined && depth < 8) out.cause = toWire(e.cause, undefined, depth + 1);
  if (e instanceof AggregateError && Array.isArray(e.errors) && depth < 8)
    out.errors = e.errors.map((x: unknown) => toWire(x, undefined, depth + 1));
  if (traceback !== undefined) out.traceback = traceback;
  return out;
}

function isInstance(e: Error, c: ErrorClass): boolean {
  try {
    return e instanceof c;
  } catch {
    return false;
  }
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

/** `o[key] = value`, as an own property for the key "__proto__" too (assigned, it set `o`'s prototype) */
function own(o: object, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(o, key, { value, writable: true, configurable: true, enumerable: true });
  else (o as Record<string, unknown>)[key] = value;
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
  // (from a sender without `base`, an older one: by name, as it did)
  if (w.base === undefined ? name === "DOMException" : w.base === "DOMException")
    // its name and message live in internal slots: made with its constructor
    return finish(new DOMException(w.message, w.name), w, separator, here);
  // a direct subclass of Error unknown here that never set `name` ("Error", inherited): named by its
  // class (as a registered class is found by it), so that it does not print as a plain Error — unless
  // that class name is doeff's, a registered class's or a built-in's (it would pass for that class)
  if (
    w.name === "Error" &&
    w.cls !== undefined &&
    w.base === "Error" &&
    w.doeff !== true &&
    !takenName(w.cls)
  )
    w = renamed(w, w.cls);
  const cls =
    (w.doeff === true ? lookup(doeffClass, name, w.name) : undefined) ??
    (w.registered === false ? undefined : lookup((n) => registered.get(n), name, w.name)) ??
    (w.base === undefined ? (builtin(name) ?? builtin(w.name)) : fromBase(w)) ??
    RemoteError;
  // a real error (util.types.isNativeError, deepEqual with the original) of `cls`'s prototype,
  // made without running `cls`'s constructor
  const base = nativeBase(cls);
  const e = Reflect.construct(base, base === AggregateError ? [[]] : [], cls) as Error;
  define(e, "message", w.message);
  if (cls === RemoteError || Object.getPrototypeOf(e).name !== w.name) define(e, "name", w.name);
  return finish(e, w, separator, here);
}

/**
 * `e` as the built-in class its `name` says, when it is a plain Error named for one (`RangeError`,
 * `AggregateError`, …): Node rebuilds a thread's uncaught error in the parent by a list of built-in
 * classes that lacks some (AggregateError, on Node 20). Rebuilt as `fromWire` rebuilds a job's
 * error of that class: message, stack, `cause`, `errors` and own fields kept. Anything else as it is.
 */
export function asBuiltin(e: unknown): unknown {
  if (!(e instanceof Error) || Object.getPrototypeOf(e) !== Error.prototype) return e;
  const name: unknown = e.name;
  if (typeof name !== "string" || name === "Error" || builtin(name) === undefined) return e;
  const errors: unknown = (e as { errors?: unknown }).errors;
  // (its class name, "Error", is not what it is: rebuilt by `name`)
  const { cls: _, ...w } = toWire(e);
  return fromWire({
    ...w,
    base: name,
    ...(Array.isArray(errors) ? { errors: errors.map((x: unknown) => toWire(x, undefined, 1)) } : {}),
  });
}

/**
 * true when `w` (or an error in its `cause` or `errors`) was an instance of a class the sender had
 * registered (a job module's `errors`) that this thread has not registered: it would be rebuilt as
 * its built-in base here. The parent then registers the module's `errors` and rebuilds it (handler.ts).
 */
export function missingRegistered(w: WireError, depth = 0): boolean {
  if (depth > 32 || !w.isError) return false;
  if (
    w.registered === true &&
    w.doeff !== true &&
    lookup((n) => registered.get(n), w.cls ?? w.name, w.name) === undefined
  )
    return true;
  if (w.cause !== undefined && missingRegistered(w.cause, depth + 1)) return true;
  return w.errors?.some((x) => missingRegistered(x, depth + 1)) === true;
}

function takenName(n: string): boolean {
  return n === "DOMException" || builtin(n) !== undefined || doeffClass(n) !== undefined || registered.has(n);
}

/** `w` named `name`; its stack's first line too, when it was the inherited `Error: message` */
function renamed(w: WireError, name: string): WireError {
  const head = `Error: ${w.message}`;
  const stack = w.stack?.startsWith(head) === true ? name + w.stack.slice("Error".length) : w.stack;
  return { ...w, name, stack };
}

/** the nearest built-in error class `cls` extends (Error at least) */
function nativeBase(cls: ErrorClass): new (...args: any[]) => Error {
  for (let p: unknown = cls.prototype; p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p))
    for (const c of Object.values(BUILTIN)) if (c.prototype === p) return c as new (...args: any[]) => Error;
  return Error;
}

/** the built-in class `w` extends; an Error subclass of another name is a RemoteError keeping it */
function fromBase(w: WireError): ErrorClass | undefined {
  if (w.base === "Error") return w.name === "Error" ? Error : undefined;
  return builtin(w.base ?? "");
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
  // (not Object.assign: a field "__proto__" — data the error held — replaced the error's prototype)
  for (const k of Object.keys(w.fields)) own(e, k, w.fields[k]);
  // classes that set `name` as an own field (DoeffError does) keep it as one
  if (Object.hasOwn(w.fields, "name") === false && e instanceof doeff.DoeffError) {
    Object.defineProperty(e, "name", { value: w.name, writable: true, configurable: true, enumerable: true });
  }
  if (w.traceback !== undefined) define(e, "remoteTraceback", w.traceback);
  return e;
}

/**
 * Error values in a job's arguments and result, in a forwarded effect's fields and in the parent's
 * answer to it. Structured clone keeps only an error's message
 * (and its built-in class): a registered class, its `name`, its own fields (`code`, …) and its
 * `cause` would be lost. So an Error value crosses in the wire form of a thrown one: the argument
 * or result is sent as `{ [ERROR]: WireError }`, and one that holds errors (in arrays, plain objects,
 * Maps and Sets) as `{ [WITHIN]: copy }`, its errors so replaced; the receiver rebuilds them with
 * `fromWire` (registered classes as themselves). Values without errors cross as they are.
 */
const ERROR = "\u0000doeff.workers.error";
const WITHIN = "\u0000doeff.workers.errorsWithin";
/**
 * Data that holds one of these keys itself (a request's JSON, `{"\u0000doeff.workers.error": …}`)
 * crosses as `{ [LITERAL]: copy }`: read as a marker, it was rebuilt as an error on the other side —
 * any class, doeff's TaskCancelledError too — from whoever wrote that data.
 */
const LITERAL = "\u0000doeff.workers.literal";

/** does `x` have a key of the wire's (ERROR, WITHIN, LITERAL)? */
function marked(x: object): boolean {
  return Object.hasOwn(x, ERROR) || Object.hasOwn(x, WITHIN) || Object.hasOwn(x, LITERAL);
}

function isPlainContainer(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as object | null;
  return proto === Object.prototype || proto === null || proto === Array.prototype;
}

/**
 * does `v` hold an Error (in arrays, plain objects, Maps, Sets), or data with a key of the wire's
 * (see LITERAL)? Never throws.
 */
function holdsError(v: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [v];
  try {
    while (stack.length > 0) {
      const x = stack.pop();
      if (x === null || typeof x !== "object" || seen.has(x)) continue;
      seen.add(x);
      if (x instanceof Error) return true;
      if (x instanceof Map) for (const [k, val] of x) stack.push(k, val);
      else if (x instanceof Set) for (const val of x) stack.push(val);
      else if (isPlainContainer(x)) {
        if (marked(x)) return true;
        for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
      }
    }
  } catch {
    return false; // (a getter that throws: structured clone will say so)
  }
  return false;
}

/** a copy of `x` with its errors in wire form (shared and cyclic references kept) */
function encodeWithin(x: unknown, memo: Map<object, unknown>): unknown {
  if (x === null || typeof x !== "object") return x;
  if (x instanceof Error) return { [ERROR]: toWire(x) };
  const done = memo.get(x);
  if (done !== undefined) return done;
  if (x instanceof Map) {
    const m = new Map();
    memo.set(x, m);
    for (const [k, val] of x) m.set(encodeWithin(k, memo), encodeWithin(val, memo));
    return m;
  }
  if (x instanceof Set) {
    const s = new Set();
    memo.set(x, s);
    for (const val of x) s.add(encodeWithin(val, memo));
    return s;
  }
  if (!isPlainContainer(x)) return x;
  const out: Record<string, unknown> = Array.isArray(x) ? (new Array(x.length) as never) : {};
  // (the wrapper is what other references to `x` get: a cycle back to `x` is no marker either)
  const copy = marked(x) ? { [LITERAL]: out } : out;
  memo.set(x, copy);
  for (const k of Object.keys(x)) own(out, k, encodeWithin((x as Record<string, unknown>)[k], memo));
  return copy;
}

/** `v` to send as an argument, a result or an answer: Error values in wire form (see ERROR). */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Error) return { [ERROR]: toWire(v) };
  return holdsError(v) ? { [WITHIN]: encodeWithin(v, new Map()) } : v;
}

/**
 * A forwarded effect's fields to send (a fresh plain object): as encodeValue, walked only when a
 * field is an object — an effect of primitive fields is sent as it is.
 */
export function encodeFields(fields: Record<string, unknown>): Record<string, unknown> {
  for (const k in fields) {
    const v = fields[k];
    if ((v !== null && typeof v === "object") || k.charCodeAt(0) === 0)
      return encodeValue(fields) as Record<string, unknown>;
  }
  return fields;
}

function wireOf(x: object): WireError | undefined {
  return Object.hasOwn(x, ERROR) ? ((x as Record<string, unknown>)[ERROR] as WireError) : undefined;
}

/** rebuild the errors in `x` (a fresh clone: changed in place); `seen`: each container's decoded value */
function decodeWithin(x: unknown, seen: Map<object, unknown>): unknown {
  if (x === null || typeof x !== "object") return x;
  if (seen.has(x)) return seen.get(x);
  if (Object.hasOwn(x, LITERAL)) {
    // data that held a key of the wire's: its keys are its own, its values are decoded
    const inner = (x as Record<string, unknown>)[LITERAL] as Record<string, unknown>;
    seen.set(x, inner);
    seen.set(inner, inner);
    for (const k of Object.keys(inner)) inner[k] = decodeWithin(inner[k], seen);
    return inner;
  }
  const w = wireOf(x);
  if (w !== undefined) return fromWire(w);
  seen.set(x, x);
  if (x instanceof Map) {
    const entries = [...x].map(([k, val]) => [decodeWithin(k, seen), decodeWithin(val, seen)] as const);
    x.clear();
    for (const [k, val] of entries) x.set(k, val);
  } else if (x instanceof Set) {
    const values = [...x].map((val) => decodeWithin(val, seen));
    x.clear();
    for (const val of values) x.add(val);
  } else if (isPlainContainer(x)) {
    for (const k of Object.keys(x))
      (x as Record<string, unknown>)[k] = decodeWithin((x as Record<string, unknown>)[k], seen);
  }
  return x;
}

/**
 * Does `v`, as received (encodeValue's form), hold an Error value of a class the sender registered
 * and this thread has not (missingRegistered)? Then the parent registers the job module's `errors`
 * before decoding it (job-loop.ts), as for a job's error. Walks only a value that holds errors.
 */
export function missingRegisteredIn(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const top = wireOf(v);
  if (top !== undefined) return missingRegistered(top);
  if (!Object.hasOwn(v, WITHIN)) return false;
  const seen = new Set<object>();
  const stack: unknown[] = [(v as Record<string, unknown>)[WITHIN]];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== "object" || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof Map) for (const [k, val] of x) stack.push(k, val);
    else if (x instanceof Set) for (const val of x) stack.push(val);
    else if (isPlainContainer(x)) {
      const w = wireOf(x);
      if (w !== undefined) {
        if (missingRegistered(w)) return true;
        continue;
      }
      // (LITERAL's copy is one of its values)
      for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/**
 * An argument, result, answer or forwarded effect's fields as received: its Error values rebuilt
 * (see encodeValue, encodeFields).
 */
export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const w = wireOf(v);
  if (w !== undefined) return fromWire(w);
  if (Object.hasOwn(v, WITHIN)) return decodeWithin((v as Record<string, unknown>)[WITHIN], new Map());
  return v;
}

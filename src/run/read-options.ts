/**
 * Reading run options once, defensively (issue 15, item 6). `run`/`runAsync` first take a snapshot of
 * the options object: every property read once, `env`/`store` copied, the handler list copied. A read
 * that throws (a throwing getter, a Proxy whose traps throw, a revoked Proxy) is bad options, reported
 * like every other bad option (SEMANTICS §8.1): `run` throws a TypeError synchronously, `runAsync`
 * rejects with it; the TypeError names the option and carries the original error as `cause`. The
 * snapshot is then validated by checkOptions and used to start the run, so a getter cannot answer
 * differently between validation and use, and the caller's objects are never mutated (INV-17).
 */
import { describe } from "../vm/brand.js";

/** The run options' names (options.ts RunOptions). */
export const OPTIONS: readonly string[] = [
  "handlers",
  "env",
  "store",
  "trace",
  "signal",
  "onWarning",
  "settle",
];
/** The trace option's names (options.ts TraceOptions). */
export const TRACE_OPTIONS: readonly string[] = ["steps", "sites"];

/** How an error thrown by user code reads in a message. Never throws. */
function errorText(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
  } catch {
    // a hostile error object
  }
  return describe(e);
}

function unreadable(what: string, e: unknown, fix: string): TypeError {
  return new TypeError(`${what} could not be read (${errorText(e)}); ${fix}`, { cause: e });
}

function attempt<T>(what: string, fix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw unreadable(what, e, fix);
  }
}

/** Map, read through its internal slots (an overridden `entries`/iterator is never called). */
export function isMap(x: unknown): x is Map<unknown, unknown> {
  try {
    Map.prototype.has.call(x, undefined);
    return true;
  } catch {
    return false;
  }
}

/** A plain object: its prototype is null or a realm's Object.prototype. Throws on a hostile value. */
export function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * env / store: a plain object or a Map → a Map copy (what the run makes of either: run.ts start);
 * anything else as is (rejected later).
 */
function copyRecord(key: string, value: unknown): unknown {
  const fix = `pass a plain object ({ key: value }) or a Map whose entries can be read`;
  // Plain objects first: isMap detects a Map by a throwing probe, which is costly for the common case.
  const copy = new Map<unknown, unknown>();
  if (!attempt(`run option ${key}`, fix, () => isPlainRecord(value))) {
    if (!isMap(value)) return value;
    Map.prototype.forEach.call(value, (v, k) => copy.set(k, v));
    return copy;
  }
  const record = value as Record<string, unknown>;
  const keys = attempt(`run option ${key}`, fix, () => Object.keys(record));
  for (const k of keys) {
    try {
      copy.set(k, record[k]);
    } catch (e) {
      throw unreadable(`run option ${key}[${JSON.stringify(k)}]`, e, fix);
    }
  }
  return copy;
}

/**
 * A shallow copy of an options object, each property read once: its own enumerable keys (so unknown
 * options are still reported) and the `known` ones, which may be inherited (as a plain read finds them).
 */
function copyObject(
  what: string,
  value: object,
  fix: string,
  known: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const own = attempt(what, fix, () => Object.keys(value));
  for (const k of own) define(out, k, read(what, value, k, fix));
  for (const k of known) {
    if (Object.hasOwn(out, k)) continue;
    const v = read(what, value, k, fix); // inherited known options are honoured, as a plain read finds them
    if (v !== undefined) define(out, k, v);
  }
  return out;
}

/** `value[k]`; a throwing read is a TypeError naming the option (the message is built only then). */
function read(what: string, value: object, k: string, fix: string): unknown {
  try {
    return Reflect.get(value, k);
  } catch (e) {
    throw unreadable(`${what === "run options" ? "run option" : what} ${JSON.stringify(k)}`, e, fix);
  }
}

/** `out[k] = v` as an own data property, also for the key "__proto__" (an assignment would set the prototype). */
function define(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__")
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * The options snapshot (see the file comment). Values that are not objects are returned as they are,
 * for checkOptions to reject with its usual message. Throws TypeError when reading throws.
 */
export function readOptions(options: unknown): unknown {
  const fix = "pass a plain options object { handlers, env, store, trace, signal, onWarning, settle }";
  if (options === null || typeof options !== "object") return options;
  if (attempt("run options", fix, () => Array.isArray(options))) return options;
  const o = copyObject("run options", options, fix, OPTIONS);
  if (Object.hasOwn(o, "handlers")) {
    const hs = o.handlers;
    if (attempt("run option handlers", "pass an array of handlers", () => Array.isArray(hs))) {
      o.handlers = attempt("run option handlers", "pass an array of handlers", () =>
        Array.prototype.slice.call(hs),
      );
    }
  }
  if (Object.hasOwn(o, "env")) o.env = copyRecord("env", o.env);
  if (Object.hasOwn(o, "store")) o.store = copyRecord("store", o.store);
  const t = o.trace;
  if (t !== null && typeof t === "object" && !attempt("run option trace", fix, () => Array.isArray(t))) {
    o.trace = copyObject("run option trace", t, "pass { steps?, sites? }", TRACE_OPTIONS);
  }
  return o;
}

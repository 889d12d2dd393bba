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
import type { RunOptions } from "./options.js";

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
 * @internal The options as readOptions read them (checkOptions validates them, run.ts start uses
 * them): each option once, in fields of one shape (absent: undefined), `env` and `store` copied into
 * Maps that the run then owns (start copies no more), `handlers` copied, `trace` copied.
 */
export class ReadOptions {
  declare handlers: unknown;
  declare env: unknown;
  declare store: unknown;
  declare trace: unknown;
  declare signal: unknown;
  declare onWarning: unknown;
  declare settle: unknown;
  /** the first own key that is no option (checkOptions reports it), or null */
  declare unknown: string | null;
  /**
   * env (1) and store (2) are Maps readOptions made (the run takes them as they are); copied from
   * plain objects (4, 8), their keys are strings: nothing to check
   */
  declare copies: number;
  constructor() {
    this.handlers = undefined;
    this.env = undefined;
    this.store = undefined;
    this.trace = undefined;
    this.signal = undefined;
    this.onWarning = undefined;
    this.settle = undefined;
    this.unknown = null;
    this.copies = 0;
  }
}

/**
 * Reads the property `k` of the options `x`: an option goes on `o` (its bit returned, its OPTIONS
 * index's), anything else is read all the same (a getter runs as a plain copy runs it) and gives 0.
 * One named read per option: a keyed read of a name the object lacks (an option not given) is the
 * slow case of a property read. A throwing read is a TypeError naming the option.
 */
function readOption(o: ReadOptions, x: RunOptions, k: string, fix: string): number {
  try {
    switch (k) {
      case "handlers":
        o.handlers = x.handlers;
        return 1;
      case "env":
        o.env = x.env;
        return 2;
      case "store":
        o.store = x.store;
        return 4;
      case "trace":
        o.trace = x.trace;
        return 8;
      case "signal":
        o.signal = x.signal;
        return 16;
      case "onWarning":
        o.onWarning = x.onWarning;
        return 32;
      case "settle":
        o.settle = x.settle;
        return 64;
    }
    Reflect.get(x, k);
    return 0;
  } catch (e) {
    throw unreadable(`run option ${JSON.stringify(k)}`, e, fix);
  }
}

/**
 * env / store: a plain object or a Map → a Map copy (what the run makes of either: run.ts start);
 * anything else as is (rejected later). A copy sets `bit` on `o.copies`, and a copy of a plain object
 * `bit << 2` too.
 */
function copyRecord(o: ReadOptions, bit: number, key: string, value: unknown): unknown {
  const fix = `pass a plain object ({ key: value }) or a Map whose entries can be read`;
  // Plain objects first: isMap detects a Map by a throwing probe, which is costly for the common case.
  let keys: string[];
  try {
    if (!isPlainRecord(value)) keys = NO_KEYS;
    else keys = Object.keys(value);
  } catch (e) {
    throw unreadable(`run option ${key}`, e, fix);
  }
  const copy = new Map<unknown, unknown>();
  if (keys === NO_KEYS) {
    if (!isMap(value)) return value;
    Map.prototype.forEach.call(value, (v, k) => copy.set(k, v));
    o.copies |= bit;
    return copy;
  }
  const record = value as Record<string, unknown>;
  for (const k of keys) {
    try {
      copy.set(k, record[k]);
    } catch (e) {
      throw unreadable(`run option ${key}[${JSON.stringify(k)}]`, e, fix);
    }
  }
  o.copies |= bit | (bit << 2);
  return copy;
}
const NO_KEYS: string[] = [];

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
    throw unreadable(`${what} ${JSON.stringify(k)}`, e, fix);
  }
}

/** `out[k] = v` as an own data property, also for the key "__proto__" (an assignment would set the prototype). */
function define(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__")
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * The options snapshot (see the file comment), a ReadOptions: its own enumerable keys read first (so
 * unknown options are still reported), then the options that are not among them, which may be
 * inherited (as a plain read finds them). Values that are not objects are returned as they are, for
 * checkOptions to reject with its usual message. Throws TypeError when reading throws.
 */
export function readOptions(options: unknown): unknown {
  const fix = "pass a plain options object { handlers, env, store, trace, signal, onWarning, settle }";
  if (options === null || typeof options !== "object") return options;
  let own: string[];
  try {
    if (Array.isArray(options)) return options;
    own = Object.keys(options);
  } catch (e) {
    throw unreadable("run options", e, fix);
  }
  const o = new ReadOptions();
  let seen = 0;
  const x = options as RunOptions;
  for (const k of own) {
    const bit = readOption(o, x, k, fix);
    if (bit === 0) o.unknown ??= k;
    seen |= bit;
  }
  // the others, in OPTIONS' order: inherited options are honoured, as a plain read finds them
  for (let i = 0; i < OPTIONS.length; i++) if ((seen & (1 << i)) === 0) readOption(o, x, OPTIONS[i]!, fix);
  const hs = o.handlers;
  if (hs !== undefined) {
    try {
      if (Array.isArray(hs)) o.handlers = Array.prototype.slice.call(hs);
    } catch (e) {
      throw unreadable("run option handlers", e, "pass an array of handlers");
    }
  }
  if (o.env !== undefined) o.env = copyRecord(o, 1, "env", o.env);
  if (o.store !== undefined) o.store = copyRecord(o, 2, "store", o.store);
  const t = o.trace;
  if (t !== null && typeof t === "object" && !attempt("run option trace", fix, () => Array.isArray(t))) {
    o.trace = copyObject("run option trace", t, "pass { steps?, sites? }", TRACE_OPTIONS);
  }
  return o;
}

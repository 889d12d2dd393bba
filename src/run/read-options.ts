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

/** The TypeError for a read of `what` that threw `e` (written `Name: message` when an Error). */
function unreadable(what: string, e: unknown, fix: string): TypeError {
  let text: string | undefined;
  try {
    if (e instanceof Error) text = `${e.name}: ${e.message}`;
  } catch {
    // a hostile error object
  }
  return new TypeError(`${what} could not be read (${text ?? describe(e)}); ${fix}`, { cause: e });
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
  let keys: string[] | null = null;
  try {
    if (isPlainRecord(value)) keys = Object.keys(value);
  } catch (e) {
    throw unreadable(`run option ${key}`, e, fix);
  }
  const copy = new Map<unknown, unknown>();
  if (keys === null) {
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

/**
 * The trace option `t`, an object: an array as is (rejected later), else a copy, each property read
 * once — its own enumerable keys (so unknown trace options are still reported), then the known ones
 * not among them, which may be inherited (as a plain read finds them). A prototype-less copy, so an
 * own key "__proto__" stays a key (checkOptions reports it).
 */
function copyTrace(t: object, fix: string): unknown {
  let keys: string[];
  try {
    if (Array.isArray(t)) return t;
    fix = "pass { steps?, sites? }";
    keys = Object.keys(t);
  } catch (e) {
    throw unreadable("run option trace", e, fix);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const k of keys.concat(TRACE_OPTIONS)) {
    try {
      if (!(k in out)) out[k] = (t as Record<string, unknown>)[k];
    } catch (e) {
      throw unreadable(`run option trace ${JSON.stringify(k)}`, e, fix);
    }
  }
  return out;
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
  try {
    if (Array.isArray(o.handlers)) o.handlers = Array.prototype.slice.call(o.handlers);
  } catch (e) {
    throw unreadable("run option handlers", e, "pass an array of handlers");
  }
  if (o.env !== undefined) o.env = copyRecord(o, 1, "env", o.env);
  if (o.store !== undefined) o.store = copyRecord(o, 2, "store", o.store);
  const t = o.trace;
  if (t !== null && typeof t === "object") o.trace = copyTrace(t, fix);
  return o;
}

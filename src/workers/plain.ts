/**
 * Class instances in the data that crosses a thread boundary. Structured clone copies an object's
 * own data and drops its prototype: an instance of a user's class arrives as a plain object, its
 * methods, getters and `instanceof` gone, with no error. doeff/workers refuses it instead, and says
 * where it is.
 */
import { className } from "../protocol.js";

/** prototypes structured clone keeps (or whose loss is not the user's class: typed arrays, errors) */
let keeps: Set<object> | null = null;
function kept(): Set<object> {
  if (keeps === null) {
    keeps = new Set<object>([
      Object.prototype,
      Array.prototype,
      Date.prototype,
      RegExp.prototype,
      Map.prototype,
      Set.prototype,
      ArrayBuffer.prototype,
      Boolean.prototype,
      Number.prototype,
      String.prototype,
      BigInt.prototype,
    ]);
    const g = globalThis as { SharedArrayBuffer?: { prototype: object }; Blob?: { prototype: object } };
    if (g.SharedArrayBuffer !== undefined) keeps.add(g.SharedArrayBuffer.prototype);
    if (g.Blob !== undefined) keeps.add(g.Blob.prototype);
  }
  return keeps;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** `[Symbol.for("k")]` for a registered symbol (re-created by its key), `[Symbol(k)]` for another */
export function symbolKey(s: symbol): string {
  const registered = Symbol.keyFor(s);
  return registered === undefined ? `[${String(s)}]` : `[Symbol.for(${JSON.stringify(registered)})]`;
}

/**
 * The first own enumerable symbol-keyed field of `x`, or undefined. Structured clone copies string
 * keys only: such a field would vanish on the way, with no error.
 */
export function symbolField(x: object): symbol | undefined {
  const syms = Object.getOwnPropertySymbols(x);
  for (let i = 0; i < syms.length; i++)
    if (Object.prototype.propertyIsEnumerable.call(x, syms[i]!)) return syms[i];
  return undefined;
}

/**
 * Where `v` holds an instance of a class structured clone would turn into a plain object, as
 * `.path: an instance of Name`, or a field keyed by a symbol (which it drops), as
 * `.path[Symbol(k)]: a symbol-keyed field`, or null. Typed arrays (a Buffer arrives as a Uint8Array)
 * and errors are leaves; a cycle is walked once. Never throws (a value it cannot inspect: null).
 * `classes` false: symbol keys only (class instances are walked as plain data).
 */
export function classInstanceIn(v: unknown, path = "", classes = true): string | null {
  if (v === null || typeof v !== "object") return null;
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[v, path]];
  try {
    while (stack.length > 0) {
      const [x, at] = stack.pop()!;
      // inside the value (the callers check the value itself): structured clone refuses these too
      if (at !== path && (typeof x === "function" || typeof x === "symbol")) return `${at}: a ${typeof x}`;
      if (x === null || typeof x !== "object" || seen.has(x)) continue;
      seen.add(x);
      if (ArrayBuffer.isView(x) || x instanceof Error) continue;
      const never = neverCloned(x);
      if (never !== null) return `${at === "" ? "" : `${at}: `}a ${never}`;
      const proto = Object.getPrototypeOf(x) as object | null;
      if (classes && proto !== null && !kept().has(proto)) {
        const name = className(Object.getOwnPropertyDescriptor(proto, "constructor")?.value) || "a class";
        return `${at === "" ? "" : `${at}: `}an instance of ${name}`;
      }
      if (x instanceof Map) {
        for (const [k, val] of x) {
          stack.push([k, `${at}.keys()`]);
          stack.push([val, `${at}.get(${typeof k === "string" ? JSON.stringify(k) : "…"})`]);
        }
      } else if (x instanceof Set) {
        for (const val of x) stack.push([val, `${at}.values()`]);
      } else {
        const sym = symbolField(x);
        if (sym !== undefined) return `${at}${symbolKey(sym)}: ${SYMBOL_FIELD}`;
        if (Array.isArray(x)) for (let i = 0; i < x.length; i++) stack.push([x[i], `${at}[${i}]`]);
        else
          for (const k of Object.keys(x)) stack.push([(x as Record<string, unknown>)[k], `${at}${key(k)}`]);
      }
    }
  } catch {
    return null; // (a getter that throws: structured clone will say so)
  }
  return null;
}

/** what structured clone refuses outright (not a class whose prototype it drops; functions and symbols: classInstanceIn) */
const NEVER: ReadonlyArray<readonly [string, abstract new (...a: never[]) => object]> = [
  ["Promise", Promise],
  ["WeakMap", WeakMap],
  ["WeakSet", WeakSet],
  ["WeakRef", WeakRef],
];

function neverCloned(x: object): string | null {
  for (const [name, c] of NEVER) if (x instanceof c) return name;
  return null;
}

const SYMBOL_FIELD = "a symbol-keyed field";

/**
 * Whether `found` (what classInstanceIn gave) is a value structured clone refuses outright, or a
 * symbol-keyed field (which it drops: refused the same way, never silently lost).
 */
export function neverClonable(found: string): boolean {
  return /(?:^|: )a (?:Promise|WeakMap|WeakSet|WeakRef|function|symbol|symbol-keyed field)$/.test(found);
}

/**
 * How to phrase `found` (what classInstanceIn gave) in a refusal: its tail, for the side that sends
 * it (`parent`: an argument, `worker`: a result). A Promise, WeakMap, WeakSet, WeakRef, function or
 * symbol cannot be cloned at all; an instance of a class would lose its prototype.
 */
export function refusal(found: string, side: "parent" | "worker"): string {
  const where = found.startsWith(".") || found.startsWith("[") ? `holds ${found}` : `is ${found}`;
  if (found.endsWith(`: ${SYMBOL_FIELD}`))
    return `${where}, which structured clone drops on the way to ${side === "parent" ? "a worker thread" : "the parent thread"} (it copies string keys only): key the field with a string`;
  const never = /(?:^|: )a (Promise|WeakMap|WeakSet|WeakRef|function|symbol)$/.exec(found)?.[1];
  if (never === undefined) return where;
  const fix =
    never === "function"
      ? side === "parent"
        ? "pass data, and let the job's own code act on it"
        : "return data, and let the parent's own code act on it"
      : never === "symbol"
        ? "use a string"
        : never === "Promise"
          ? side === "parent"
            ? "await it in the parent and pass its value"
            : "await it in the job (awaitPromise) and return its value"
          : never === "WeakMap"
            ? "pass a Map or plain data"
            : never === "WeakSet"
              ? "pass a Set or an array"
              : "pass the value it refers to (deref())";
  return `${where}, which cannot be sent to ${side === "parent" ? "a worker thread" : "the parent thread"} at all (structured clone cannot copy it): ${fix}`;
}

/**
 * Where `v` (an object) holds a symbol-keyed field, as `.path[Symbol(k)]`, or null. (Null too when
 * the walk stops first at a value structured clone refuses: the send then fails and says so.)
 */
export function symbolFieldIn(v: object): string | null {
  const found = classInstanceIn(v, "", false);
  return found?.endsWith(`: ${SYMBOL_FIELD}`) === true ? found.slice(0, -SYMBOL_FIELD.length - 2) : null;
}

/**
 * A forwarded effect's own enumerable fields, as the worker sends them to the parent: the string-
 * keyed ones in `fields`; the symbol-keyed ones, which structured clone would drop, in `syms` by
 * their registry key (the parent re-creates the key with `Symbol.for`). `skip`: doeff's own symbol
 * key (RunInWorker's target pair, sent apart). Throws a TypeError naming the field, for one keyed by
 * a symbol the parent cannot re-create (made with `Symbol()`), or a symbol-keyed field inside a
 * field's value: never dropped without a word.
 */
export function effectFields(
  effect: object,
  name: string,
  skip: (s: symbol) => boolean,
): { fields: Record<string, unknown>; syms: Array<[string, unknown]> | null } {
  const fields: Record<string, unknown> = { ...effect };
  let syms: Array<[string, unknown]> | null = null;
  const own = Object.getOwnPropertySymbols(fields); // (the spread kept the enumerable ones only)
  for (let i = 0; i < own.length; i++) {
    const s = own[i]!;
    if (skip(s)) continue;
    const registered = Symbol.keyFor(s);
    if (registered === undefined)
      throw new TypeError(
        `${name} cannot be forwarded from the worker to the parent: its field ${symbolKey(s)} is keyed by a symbol made with Symbol(), which the parent cannot re-create (structured clone copies string keys only); key it with a registered symbol (Symbol.for(${JSON.stringify(s.description ?? "")})) or a string, or handle ${name} in the worker (export const handlers = […])`,
      );
    const v = fields[s as unknown as string];
    // (its value crosses by structured clone too: a symbol-keyed field inside it would vanish)
    const inner = v !== null && typeof v === "object" ? symbolFieldIn(v) : null;
    if (inner !== null) throw insideField(name, `${symbolKey(s)}${inner}`);
    (syms ??= []).push([registered, v]);
  }
  if (own.length !== 0) for (const s of own) delete fields[s as unknown as string];
  for (const k in fields) {
    const v = fields[k];
    if (v !== null && typeof v === "object") {
      const found = symbolFieldIn(fields);
      if (found !== null) throw insideField(name, found);
      break;
    }
  }
  return { fields, syms };
}

function insideField(name: string, path: string): TypeError {
  return new TypeError(
    `${name} cannot be forwarded from the worker to the parent: its field ${path} is keyed by a symbol inside a field's value, which structured clone drops (it copies string keys only); key it with a string, or handle ${name} in the worker (export const handlers = […])`,
  );
}

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

/**
 * Where `v` holds an instance of a class structured clone would turn into a plain object, as
 * `.path: an instance of Name`, or null. Typed arrays (a Buffer arrives as a Uint8Array) and errors
 * are leaves; a cycle is walked once. Never throws (a value it cannot inspect: null).
 */
export function classInstanceIn(v: unknown, path = ""): string | null {
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
      if (proto !== null && !kept().has(proto)) {
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
      } else if (Array.isArray(x)) {
        for (let i = 0; i < x.length; i++) stack.push([x[i], `${at}[${i}]`]);
      } else {
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

/** Whether `found` (what classInstanceIn gave) is a value structured clone refuses outright. */
export function neverClonable(found: string): boolean {
  return /(?:^|: )a (?:Promise|WeakMap|WeakSet|WeakRef|function|symbol)$/.test(found);
}

/**
 * How to phrase `found` (what classInstanceIn gave) in a refusal: its tail, for the side that sends
 * it (`parent`: an argument, `worker`: a result). A Promise, WeakMap, WeakSet, WeakRef, function or
 * symbol cannot be cloned at all; an instance of a class would lose its prototype.
 */
export function refusal(found: string, side: "parent" | "worker"): string {
  const where = found.startsWith(".") || found.startsWith("[") ? `holds ${found}` : `is ${found}`;
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

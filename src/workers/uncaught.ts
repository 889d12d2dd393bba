/**
 * A worker thread's uncaught error (a throw in a timer's callback, an unhandled rejection), which
 * ends the thread. Node copies it to the parent by its own rules, which lose what it was: a
 * DOMException arrives as an empty plain object (`[object Object]`), a subclass of a built-in
 * class as that class, with no trace of its own class name. So before Node copies it, the thread
 * writes the error's wire form (wire.ts toWire, as JSON) on it under UNCAUGHT, a string field, which
 * Node's copy keeps either way; the parent rebuilds the error from it as a job's thrown error of that
 * class is rebuilt (a DOMException as a DOMException of its name).
 */
import { toWire, type WireError } from "./wire.js";

const UNCAUGHT = "\u0000doeff.workers.uncaught";

/**
 * (in the thread: process "uncaughtExceptionMonitor") Write `e`'s wire form on it — unless a
 * handler of the thread's own takes uncaught errors (then it does not end the thread, and the
 * error stays as its code made it). Never throws.
 */
export function markUncaught(e: unknown): void {
  try {
    if (e === null || typeof e !== "object" || process.listenerCount("uncaughtException") > 0) return;
    // (enumerable: a DOMException is copied as a plain object, own enumerable fields only)
    Object.defineProperty(e, UNCAUGHT, {
      value: JSON.stringify(toWire(e)),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } catch {
    // (a frozen error, a hostile one: Node's copy as it is)
  }
}

/** (in the parent) The wire form a thread wrote on its uncaught error (markUncaught), or null. */
export function uncaughtWire(e: unknown): WireError | null {
  if (e === null || typeof e !== "object" || !Object.hasOwn(e, UNCAUGHT)) return null;
  try {
    const text: unknown = (e as Record<string, unknown>)[UNCAUGHT];
    const w = typeof text === "string" ? (JSON.parse(text) as WireError | null) : null;
    return w !== null && typeof w === "object" && typeof w.name === "string" && typeof w.message === "string"
      ? w
      : null;
  } catch {
    return null;
  }
}

/** The one-line report of a successful run (failures: trace/format.ts). */
import { brandOf, clip, describe, isThenable } from "../vm/brand.js";
import { printable, showEffect } from "./format.js";
import { B_EFFECT } from "../vm/codes.js";

/** How many characters of a value a report shows (`...` ends a longer one). */
const SHOWN = 200;

/**
 * A value as a report shows it: plain data as JSON writes it, and what JSON would misprint as a
 * readable stand-in instead (nested ones as strings): NaN, bigint, an Error as `Name: message`, a
 * Map or Set with its size, undefined in an array, `[Circular]` where an object is met again inside
 * itself. Cut at 200 characters, and only those are written. A doeff effect, program,
 * primitive or continuation by its short form. (Small on purpose: it is in every bundle that calls
 * `format()`.)
 */
function show(v: unknown): string {
  const top = stand(v);
  if (typeof top === "string" && top !== v) return top;
  let s: string | undefined;
  // At least how many characters the JSON has before the value the replacer is given (a string's
  // length, 1 for anything else JSON writes). Once past the cut each further value is left out, and
  // a long string or array is cut to what could be shown: the first SHOWN characters are the same,
  // and a result of a million rows (or a string of 50 MB) is no longer written whole, for seconds,
  // to show 200 characters of it. (JSON leaves a function or a symbol out of an object.)
  let before = 0;
  // The value being written and those it is inside (a cut array after the array it was cut from):
  // one met again inside itself is a cycle, written `[Circular]` (JSON threw, and the report said
  // `object`). Cut back to the holder of each value written (`this`): a value met twice side by
  // side is no cycle, and only an object holds another (a primitive pushed is never met again).
  const open: unknown[] = [];
  try {
    s = JSON.stringify(v, function (_key, x) {
      if (before > SHOWN) return;
      let y = stand(x);
      if (typeof y === "string") before += (y = y.slice(0, SHOWN + 1)).length;
      else if (typeof y !== "function" && typeof y !== "symbol") before++;
      open.length = open.indexOf(this) + 1;
      if (open.includes(y)) return "[Circular]";
      open.push(y);
      if (Array.isArray(y) && y.length > SHOWN) open.push((y = y.slice(0, SHOWN)));
      return y;
    });
  } catch {
    // hostile: described below
  }
  s ??= describe(v);
  return clip(s, SHOWN);
}

/** What JSON cannot write faithfully, as a string; anything else unchanged. */
function stand(x: unknown): unknown {
  // (-0: JSON writes 0)
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : Number.isFinite(x) ? x : String(x);
  if (typeof x === "bigint") return `${x}n`;
  if (x === undefined) return "undefined";
  if (x instanceof Error) return `${x.name}: ${x.message}`;
  if (x instanceof Map || x instanceof Set) return `${x instanceof Map ? "Map" : "Set"}(${x.size})`;
  if (isThenable(x)) return "Promise"; // (JSON wrote `{}`)
  // a doeff value (most often one returned without its `yield*`): `Get("x")`, `Program(name)`,
  // `withHandler()`, not its internal fields
  const b = brandOf(x);
  if (b !== 0) return b === B_EFFECT ? showEffect(x) : String(x);
  return x;
}

const UNAWAITED =
  "a Promise, never awaited: the program returned it and ended; use `yield* awaitPromise(() => promise)` (under runAsync with the scheduler) and return its value";

export function formatReport(ok: boolean, v: unknown): string {
  try {
    // a program that returned a promise (`return fetch(url)`) ended at once, the promise unawaited:
    // `Ok: {}` said nothing of it
    if (ok && isThenable(v)) return `Ok: ${UNAWAITED}`;
    if (ok) return printable(`Ok: ${typeof v === "string" ? JSON.stringify(v) : show(v)}`, Infinity);
    return `Err: ${v instanceof Error ? printable(`${v.name}: ${v.message}`) : printable(show(v))}`;
  } catch {
    // (a revoked Proxy, a getter or trap that throws, a name that is a symbol: format() never throws)
    return `${ok ? "Ok" : "Err"}: ${describe(v)}`;
  }
}

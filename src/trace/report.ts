/** The one-line report of a successful run (failures: trace/format.ts). */
import { brandOf, clip, describe, isThenable } from "../vm/brand.js";
import { printable, showEffect } from "./format.js";
import { B_EFFECT } from "../vm/codes.js";

/** How many characters of a value a report shows (`...` ends a longer one). */
const SHOWN = 200;

/**
 * A value as a report shows it: plain data as JSON writes it, and what JSON would misprint as a
 * readable stand-in instead (nested ones as strings): NaN, bigint, an Error as `Name: message`, a
 * Map or Set with its size, undefined in an array. A cycle met before the cut falls back to a
 * description. Cut at 200 characters, and only those are written. A doeff effect, program,
 * primitive or continuation by its short form. (Small on purpose: it is in every bundle that calls
 * `format()`.)
 */
function show(v: unknown): string {
  const top = stand(v);
  if (typeof top === "string" && top !== v) return top;
  let s: string | undefined;
  // At least how many characters the JSON has before the value the replacer is given: an object's
  // key written `"key":`, a string with its quotes, 1 for anything else written. Once past the cut,
  // each further value is left out, and an array is cut to as many items as could be shown: the
  // first SHOWN characters are the same, and a result of a million rows (or a string of 50 MB) is no
  // longer written whole, for seconds, to show 200 characters of it. (-3: the top value's key, "",
  // is not written.)
  let before = -3;
  try {
    s = JSON.stringify(v, function (this: unknown, key, x) {
      if (before > SHOWN) return undefined;
      let y = stand(x);
      const t = typeof y;
      // (a long string likewise: what follows its first SHOWN + 1 characters is past the cut)
      if (t === "string" && (y as string).length > SHOWN) y = (y as string).slice(0, SHOWN + 1);
      // (JSON leaves a function or a symbol out of an object, and writes `null` for one in an array)
      if (Array.isArray(this)) before++;
      else if (t !== "function" && t !== "symbol") before += key.length + 4;
      if (t === "string") before += (y as string).length + 1;
      return Array.isArray(y) && y.length > SHOWN ? y.slice(0, SHOWN) : y;
    });
  } catch {
    // cyclic or hostile: described below
  }
  s ??= describe(v);
  return clip(s, SHOWN);
}

/** What JSON cannot write faithfully, as a string; anything else unchanged. */
function stand(x: unknown): unknown {
  if (typeof x === "number") return Number.isFinite(x) ? x : String(x);
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

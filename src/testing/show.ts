/**
 * Printable forms for `EffectExpectationError`: effects with their fields, plain objects and arrays
 * rendered compactly (`{ name: "Ada", age: 36 }`), and the path of the first difference between two
 * effects of the same class. Never throws: a value that cannot be inspected is described instead.
 */
import { brandOf, className, describe, head } from "../vm/brand.js";
import { functionField } from "../trace/format.js";
import { programField } from "../trace/program-field.js";
import { B_EFFECT, B_PROGRAM } from "../vm/codes.js";
import { Effect } from "../effects/effect.js";

/** Longest rendering of one field value (plain object or array) before it is cut with `…`. */
const FIELD_CAP = 80;
const LONG_STRING = 40;
const DIFFER_AT = "(they differ at character ";
/** Nesting shown before `{…}` / `[…]`. */
const MAX_DEPTH = 4;
/** Fields of an effect shown (as in tracebacks). */
const MAX_FIELDS = 3;

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const ASYMMETRIC = Symbol.for("jest.asymmetricMatcher");

/**
 * A Jest or vitest asymmetric matcher (`expect.any(String)`, `expect.stringMatching(/^\/a/)`,
 * `expect.objectContaining({…})`): in an expected effect's field it matches what it says it does.
 * Told apart by its mark, as Jest and vitest tell them: no dependency on either.
 */
export function isAsymmetric(x: unknown): x is { asymmetricMatch(other: unknown): unknown } {
  try {
    return (
      typeof x === "object" &&
      x !== null &&
      (x as { $$typeof?: unknown }).$$typeof === ASYMMETRIC &&
      typeof (x as { asymmetricMatch?: unknown }).asymmetricMatch === "function"
    );
  } catch {
    return false;
  }
}

/** An asymmetric matcher as Jest prints it: `Any<String>`, `StringMatching /^\/a/`, `ObjectContaining { id: 1 }`. */
function showAsymmetric(x: object, seen: Set<object>, depth: number, cap: number): string {
  const m = x as { toAsymmetricMatcher?: () => unknown; sample?: unknown };
  const own = typeof m.toAsymmetricMatcher === "function" ? m.toAsymmetricMatcher() : undefined;
  if (typeof own === "string") return own;
  const name = String(x.toString());
  if (!("sample" in m)) return name;
  const s = m.sample;
  return `${name} ${s instanceof RegExp ? String(s) : render(s, seen, depth + 1, cap - name.length - 1)}`;
}

/** A Date (of this realm): dates compare by time, so they are shown by it, not as `Date object`. */
function isDate(x: object): x is Date {
  return Object.getPrototypeOf(x) === Date.prototype;
}

function showDate(d: Date): string {
  const t = d.getTime();
  return Number.isNaN(t) ? "Date(Invalid Date)" : `Date(${d.toISOString()})`;
}

function showKey(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function showNumber(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

function cut(s: string, cap: number): string {
  return s.length > cap ? `${head(s, cap - 1)}…` : s;
}

/**
 * Items joined until the rendering passes `cap`, then `…`; each item gets the room left, so a huge
 * or deep value costs about as much as a small one.
 */
function joined(items: Iterable<(room: number) => string>, cap: number): string {
  const parts: string[] = [];
  let len = 0;
  for (const item of items) {
    if (len > cap) {
      parts.push("…");
      break;
    }
    const s = item(cap - len);
    parts.push(s);
    len += s.length + 2;
  }
  return parts.join(", ");
}

function render(x: unknown, seen: Set<object>, depth: number, cap: number): string {
  switch (typeof x) {
    case "string": // whole at the top (a field), cut inside an object or array
      return depth > 0 && x.length > cap
        ? `${JSON.stringify(head(x, Math.max(cap, 0)))}…`
        : JSON.stringify(x);
    case "number":
      return showNumber(x);
    case "bigint":
      return `${x}n`;
    case "object":
      break;
    case "function":
      return brandOf(x) === B_PROGRAM ? programField(x, inner) : functionField(x);
    default:
      return describe(x);
  }
  if (x === null) return "null";
  if (x === UNREADABLE) return "(a getter that threw)";
  if (brandOf(x) === B_PROGRAM) return programField(x, inner);
  if (isDate(x)) return showDate(x);
  if (isAsymmetric(x)) return showAsymmetric(x, seen, depth, cap);
  const isArray = Array.isArray(x);
  const effect = !isArray && brandOf(x) === B_EFFECT;
  if (!isArray && !effect && !isPlainObject(x)) return describe(x);
  if (seen.has(x)) return "[Circular]";
  const name = effect ? className((x as object).constructor) || "Effect" : "";
  if (depth >= MAX_DEPTH || cap <= 0) return effect ? `${name}(…)` : isArray ? "[…]" : "{…}";
  seen.add(x);
  try {
    // an effect in a field (a batch of requests, a spawned effect) as one in the list: `Fetch("a")`,
    // where it read `Fetch object` (its first fields, as showEffectFields)
    if (effect) {
      return `${name}(${joined(
        fieldKeys(x)
          .slice(0, MAX_FIELDS)
          .map((k) => (room: number) => render(fieldValue(x, k), seen, depth + 1, room)),
        cap - name.length,
      )})`;
    }
    if (isArray) {
      const a = x as unknown[];
      return `[${joined(
        (function* () {
          for (let i = 0; i < a.length; i++) yield (room: number) => render(a[i], seen, depth + 1, room);
        })(),
        cap,
      )}]`;
    }
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 0) return "{}";
    return `{ ${joined(
      keys.map((k) => (room: number) => `${showKey(k)}: ${render(o[k], seen, depth + 1, room - k.length)}`),
      cap,
    )} }`;
  } finally {
    seen.delete(x);
  }
}

/** What a program runs (programField), when it is no program: an effect with its fields, `FetchUser(1)`. */
const inner = (x: unknown): string => (brandOf(x) === B_EFFECT ? showEffectFields(x) : showValue(x));

/**
 * A value as the messages show it: primitives as literals (`"Ada"`, `36`, `-0`, `1n`), plain objects
 * and arrays compactly up to `cap` characters (cycles as `[Circular]`), programs as `name()`, dates
 * by their time (`Date(2024-01-01T00:00:00.000Z)`), anything else described (`Map object`,
 * `function f`). Never throws.
 */
export function showValue(x: unknown, cap = FIELD_CAP): string {
  try {
    const s = render(x, new Set(), 0, cap);
    return typeof x === "string" ? s : cut(s, cap);
  } catch {
    return describe(x);
  }
}

/** An effect with its first fields: `Put("user", { name: "Ada", age: 36 })`. Never throws. */
export function showEffectFields(effect: unknown): string {
  if (effect === null || typeof effect !== "object") return describe(effect);
  try {
    const name = className((effect as object).constructor) || "Effect";
    const parts: string[] = [];
    // (its symbol-keyed fields too, which expectEffects compares: `Tag()` and `Tag()` read alike)
    for (const key of fieldKeys(effect)) {
      parts.push(showValue(fieldValue(effect, key)));
      if (parts.length === MAX_FIELDS) break;
    }
    return `${name}(${parts.join(", ")})`;
  } catch {
    return describe(effect);
  }
}

/**
 * An object's fields as expectEffects compares them: its own enumerable string keys, then its own
 * enumerable symbol keys (`{ [Symbol.for("x")]: 1 }` and `{ …: 2 }` were equal: Object.keys has none).
 * An effect with none that keeps its data in `#private` fields behind getters has its class's
 * getters instead: `new Fetch("/a")` and `new Fetch("/b")` were equal, a test that passed wrongly.
 */
export function fieldKeys(o: object): (string | symbol)[] {
  const keys: (string | symbol)[] = Object.keys(o);
  for (const s of Object.getOwnPropertySymbols(o))
    if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
  return keys.length === 0 && brandOf(o) === B_EFFECT ? getterKeys(o) : keys;
}

/** The names of the getters an effect's classes define, its own class's first (up to Effect's). */
function getterKeys(o: object): string[] {
  const keys: string[] = [];
  for (
    let p = Object.getPrototypeOf(o);
    p !== null && p !== Effect.prototype && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  )
    for (const k of Object.getOwnPropertyNames(p))
      if (
        k !== "constructor" &&
        !keys.includes(k) &&
        Object.getOwnPropertyDescriptor(p, k)?.get !== undefined
      )
        keys.push(k);
  return keys;
}

/** Has `o` the field `k` (fieldKeys: own, or a field-less effect's getter)? */
export function hasField(o: object, k: string | symbol): boolean {
  return Object.hasOwn(o, k) || (brandOf(o) === B_EFFECT && fieldKeys(o).includes(k));
}

/** What a getter that throws reads as: one value, so that two such fields are equal (as unknown). */
const UNREADABLE: object = Object.freeze({});

/** The value of `o`'s field `k`; a getter that throws gives UNREADABLE (shown `(a getter that threw)`). */
export function fieldValue(o: object, k: string | symbol): unknown {
  try {
    return (o as Record<string | symbol, unknown>)[k];
  } catch {
    return UNREADABLE;
  }
}

function child(path: string, key: string | number | symbol): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (typeof key === "symbol") return `${path}[${key.toString()}]`;
  const k = showKey(key);
  return path === "" ? (k === key ? k : `[${k}]`) : k === key ? `${path}.${k}` : `${path}[${k}]`;
}

/** The first difference found between two values `equal` says differ. */
interface Difference {
  readonly path: string;
  readonly text: string;
  /** inside a plain object or array field (not visible as a whole field) */
  readonly nested: boolean;
}

type Equal = (a: unknown, b: unknown) => boolean;

/** A long string around index `i` (where it differs from the other): `…"abc"…`. */
function excerpt(s: string, i: number, cap: number): string {
  if (s.length <= cap) return JSON.stringify(s);
  let start = Math.max(0, i - 20);
  // never from a surrogate pair's second half, nor to its first: an emoji's halves print as `\ud83d`
  const c = s.charCodeAt(start);
  if (c >= 0xdc00 && c <= 0xdfff && isHigh(s.charCodeAt(start - 1))) start--;
  const text = head(s.slice(start, start + cap - 20), cap - 20);
  const end = start + text.length;
  return `${start > 0 ? "…" : ""}${JSON.stringify(text)}${end < s.length ? "…" : ""}`;
}

/** A UTF-16 code unit that is the first half of a surrogate pair. */
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

function leaf(path: string, expected: unknown, actual: unknown, nested: boolean): Difference {
  if (typeof expected === "string" && typeof actual === "string") {
    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i++;
    // (😀 and 😁 share their first half: the character that differs starts one before)
    if (isHigh(expected.charCodeAt(i - 1))) i--;
    // (in a long string the first differing character is hard to find by eye: name it)
    const long = expected.length > LONG_STRING || actual.length > LONG_STRING;
    const e = excerpt(expected, i, FIELD_CAP);
    const a = excerpt(actual, i, FIELD_CAP);
    return { path, text: `expected ${e}, got ${a}${long ? ` ${DIFFER_AT}${i})` : ""}`, nested };
  }
  const e = showValue(expected);
  const a = showValue(actual);
  let note = "";
  if (e === a) {
    const eo = typeof expected === "object" && expected !== null;
    const ao = typeof actual === "object" && actual !== null;
    if (eo && ao && brandOf(expected) === B_EFFECT && brandOf(actual) === B_EFFECT)
      note = " (different classes of the same name)";
    else if (eo && ao && !isPlainObject(expected) && !isPlainObject(actual))
      note = " (a different object: class instances match only by identity)";
    else if (eo && ao && Object.getPrototypeOf(expected) !== Object.getPrototypeOf(actual))
      note = " (different prototypes)";
    else if (typeof expected === "function" && typeof actual === "function") note = " (a different function)";
  }
  return { path, text: `expected ${e}, got ${a}${note}`, nested };
}

function missing(path: string, value: unknown, expectedHas: boolean, nested: boolean): Difference {
  return {
    path,
    text: expectedHas
      ? `expected ${showValue(value)}, got no such field`
      : `expected no such field, got ${showValue(value)}`,
    nested,
  };
}

/**
 * The pairs of objects whose difference is being looked for further up the path: a field that leads
 * back to one (a cycle, `order.items[0].order`) is passed over, its difference is elsewhere — else
 * the search went round the cycle until the stack overflowed, and the message lost its `at` line.
 */
type Path = [object, object][];

const onPath = (path: Path, e: unknown, a: unknown): boolean => path.some(([pe, pa]) => pe === e && pa === a);

function fieldsDiff(
  e: object,
  a: object,
  path: string,
  equal: Equal,
  nested: boolean,
  on: Path = [],
): Difference | null {
  on.push([e, a]);
  try {
    for (const k of fieldKeys(e)) {
      const p = child(path, k);
      const ek = fieldValue(e, k);
      if (!hasField(a, k)) return missing(p, ek, true, nested);
      const ak = fieldValue(a, k);
      if (!onPath(on, ek, ak) && !equal(ek, ak)) return diffAt(ek, ak, p, equal, nested, on);
    }
  } finally {
    on.pop();
  }
  for (const k of fieldKeys(a))
    if (!hasField(e, k)) return missing(child(path, k), fieldValue(a, k), false, nested);
  return null;
}

function diffAt(e: unknown, a: unknown, path: string, equal: Equal, nested: boolean, on: Path): Difference {
  if (e === null || a === null || typeof e !== "object" || typeof a !== "object" || isAsymmetric(e))
    return leaf(path, e, a, nested);
  if (Array.isArray(e) && Array.isArray(a)) {
    const n = Math.min(e.length, a.length);
    on.push([e, a]);
    try {
      for (let i = 0; i < n; i++) {
        if (i in e !== i in a)
          return {
            path: child(path, i),
            text: i in e ? "expected a value, got a hole" : "expected a hole, got a value",
            nested: true,
          };
        if (!onPath(on, e[i], a[i]) && !equal(e[i], a[i]))
          return diffAt(e[i], a[i], child(path, i), equal, true, on);
      }
    } finally {
      on.pop();
    }
    return leaf(`${path}.length`, e.length, a.length, true);
  }
  if (
    !Array.isArray(e) &&
    !Array.isArray(a) &&
    (isPlainObject(e) || brandOf(e) === B_EFFECT) &&
    Object.getPrototypeOf(e) === Object.getPrototypeOf(a)
  ) {
    return fieldsDiff(e, a, path, equal, true, on) ?? leaf(path, e, a, nested);
  }
  return leaf(path, e, a, nested);
}

/**
 * Where an expected effect instance differs from an effect of the same class: `value.age: expected
 * 37, got 36`, or null when the difference already shows in the two effects' printed forms (a
 * differing top-level field of a primitive). Never throws.
 */
export function fieldDifference(expected: object, actual: object, equal: Equal): string | null {
  try {
    const d = fieldsDiff(expected, actual, "", equal, false);
    if (d === null) return null;
    // (a top-level field that prints differently shows itself, unless it is a long string: then
    // the character where the two part is the news)
    if (!d.nested && !d.text.includes(DIFFER_AT) && showEffectFields(expected) !== showEffectFields(actual))
      return null;
    return `at ${d.path}: ${d.text}`;
  } catch {
    return null;
  }
}

/**
 * Brands (SEMANTICS §1). Values are classified by a private symbol set by library constructors,
 * never by class name or shape. The brand value is a small integer so the step loop classifies a
 * yielded value with one property read and one switch.
 */
import { type B_CONTINUATION, B_EFFECT, B_PRIMITIVE, B_PROGRAM } from "./codes.js";

export const BRAND: unique symbol = Symbol("doeff.brand");

export type BrandKind = typeof B_EFFECT | typeof B_PROGRAM | typeof B_PRIMITIVE | typeof B_CONTINUATION;

/**
 * Every copy of doeff marks its prototypes with this registry symbol too (the same symbol in every
 * copy). Never read to classify — a value of another copy is not ours: its VM,
 * continuations and handlers are another machine's — only to say so in a message. Two copies get
 * loaded by two versions in node_modules, or by a library that bundles its own; then a program of
 * one run by the other said only "got Program object".
 */
const ANY_COPY: unique symbol = Symbol.for("doeff.kind") as never;

/** Says how two copies come to be loaded and how to make them one: for messages about another copy's values. */
export const TWO_COPIES =
  "(two copies are loaded: `npm ls doeff` shows them; `npm dedupe`, or doeff as a peer dependency of the library that brings its own, makes them one)";

/** Brand `proto` (a library class's prototype) as `b`, and mark it for every copy. */
export function brand(proto: object, b: BrandKind): void {
  Object.defineProperty(proto, BRAND, { value: b });
  Object.defineProperty(proto, ANY_COPY, { value: 1 });
}

/**
 * The brand of `x`, or 0 when `x` is not a library object. Never throws: a hostile value (a Proxy
 * whose traps throw, a throwing getter) is simply not a library object.
 */
export function brandOf(x: unknown): number {
  if (x === null || (typeof x !== "object" && typeof x !== "function")) return 0;
  try {
    const b = (x as { [BRAND]?: unknown })[BRAND];
    return typeof b === "number" ? b : 0;
  } catch {
    return 0;
  }
}

/**
 * Why `h`, given where a handler goes, is not one — for the common mix-up of an effect class with
 * its handler (`handlers: [Roll]`): null when it is a function that is not an effect class.
 * `listed`: for an entry of a handlers list ("handlers[1] is 1, not a handler function").
 */
export function notAHandler(h: unknown, listed = false): string | null {
  // `handlers: [scheduler()]`: a generator-function handler called with no arguments gives its
  // generator object, which describe() can only call "object".
  if (typeof h !== "function") {
    if (isGeneratorObject(h))
      return `a generator object${listed ? ", not a handler function" : ""} (a handler was called: list it uncalled, e.g. scheduler, not scheduler())`;
    return listed ? `${describe(h)}, not a handler function` : describe(h);
  }
  let proto: unknown;
  let handles: unknown;
  try {
    proto = (h as { prototype?: unknown }).prototype;
    handles = (h as { handles?: unknown }).handles;
  } catch {
    return null;
  }
  // (the search calls it for each effect: it failed there with V8's "pred.call is not a function")
  if (handles !== undefined && typeof handles !== "function")
    return `${describe(h)}, whose handles is ${describe(handles)}, not a function (effect) => boolean`;
  if (brandOf(proto) !== B_EFFECT) return null;
  const name = (h as { name?: string }).name || "EffectClass";
  return `the effect class ${name}, not a handler for it (write handle(${name}, (effect, k) => …) or answer(${name}, (effect) => value))`;
}

/**
 * What a handler threw when called, or — when the handler is a class (`withHandler(class X {}, p)`,
 * `handlers: [X]`), which the engine refuses to call (`Class constructor X cannot be invoked without
 * 'new'`) — a TypeError saying what to pass instead. Read here, when the call threw, not where the
 * handler is installed: withHandler and run refuse an Effect class up front (notAHandler, above),
 * but any other class would cost every withHandler a source read.
 */
export function classCalled(h: unknown, err: unknown): unknown {
  // (a handler is a function, checked where it was installed: toString does not throw for one; a
  // class never runs when called, so what it threw is the engine's TypeError)
  if (!Function.prototype.toString.call(h).startsWith("class")) return err;
  const name = className(h);
  return new TypeError(
    `handler ${name} is a class, not a handler function (write handle(${name}, (effect, k) => …) or answer(${name}, (effect) => value))`,
    { cause: err },
  );
}

/**
 * A handler factory listed in `handlers` without its call (`handlers: [scheduler, simulatedTime]`)
 * is called as the handler, with an effect for its options: say that, not "unknown option ms".
 */
export function listedUncalled(arg: unknown, name: string, call = `${name}()`): void {
  if (brandOf(arg) === B_EFFECT)
    throw new TypeError(
      `${name} makes a handler and was listed as one itself: write ${call} in handlers, not ${name}`,
    );
}

/**
 * Is `x` an Effect — by its prototype chain. Hot paths tell library objects this way (here, and
 * isPrimitive / isContinuation beside their classes): `x instanceof C` walks x's chain, a cost that
 * does not depend on x's hidden class, while a `[BRAND]` read in brandOf is one property site shared
 * by everything that reaches it — every effect class of a program, primitives, continuations — and
 * goes megamorphic past four classes. Equivalent to the brand, which is defined on the classes'
 * prototypes only and whose symbol is private. Never throws.
 *
 * Four near-copies on purpose (here, isPrimitive, isProgram, isContinuation), each with its class
 * as a constant: one shared `isInstance(x, C)` made the `instanceof` site see four constructors and
 * measured 11–38 % slower (in-process A/B: state_loop 1.11–1.13×, transfer 1.22–1.24×,
 * fibonacci_recursive 1.38×).
 */
export function isEffectInstance(x: unknown): boolean {
  if (x === null || typeof x !== "object") return false;
  try {
    return x instanceof EffectMark;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws: not a library object
  }
}

/** Its `prototype` is Effect.prototype, set by effects/effect.ts (the VM does not import effects/). */
export function EffectMark(): void {}

export function isEffectValue(x: unknown): boolean {
  return brandOf(x) === B_EFFECT;
}

/** ProgramLike = Program | Effect | Primitive (SEMANTICS §1). */
export function isProgramLike(x: unknown): boolean {
  const b = brandOf(x);
  return b === B_PROGRAM || b === B_EFFECT || b === B_PRIMITIVE;
}

/** %GeneratorPrototype%: the prototype of every generator function's `prototype` object. */
const GENERATOR_PROTOTYPE: object = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})()));

/**
 * A generator object (or any hand-written iterator with the generator protocol: next, throw and
 * return). Async generators are not: they have no `Symbol.iterator` (see isAsyncIterator). Never
 * throws.
 */
export function isGeneratorObject(x: unknown): x is Generator {
  if (x === null || typeof x !== "object") return false;
  try {
    // Native generator objects first, by their prototype chain (see isNativeGenerator): the
    // property reads below go megamorphic in a program with many generator functions — 30 % of
    // handler_sieve's time at n = 4,000 (bench/README.md).
    if (x instanceof NativeGenerator) return true;
    return (
      typeof (x as Generator).next === "function" &&
      typeof (x as Generator).throw === "function" &&
      typeof (x as Generator).return === "function" &&
      typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== "function"
    );
  } catch {
    return false;
  }
}

/**
 * A native generator object (made by calling a `function*`): %GeneratorPrototype% is on its
 * prototype chain. No property read: each generator function (each closure, too) gives its objects
 * a hidden class of their own, so a read such as `gen[BRAND]` or `gen.next` goes megamorphic in a
 * program with many of them and, past a few hundred, misses V8's stub cache (~800 ns a read:
 * handler_sieve, bench/README.md). Its methods are still called as properties (an override on the
 * function's `prototype` is honoured). Never throws.
 */
export function isNativeGenerator(x: unknown): x is Generator {
  if (x === null || typeof x !== "object") return false;
  try {
    return x instanceof NativeGenerator;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/**
 * `x instanceof NativeGenerator` walks x's prototype chain for %GeneratorPrototype% — as cheap as
 * one monomorphic property read, and unlike `Object.getPrototypeOf` twice (~12 ns more) or a
 * megamorphic read (~800 ns past the stub cache), its cost does not depend on x's hidden class.
 */
function NativeGenerator(): void {}
NativeGenerator.prototype = GENERATOR_PROTOTYPE;

/** An async generator object or other async iterator (not supported: the VM steps synchronously). */
export function isAsyncIterator(x: unknown): boolean {
  if (x === null || typeof x !== "object") return false;
  try {
    return typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
  } catch {
    return false;
  }
}

/** Never throws. */
export function isThenable(x: unknown): boolean {
  if (x === null || (typeof x !== "object" && typeof x !== "function")) return false;
  try {
    return typeof (x as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

/**
 * The first `n` UTF-16 code units of `s`, or one fewer where the last would be the first half of a
 * surrogate pair (an emoji, a CJK extension character): cut between the halves, a report would print
 * a lone surrogate, which a terminal shows as U+FFFD and a strict UTF-8 encoder refuses.
 */
export function head(s: string, n: number): string {
  return s.slice(0, n).replace(/[\ud800-\udbff]$/, "");
}
/** `s` cut to `max` characters, `...` ending what was cut (one helper: five places shorten so). */
export function clip(s: string, max: number): string {
  return s.length > max ? `${head(s, max - 3)}...` : s;
}

/**
 * A class's name as its source spells it, also in a minified bundle (whose bundler renames classes):
 * its own static `displayName` when it has one — doeff's effect and error classes do — else its
 * `name`. A subclass without its own `displayName` gets its own `name`, not its parent's. Never throws.
 */
export function className(c: unknown): string {
  if (typeof c !== "function") return "";
  try {
    const own = Object.hasOwn(c, "displayName") ? (c as { displayName?: unknown }).displayName : undefined;
    return typeof own === "string" ? own : (c as { name: string }).name;
  } catch {
    // a hostile class (a throwing `displayName`/`name` getter, a Proxy): unnamed, never a crash — error
    // messages and traces name classes while an error is already on its way
    return "";
  }
}

/** A short printable description of any value, for error messages and traces. Never throws. */
export function describe(x: unknown): string {
  try {
    if (x == null) return String(x); // "undefined", "null"
    switch (typeof x) {
      case "string":
        return JSON.stringify(clip(x, 40));
      case "number":
      case "boolean":
        return String(x);
      case "bigint":
        // (as written: `delay expects a number of milliseconds, got 5` named a number, for 5n — a
        // database driver's BIGINT column, say)
        return `${x}n`;
      case "symbol":
        return x.toString();
      case "function":
        return `function ${(x as { name?: string }).name || "(anonymous)"}`;
    }
    // a task or future as its user knows it, `Task(1)`, not by the scheduler's class (`TaskRec object`)
    if (String((x as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]).startsWith("doeff."))
      return String(x);
    const name = className((x as { constructor?: unknown }).constructor) || "Object";
    if (brandOf(x) === 0 && (x as { [ANY_COPY]?: unknown })[ANY_COPY] === 1)
      return `${name} object from another copy of doeff ${TWO_COPIES}`;
    if (Array.isArray(x)) return `Array(${x.length})`;
    return name === "Object" ? "object" : `${name} object`;
  } catch {
    return "a value that cannot be inspected (its properties throw)";
  }
}

/**
 * Why `c`, given where an effect class goes (`handle`, `answer`, `observe`, `mock`), is not one, or
 * null when it is: a constructor whose instances are Effects. A class that does not extend Effect
 * (`Error`, a plain `function`) was accepted before and its handler silently took nothing, so the
 * program then failed with an UnhandledEffectError that named the effect, not the mistake. Never throws.
 */
export function notAnEffectClass(c: unknown): string | null {
  let proto: unknown;
  try {
    proto = typeof c === "function" ? (c as { prototype?: unknown }).prototype : null;
    if (brandOf(proto) === B_EFFECT) return null;
    // an effect class of another copy of doeff: accepted here, as before — its handler fails where it
    // uses this copy's continuation, with a message naming the two copies (test/two-copies.test.ts)
    if ((proto as { [ANY_COPY]?: unknown } | null)?.[ANY_COPY] === 1) return null;
  } catch {}
  return typeof c === "function" ? `${describe(c)}, which does not extend Effect` : describe(c);
}

/**
 * Programs (SEMANTICS §1): lazy, re-runnable descriptions. A Program is a generator function plus
 * arguments, called anew every time it is started, so running the same Program twice runs it twice.
 *
 * Why a tag field rather than subclasses: the step loop starts programs on its hot path, and a
 * single class keeps that call site monomorphic.
 */
import { brand, describe } from "./brand.js";
import { groupTasks } from "../trace/blocked-in.js";
import { Once } from "./once.js";
import { captureSite, siteState } from "./sites.js";
import type { AnyEffect, AnyProgramLike, EffectsOf, ResultOf } from "./types.js";
import { B_PROGRAM, P_FLATMAP, P_GEN, P_GEN1, P_GENOBJ, P_INTERNAL, P_MAP, P_PURE } from "./codes.js";

/**
 * A lazy, re-runnable program producing `A` and performing the effects `E` (API §7; inferred by
 * `fn`/`program`). The default row is open: a `Program<A>` annotation claims nothing about effects.
 */
export class Program<A = unknown, E = AnyEffect> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Program";
  // Phantoms, required (never set: `declare`): optional ones made TypeScript head a failed coverage
  // check of `run(p)` under exactOptionalPropertyTypes with "Consider adding 'undefined' to the types
  // of the target's properties" — advice that fixes nothing (test/types-matrix.test.ts)
  declare readonly __result: A;
  declare readonly __effects: E;
  /** Phantom, protected: makes Program nominal (its run-time fields are stripped from the declarations). */
  declare protected readonly __program: true;
  /** @internal */ declare readonly tag: number;
  /** @internal */ declare readonly a: unknown;
  /** @internal */ declare readonly b: unknown;
  /** The name shown by getCallStack and tracebacks (the generator function's name). */
  declare readonly name: string;

  /** @hidden Programs are made by fn, program, pure, map and flatMap. */
  constructor(tag: number, a: unknown, b: unknown, name: string) {
    this.tag = tag;
    this.a = a;
    this.b = b;
    this.name = name;
  }

  /** Yields the program itself once (the VM calls it) and returns its result. */
  [Symbol.iterator](): Iterator<Program<A, E>, A, unknown> {
    if (siteState.on !== 0) captureSite();
    return new Once<Program<A, E>, A>(this) as Iterator<Program<A, E>, A, unknown>;
  }

  /** A program that runs this one and returns `f(result)`. */
  map<B>(f: (a: A) => B): Program<B, E> {
    if (typeof f !== "function") throw new TypeError(`Program.map expects a function, got ${describe(f)}`);
    return new Program<B, E>(P_MAP, this, f, "");
  }

  /** A program that runs this one, then the program `f(result)` returns. */
  flatMap<P extends AnyProgramLike>(f: (a: A) => P): Program<ResultOf<P>, E | EffectsOf<P>> {
    if (typeof f !== "function")
      throw new TypeError(`Program.flatMap expects a function, got ${describe(f)}`);
    return new Program(P_FLATMAP, this, f, "");
  }

  toString(): string {
    return `Program(${this.name || "anonymous"})`;
  }
}

/** Is `x` a Program (by its prototype chain: see isEffectInstance in brand.ts). Never throws. */
export function isProgram(x: unknown): x is Program {
  if (x === null || typeof x !== "object") return false;
  try {
    return x instanceof Program;
  } catch {
    return false;
  }
}
brand(Program.prototype, B_PROGRAM);

/** Anything iterable with `yield*` that produces an `A`: Program, Effect or Primitive. */
export type ProgramLikeOf<A> = { [Symbol.iterator](): Iterator<unknown, A, unknown> };

/** The generator function form accepted by `fn` and `program`. */
export type GenFn<Args extends unknown[], R> = (...args: Args) => Generator<unknown, R, any>;

/** A primitive carrying a raw generator object made by an fn-wrapped generator function (named recursion). */
export type CallGenFactory = (gen: Generator, name: string) => unknown;
let makeCallGen: CallGenFactory | null = null;
/** @internal The primitive module registers the CALL_GEN constructor here (avoids an import cycle). */
export function registerCallGen(f: CallGenFactory): void {
  makeCallGen = f;
}

/** trapped generator prototypes → the generator function's name (for messages) */
const trapped = new WeakMap<object, string>();

/**
 * @internal The name `n` when `gen` was made by calling the generator function of
 * `fn(function* n(…) {…})` inside itself (named recursion), else null. Never throws.
 */
export function recursionName(gen: unknown): string | null {
  try {
    if (gen === null || typeof gen !== "object") return null;
    return trapped.get(Object.getPrototypeOf(gen)) ?? null;
  } catch {
    return null;
  }
}

/**
 * Named recursion trap (SEMANTICS §1): inside `fn(function* count(n) { ... yield* count(n - 1) })` the
 * name `count` is the raw generator function. Give its prototype a `[Symbol.iterator]` that yields a
 * call instruction carrying the generator object, so the VM drives it as a frame of its own instead of
 * JS delegating natively (which would cost O(depth) per effect and overflow the JS stack).
 */
function installRecursionTrap(g: Function, name: string): void {
  // an anonymous generator function (`program(function* () {…})`, often one per item of a loop)
  // cannot call itself by name: the trap would cost more than making the program (~1.6 µs)
  if (!name) return;
  // its own prototype only: a bound generator function has none, and would inherit the one every
  // generator shares (%GeneratorPrototype%, tagged "GeneratorFunction" too) — trapping all of them
  const proto = Object.getOwnPropertyDescriptor(g, "prototype")?.value as unknown;
  if (proto === null || typeof proto !== "object" || trapped.has(proto)) return;
  if (Object.prototype.toString.call(g) !== "[object GeneratorFunction]") return;
  trapped.set(proto, name);
  Object.defineProperty(proto, Symbol.iterator, {
    configurable: true,
    writable: true,
    value: function* callTrap(this: Generator): Generator<unknown, unknown, any> {
      if (siteState.on !== 0) captureSite();
      return yield makeCallGen!(this, name);
    },
  });
}

/**
 * `fn(function* name(...) { ... })` → `(...args) => Program`, named `name`. Parameter types are kept;
 * the row is inferred from what the generator yields. The generator's next type is `unknown`, so a
 * bare `yield x` (a forgotten `*`) evaluates to `unknown` and its use is a compile error. The
 * generator is called without a `this` (`this: void`): one declared `this: Service`, as a method
 * would use, is a compile error — at run time `this` is undefined.
 *
 * A parameter with a default value and no type has the default's type, as outside `fn`
 * (`function* (ms = 100)` takes `ms?: number`). TypeScript types such a parameter as the union of
 * what the call site's signature gives it and its default's type: with `Args`' constraint,
 * `unknown`, that was `unknown`; `Args` left uninferred is now `never[]`, which adds nothing. (A
 * parameter with neither type nor default is then `never`, so the program cannot be called with
 * it: give it a type — outside `fn`, strict TypeScript asks for one too. Where the call site does
 * give types, `recover(E, fn(function* (e) { … }))`, `Args` is inferred from them as before.)
 */
export function fn<Args extends unknown[] = never[], Y = never, R = unknown>(
  g: (this: void, ...args: Args) => Generator<Y, R, unknown>,
): (...args: Args) => Program<R, EffectsOf<Y>> {
  const make = maker(g);
  // (the descriptors made here: `{ value: UNCALLED.uncalled }` at the top level is a property read,
  // which a bundler keeps, with the method, in a bundle that never calls fn)
  // (two calls: one defineProperties of both took ~0.7 µs more per fn, its descriptor object read)
  Object.defineProperty(make, Symbol.iterator, { value: UNCALLED.uncalled });
  Object.defineProperty(make, "toString", { value: UNCALLED.toString });
  return make;
}

/**
 * `yield* save` for `yield* save(…)`: the function fn made, yielded uncalled. The engine's own
 * error, "function is not iterable", names neither the function nor the fix; this iterator, which
 * `yield*` asks for first, throws one that does, at the user's line. Not in fn's result type, so
 * TypeScript still refuses it (TS2488); non-enumerable, so the function prints as before. Not on
 * `program(g)`'s internal maker: its function never reaches the user.
 *
 * A method, not a `function`: it has no `prototype`, so `util.inspect(save, { showHidden: true })`
 * (and `console.log("%o", save)`) show `[Function: uncalled]`, not a circular prototype object
 * (`<ref *1> … [prototype]: { [constructor]: [Circular *1] }`), and `new` of it is refused. What the
 * iterator costs elsewhere: `Symbol.iterator in save` is true, so spreading or iterating the
 * function (`[...save]`, `Array.from(save)`, `for…of`) throws too — a TypeError naming it, where a
 * plain function's spread threw "save is not iterable" (and `Array.from` of one gives `[]`). Its
 * first `next` tells the two apart: `yield*` passes the value it sends (one argument, `undefined`),
 * a spread, `Array.from`, `for…of` and destructuring pass none (the spec's IteratorStep); a spread
 * was told "yield* save without calling it", which it never wrote.
 *
 * `toString`: `String(save)` and `${save}` gave the source of the maker below (`make(){const
 * a=arguments;…}`), nothing of the user's; `[doeff fn save]` says what it is. (`structuredClone`
 * refuses it as any function, and V8's DataCloneError quotes the function's source itself.)
 */
const UNCALLED = {
  uncalled(this: { name?: unknown } | undefined): Iterator<never> {
    const n = typeof this?.name === "string" && this.name !== "" ? this.name : "f";
    return {
      next(...sent: unknown[]): never {
        throw new TypeError(
          sent.length === 1
            ? `yield* ${n} without calling it: ${n} is a function that returns a program (made by fn); write yield* ${n}(…)`
            : `${n} is not iterable: it is a function that returns a program (made by fn); call it for the program, e.g. yield* ${n}(…)`,
        );
      },
    };
  },
  toString(this: { name?: unknown } | undefined): string {
    const n = typeof this?.name === "string" && this.name !== "" ? ` ${this.name}` : "";
    return `[doeff fn${n}]`;
  },
};

/** fn without the uncalled-yield* iterator (see UNCALLED). */
function maker<Args extends unknown[], Y, R>(
  g: (this: void, ...args: Args) => Generator<Y, R, unknown>,
): (...args: Args) => Program<R, EffectsOf<Y>> {
  const p = called(g, "fn");
  const body = p.a as Function;
  const shown = p.name;
  // A program of one argument keeps it inline (P_GEN1): no rest array, 56 B less per program — per
  // task in spawn + gather, where a waiting task's program is kept (and promoted) until it starts.
  // `arguments`, not a rest parameter, so the one-argument path allocates no array at all; a method,
  // not a `function`, so that like the arrow it was it is no constructor and has no prototype.
  const make = {
    make(): Program<R, EffectsOf<Y>> {
      // biome-ignore lint/complexity/noArguments: a rest array is the allocation this avoids
      const a = arguments;
      const n = a.length;
      if (n === 1) return new Program(P_GEN1, body, a[0], shown);
      const args = new Array<unknown>(n); // copied here: no user-patchable Array.prototype.slice
      for (let i = 0; i < n; i++) args[i] = a[i];
      return new Program(P_GEN, body, args, shown);
    },
  }.make as unknown as (...args: Args) => Program<R, EffectsOf<Y>>;
  Object.defineProperty(make, "name", { value: shown, configurable: true });
  return make;
}

/**
 * fn's and program's part (`who`: which, for the messages): `g` checked, its recursion trap installed and, for a method that uses
 * `this`, its body wrapped (methodRun); then the program of `g()` — program's result, and what fn's
 * maker makes its programs of (its body and name). Without the maker, so that program's bundle (the
 * small import) carries none of it.
 */
function called(g: Function, who: string): Program {
  if (typeof g !== "function") {
    throw new TypeError(`${who} expects a generator function (function* name() { ... }), got ${describe(g)}`);
  }
  if (isAsyncGeneratorFunction(g)) {
    throw new TypeError(
      `${who}(async function* ${g.name || "name"}): async generators are not supported: write function* and use awaitPromise for promises`,
    );
  }
  const name = g.name;
  // the name tracebacks show: `play` for fn(game.play.bind(game)), what the method's error advises
  const shown = name.startsWith("bound ") ? name.slice(6) : name;
  installRecursionTrap(g, name);
  // (a method always has a name: an anonymous generator, the one made per item of a loop, skips the
  // source-text check, ~150 ns)
  const src = name !== "" ? thisMethodSource(g) : null;
  const body: Function =
    src === null
      ? g
      : function () {
          // biome-ignore lint/complexity/noArguments: forwarded as they came (one or many)
          return methodRun((g as Function).apply(undefined, arguments) as Generator, name, src);
        };
  return new Program(P_GEN, body, [], shown);
}

/**
 * The source text of `g` when it is a generator method (`*play() {…}` in a class or an object
 * literal) whose text uses `this`, else null. Given as `fn(game.play)` it runs with `this` undefined,
 * as plain JS would (so `this ?? defaults`, `this?.x` and `typeof this` work), and `this.bonus` failed
 * as V8's "Cannot read properties of undefined (reading 'bonus')", which said nothing of why (and
 * TypeScript does not check a method's `this` where it is passed): methodRun says why. Never throws.
 */
function thisMethodSource(g: Function): string | null {
  try {
    if (Object.getPrototypeOf(g) !== GeneratorFunctionProto) return null;
    const src = Function.prototype.toString.call(g);
    return /^function/.test(src) || !/\bthis\b/.test(src) ? null : src;
  } catch {
    return null;
  }
}

/**
 * The generator of a `this`-using method (thisMethodSource), delegated to as is (the VM takes any
 * object with next, throw and return). Only an error its own code throws is looked at (noThis), not
 * one thrown into it and propagating. A wrapper, not a stand-in `this` (a Proxy that threw on any
 * use), which made `this ?? defaults` throw too.
 */
function methodRun(g: Generator, n: string, src: string): object {
  const step = (k: "next" | "throw" | "return", v: unknown): unknown => {
    try {
      return g[k](v as never);
    } catch (e) {
      throw k === "throw" && e === v ? e : noThis(e, n, src);
    }
  };
  return {
    next: (v: unknown) => step("next", v),
    throw: (v: unknown) => step("throw", v),
    return: (v: unknown) => step("return", v),
  };
}

/**
 * methodRun's error `e`: V8's TypeError for reading or writing a property of undefined, where the method's text reads that property of `this`, becomes a TypeError naming the
 * method and the fix, the original as its `cause`; anything else is returned as it is. Never throws.
 */
function noThis(e: unknown, n: string, src: string): unknown {
  try {
    // "Cannot read properties of undefined (reading 'bonus')", "Cannot set … (setting 'count')";
    // not "Cannot destructure property 'count' of 'this' as it is undefined.", which says it
    const m =
      e instanceof TypeError
        ? /^Cannot (read|set) properties of undefined \(\w+ '(.*)'\)$/.exec(e.message)
        : null;
    // the method's text reads that key of `this`: `this.bonus`, or `this[…]` for any key
    if (m === null || (!src.includes(`this.${m[2]}`) && !/\bthis\s*\[/.test(src))) return e;
    return new TypeError(
      `fn(${n}): ${n} is a method, called by doeff without a this, so this.${m[2]} cannot be ${m[1]}: give fn the method bound to its object, fn(obj.${n}.bind(obj)), or pass what it needs as an argument, or close over it`,
      { cause: e },
    );
  } catch {
    return e; // a hostile error object: as it came
  }
}

const AsyncGeneratorFunctionProto = Object.getPrototypeOf(async function* () {});
const AsyncFunctionProto = /* @__PURE__ */ Object.getPrototypeOf(async () => {});
const GeneratorFunctionProto = Object.getPrototypeOf(function* () {});
/** Is `g` an `async function*`? (by prototype: a bundler may rename it, not change its kind) */
function isAsyncGeneratorFunction(g: Function): boolean {
  try {
    return Object.getPrototypeOf(g) === AsyncGeneratorFunctionProto;
  } catch {
    return false; // a hostile Proxy: the call will say what is wrong
  }
}

/**
 * "an async function", "a generator function" or "an async generator function" for those kinds of
 * function (by prototype, as above), else null — for a callback that must return its value
 * synchronously (`answer`, `mock`), where such a function would answer with a Promise or an iterator.
 */
export function functionKind(g: Function): string | null {
  try {
    const p = Object.getPrototypeOf(g);
    return p === AsyncFunctionProto
      ? "an async function"
      : p === GeneratorFunctionProto
        ? "a generator function"
        : p === AsyncGeneratorFunctionProto
          ? "an async generator function"
          : null;
  } catch {
    return null; // a hostile Proxy: the call will say what is wrong
  }
}

/**
 * Whether `f` is a function `fn` made (told by the iterator fn gives it, UNCALLED): passed where a
 * program goes, it was not called. Never throws (a hostile Proxy: false).
 */
export function madeByFn(f: Function): boolean {
  try {
    return (f as { [Symbol.iterator]?: unknown })[Symbol.iterator] === UNCALLED.uncalled;
  } catch {
    return false;
  }
}

/** `program(g)` = `fn(g)()`: a zero-argument program, built once, runnable many times. */
export function program<Y, R>(g: (this: void) => Generator<Y, R, unknown>): Program<R, EffectsOf<Y>> {
  return called(g, "program") as Program<R, EffectsOf<Y>>;
}

/** A Program that returns `v`. */
export function pure<A>(v: A): Program<A, never> {
  return new Program<A, never>(P_PURE, v, undefined, "pure");
}

/**
 * @internal A one-shot program around a raw generator object (top level of run/runAsync only: its
 * one caller, run.ts start, gives it only what isGeneratorObject accepted).
 */
export function fromGeneratorObject<A>(gen: Generator<unknown, A, any>): Program<A, any> {
  return new Program<A>(P_GENOBJ, gen, undefined, "main");
}

/**
 * A program whose frame is hidden from getCallStack and tracebacks: for handler and combinator
 * libraries (the standard handlers' bodies, safe, task wrappers), so users see only their own code.
 */
export function hidden<A, Args extends unknown[]>(g: GenFn<Args, A>, ...args: Args): Program<A> {
  return new Program<A>(P_INTERNAL, g, args, "");
}

/**
 * A hidden program whose frame shows in tracebacks as a separator line `── label ──` (e.g. a task
 * wrapper: "in task 3 (spawned at main.ts:12)"). Otherwise exactly like `hidden`.
 */
export function boundary<A, Args extends unknown[]>(
  label: string,
  g: GenFn<Args, A>,
  ...args: Args
): Program<A> {
  groupTasks(); // (its line can start a chain of an aborted run's report: grouped as a task's)
  return new Program<A>(P_INTERNAL, g, args, label);
}

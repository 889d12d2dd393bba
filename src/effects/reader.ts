/** Reader effects (SEMANTICS §7.4): Ask, Local. */
import { checkProgramArg } from "./program-arg.js";
import { describe, isProgramLike } from "../vm/brand.js";
import type { Program, ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, IsOpen, ProgramArg, ResultOf } from "../vm/types.js";
import { Effect } from "./effect.js";

/**
 * The effect of `ask(key)`: read `key` from the run's env (answered by the `reader` handler, or
 * `MissingEnvKeyError` when the key is absent). Build it with `ask`; `T` is the value's type.
 */
export class Ask<T = unknown> extends Effect<T> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "reader";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Ask";
  declare readonly _tag: "Ask";
  declare readonly key: string;
  constructor(key: string) {
    super();
    this.key = key;
    // (here, named as ask, which checks nothing itself: `new Ask(5)` was a MissingEnvKeyError "no key 5")
    if (typeof key !== "string") throw new TypeError(`ask expects a string key, got ${describe(key)}`);
  }
}
/** Runs `program` at the perform site: its row `R` is part of the performer's row. */
export class Local<T = unknown, R = never> extends Effect<T> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "reader";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Local";
  declare readonly _tag: "Local";
  declare readonly __row?: R;
  declare readonly patch: Readonly<Record<string, unknown>>;
  declare readonly program: ProgramLikeOf<T>;
  constructor(patch: Readonly<Record<string, unknown>>, program: ProgramLikeOf<T>) {
    super();
    this.patch = patch;
    this.program = program;
    // (else a bad program was reported as "yielded 5", a yield the user never wrote)
    if (patch === null || typeof patch !== "object" || patch instanceof Map) badPatch(patch, "local");
    checkProgramArg(program, "local");
  }
}

/**
 * Typed env keys, opt-in. Declare the keys of your env by module augmentation:
 *
 *   declare module "doeff" { interface EnvTypes { "db.url": string; retries: number } }
 *
 * Then `ask("db.url")` is an `Ask<string>` and a key not declared is a compile error. Without a
 * declaration any string key is accepted and `ask<T>(key)` is typed by its type argument.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is the point (users augment it)
export interface EnvTypes {}

/** The keys `ask` accepts: every string, or once `EnvTypes` is declared, its keys. */
export type EnvKey = [keyof EnvTypes] extends [never] ? string : Extract<keyof EnvTypes, string>;
/** The declared type of env key `K` (`unknown` for an undeclared key). */
export type EnvValue<K> = K extends keyof EnvTypes ? EnvTypes[K] : unknown;

/**
 * What `ask<T>` accepts as `T`: anything while `EnvTypes` is not declared or has an index signature
 * (`[key: string]: unknown`), else nothing — the declared types are used.
 */
export type AskTypeArgument = [keyof EnvTypes] extends [never]
  ? unknown
  : string extends keyof EnvTypes
    ? unknown
    : NoTypeArgumentOnceEnvTypesIsDeclared;

/**
 * The constraint `ask<T>`'s type argument fails once `EnvTypes` is declared: named so that the
 * compile error says why and what to do (a bare `never` read "does not satisfy the constraint
 * 'never'").
 */
export interface NoTypeArgumentOnceEnvTypesIsDeclared {
  readonly "doeff: EnvTypes is declared, so ask takes no type argument: write ask(key), typed by EnvTypes (declare a missing key there)": never;
}

/**
 * An env or a `local` patch (also run's `env` option): any record, or once `EnvTypes` is declared,
 * declared keys with their types (or a lazy Program of it). A `Map` is accepted either way, unchecked
 * (its keys are not known to the compiler).
 */
export type EnvPatch = [keyof EnvTypes] extends [never]
  ? Record<string, unknown> | ReadonlyMap<string, unknown>
  : { readonly [K in EnvKey]?: EnvValue<K> | Program<EnvValue<K>> } | ReadonlyMap<string, unknown>;

/**
 * The effects of the lazy values of an env or a `local` patch: a Program value is run at its first
 * `ask`, at that site, so its effects are the asker's (`run` and `local` add them to the row). Values
 * of unknown type (a `Map`, a `Record<string, unknown>`) add nothing, and so does a Program typed
 * without its row (`Program<number>`: open, its effects are not known).
 */
export type PatchEffects<Patch> =
  Patch extends ReadonlyMap<unknown, unknown>
    ? never
    : {
        [K in keyof Patch]-?: 0 extends 1 & Patch[K] // any: unknown
          ? never
          : unknown extends Patch[K]
            ? never
            : Patch[K] extends Program<unknown, infer E> | undefined
              ? IsOpen<E> extends true
                ? never
                : Exclude<E, undefined>
              : never;
      }[keyof Patch];

/**
 * Keys of an env or `local` patch that `EnvTypes` does not declare, as `never` (so an undeclared
 * key is an error, as it is for a patch typed `EnvPatch`). Nothing without a declaration.
 */
export type UndeclaredKeys<Patch> = [keyof EnvTypes] extends [never]
  ? unknown
  : Patch extends ReadonlyMap<unknown, unknown>
    ? unknown
    : { readonly [K in Exclude<keyof Patch, EnvKey>]: never };

/**
 * The env value under `key` (a Program value is evaluated lazily, once per run); MissingEnvKeyError if
 * absent. Typed by `EnvTypes` when declared, else by the type argument: `ask<number>("n")`. Once
 * `EnvTypes` is declared (without an index signature) a type argument is a compile error: it would
 * override the declared type, and a stale one would hide a mismatch.
 */
export function ask<T extends AskTypeArgument = never, K extends EnvKey = EnvKey>(
  key: K,
): Ask<[T] extends [never] ? EnvValue<K> : T>;
export function ask(key: string): Ask<unknown> {
  return new Ask(key);
}
/**
 * Run `program` with the env overlaid by `patch`. Its row is the program's plus the effects of the
 * patch's Program values (lazy: each runs at its first `ask` inside `program`).
 */
export function local<P extends AnyProgramLike | AnyFunction, Patch extends EnvPatch = EnvPatch>(
  patch: Patch & UndeclaredKeys<Patch>,
  program: P & NoInfer<ProgramArg<P>>,
): Local<ResultOf<P>, EffectsOf<P> | PatchEffects<Patch>>;
export function local(patch: EnvPatch, program: AnyProgramLike): Local<unknown, unknown> {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch) || patch instanceof Promise)
    badPatch(patch, "local");
  if (isProgramLike(patch) && !isProgramLike(program))
    throw new TypeError(
      `local takes (patch, program), got a program first: the arguments are swapped; write local({ key: value }, program)`,
    );
  checkProgramArg(program, "local");
  // (both a program or effect: the patch was its fields, `{ ...effect }`, silently)
  if (isProgramLike(patch)) badPatch(patch, "local");
  // a Map is accepted as the `env` run option is (its string keys); spreading it would give {}
  return new Local(Object.freeze(patchObject(patch)), program as ProgramLikeOf<unknown>);
}

function badPatch(patch: unknown, where: string): never {
  throw new TypeError(`${where} expects a patch object ({ key: value }), got ${describe(patch)}`);
}

function patchObject(patch: object): Record<string, unknown> {
  if (!(patch instanceof Map)) return { ...patch };
  const out: Record<string, unknown> = {};
  for (const [k, v] of patch) {
    if (typeof k !== "string")
      throw new TypeError(`local: a Map patch needs string keys, got ${describe(k)}`);
    // an own property for "__proto__" too: `out[k] = v` set the object's prototype instead, and
    // the key was missing (MissingEnvKeyError) inside `local`
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

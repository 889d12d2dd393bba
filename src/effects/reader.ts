/** Reader effects (SEMANTICS §7.4): Ask, Local. */
import { checkProgramArg } from "./program-arg.js";
import { describe, isProgramLike } from "../vm/brand.js";
import type { ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { Effect } from "./effect.js";
import type {
  AskTypeArgument,
  CheckedEnvKey,
  EnvKey,
  EnvPatch,
  EnvValue,
  PatchEffects,
  UndeclaredKeys,
} from "./env-types.js";

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
 * The env value under `key` (a Program value is evaluated lazily, once per run); MissingEnvKeyError if
 * absent. Typed by `EnvTypes` when declared, else by the type argument: `ask<number>("n")`. Once
 * `EnvTypes` is declared (without an index signature) a type argument is a compile error: it would
 * override the declared type, and a stale one would hide a mismatch.
 */
export function ask<T extends AskTypeArgument = never, K extends string = EnvKey>(
  key: CheckedEnvKey<K>,
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

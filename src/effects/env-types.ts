/**
 * EnvTypes, the opt-in types of env keys, and the types ask, local and run's `env` option read it
 * through. Types only, in a module of their own, as state-types.ts is (there, why: a minifier's
 * short names follow the character counts of the sources it reads, type text included).
 *
 * Each type first tests whether EnvTypes is declared: a test that does not depend on the call, so
 * while it is not declared the type resolves once in the signatures, at no cost per call.
 */
import type { Program } from "../vm/program.js";
import type { IsOpen } from "../vm/types.js";

/**
 * Typed env keys, opt-in. Declare the keys of your env by module augmentation:
 *
 *   declare module "doeff" { interface EnvTypes { "db.url": string; retries: number } }
 *
 * Then `ask("db.url")` is an `Ask<string>`, `local`'s patch and run's `env` are checked against the
 * declared types, and a key not declared is a compile error that says to declare it here. Without a
 * declaration any string key is accepted and `ask<T>(key)` is typed by its type argument. Add
 * `[key: string]: unknown` to allow other keys, as `unknown` or typed by `ask<T>`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is the point (users augment it)
export interface EnvTypes {}

/** The keys `ask` accepts: every string, or once `EnvTypes` is declared, its keys. */
export type EnvKey = [keyof EnvTypes] extends [never] ? string : Extract<keyof EnvTypes, string>;
/** The declared type of env key `K` (`unknown` for an undeclared key). */
export type EnvValue<K> = K extends keyof EnvTypes ? EnvTypes[K] : unknown;

/**
 * The key parameter of `ask`: the key itself when it is an `EnvKey`, else a string type that is the
 * compile error (TypeScript prints it as what the key is not assignable to, so the message says what
 * to do rather than listing the declared keys), as `CheckedStateKey` is for state keys.
 */
export type CheckedEnvKey<K> = [keyof EnvTypes] extends [never]
  ? K // (first: undeclared, it resolves once in the signature, not per call)
  : [K] extends [EnvKey]
    ? K
    : string extends K
      ? "doeff: EnvTypes is declared, so an env key must be one of its keys, not any string"
      : UndeclaredEnvKey<K>;
/** The compile error for an env key `K` that `EnvTypes` does not declare (ask, local, run's env). */
export type UndeclaredEnvKey<K> =
  `doeff: '${K & string}' is not a key of EnvTypes: declare it there, with its type, beside the other keys`;

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
  : EnvPatchOfEnvTypes | ReadonlyMap<string, unknown>;

/**
 * A patch once `EnvTypes` is declared: its keys, each optional, with their declared types or a lazy
 * Program of them; with an index signature, other keys too, as `unknown` (mapped over `keyof
 * EnvTypes`, not over `EnvKey`, which is then `string` and gave every key, declared or not, the
 * index signature's `unknown`). An interface, so that hovers and compile errors show this name
 * rather than every key.
 */
export interface EnvPatchOfEnvTypes extends LazyEnvValues<EnvTypes> {}
/** Each key of `T` optional, with its type or a lazy Program of it (EnvPatchOfEnvTypes). */
export type LazyEnvValues<T> = { readonly [K in keyof T]?: T[K] | Program<T[K]> };

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
 * Keys of an env or `local` patch that `EnvTypes` does not declare, each typed as the compile error
 * that names the fix, `UndeclaredEnvKey` (so an undeclared key is an error, as it is for a patch
 * typed `EnvPatch`; typed `never`, the error read "Type 'number' is not assignable to type
 * 'never'"). Nothing without a declaration.
 */
export type UndeclaredKeys<Patch> = [keyof EnvTypes] extends [never]
  ? unknown
  : Patch extends ReadonlyMap<unknown, unknown>
    ? unknown
    : { readonly [K in Exclude<keyof Patch, EnvKey>]: { readonly [M in UndeclaredEnvKey<K>]: never } };

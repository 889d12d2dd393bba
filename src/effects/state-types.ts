/**
 * StateTypes, the opt-in types of state keys (the counterpart of reader.ts's EnvTypes), and the
 * types get/put/modify, run's `store` option and RunResult.store read it through. Types only, in a
 * module of their own: nothing imports it at run time, so the bundle does not see its text (a
 * minifier's choice of short names follows the character counts of the sources it reads, type
 * text included: declared in state.ts, these moved the gzip sizes by a few bytes with no code;
 * src/index.ts re-exports them with `export type *` for the same reason).
 *
 * Each type first tests whether StateTypes is declared: a test that does not depend on the call, so
 * while it is not declared the type resolves once in the signatures, at no cost per call.
 */
/**
 * Typed state keys, opt-in (the counterpart of `EnvTypes`). Declare the keys of your store by module
 * augmentation:
 *
 * ```ts
 * declare module "doeff" {
 *   interface StateTypes { count: number; user: { readonly name: string } }
 * }
 *
 * const n = yield* get("count");            // number
 * yield* put("count", "1");                 // compile error: count is a number
 * yield* modify("count", (old) => (old ?? 0) + 1); // old: number | undefined
 * run(main, { handlers: [state], store: { count: 0 } }).store.count; // number | undefined
 * ```
 *
 * A key not declared is a compile error that says to declare it here, and so is a type argument
 * (`get<string>("count")`). Without a declaration any string key is accepted, `get<T>(key)` and
 * `modify<T>(key, f)` are typed by their type argument and `put` stores any value. Add
 * `[key: string]: unknown` to allow other keys, as `unknown` or typed by `get<T>`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is the point (users augment it)
export interface StateTypes {}

/** The keys `get`, `put` and `modify` accept: every string, or once `StateTypes` is declared, its keys. */
export type StateKey = [keyof StateTypes] extends [never] ? string : Extract<keyof StateTypes, string>;
/** The declared type of state key `K` (`unknown` for an undeclared key). */
export type StateValue<K> = K extends keyof StateTypes ? StateTypes[K] : unknown;

/**
 * A store as run's `store` option takes it and `RunResult.store` gives it: any record, or once
 * `StateTypes` is declared, declared keys with their types (each may be absent).
 */
export type Store = [keyof StateTypes] extends [never]
  ? Readonly<Record<string, unknown>>
  : StoreOfStateTypes;

/**
 * A store once `StateTypes` is declared: its keys, each optional, with their declared types. An
 * interface, so that hovers and compile errors show this name rather than every key.
 */
export interface StoreOfStateTypes extends Readonly<Partial<StateTypes>> {}

/**
 * The key parameter of `get`, `put` and `modify`: the key itself when it is a `StateKey`, else a
 * string type that is the compile error (TypeScript prints it as what the key is not assignable
 * to, so the message says what to do rather than listing the declared keys).
 */
export type CheckedStateKey<K> = [keyof StateTypes] extends [never]
  ? K // (first: undeclared, it resolves once in the signature, not per call)
  : [K] extends [StateKey]
    ? K
    : string extends K
      ? "doeff: StateTypes is declared, so a state key must be one of its keys, not any string"
      : `doeff: '${K & string}' is not a key of StateTypes: declare it there, with its type, beside the other keys`;

/**
 * What `get<T>` and `modify<T>` accept as `T`: anything while `StateTypes` is not declared or has an
 * index signature (`[key: string]: unknown`), else nothing — the declared types are used.
 */
export type StateTypeArgument = [keyof StateTypes] extends [never]
  ? unknown
  : string extends keyof StateTypes
    ? unknown
    : NoTypeArgumentOnceStateTypesIsDeclared;

/**
 * `T` of `get<T>` and `modify<T>` when neither given nor inferred: `unknown` while `StateTypes` is
 * not declared (as before), else `never`, which StateAnswer reads as "the declared type".
 */
export type StateTypeDefault = [keyof StateTypes] extends [never] ? unknown : never;

/**
 * The constraint a type argument of `get<T>` or `modify<T>` fails once `StateTypes` is declared:
 * named so that the compile error says why and what to do.
 */
export interface NoTypeArgumentOnceStateTypesIsDeclared {
  readonly "doeff: StateTypes is declared, so get and modify take no type argument: write get(key), typed by StateTypes (declare a missing key there)": never;
}

/**
 * The answer of `get<T>(key)` and `modify<T>(key, f)`: `T` while `StateTypes` is not declared (as
 * before: given, or for modify inferred from f), else the key's declared type — or `T` when given
 * under an index signature, never inferred from f then (a declared key's `modify("count", () => 5)`
 * took `T = number` for a type argument, refused).
 */
export type StateAnswer<T, K> = [keyof StateTypes] extends [never]
  ? T
  : [T] extends [never]
    ? StateValue<K>
    : NoInfer<T>;
/** What the `f` of `modify<T>(key, f)` may return: StateAnswer, but for a union of keys a value of every one's type (as `put`'s). */
export type ModifyUpdate<T, K> = [keyof StateTypes] extends [never]
  ? T
  : [T] extends [never]
    ? PutValue<K>
    : NoInfer<T>;

/**
 * The arguments of `new Put(key, value)`, as `put` checks them: `[key: string, value: unknown]`
 * while `StateTypes` is not declared, else one `[key, value]` per declared key — a union of tuples,
 * since a constructor cannot have type parameters of its own to tie the value's type to the key's
 * (and `Put` itself has none: every `Put` stays one type, as handlers and rows name it). Under an
 * index signature (`[key: string]: unknown`) that union holds `[key: string, value: unknown]`, which
 * any pair fits: only `put` checks a declared key's value there.
 */
export type PutArguments = [keyof StateTypes] extends [never]
  ? [key: string, value: unknown]
  : { [K in StateKey]: [key: K, value: StateValue<K>] }[StateKey];

/**
 * The arguments of `new Get<T>(key)`: `[key: string]` while `StateTypes` is not declared or has an
 * index signature; else without `T`, the key `K` as `get(key)` checks it (CheckedStateKey: its
 * compile error names the fix), inferred so that the effect is a `Get` of its declared type
 * (GetAnswer); with `T` given (`K` is then its default, not inferred), `[key]` for each key declared
 * as exactly `T`.
 */
export type GetArguments<T, K> = unknown extends T ? [key: CheckedStateKey<K>] : GetArgumentsAs<T>;
/**
 * The `T` of the effect of `new Get<T>(key)` and `new Modify<T>(key, f)`: `T` when given (or while
 * `StateTypes` is not declared, where `K` says nothing; for Modify, `T` may be inferred from `f`),
 * else the declared type of the key `K` (`unknown` for another key under an index signature) — as
 * `get(key)`'s and `modify(key, f)`'s StateAnswer.
 */
export type GetAnswer<T, K> = [keyof StateTypes] extends [never] ? T : unknown extends T ? StateValue<K> : T;
/** GetArguments with a type argument: `[key]` for each key declared as exactly `T`. */
export type GetArgumentsAs<T> = [keyof StateTypes] extends [never]
  ? [key: string]
  : string extends keyof StateTypes
    ? [key: string]
    : OrNoKeyDeclaredAs<
        { [K in StateKey]: StateKeyDeclaredAs<K, T> extends true ? [key: K] : never }[StateKey]
      >;

/**
 * The arguments of `new Modify<T>(key, f)`: `[key: string, f]` while `StateTypes` is not declared
 * or has an index signature (`T` inferred from `f`, as before); else without `T`, the key `K` as
 * `modify(key, f)` checks it (CheckedStateKey: its compile error names the fix), inferred so that
 * `f` is over its declared type (its parameter typed by it) and the effect a `Modify` of that type
 * (GetAnswer); with `T` given (`K` is then its default, not inferred), one `[key, f]` for each key
 * declared as exactly `T`.
 */
export type ModifyArguments<T, K> = [keyof StateTypes] extends [never]
  ? [key: string, f: StateUpdater<T>]
  : string extends keyof StateTypes
    ? [key: string, f: StateUpdater<T>]
    : unknown extends T
      ? [key: CheckedStateKey<K>, f: (old: StateValue<K> | undefined) => PutValue<K>]
      : OrNoKeyDeclaredAs<
          {
            [K in StateKey]: StateKeyDeclaredAs<K, T> extends true
              ? [key: K, f: StateUpdater<StateValue<K>>]
              : never;
          }[StateKey]
        >;
/** The arguments `A`, or when no key is declared as the type argument, a key whose text says so. */
export type OrNoKeyDeclaredAs<A> = [A] extends [never]
  ? [
      key: "doeff: no key of StateTypes is declared as this type argument: leave it out (the constructor then takes any declared key)",
      ...rest: unknown[],
    ]
  : A;

/** Whether `T` is not given (`unknown`) or is exactly the declared type of key `K`. */
export type StateKeyDeclaredAs<K, T> = unknown extends T
  ? true
  : [T] extends [StateValue<K>]
    ? [StateValue<K>] extends [T]
      ? true
      : false
    : false;

/** Method-style so `Modify<T>` is covariant in T (a handler for `Modify<any>` takes every Modify). */
export type StateUpdater<T> = { bivarianceHack(old: T | undefined): T }["bivarianceHack"];

/**
 * What `put` may store under a key of type `K`: its declared type, or for a union of keys a value of
 * every one's type (the key may be any of them: `put(k, 1)` with `k: "count" | "name"` could store
 * a number as the name).
 */
export type PutValue<K> = [keyof StateTypes] extends [never] ? unknown : EveryValue<K>;
/** PutValue once `StateTypes` is declared: the intersection of the declared types of the keys `K`. */
export type EveryValue<K> = (K extends unknown ? (value: StateValue<K>) => void : never) extends (
  value: infer V,
) => void
  ? V
  : never;

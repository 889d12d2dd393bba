/** State effects (SEMANTICS §7.3): Get, Put, Modify. */
import { describe } from "../vm/brand.js";
import { Effect } from "./effect.js";

function checkKey(key: unknown, where: string): asserts key is string {
  if (typeof key !== "string") throw new TypeError(`${where} expects a string key, got ${describe(key)}`);
}
function checkF(f: unknown, where: string): void {
  if (typeof f !== "function")
    throw new TypeError(`${where} expects a function (old) => new, got ${describe(f)}`);
}

// `_tag` is a type-level name only (never set at run time): it keeps structurally similar effect
// classes apart when handlers subtract them from a row (API §7).
/** The effect of `get(key)` (handled by `state`); exported for `instanceof` checks in handlers. */
export class Get<T = unknown> extends Effect<T> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "state";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Get";
  declare readonly _tag: "Get";
  declare readonly key: string;
  constructor(key: string) {
    super();
    this.key = key;
    // (here, named as get, which checks nothing itself: `new Get(5)` is public too — expectEffects
    // lists effects so — and was a MissingStateKeyError for the key 5, `new Put()` stored under undefined)
    checkKey(key, "get");
  }
}
/** The effect of `put(key, value)` (handled by `state`). */
export class Put extends Effect<undefined> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "state";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Put";
  declare readonly _tag: "Put";
  declare readonly key: string;
  declare readonly value: unknown;
  constructor(key: string, value: unknown) {
    super();
    this.key = key;
    this.value = value;
    checkKey(key, "put");
  }
}
/** Method-style so `Modify<T>` is covariant in T (a handler for `Modify<any>` takes every Modify). */
type Updater<T> = { bivarianceHack(old: T | undefined): T }["bivarianceHack"];

/** The effect of `modify(key, f)` (handled by `state`). */
export class Modify<T = unknown> extends Effect<T> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "state";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Modify";
  declare readonly _tag: "Modify";
  declare readonly key: string;
  declare readonly f: Updater<T>;
  constructor(key: string, f: Updater<T>) {
    super();
    this.key = key;
    this.f = f;
    checkKey(key, "modify");
    checkF(f, "modify"); // (else the state handler failed with V8's "m.f is not a function")
  }
}

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
 * The value stored under `key`; MissingStateKeyError if absent. Typed by `StateTypes` when declared,
 * else by the type argument: `get<number>("n")`. Once `StateTypes` is declared (without an index
 * signature) a type argument is a compile error: it would override the declared type.
 */
export function get<T extends StateTypeArgument = StateTypeDefault, K extends string = StateKey>(
  key: CheckedStateKey<K>,
): Get<StateAnswer<T, K>>;
export function get(key: string): Get<unknown> {
  return new Get(key);
}
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
/** Store `value` under `key` (once `StateTypes` is declared, a value of the key's declared type). */
export function put<K extends string>(key: CheckedStateKey<K>, value: PutValue<K>): Put;
export function put(key: string, value: unknown): Put {
  return new Put(key, value);
}
/**
 * Store `f(old)` under `key` (old is undefined when absent) and answer the new value. Typed by
 * `StateTypes` when declared, else by `T`, given or inferred from f: `modify<number>("n", f)`.
 */
export function modify<T extends StateTypeArgument = StateTypeDefault, K extends string = StateKey>(
  key: CheckedStateKey<K>,
  f: (old: StateAnswer<T, K> | undefined) => ModifyUpdate<T, K>,
): Modify<StateAnswer<T, K>>;
export function modify(key: string, f: (old: unknown) => unknown): Modify<unknown> {
  return new Modify(key, f);
}

/**
 * Which state operation an effect is: 0 Get, 1 Put, 2 Modify (on the prototypes, so subclasses
 * inherit it like `instanceof`). The state handler switches on it instead of an instanceof chain.
 */
export const STATE_OP: unique symbol = Symbol("doeff.stateOp");
Object.defineProperty(Get.prototype, STATE_OP, { value: 0 });
Object.defineProperty(Put.prototype, STATE_OP, { value: 1 });
Object.defineProperty(Modify.prototype, STATE_OP, { value: 2 });

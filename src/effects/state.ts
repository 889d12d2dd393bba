/** State effects (SEMANTICS §7.3): Get, Put, Modify (their keys' types: state-types.ts). */
import { describe } from "../vm/brand.js";
import { Effect } from "./effect.js";
import type {
  CheckedStateKey,
  GetAnswer,
  GetArguments,
  ModifyArguments,
  ModifyUpdate,
  PutArguments,
  PutValue,
  StateAnswer,
  StateKey,
  StateTypeArgument,
  StateTypeDefault,
  StateUpdater,
} from "./state-types.js";

function checkKey(key: unknown, where: string): asserts key is string {
  if (typeof key !== "string") throw new TypeError(`${where} expects a string key, got ${describe(key)}`);
}
function checkF(f: unknown, where: string): void {
  if (typeof f !== "function")
    throw new TypeError(`${where} expects a function (old) => new, got ${describe(f)}`);
}

/** The effect of `get(key)` (handled by `state`); exported for `instanceof` checks in handlers. */
export interface Get<T = unknown> extends Effect<T> {
  readonly _tag: "Get";
  readonly key: string;
}
/**
 * The class of {@link Get} effects: `new Get(key)`, `instanceof Get`, `handle(Get, …)`. Not a class
 * declaration: a class's constructor has no type parameters of its own, and the key's declared type
 * takes one (`K`) to become the effect's.
 */
export interface GetConstructor {
  /**
   * Checked against `StateTypes` once declared, as `get(key)` is, and typed the same way: a declared
   * key, and the effect a `Get` of its declared type (`new Get("count")` is a `Get<number>`); with a
   * type argument (`new Get<number>("count")`), a key declared as that type. Without `StateTypes`,
   * any key, and a `Get<T>` of the type argument (`Get<unknown>` without one).
   */
  new <T = unknown, K extends string = StateKey>(...key: GetArguments<T, K>): Get<GetAnswer<T, K>>;
  readonly prototype: Get<any>;
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  readonly standardHandler: string;
  /** @internal its name in a minified bundle too (`className`) */
  readonly displayName: string;
}
// `_tag` is a type-level name only (never set at run time): it keeps structurally similar effect
// classes apart when handlers subtract them from a row (API §7).
export const Get: GetConstructor = class Get<T = unknown> extends Effect<T> {
  static readonly standardHandler: string = "state";
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
} as GetConstructor;
/** The effect of `put(key, value)` (handled by `state`). */
export class Put extends Effect<undefined> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "state";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Put";
  declare readonly _tag: "Put";
  declare readonly key: string;
  declare readonly value: unknown;
  /**
   * Checked against `StateTypes` once declared, as `put(key, value)` is: a declared key, and a value
   * of its declared type (the message of an undeclared key is `put`'s only: here TypeScript names
   * the declared keys).
   */
  constructor(...keyAndValue: PutArguments);
  // (an overload: at run time the constructor keeps its two parameters, no rest array per put)
  constructor(key: string, value: unknown) {
    super();
    this.key = key;
    this.value = value;
    checkKey(key, "put");
  }
}
/** The effect of `modify(key, f)` (handled by `state`). */
export interface Modify<T = unknown> extends Effect<T> {
  readonly _tag: "Modify";
  readonly key: string;
  readonly f: StateUpdater<T>;
}
/**
 * The class of {@link Modify} effects: `new Modify(key, f)`, `instanceof Modify`, `handle(Modify, …)`.
 * An interface and a constructor as {@link GetConstructor} is, for the same reason: the key's
 * declared type takes a type parameter of the constructor's own (`K`) to become the effect's.
 */
export interface ModifyConstructor {
  /**
   * Checked against `StateTypes` once declared, as `modify(key, f)` is, and typed the same way: a
   * declared key, `f` over its declared type, and the effect a `Modify` of that type
   * (`new Modify("count", (n) => (n ?? 0) + 1)` is a `Modify<number>`, `n` a `number | undefined`);
   * with a type argument (`new Modify<number>("count", f)`), a key declared as that type. Without
   * `StateTypes` (or under an index signature), any key, and a `Modify<T>` of `T` given or inferred
   * from `f`.
   */
  new <T = unknown, K extends string = StateKey>(...keyAndF: ModifyArguments<T, K>): Modify<GetAnswer<T, K>>;
  readonly prototype: Modify<any>;
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  readonly standardHandler: string;
  /** @internal its name in a minified bundle too (`className`) */
  readonly displayName: string;
}
export const Modify: ModifyConstructor = class Modify<T = unknown> extends Effect<T> {
  static readonly standardHandler: string = "state";
  static readonly displayName = "Modify";
  declare readonly _tag: "Modify";
  declare readonly key: string;
  declare readonly f: StateUpdater<T>;
  constructor(key: string, f: StateUpdater<T>) {
    super();
    this.key = key;
    this.f = f;
    checkKey(key, "modify");
    checkF(f, "modify"); // (else the state handler failed with V8's "m.f is not a function")
  }
} as ModifyConstructor;

/**
 * The value stored under `key`; MissingStateKeyError if absent. Typed by `StateTypes` when declared,
 * else by the type argument: `get<number>("n")`. Once `StateTypes` is declared (without an index
 * signature) a type argument is a compile error: it would override the declared type.
 */
export function get<T extends StateTypeArgument = StateTypeDefault, K extends string = StateKey>(
  key: CheckedStateKey<K>,
): Get<StateAnswer<T, K>>;
export function get(key: string): Get<unknown> {
  // (get's signature checked it; Get's checked constructor would refuse this signature's string)
  return new Get(key as never);
}
/** Store `value` under `key` (once `StateTypes` is declared, a value of the key's declared type). */
export function put<K extends string>(key: CheckedStateKey<K>, value: PutValue<K>): Put;
export function put(key: string, value: unknown): Put {
  // (put's signature checked them; Put's checked constructor would refuse this signature's string)
  return new Put(key as never, value as never);
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
  return new Modify(key as never, f as never);
}

/**
 * Which state operation an effect is: 0 Get, 1 Put, 2 Modify (on the prototypes, so subclasses
 * inherit it like `instanceof`). The state handler switches on it instead of an instanceof chain.
 */
export const STATE_OP: unique symbol = Symbol("doeff.stateOp");
Object.defineProperty(Get.prototype, STATE_OP, { value: 0 });
Object.defineProperty(Put.prototype, STATE_OP, { value: 1 });
Object.defineProperty(Modify.prototype, STATE_OP, { value: 2 });

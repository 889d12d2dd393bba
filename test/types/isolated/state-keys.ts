/**
 * Typed state keys: StateTypes declared (the counterpart of env-keys.ts, checked on its own for the
 * same reason: module augmentation is global to a compilation). Never executed. The text of the
 * compile errors is checked by test/types-matrix.test.ts (STATE_ERROR_CASES).
 */
import {
  Get,
  get,
  Modify,
  modify,
  handle,
  program,
  Put,
  put,
  resume,
  type RunResult,
  run,
  runAsync,
  type StoreOfStateTypes,
  state,
} from "../../../src/index.js";
import { expectEffects, virtualClock } from "../../../src/testing/index.js";

declare module "../../../src/index.js" {
  interface StateTypes {
    count: number;
    user: { readonly name: string };
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// get answers the declared type
const count = get("count");
expectType<Equal<typeof count, Get<number>>>();
const main = program(function* () {
  const n = yield* get("count");
  expectType<Equal<typeof n, number>>();
  const u = yield* get("user");
  expectType<Equal<typeof u, { readonly name: string }>>();
  yield* put("count", n + 1);
  const m = yield* modify("count", (old) => {
    expectType<Equal<typeof old, number | undefined>>();
    return (old ?? 0) + 1;
  });
  expectType<Equal<typeof m, number>>();
  return `${u.name}: ${m}`;
});
const p = put("user", { name: "Ada" });
expectType<Equal<typeof p, Put>>();
// f's result is checked, not taken for a type argument (a function without parameters is inferred from)
const five = modify("count", () => 5);
expectType<Equal<typeof five, Modify<number>>>();
const renamed = modify("user", (u) => ({ name: `${u?.name ?? ""}!` }));
expectType<Equal<typeof renamed, Modify<{ readonly name: string }>>>();
// a union of keys reads either type, and must be written with a value of every one's type
declare const either: "count" | "user";
const read = get(either);
expectType<Equal<typeof read, Get<number | { readonly name: string }>>>();

// @ts-expect-error -- a value of another type (the newcomer's put("count", "1") then get read "11")
put("count", "1");
// @ts-expect-error -- f's result is checked too
modify("count", (n) => `${n}`);
// @ts-expect-error -- a union of keys: 1 is not a user
put(either, 1);
// new Put(key, value) is checked as put is (a constructor has no type parameters: its arguments
// are one [key, value] tuple per declared key)
const built = new Put("count", 1);
expectType<Equal<typeof built, Put>>();
new Put("user", { name: "Ada" });
expectEffects(main, [new Put("count", 2)], { handlers: [state], store: { count: 1 } });
class Reset extends Put {
  constructor() {
    super("count", 0);
  }
}
void Reset;
// @ts-expect-error -- a value of another type
new Put("count", "1");
// @ts-expect-error -- a misspelled key
new Put("cout", 1);
// @ts-expect-error -- a union of keys: 1 is not a user
new Put(either, 1);
declare const stringKey: string;
// @ts-expect-error -- a key of type string could be any key
new Put(stringKey, 1);
class BadReset extends Put {
  constructor() {
    // @ts-expect-error -- a subclass's super call too
    super("count", "0");
  }
}
void BadReset;
// new Get(key) and new Modify(key, f) are checked likewise: a declared key; with a type argument, a
// key declared as that type; Modify's f over the key's declared type
const got = new Get("count");
expectType<Equal<typeof got, Get<number>>>(); // typed by the key, as get(key) is
const viaGet = get("count");
expectType<Equal<typeof got, typeof viaGet>>();
const gotUser = new Get("user");
expectType<Equal<typeof gotUser, Get<{ readonly name: string }>>>();
const gotTyped = new Get<number>("count");
expectType<Equal<typeof gotTyped, Get<number>>>();
const gotEither = new Get(either);
expectType<Equal<typeof gotEither, Get<number | { readonly name: string }>>>();
// the answer of yield* new Get(key) is the key's type, in a program and in a handler's row
const viaClass = program(function* () {
  const n = yield* new Get("count");
  expectType<Equal<typeof n, number>>();
  return n;
});
const ranViaClass = run(viaClass, { handlers: [state] });
expectType<Equal<typeof ranViaClass.value, number>>();
// still the class of every Get: instanceof, a handler for it, a subclass
declare const someEffect: Get<number> | Put;
if (someEffect instanceof Get) expectType<Equal<typeof someEffect, Get<number>>>();
handle(Get, (e, k) => resume(k, e.key.length as never));
class GetCount extends Get<number> {
  constructor() {
    super("count");
  }
}
void GetCount;
expectEffects(main, [new Get("count"), new Get("user")], { handlers: [state], store: { count: 1 } });
new Modify("count", (old: number | undefined) => (old ?? 0) + 1);
new Modify("user", () => ({ name: "Ada" }));
// new Modify(key, f) is typed by the key, as modify(key, f) is: the effect, and f's parameter
const modified = new Modify("count", () => 1);
expectType<Equal<typeof modified, Modify<number>>>();
const viaModify = modify("count", () => 1);
expectType<Equal<typeof modified, typeof viaModify>>();
const modifiedUser = new Modify("user", (u) => {
  expectType<Equal<typeof u, { readonly name: string } | undefined>>();
  return { name: `${u?.name ?? ""}!` };
});
expectType<Equal<typeof modifiedUser, Modify<{ readonly name: string }>>>();
// a union of keys: the effect of either type, f must return a value of every one's type (as modify's)
declare const neither: never;
const modifiedEither = new Modify(either, () => neither);
expectType<Equal<typeof modifiedEither, Modify<number | { readonly name: string }>>>();
// the answer of yield* new Modify(key, f) is the key's type, in a program and in a run's value
const viaModifyClass = program(function* () {
  const n = yield* new Modify("count", (old) => (old ?? 0) + 1);
  expectType<Equal<typeof n, number>>();
  return n;
});
const ranViaModifyClass = run(viaModifyClass, { handlers: [state] });
expectType<Equal<typeof ranViaModifyClass.value, number>>();
// still the class of every Modify: instanceof, a handler for it (a subclass: Bump below)
declare const someModify: Modify<number> | Put;
if (someModify instanceof Modify) expectType<Equal<typeof someModify, Modify<number>>>();
handle(Modify, (e, k) => resume(k, e.f(undefined) as never));
expectEffects(main, [new Modify("count", (old) => (old ?? 0) + 1)], { handlers: [state] });
const bump = new Modify<number>("count", (n) => {
  expectType<Equal<typeof n, number | undefined>>();
  return (n ?? 0) + 1;
});
expectType<Equal<typeof bump, Modify<number>>>();
class Bump extends Modify<number> {
  constructor() {
    super("count", (n) => (n ?? 0) + 1);
  }
}
void Bump;
// @ts-expect-error -- a misspelled key
new Get("cout");
// @ts-expect-error -- a key of type string could be any key
new Get(stringKey);
// @ts-expect-error -- a type argument that is not the key's declared type
new Get<string>("count");
// @ts-expect-error -- a misspelled key
new Modify("cout", () => 1);
// @ts-expect-error -- f's result is checked against the key's declared type
new Modify("count", () => "1");
// @ts-expect-error -- and its parameter's type
new Modify("count", (u: { readonly name: string } | undefined) => u?.name.length ?? 0);
// @ts-expect-error -- a key of type string could be any key
new Modify(stringKey, () => 1);
// @ts-expect-error -- a union of keys: f must return a value of every one's type (1 is not a user)
new Modify(either, () => 1);
// @ts-expect-error -- f's parameter is typed by the key: a number has no name
new Modify("count", (old) => old?.name ?? 0);
// @ts-expect-error -- a type argument that is not the key's declared type
new Modify<string>("count", () => "1");
class BadBump extends Modify<string> {
  constructor() {
    // @ts-expect-error -- a subclass's super call too
    super("count", () => "1");
  }
}
void BadBump;
// a handler of Put still reads a string key and an unknown value (every Put is one type)
handle(Put, function* (e, k) {
  expectType<Equal<typeof e.key, string>>();
  expectType<Equal<typeof e.value, unknown>>();
  return yield* resume(k, undefined);
});
// @ts-expect-error -- a misspelled key (the message says to declare it in StateTypes)
get("cout");
// @ts-expect-error -- and for put
put("cout", 1);
// @ts-expect-error -- and for modify
modify("cout", () => 1);
declare const someKey: string;
// @ts-expect-error -- a key of type string could be any key
get(someKey);
// @ts-expect-error -- a type argument would override the declared type (NoTypeArgumentOnceStateTypesIsDeclared)
get<string>("count");
// @ts-expect-error -- and for an undeclared key too
get<string>("greeting");
// @ts-expect-error -- modify's likewise
modify<string>("count", () => "1");

// run's store option, and the store of its result
const r = run(main, { handlers: [state], store: { count: 0, user: { name: "Ada" } } });
expectType<Equal<typeof r, RunResult<string>>>();
expectType<Equal<typeof r.store, StoreOfStateTypes>>();
const stored = r.store.count;
expectType<Equal<typeof stored, number | undefined>>();
// @ts-expect-error -- the result's store has the declared keys only
r.store.cout;
run(main, { handlers: [state], store: {} }); // every key may be absent
run(main, { handlers: [state], store: new Map([["cout", 1]]) }); // a Map: accepted, unchecked
// @ts-expect-error -- run's store is checked against the declared types
run(main, { handlers: [state], store: { count: "0" } });
// @ts-expect-error -- and its keys too
run(main, { handlers: [state], store: { cout: 0 } });
// @ts-expect-error -- runAsync's likewise
void runAsync(main, { handlers: [state], store: { count: "0" } });
// @ts-expect-error -- and expectEffects'
expectEffects(main, [], { handlers: [state], store: { cout: 0 } });
// @ts-expect-error -- and a virtual clock's run
virtualClock().run(main, { handlers: [state], store: { count: "0" } });

/**
 * State keys while StateTypes is not declared (every file of test/types/ but isolated/): everything
 * is typed as before typed state keys came — any string key, `get<T>` and `modify<T>` typed by their
 * type argument (modify's inferred from f), `put` of any value, and a store of any keys. The declared
 * modes are in isolated/state-keys.ts and isolated/state-keys-open.ts.
 */
import { type Get, get, Modify, modify, program, Put, put, run, state } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const untyped = get("n");
expectType<Equal<typeof untyped, Get<unknown>>>();
const typed = get<number>("n");
expectType<Equal<typeof typed, Get<number>>>();
const byArgument = modify<number>("n", (old) => (old ?? 0) + 1);
expectType<Equal<typeof byArgument, Modify<number>>>();
const byParameter = modify("n", (old: number | undefined) => (old ?? 0) + 1);
expectType<Equal<typeof byParameter, Modify<number>>>();
const byResult = modify("n", () => "s");
expectType<Equal<typeof byResult, Modify<string>>>();
const unknownOld = modify("n", (old) => old);
expectType<Equal<typeof unknownOld, Modify<unknown>>>();
declare const someKey: string;
const anything = put(someKey, { any: "value" });
expectType<Equal<typeof anything, Put>>();
// the class's constructor likewise: any key, any value (an editor shows `new Put(key: string, value: unknown)`)
const built = new Put(someKey, { any: "value" });
expectType<Equal<typeof built, Put>>();
expectType<Equal<ConstructorParameters<typeof Put>, [key: string, value: unknown]>>();
// new Modify(key, f) likewise: any key, a Modify of the type argument or of f's result
const byClass = new Modify("n", () => "s");
expectType<Equal<typeof byClass, Modify<string>>>();
const byClassArgument = new Modify<number>(someKey, (old) => (old ?? 0) + 1);
expectType<Equal<typeof byClassArgument, Modify<number>>>();
const fromVariable = get<string>(someKey);
expectType<Equal<typeof fromVariable, Get<string>>>();

const main = program(function* () {
  yield* put("n", 1);
  return yield* get<number>("n");
});
const r = run(main, { handlers: [state], store: { n: 0, other: "x" } });
expectType<Equal<typeof r.store, Readonly<Record<string, unknown>>>>();
run(main, { handlers: [state], store: new Map<string, unknown>([["n", 0]]) });

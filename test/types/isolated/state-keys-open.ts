/**
 * Typed state keys with an index signature: the declared keys are typed, any other key is accepted,
 * as `unknown` or typed by `get<T>` / `modify<T>` (checked on its own: see state-keys.ts). Never executed.
 */
import { Get, get, Modify, modify, program, Put, put, run, state } from "../../../src/index.js";

declare module "../../../src/index.js" {
  interface StateTypes {
    [key: string]: unknown;
    count: number;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const count = get("count");
expectType<Equal<typeof count, Get<number>>>();
const other = get("other");
expectType<Equal<typeof other, Get<unknown>>>();
const typed = get<string>("label");
expectType<Equal<typeof typed, Get<string>>>();
const bumped = modify("count", (n) => (n ?? 0) + 1);
expectType<Equal<typeof bumped, Modify<number>>>();
const label = modify<string>("label", (s) => `${s ?? ""}!`);
expectType<Equal<typeof label, Modify<string>>>();
declare const someKey: string;
put(someKey, { any: "value" });
// @ts-expect-error -- a declared key keeps its type
put("count", "1");
// new Put: any key and value, as its arguments' union holds [key: string, value: unknown] here (a
// constructor has no type parameters to tell a declared key from another string: only put checks
// a declared key's value under an index signature)
new Put("other", "x");
new Put(someKey, 1);
new Put("count", "1");
// new Get / new Modify: any key, as before (Modify's T inferred from f)
const g = new Get(someKey);
expectType<Equal<typeof g, Get<unknown>>>();
const m = new Modify("label", (s: string | undefined) => `${s ?? ""}!`);
expectType<Equal<typeof m, Modify<string>>>();

const main = program(function* () {
  return yield* get("count");
});
const r = run(main, { handlers: [state], store: { count: 1, other: "x" } });
const stored = r.store.count;
expectType<Equal<typeof stored, number | undefined>>();
const rest = r.store.other;
expectType<Equal<typeof rest, unknown>>();
// @ts-expect-error -- run's store too
run(main, { handlers: [state], store: { count: "1" } });

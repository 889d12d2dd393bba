/**
 * Typed env keys with an index signature: the declared keys are typed, in `ask` and in a patch
 * (`local`, run's `env`), and any other key is accepted, as `unknown` or typed by `ask<T>` (checked
 * on its own: see env-keys.ts). The patch was mapped over `EnvKey`, which is `string` here, so a
 * declared key took any value. Never executed.
 */
import { type Ask, ask, local, program, pure, reader, run } from "../../../src/index.js";

declare module "../../../src/index.js" {
  interface EnvTypes {
    [key: string]: unknown;
    retries: number;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const retries = ask("retries");
expectType<Equal<typeof retries, Ask<number>>>();
const other = ask("other");
expectType<Equal<typeof other, Ask<unknown>>>();
const typed = ask<string>("label");
expectType<Equal<typeof typed, Ask<string>>>();
declare const someKey: string;
ask(someKey);

const main = program(function* () {
  const n = yield* ask("retries");
  expectType<Equal<typeof n, number>>();
  return yield* local({ retries: 3, other: "x", lazy: pure(1) }, pure(n));
});
run(main, { handlers: [reader], env: { retries: 1, other: { any: "value" } } });
run(main, { handlers: [reader], env: { retries: pure(2) } }); // a lazy Program of the declared type

// @ts-expect-error -- a declared key keeps its type in a local patch
local({ retries: "three" }, pure(1));
// @ts-expect-error -- and beside other keys
local({ retries: "three", other: 1 }, pure(1));
// @ts-expect-error -- run's env too
run(main, { handlers: [reader], env: { retries: "1" } });
// @ts-expect-error -- a lazy value of another type
run(main, { handlers: [reader], env: { retries: pure("1") } });

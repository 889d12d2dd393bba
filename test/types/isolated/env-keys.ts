/**
 * Typed env keys (issue 11, item 7). Module augmentation is global to a compilation, so this file is
 * checked on its own: test/types-matrix.test.ts compiles each file of test/types/isolated/ as a
 * separate program, against the installed package (the import below is rewritten to "doeff"). The
 * repository's own typecheck excludes this directory. Never executed.
 */
import { type Ask, answer, ask, Effect, local, program, pure, reader, run } from "../../../src/index.js";

declare module "../../../src/index.js" {
  interface EnvTypes {
    "db.url": string;
    retries: number;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const url = ask("db.url");
expectType<Equal<typeof url, Ask<string>>>();
const main = program(function* () {
  const u = yield* ask("db.url");
  expectType<Equal<typeof u, string>>();
  const n = yield* ask("retries");
  expectType<Equal<typeof n, number>>();
  return yield* local({ retries: 3 }, pure(`${u} x${n}`));
});
run(main, { handlers: [reader], env: { "db.url": "postgres://", retries: 1 } });

// @ts-expect-error -- a type argument would override the declared type (a string read as a number)
ask<number>("db.url");
// @ts-expect-error -- and for an undeclared key too (the message names NoTypeArgumentOnceEnvTypesIsDeclared)
ask<string>("greeting");

// @ts-expect-error -- a misspelled key is a compile error once EnvTypes is declared
ask("db.uri");
// @ts-expect-error -- a local patch is checked against the declared types
local({ retries: "three" }, pure(1));
// @ts-expect-error -- and its keys too
local({ retry: 3 }, pure(1));
// @ts-expect-error -- run's env is checked against the declared types
run(main, { handlers: [reader], env: { retries: "1" } });
// @ts-expect-error -- and its keys too
run(main, { handlers: [reader], env: { "db.uri": "postgres://" } });
run(main, { handlers: [reader], env: new Map([["retries", 1]]) }); // a Map: accepted, unchecked
run(main, { handlers: [reader], env: { retries: pure(2) } }); // a lazy Program of the declared type

// lazy values carry their effects (they run at the first ask): the handlers must cover them
class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
const rolled = program(function* () {
  return yield* new Roll(6);
});
// @ts-expect-error -- Roll, performed by the lazy value, has no handler
run(main, { handlers: [reader], env: { retries: rolled } });
const dice = answer(Roll, () => 4);
run(main, { handlers: [reader, dice], env: { retries: rolled } });
const localRolled = program(function* () {
  return yield* local({ retries: rolled }, main);
});
// @ts-expect-error -- local's patch likewise
run(localRolled, { handlers: [reader] });
// @ts-expect-error -- an undeclared key next to a declared one is still an error
local({ retries: 3, retry: 3 }, pure(1));

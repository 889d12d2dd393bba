/**
 * The compile errors of typed env keys, whose text users see (checked by test/types-matrix.test.ts
 * on every TypeScript version and configuration of its matrix, as STATE_ERROR_CASES are, in the same
 * program): the source declares `EnvTypes`, so it is compiled apart from test/types/ (module
 * augmentation is global to a compilation). Each case is one statement after a `// case: id` line and
 * must give exactly one error there, matching every pattern; the source gives no other error.
 */

const UNDECLARED = /is not a key of EnvTypes: declare it there, with its type, beside the other keys/;

export const ENV_ERROR_CASES: Record<string, readonly RegExp[]> = {
  // an undeclared key names the fix (it listed the declared keys: "not assignable to parameter of
  // type 'keyof EnvTypes'"), for ask and for a patch that has declared keys too
  "ask-undeclared-key": [/TS2345/, /'db\.uri'/, UNDECLARED],
  "ask-string-key": [/EnvTypes is declared, so an env key must be one of its keys, not any string/],
  "local-undeclared-key": [/TS2322/, /'retry'/, UNDECLARED],
  "env-undeclared-key": [/TS2322/, /'retry'/, UNDECLARED],
  // a patch of undeclared keys only: the type named is EnvPatchOfEnvTypes, as run's store names
  // StoreOfStateTypes (it spelled out every declared key and its type); TypeScript 7 orders the union the other way
  "local-only-undeclared-keys": [
    /TS2353/,
    /'retry' does not exist in type '[^']*\bEnvPatchOfEnvTypes\b[^']*'\./,
  ],
  "env-only-undeclared-keys": [
    /TS2353/,
    /'"db\.uri"' does not exist in type '[^']*\bEnvPatchOfEnvTypes\b[^']*'\./,
  ],
  "ask-type-argument": [
    /TS2344/,
    /Type 'number' does not satisfy the constraint 'NoTypeArgumentOnceEnvTypesIsDeclared'/,
  ],
  "local-wrong-value": [/TS2322/, /Type 'string' is not assignable to type 'number \| Program<number/],
  "env-wrong-value": [/TS2322/, /Type 'string' is not assignable to type 'number \| Program<number/],
};

export const ENV_ERROR_SOURCE = `import { ask, local, program, pure, reader, run } from "doeff";
declare module "doeff" {
  interface EnvTypes { "db.url": string; retries: number }
}
const main = program(function* () { return yield* ask("retries"); });
declare const someKey: string;
// case: ask-undeclared-key
ask("db.uri");
// case: ask-string-key
ask(someKey);
// case: local-undeclared-key
local({ retries: 3, retry: 3 }, pure(1));
// case: env-undeclared-key
run(main, { handlers: [reader], env: { retries: 1, retry: 3 } });
// case: local-only-undeclared-keys
local({ retry: 3 }, pure(1));
// case: env-only-undeclared-keys
run(main, { handlers: [reader], env: { "db.uri": "postgres://" } });
// case: ask-type-argument
ask<number>("retries");
// case: local-wrong-value
local({ retries: "3" }, pure(1));
// case: env-wrong-value
run(main, { handlers: [reader], env: { retries: "1" } });
`;

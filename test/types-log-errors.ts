/**
 * The compile errors of typed log entries, whose text users see (checked by test/types-matrix.test.ts
 * on every TypeScript version and configuration of its matrix, in the program of STATE_ERROR_CASES
 * and ENV_ERROR_CASES): the source declares `LogTypes`, so it is compiled apart from test/types/
 * (module augmentation is global to a compilation). Each case is one statement after a `// case: id`
 * line and must give exactly one error there, matching every pattern; the source gives no other error.
 */

export const LOG_ERROR_CASES: Record<string, readonly RegExp[]> = {
  // the declared entry type is named (the user's AppLog), not `unknown` or an expansion of it
  "tell-not-an-entry": [
    /TS2345/,
    /Argument of type 'string' is not assignable to parameter of type 'AppLog'/,
  ],
  // an object written in the call: the property that is wrong, and what it may be
  // (a union's order is the order its members' types were made in the program: either may come first)
  "tell-wrong-field": [
    /TS2322/,
    /Type '"debug"' is not assignable to type '("info" \| "warn"|"warn" \| "info")'/,
  ],
  // (TypeScript 7 reports it as TS2741, without 5.x's TS2345 line above it)
  "tell-missing-field": [
    /TS2345|TS2741/,
    /Property 'msg' is missing in type '\{ level: "info"; \}' but required in type 'AppLog'/,
  ],
  "tell-class": [/TS2345/, /Argument of type 'number' is not assignable to parameter of type 'AppLog'/],
};

export const LOG_ERROR_SOURCE = `import { tell, Tell } from "doeff";
interface AppLog { readonly level: "info" | "warn"; readonly msg: string }
declare module "doeff" {
  interface LogTypes { entry: AppLog }
}
tell({ level: "info", msg: "started" });
// case: tell-not-an-entry
tell("started");
// case: tell-wrong-field
tell({ level: "debug", msg: "x" });
// case: tell-missing-field
tell({ level: "info" });
// case: tell-class
new Tell(42);
`;

/**
 * The compile errors of typed state keys, whose text users see (checked by test/types-matrix.test.ts
 * on every TypeScript version and configuration of its matrix, as ERROR_CASES are): the source
 * declares `StateTypes`, so it is compiled as a program of its own (module augmentation is global to
 * a compilation). Each case is one statement after a `// case: id` line and must give exactly one
 * error there, matching every pattern; the source gives no other error.
 */

const UNDECLARED = /is not a key of StateTypes: declare it there, with its type, beside the other keys/;

export const STATE_ERROR_CASES: Record<string, readonly RegExp[]> = {
  // an undeclared key names the fix, for each of get, put and modify
  "get-undeclared-key": [/TS2345/, /'cout'/, UNDECLARED],
  "put-undeclared-key": [/TS2345/, /'cout'/, UNDECLARED],
  "modify-undeclared-key": [/TS2345/, /'cout'/, UNDECLARED],
  "get-string-key": [/StateTypes is declared, so a state key must be one of its keys, not any string/],
  // a type argument: the constraint's name says why
  "get-type-argument": [
    /TS2344/,
    /Type 'number' does not satisfy the constraint 'NoTypeArgumentOnceStateTypesIsDeclared'/,
  ],
  "modify-type-argument": [/TS2344/, /'NoTypeArgumentOnceStateTypesIsDeclared'/],
  // a value of another type (the newcomer's put("count", "1"))
  "put-wrong-value": [/TS2345/, /Argument of type 'string' is not assignable to parameter of type 'number'/],
  "modify-wrong-result": [/TS2322/, /Type 'string' is not assignable to type 'number'/],
  // new Put(key, value), checked as put is: the value's type named, the declared keys listed
  "put-class-wrong-value": [/TS2345/, /Type 'string' is not assignable to type 'number'/],
  "put-class-undeclared-key": [
    /TS2345/,
    /Argument of type '\["cout", (1|number)\]' is not assignable to parameter of type '\[key: "count", value: number\] \| \[key: "user", value: \{ readonly name: string; \}\]'/,
  ],
  // new Get(key) and new Modify(key, f) as get(key) and modify(key, f): the fix named, f's result
  // checked against the key's declared type; a type argument that no key is declared as says to
  // leave it out
  "get-class-undeclared-key": [/TS2345/, /'cout'/, UNDECLARED],
  "modify-class-undeclared-key": [/TS2345/, /'cout'/, UNDECLARED],
  "modify-class-wrong-result": [/TS2322/, /Type 'string' is not assignable to type 'number'/],
  "get-class-type-argument": [
    /TS2345/,
    /'"doeff: no key of StateTypes is declared as this type argument: leave it out \(the constructor then takes any declared key\)"'/,
  ],
  // run's store: the type named is StoreOfStateTypes, which says where its keys come from
  "store-undeclared-key": [
    /'cout' does not exist in type 'ReadonlyMap<string, unknown> \| StoreOfStateTypes'/,
  ],
  "store-wrong-value": [/TS2322/, /Type 'string' is not assignable to type 'number'/],
};

export const STATE_ERROR_SOURCE = `import { Get, get, Modify, modify, program, Put, put, run, state } from "doeff";
declare module "doeff" {
  interface StateTypes { count: number; user: { readonly name: string } }
}
const main = program(function* () { return yield* get("count"); });
declare const someKey: string;
// case: get-undeclared-key
get("cout");
// case: put-undeclared-key
put("cout", 1);
// case: modify-undeclared-key
modify("cout", () => 1);
// case: get-string-key
get(someKey);
// case: get-type-argument
get<number>("count");
// case: modify-type-argument
modify<number>("count", () => 1);
// case: put-wrong-value
put("count", "1");
// case: modify-wrong-result
modify("count", (n) => \`\${n}\`);
// case: put-class-wrong-value
new Put("count", "1");
// case: put-class-undeclared-key
new Put("cout", 1);
// case: get-class-undeclared-key
new Get("cout");
// case: modify-class-undeclared-key
new Modify("cout", () => 1);
// case: modify-class-wrong-result
new Modify("count", () => "1");
// case: get-class-type-argument
new Get<string>("count");
// case: store-undeclared-key
run(main, { handlers: [state], store: { cout: 1 } });
// case: store-wrong-value
run(main, { handlers: [state], store: { count: "1" } });
`;

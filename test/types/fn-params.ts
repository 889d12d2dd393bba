/**
 * fn's parameter types (checked by `tsc -p test/types`, never executed): a parameter with a default
 * value and no type has the default's type, as outside `fn` (it was `unknown`: TypeScript unions the
 * signature's type for it, Args' constraint, with the default's); annotated ones are kept; a
 * parameter with neither is `never` (give it a type); where the call site gives the types
 * (`recover`'s function), they are inferred from it as before.
 */
import { delay, Effect, fn, type Program, recover } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// a default value alone: its type (`delay(ms)` compiles: `ms` is a number)
const slow = fn(function* slow(ms = 100) {
  yield* delay(ms);
  return ms;
});
expectType<Equal<Parameters<typeof slow>, [ms?: number | undefined]>>();
expectType<Equal<ReturnType<typeof slow>, Program<number, import("../../src/index.js").Delay>>>();
slow();
slow(5);
// @ts-expect-error a string is no number
slow("5");

// an annotated parameter, then a defaulted one
const greet = fn(function* greet(name: string, greeting = "hello") {
  return `${greeting} ${name}`;
});
expectType<Equal<Parameters<typeof greet>, [name: string, greeting?: string | undefined]>>();
greet("ann");
greet("ann", "hi");
// @ts-expect-error the default's type holds for the argument too
greet("ann", 1);

// an annotated default stays as it was
const annotated = fn(function* annotated(n: number = 1) {
  return n;
});
expectType<Equal<Parameters<typeof annotated>, [n?: number | undefined]>>();

// neither a type nor a default: `never`, the program cannot be called until it gets a type
const untyped = fn(function* untyped(x, y = "s") {
  return y;
});
expectType<Equal<Parameters<typeof untyped>, [x: never, y?: string | undefined]>>();
// @ts-expect-error give `x` a type
untyped(1);

// no parameters: none
const none = fn(function* none() {
  return 1;
});
expectType<Equal<Parameters<typeof none>, []>>();

// the call site's types, where it gives them: recover's function takes the error
class NotFound extends Error {
  readonly status = 404;
}
class Lookup extends Effect<string> {
  declare readonly _tag: "Lookup";
}
const found = recover(
  new Lookup(),
  NotFound,
  fn(function* (e) {
    expectType<Equal<typeof e, NotFound>>();
    return `missing (${e.status})`;
  }),
);
expectType<Equal<typeof found, Program<string, Lookup>>>();

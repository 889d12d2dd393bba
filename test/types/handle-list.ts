/**
 * handle([A, B], f): one handler for a list of effect classes. The effect parameter is their union
 * (narrowed with instanceof), the handler takes exactly them (the coverage check subtracts both),
 * and an empty list, a non-class or a field-less class in the list is a compile error — in a literal
 * or in a list held in a variable (typed as an array, not a tuple). Never executed.
 */
import { Effect, type Handler, handle, program, run, transfer } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Read extends Effect<string> {
  declare readonly _tag: "Read";
  constructor(readonly key: string) {
    super();
  }
}
class Write extends Effect<undefined> {
  declare readonly _tag: "Write";
  constructor(
    readonly key: string,
    readonly value: string,
  ) {
    super();
  }
}
class Other extends Effect<number> {
  declare readonly _tag: "Other";
}
class Bare extends Effect<number> {}

const store = new Map<string, string>();
const kv = handle([Read, Write], function* (e, k) {
  expectType<Equal<typeof e, Read | Write>>();
  if (e instanceof Read) return yield* transfer(k, store.get(e.key) ?? "");
  store.set(e.key, e.value); // narrowed to Write
  return yield* transfer(k, undefined);
});
expectType<Equal<typeof kv, Handler<Read | Write, never>>>();
const one = handle(Read, (e, k) => transfer(k, e.key));
expectType<Equal<typeof one, Handler<Read, never>>>();

const uses = program(function* () {
  yield* new Write("a", "1");
  return yield* new Read("a");
});
run(uses, { handlers: [kv] });
run(
  program(function* () {
    return yield* new Other();
  }),
  // @ts-expect-error -- Other is not in the list
  { handlers: [kv] },
);
// @ts-expect-error -- an empty list takes nothing
handle([], (_e, k) => transfer(k, 1));
// @ts-expect-error -- 5 is not an effect class
handle([Read, 5], (_e, k) => transfer(k, ""));
// @ts-expect-error -- a field-less class cannot be told apart from other effects
handle([Read, Bare], (_e, k) => transfer(k, 1));
// @ts-expect-error -- k answers the list's answers (string | undefined), not a number
handle([Read, Write], (_e, k) => transfer(k, 1));

// a list held in a variable (typed `(typeof Read | typeof Write)[]`, not a tuple) works as the literal
const family = [Read, Write];
const kv2 = handle(family, function* (e, k) {
  expectType<Equal<typeof e, Read | Write>>();
  if (e instanceof Read) return yield* transfer(k, store.get(e.key) ?? "");
  return yield* transfer(k, undefined);
});
expectType<Equal<typeof kv2, Handler<Read | Write, never>>>();
run(uses, { handlers: [kv2] });
run(
  program(function* () {
    return yield* new Other();
  }),
  // @ts-expect-error -- Other is not in the list held in the variable either
  { handlers: [kv2] },
);
const readonlyFamily: readonly (typeof Read | typeof Write)[] = [Read, Write];
const kv3 = handle(readonlyFamily, (e, k) => transfer(k, e instanceof Read ? e.key : undefined));
expectType<Equal<typeof kv3, Handler<Read | Write, never>>>();
// a field-less class in a list variable is refused as in a literal
const withBare = [Read, Bare];
// @ts-expect-error -- Bare cannot be told apart from other effects
handle(withBare, (_e, k) => transfer(k, 1));
// a list variable holding a non-class is refused by the constraint
const withNumber = [Read, 5];
// @ts-expect-error -- 5 is not an effect class
handle(withNumber, (_e, k) => transfer(k, ""));
// @ts-expect-error -- an empty list written inline (even `as const`) takes nothing
handle([] as const, (_e, k) => transfer(k, 1));
// An empty array typed as a list of classes cannot be told from a full one by its type: it
// compiles (this file is never executed), and handle throws its TypeError when called.
const none: (typeof Read)[] = [];
handle(none, (e, k) => transfer(k, e.key));

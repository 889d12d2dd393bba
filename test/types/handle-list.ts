/**
 * handle([A, B], f): one handler for a list of effect classes. The effect parameter is their union
 * (narrowed with instanceof), the handler takes exactly them (the coverage check subtracts both),
 * and an empty list, a non-class or a field-less class in the list is a compile error. Never executed.
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

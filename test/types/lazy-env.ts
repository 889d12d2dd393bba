/**
 * Lazy env values (review G-F9): an env value that is a Program runs at its first `ask`, at that
 * site, so its effects are the asker's. `run`'s env and `local`'s patch add them to the row that the
 * coverage check reads. Checked by `tsc` (never executed); see rows.ts for the conventions.
 */
import {
  type Ask,
  answer,
  ask,
  Effect,
  type Local,
  local,
  type Program,
  program,
  pure,
  reader,
  run,
  runAsync,
  scheduler,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
const dice = answer(Roll, () => 4);
const seed = program(function* () {
  return yield* new Roll(6);
});
const p = program(function* () {
  return yield* ask<number>("seed");
});

// run's env: a Program value's effects must be handled
// @ts-expect-error -- Roll (performed by the lazy value at its first ask) has no handler
run(p, { handlers: [reader], env: { seed } });
run(p, { handlers: [reader, dice], env: { seed } });
// @ts-expect-error -- runAsync likewise
void runAsync(p, { handlers: [reader], env: { seed } });
void runAsync(p, { handlers: [scheduler, reader, dice], env: { seed } });

// local's patch: its row is the program's plus the patch's lazy values'
const withLocal = program(function* () {
  return yield* local({ seed, n: 1 }, p);
});
expectType<
  Equal<typeof withLocal, Program<number, Local<number, Ask<number> | Roll> | Ask<number> | Roll>>
>();
// @ts-expect-error -- Roll again
run(withLocal, { handlers: [reader] });
run(withLocal, { handlers: [reader, dice] });

// plain values add nothing; nor do values of unknown type (a Map, a loose record) or a Program
// typed without its row (its effects are not known: the check cannot see them)
run(p, { handlers: [reader], env: { seed: 1 } });
run(p, { handlers: [reader], env: new Map([["seed", seed]]) });
const loose: Record<string, unknown> = { seed };
run(p, { handlers: [reader], env: loose });
const open: Program<number> = seed;
run(p, { handlers: [reader], env: { seed: open } });
const plainLocal = program(function* () {
  return yield* local({ seed: 1 }, pure(2));
});
expectType<Equal<typeof plainLocal, Program<number, Local<number, never>>>>();

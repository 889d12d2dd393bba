/**
 * intercept's row: what the transform returns goes on to the handlers outside, so a substitute
 * effect (or a replacement program's effects) is in the row and `run` checks it.
 */
import { type Effect, Get, get, intercept, program, run, state, Tell, writer } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const counted = program(function* () {
  return yield* get<number>("n");
});
const audited = intercept(counted, (e) => (e instanceof Get ? new Tell("audit") : undefined));
run(audited, { handlers: [state, writer], store: { n: 1 } });
// @ts-expect-error Tell (the substitute) has no handler
run(audited, { handlers: [state], store: { n: 1 } });
// a transform that only lets effects through adds nothing
run(
  intercept(counted, () => undefined),
  { handlers: [state], store: { n: 1 } },
);
// a transform that returns the effect it was given (logging, auditing) adds nothing either: that
// effect is one of the program's (it was rejected as an untagged Effect<unknown>)
const seen: unknown[] = [];
run(
  intercept(counted, (e) => {
    seen.push(e);
    return e;
  }),
  { handlers: [state], store: { n: 1 } },
);

// The transform's parameter is `Effect<unknown>`, not the program's row: it also sees effects outside
// that row (a lazy env value of the run, run at an `ask` inside the program; the effects of a
// program the transform returns; an effect a handler inside forwards with a bare `pass()`), so the
// row would be unsound (docs/types.md, Known limits). The workaround: narrow with instanceof.
run(
  intercept(counted, (e) => {
    expectType<Equal<typeof e, Effect<unknown>>>();
    if (e instanceof Get) {
      expectType<Equal<typeof e.key, string>>();
      return e.key === "n" ? new Tell(`read ${e.key}`) : undefined;
    }
    return undefined;
  }),
  { handlers: [state, writer], store: { n: 1 } },
);

/**
 * intercept's row: what the transform returns goes on to the handlers outside, so a substitute
 * effect (or a replacement program's effects) is in the row and `run` checks it.
 */
import { Get, get, intercept, program, run, state, Tell, writer } from "../../src/index.js";

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

/**
 * A handler list the options may lack — a conditional spread `{ ...(c ? { handlers } : {}) }`, a
 * choice between options objects, `handlers: c ? list : undefined` — gives no handlers at run time
 * in that case, so the program is checked against no handlers too (it was checked as if the list
 * were always there, and the run failed with UnhandledEffectError when `c` was false). A list that
 * is always there, and a `RunOptions` value (an unchecked list), are as before. Never executed.
 */
import { Effect, handle, program, type RunOptions, run, runAsync, transfer } from "../../src/index.js";
import { expectEffects, expectEffectsAsync, virtualClock } from "../../src/testing/index.js";

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
const dice = handle(Roll, (_e, k) => transfer(k, 4));
const roll = program(function* () {
  return yield* new Roll();
});
const pure = program(function* () {
  return 1;
});
declare const c: boolean;

// @ts-expect-error -- Roll: when c is false there are no handlers
run(roll, { ...(c ? { handlers: [dice] } : {}) });
// @ts-expect-error -- the same with another option beside it
run(roll, { ...(c ? { handlers: [dice] } : {}), store: {} });
// @ts-expect-error -- `c && { handlers }` spreads nothing when c is false
run(roll, { ...(c && { handlers: [dice] }) });
// @ts-expect-error -- a choice between options objects, one without handlers
run(roll, c ? { handlers: [dice] } : {});
// @ts-expect-error -- runAsync checks the same
void runAsync(roll, { ...(c ? { handlers: [dice] } : {}) });
// @ts-expect-error -- and so do the testing helpers
expectEffects(roll, [Roll], { ...(c ? { handlers: [dice] } : {}) });
// @ts-expect-error -- expectEffectsAsync
void expectEffectsAsync(roll, [Roll], { ...(c ? { handlers: [dice] } : {}) });
// @ts-expect-error -- a virtual clock's run
virtualClock().run(roll, { ...(c ? { handlers: [dice] } : {}) });

// still accepted: a list that is always there, in whichever branch
run(roll, { ...(c ? { handlers: [dice] } : { handlers: [dice] }) });
run(roll, { handlers: [dice], ...(c ? { store: {} } : {}) });
run(roll, c ? { handlers: [dice], store: {} } : { handlers: [dice] });
run(roll, { handlers: [handle(Roll, (_e, k) => transfer(k, 1))], ...(c ? { store: {} } : {}) });
// a program that needs no handler, with or without the list
run(pure, { ...(c ? { handlers: [dice] } : {}) });
// a RunOptions value (its list is unchecked), also spread with more options
declare const opts: RunOptions;
run(roll, opts);
run(roll, { ...opts, store: {} });

/**
 * `settle` is a runAsync option: `run` refuses it at compile time when the options set it (it is a
 * TypeError at run time), and an options value typed `RunOptions`, passed to both, still compiles.
 * Never executed.
 */
import { program, type RunOptions, run, runAsync, scheduler, state } from "../../src/index.js";
import { expectEffects, expectEffectsAsync, virtualClock } from "../../src/testing/index.js";

const main = program(function* () {
  return 1;
});

// @ts-expect-error -- SettleForRunAsyncError: run cannot wait
run(main, { settle: 10 });
// @ts-expect-error -- with handlers beside it
run(main, { handlers: [scheduler, state], settle: 2000 });
const apart = { handlers: [scheduler], settle: 10 };
// @ts-expect-error -- options built apart (not typed RunOptions) that set settle
run(main, apart);
void runAsync(main, apart); // (runAsync takes it)
void runAsync(main, { handlers: [scheduler], settle: 10 });
// @ts-expect-error -- a choice between options objects, one of them with settle
run(main, Math.random() > 0.5 ? { handlers: [state] } : { handlers: [state], settle: 5 });

// a value typed RunOptions, for both entry points: settle optional there, known at run time only
const shared: RunOptions = { handlers: [scheduler, state] };
run(main, shared);
void runAsync(main, shared);
const withSettle: RunOptions = { handlers: [scheduler], settle: 100 };
void runAsync(main, withSettle);
// a wrong type for settle is still one under runAsync
// @ts-expect-error -- settle is a number
void runAsync(main, { settle: "10" });

// the test helpers that cannot wait refuse it as run does, in their own words (it compiled, and was
// their TypeError at run time only); their async forms take it, and a value typed RunOptions passes
// @ts-expect-error -- expectEffects cannot wait
expectEffects(main, [], { settle: 10 });
// @ts-expect-error -- clock.run cannot wait
virtualClock().run(main, { handlers: [state], settle: 10 });
void expectEffectsAsync(main, [], { handlers: [scheduler], settle: 10 });
void virtualClock().runAsync(main, { settle: 10 });
expectEffects(main, [], shared);
virtualClock().run(main, shared);

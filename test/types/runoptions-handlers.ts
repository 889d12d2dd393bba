/**
 * A handler whose own code performs effects (`Handler<Fetch, Tell>`) goes in any handler list: a
 * `RunOptions` value, `expectEffects` and `virtualClock().run` / `runAsync` as well as `run` (it was rejected as
 * not assignable to `Handler<any, never>`, so every test double that logs or waits needed a cast).
 * Never executed.
 */
import { Effect, handle, program, type RunOptions, run, tell, transfer, writer } from "../../src/index.js";
import { expectEffects, virtualClock } from "../../src/testing/index.js";

class Fetch extends Effect<number> {
  declare readonly _tag: "Fetch";
}
const logged = handle(Fetch, function* (_e, k) {
  yield* tell("fetching");
  return yield* transfer(k, 1);
});
const main = program(function* () {
  return yield* new Fetch();
});

run(main, { handlers: [writer, logged] });
export const opts: RunOptions = { handlers: [writer, logged] };
expectEffects(main, [Fetch], { handlers: [writer, logged] });
virtualClock().run(main, { handlers: [writer, logged] });
void virtualClock().runAsync(main, { handlers: [writer, logged] });

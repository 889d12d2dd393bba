/** virtualClock().run reads its end time without performing an effect the user's handlers would see. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { delay, Now, program } from "../src/index.js";
import { mock, record, virtualClock } from "../src/testing/index.js";

test("virtualClock: run performs no Now of its own (record sees nothing; a mock of Now does not move clock.now)", () => {
  const rec = record();
  const r = virtualClock().run(
    program(function* () {
      return 1;
    }),
    { handlers: [rec] },
  );
  assert.equal(r.value, 1);
  assert.deepEqual(rec.entries, []);
  const clock = virtualClock();
  const r2 = clock.run(
    program(function* () {
      yield* delay(10);
      return "done";
    }),
    { handlers: [mock(Now, 42)] },
  );
  assert.equal(r2.value, "done");
  assert.equal(clock.now, 10);
  assert.deepEqual(clock.delays, [{ ms: 10, from: 0, until: 10 }]);
});

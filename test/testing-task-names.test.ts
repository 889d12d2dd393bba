/**
 * The tasks the toolkit starts, as `record` / `expectEffects` list them and a traceback's effect line
 * shows them: named by what they run (`Spawn(charge(1), "shared")`), where every one read
 * `Spawn(program(), "shared")` — a combinator's task body is a hidden program without a name
 * (src/trace/program-field.ts). `"shared"` is the Spawn's store (the task shares its parent's
 * state: `spawn(p, { store })`), as `new Spawn(p, "shared")` is written.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  close,
  createChannel,
  delay,
  Effect,
  fn,
  forEachLatest,
  type Program,
  program,
  retry,
  run,
  scheduler,
  send,
  simulatedTime,
  Spawn,
  timeout,
} from "../src/index.js";
import { EffectExpectationError, expectEffects, record } from "../src/testing/index.js";

const charge = fn(function* charge(n: number) {
  yield* delay(5);
  return n;
});
const sim = () => ({ handlers: [scheduler, simulatedTime({ start: 0 })] });

/** The "performed effects" list of an expectEffects failure (expecting none), one line each. */
function performed(p: Parameters<typeof run>[0]): string[] {
  try {
    expectEffects(p as never, [], sim() as never);
  } catch (e) {
    assert.ok(e instanceof EffectExpectationError);
    return e.message.split("\n").slice(2);
  }
  assert.fail("expectEffects passed");
}

test("expectEffects lists timeout's two tasks as its timer and the program it runs", () => {
  assert.deepEqual(performed(timeout(charge(1), 100)), [
    "  1. CreatePromise()",
    '  2. Spawn(timeout\'s timer(100 ms), "shared")',
    '  3. Spawn(charge(1), "shared")',
    "  4. Wait(Future)",
    "  5. Delay(100)",
    "  6. Delay(5)",
    "  7. CompletePromise(PromiseHandle object, undefined)",
    "  8. Wait(Task(2))",
    "  9. Cancel(Task(1), false)",
  ]);
});

test("all's tasks by their programs; a timeout of a retry, of an effect; forEachLatest's reader", () => {
  const spawns = (p: Parameters<typeof run>[0]) => performed(p).filter((l) => l.includes("Spawn("));
  assert.deepEqual(
    spawns(all([charge(1), timeout(retry(charge(2), { times: 1 }), 50), timeout(delay(5), 60)])),
    [
      '  1. Spawn(charge(1), "shared")',
      '  2. Spawn(timeout(retry(charge(2)), 50 ms), "shared")',
      '  3. Spawn(timeout(Delay(5), 60 ms), "shared")',
      '  8. Spawn(timeout\'s timer(50 ms), "shared")',
      '  9. Spawn(retry(charge(2)), "shared")',
      '  12. Spawn(timeout\'s timer(60 ms), "shared")',
      '  13. Spawn(Delay(5), "shared")',
    ],
  );
  const latest = program(function* () {
    const ch = yield* createChannel<number>({ capacity: 1 });
    yield* send(ch, 1);
    yield* close(ch);
    yield* forEachLatest(ch, (n) => charge(n));
  });
  assert.deepEqual(spawns(latest), [
    '  1. Spawn(receive(…), "shared")',
    '  3. Spawn(charge(1), "shared")',
    '  4. Spawn(receive(…), "shared")',
  ]);
});

class Audit extends Effect<void> {
  declare readonly _tag: "Audit";
  constructor(readonly task: unknown) {
    super();
  }
}

test("a traceback's effect line shows a toolkit task's program the same way", () => {
  const r = record(Spawn);
  run(timeout(charge(1), 100), { handlers: [scheduler, simulatedTime({ start: 0 }), r] });
  const [timer, work] = r.effects.map((s) => s.program);
  const line = (task: unknown) =>
    // (its row has Audit, which no handler takes: typed as if it had none, to run it anyway)
    run(new Audit(task) as unknown as Program<void>)
      .format()
      .split("\n")
      .find((l) => l.startsWith("  effect "));
  assert.equal(line(work), "  effect Audit(charge(1)): no handlers installed");
  assert.equal(line(timer), "  effect Audit(timeout's timer(100 ms)): no handlers installed");
});

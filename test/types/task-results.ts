/**
 * A handler listed after the scheduler is inherited by the tasks spawned under it (SEMANTICS §9.7),
 * so one that returns its own value without resuming `k` can end a *task* with it, while `wait`
 * types the task by its program's result. `run` refuses that list (TaskResultError), and a
 * `withHandler(h, …)` around a spawn too (its row notes it: TaskEndedBy); listing the handler before
 * the scheduler, or putting it around the task's own program (`spawn(withHandler(h, p))`, which
 * types the task with the handler's result), is accepted. Never executed.
 */
import {
  all,
  Effect,
  forEachAsync,
  handle,
  program,
  type ResultOf,
  type RunResult,
  resume,
  run,
  runAsync,
  scheduler,
  spawn,
  transfer,
  wait,
  withHandler,
} from "../../src/index.js";
import { virtualClock } from "../../src/testing/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Fail extends Effect<never> {
  declare readonly _tag: "Fail";
}
class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
}
const orNull = handle(Fail, function* () {
  return null;
});
const dice = handle(Roll, (_e, k) => transfer(k, 4));
// falls off its end after resuming: returns undefined in place of the body's result (Ret void)
const loud = handle(Roll, function* (_e, k) {
  yield* resume(k, 6);
});

const mayFail = program(function* () {
  const n = yield* new Roll();
  if (n > 5) yield* new Fail();
  return n;
});
const spawner = program(function* () {
  const task = yield* spawn(mayFail);
  return yield* wait(task); // typed number; under [scheduler, dice, orNull] it may be null
});

// @ts-expect-error -- TaskResultError<Handler<Fail, never, null>>: the task may end with null
run(spawner, { handlers: [scheduler, dice, orNull] });
// @ts-expect-error -- a handler that falls off its end ends the task with undefined
run(spawner, { handlers: [scheduler, loud, orNull] });
// @ts-expect-error -- runAsync checks the same
void runAsync(spawner, { handlers: [scheduler, dice, orNull] });
// @ts-expect-error -- and a virtual clock's run (the clock is the scheduler, outside the list)
virtualClock().run(spawner, { handlers: [dice, orNull] });
// @ts-expect-error -- all runs its programs as tasks
run(all([mayFail, mayFail]), { handlers: [scheduler, dice, orNull] });
// forEachAsync { concurrency } runs them as tasks too, but drops their values: any result will do
void runAsync(
  forEachAsync(null as unknown as AsyncIterable<number>, () => mayFail, { concurrency: 2 }),
  {
    handlers: [scheduler, dice, orNull],
  },
);
// @ts-expect-error -- a task spawned by a task inherits them too
run(spawn(spawner), { handlers: [scheduler, dice, orNull] });

// listed before the scheduler: a task's Fail ends the whole run, whose type has the null
const outside = run(spawner, { handlers: [orNull, scheduler, dice] });
expectType<Equal<typeof outside, RunResult<number | null>>>();
// handled inside the task: the task's type has the null
const inside = program(function* () {
  const task = yield* spawn(withHandler(orNull, mayFail));
  return yield* wait(task);
});
const handled = run(inside, { handlers: [scheduler, dice] });
expectType<Equal<typeof handled, RunResult<number | null>>>();
// a handler that always resumes (dice: Ret never) is fine inside the scheduler
run(spawner, { handlers: [orNull, scheduler, dice] });
// a handler with a Ret that takes nothing the tasks perform is fine too
const main = program(function* () {
  yield* new Fail();
  return yield* wait(
    yield* spawn(
      program(function* () {
        return yield* new Roll();
      }),
    ),
  );
});
const mainOnly = run(main, { handlers: [scheduler, dice, orNull] });
expectType<Equal<typeof mainOnly, RunResult<number | null>>>();

// a handler whose own result the task's type already has is fine inside the scheduler
class Lookup extends Effect<string> {
  declare readonly _tag: "Lookup";
}
const cached = handle(Lookup, function* () {
  return "cached"; // ends the task with a string: the task's result is a string anyway
});
const looksUp = program(function* () {
  return yield* new Lookup();
});
const viaTask = run(
  program(function* () {
    return yield* wait(yield* spawn(looksUp));
  }),
  { handlers: [scheduler, cached] },
);
expectType<Equal<typeof viaTask, RunResult<string>>>();
// and a handler falling off its end (undefined) around a task whose result may be undefined
const maybe = program(function* () {
  return (yield* new Roll()) > 3 ? 1 : undefined;
});
run(all([maybe]), { handlers: [scheduler, loud] });

// withHandler around a spawn: the handler is inside the scheduler, the tasks run under it
const wrapped = withHandler(orNull, spawner);
// @ts-expect-error -- TaskResultError<Handler<Fail, never, null>>, from wrapped's row
run(wrapped, { handlers: [scheduler, dice] });
const further = program(function* () {
  return yield* wrapped;
});
// @ts-expect-error -- also one level further in (the row carries the note outward)
run(further, { handlers: [scheduler, dice] });
// its result type still has the null of main's own Fail
expectType<Equal<ResultOf<typeof wrapped>, number | null>>();
// around a spawn of tasks that do not perform Fail: fine
const rollsOnly = program(function* () {
  return yield* wait(
    yield* spawn(
      program(function* () {
        return yield* new Roll();
      }),
    ),
  );
});
run(withHandler(orNull, rollsOnly), { handlers: [scheduler, dice] });
// a handler whose result the task's type has: fine
run(
  withHandler(
    cached,
    program(function* () {
      return yield* wait(yield* spawn(looksUp));
    }),
  ),
  {
    handlers: [scheduler],
  },
);

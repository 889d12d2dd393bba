/**
 * Type tests for observe, getTaskInfo and cede, checked by `tsc` (this file is never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 */
import {
  answer,
  type Cede,
  cede,
  Delay,
  Effect,
  type EffectOutcome,
  getTaskInfo,
  type Handler,
  observe,
  type Program,
  program,
  run,
  scheduler,
  simulatedTime,
  type TaskInfo,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

class Query extends Effect<string[]> {
  declare readonly _tag: "Query";
  constructor(readonly sql: string) {
    super();
  }
}

const main = program(function* () {
  const info = yield* getTaskInfo();
  expectType<Equal<typeof info, TaskInfo>>();
  expectType<Equal<typeof info.parent, number | null>>();
  return yield* new Query("select 1");
});

// observing every effect: the handler takes none, so run still asks for Query's handler
const all = observe((effect, ctx) => {
  expectType<Equal<typeof effect, Effect<unknown>>>();
  void ctx.current.env;
  return (outcome) => {
    expectType<Equal<typeof outcome, EffectOutcome>>();
  };
});
expectType<Equal<typeof all, Handler<undefined>>>();
// @ts-expect-error MissingHandlerError<Query>: observe answers nothing
run(main, { handlers: [scheduler, all] });

// a class list types the callback's effect
const some = observe([Query, Delay], (effect) => {
  expectType<Equal<typeof effect, Query | Delay>>();
  if (effect instanceof Query) void effect.sql;
});
const one = observe(Query, (q) => void q.sql);
// @ts-expect-error MissingHandlerError<Query>
run(main, { handlers: [scheduler, simulatedTime(), some, one] });
// with Query's handler listed it compiles, the observer innermost
run(main, { handlers: [scheduler, simulatedTime(), answer(Query, () => ["row"]), some, one, all] });

// the third argument: the performing task, null without a scheduler
const perTask = observe([Query], (q, _ctx, task) => {
  expectType<Equal<typeof task, TaskInfo | null>>();
  void q.sql;
  void task?.parent;
});
expectType<Equal<typeof perTask, Handler<undefined>>>();

// cede(): a scheduler effect answering undefined
const batch = program(function* () {
  const v = yield* cede();
  expectType<Equal<typeof v, undefined>>();
});
expectType<Equal<typeof batch, Program<void, Cede>>>();
// @ts-expect-error MissingHandlerError<Cede>: it needs the scheduler
run(batch);
run(batch, { handlers: [scheduler] });

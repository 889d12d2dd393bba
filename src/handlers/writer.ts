/** The `writer` handler (SEMANTICS §7.5): Tell appends to the current task's log; Listen slices it. */
import { Listen, Tell } from "../effects/writer.js";
import { named } from "./util.js";
import {
  DEFER,
  FAST_PATH,
  type Handler,
  hidden,
  type ProgramLikeOf,
  type RunContext,
  getRunContext,
  transfer,
  transferWith,
  TAKES,
} from "../protocol.js";

function* listenGen(ctx: RunContext, p: ProgramLikeOf<unknown>): Generator<unknown, unknown, unknown> {
  const log = ctx.current.log;
  const start = log.length;
  const value = yield p;
  // entries appended while p ran (child logs merged by wait/gather included); on error nothing is captured
  return { value, log: log.slice(start) };
}

function tellAnswer(effect: Tell | Listen, ctx: RunContext): unknown {
  if (effect instanceof Tell) {
    ctx.current.log.push(effect.message);
    return undefined;
  }
  return DEFER;
}

/**
 * The standard handler for `tell` and `listen`: `tell` appends to the current task's log
 * (`RunResult.log` for the main program); `listen(p)` answers `{ value, log }`.
 */
export const writer: Handler<Tell | Listen<unknown, unknown>> = function* writer(effect, k) {
  const ctx = yield* getRunContext();
  if (effect instanceof Tell) return yield* transfer(k, tellAnswer(effect, ctx));
  // listen runs at the perform site, so its body sees exactly the perform site's handlers
  return yield* transferWith(k, hidden(listenGen, ctx, effect.program));
};
writer.handles = (e) => e instanceof Tell || e instanceof Listen;
writer[TAKES] = [Tell, Listen];
named("writer", writer);
writer[FAST_PATH] = tellAnswer;

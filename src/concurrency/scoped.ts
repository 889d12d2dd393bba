/**
 * `scoped(program)` (SEMANTICS §9.8): runs the program under a handler that takes `Spawn`, so it
 * sees every task spawned inside — transitively, since a spawned child inherits the handlers between
 * the scheduler's prompt and the spawn site (§9.7), this one included. The handler re-performs the
 * spawn outward (`delegate`) with the program wrapped in the handlers it would otherwise lose (those
 * from the spawn site out to and including itself), so the child sees exactly the §9.7 handlers, and
 * records the task. When the program ends (value, error, cancellation) the recorded tasks not done
 * are cancelled in ascending id (= spawn) order before its outcome leaves `scoped`.
 */
import { cancel, isDone, ownedSpawn, Spawn, type Task } from "../effects/scheduler.js";
import {
  type Continuation,
  delegate,
  fn,
  getHandlers,
  type Handler,
  type Program,
  TAKES,
  transfer,
  withHandler,
} from "../protocol.js";
import { checkProgramArg } from "../effects/program-arg.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import type { SchedulerRow } from "./row.js";
import { at, callSite, named, wrappers } from "./site.js";

/** How many tasks a scope lists before it first forgets the finished ones (see scopeHandler). */
const PRUNE_AT = 64;

/** A scope's tasks; `ending` once its program ended (its tasks are being cancelled). */
interface Scope {
  readonly tasks: Task<unknown>[];
  ending: boolean;
}

function scopeHandler(s: Scope): Handler<never> {
  const tasks = s.tasks;
  // A scope that lasts (a server's loop inside `scoped`, spawning a task per request) kept every
  // task it ever spawned, and each one's result, until it ended: ~160 B per task for good. So when
  // the list reaches `limit`, the finished tasks leave it (isDone, answered at the site) and the
  // limit becomes twice what is left: at most two isDone per spawn, amortized.
  let limit = PRUNE_AT;
  const self: Handler<never> = named("scoped", function* scoped(effect: unknown, k: Continuation) {
    const e = effect as Spawn<unknown, unknown>;
    const hs = yield* getHandlers();
    const n = hs.indexOf(self);
    let body: any = e.program;
    for (let i = 0; i <= n; i++) body = withHandler(hs[i]!, body);
    // (a combinator's child stays its own: its log is the combinator's to deliver, ownedSpawn)
    const site = e.site ?? null;
    const again = e.owned === true ? ownedSpawn(body, site) : new Spawn(body, e.store, site);
    const t = (yield* delegate(again)) as Task<unknown>;
    tasks.push(t);
    // (not while the scope ends: a finally block that spawns would move the tasks under the
    // cancelling loop, which then skipped one still running)
    if (tasks.length >= limit && !s.ending) {
      let n = 0;
      for (const x of tasks) if (!(yield* isDone(x))) tasks[n++] = x;
      tasks.length = n;
      limit = Math.max(PRUNE_AT, 2 * n);
    }
    return yield* transfer(k, t);
  });
  self.handles = (e) => e instanceof Spawn;
  self[TAKES] = Spawn;
  return self;
}

const scopedGen = function* scoped(p: AnyProgramLike, site: Error | null): Generator<unknown, unknown, any> {
  const scope: Scope = { tasks: [], ending: false };
  try {
    return yield at(site, withHandler(scopeHandler(scope), p));
  } finally {
    scope.ending = true;
    // (a task spawned meanwhile, by a finally block of one cancelled, is appended: cancelled too)
    for (const t of scope.tasks) yield at(site, cancel(t)); // false (nothing happens) for a task already done
  }
};
const scopedProgram = fn(scopedGen);
named("scoped", scopedGen); // (its name survives a minifying bundler)
wrappers.set(scopedGen, 0);

/** Run `program`; at its end, cancel every task spawned inside it that is still running. */
export function scoped<P extends AnyProgramLike | AnyFunction>(
  program: P & NoInfer<ProgramArg<P>>,
): Program<ResultOf<P>, EffectsOf<P> | SchedulerRow> {
  checkProgramArg(program, "scoped");
  return scopedProgram(program, callSite()) as Program<ResultOf<P>, EffectsOf<P> | SchedulerRow>;
}

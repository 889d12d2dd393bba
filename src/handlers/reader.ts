/**
 * The `reader` handler (SEMANTICS §7.4): Ask reads the current task's env; Local runs a program at
 * the perform site with the env overlaid; a Program-valued env entry is a lazy value, evaluated at its
 * first ask at that ask site and cached per run (keyed by the Program object). Failures are not
 * cached. An ask of a value whose evaluation is in progress on this env's path is a cycle.
 */
import { Ask, Local } from "../effects/reader.js";
import {
  completePromise,
  createPromise,
  failPromise,
  type PromiseHandle,
  wait,
} from "../effects/scheduler.js";
import { CircularAskError, MissingEnvKeyError, TaskCancelledError } from "../errors.js";
import {
  brandOf,
  DEFER,
  FAST_PATH,
  type Handler,
  hidden,
  perRun,
  type ProgramLikeOf,
  type RunContext,
  getRunContext,
  transfer,
  transferWith,
  TAKES,
} from "../protocol.js";
import { named, raiseAt } from "./util.js";

const B_PROGRAM = 2;

/**
 * A lazy value being evaluated. Asks arriving meanwhile from other tasks wait on `promise` (made by
 * the first of them with CreatePromise, at its own site); the evaluation settles it.
 */
interface Inflight {
  promise: PromiseHandle<unknown> | null;
}
interface ReaderRun {
  /**
   * Weak: a lazy value made per request (`local({ conn: connect(id) }, handle(req))` in a server
   * loop) is a new Program each time, and a Map kept every one, and its value, until the run ended.
   */
  readonly cache: WeakMap<object, unknown>;
  readonly inflight: Map<unknown, Inflight>;
}

function runData(ctx: RunContext): ReaderRun {
  return perRun(ctx, reader, () => ({ cache: new WeakMap(), inflight: new Map() }));
}

/** Fast answer for a plain or cached ask; DEFER for Local and lazy values still to evaluate. */
function askAnswer(effect: Ask | Local, ctx: RunContext): unknown {
  if (!(effect instanceof Ask)) return DEFER;
  const env = ctx.current.env;
  const v = env.get(effect.key);
  if (v === undefined && !env.has(effect.key)) throw new MissingEnvKeyError(effect.key);
  if (brandOf(v) !== B_PROGRAM) return v;
  const data = runData(ctx);
  if (data.cache.has(v as object)) return data.cache.get(v as object);
  return DEFER;
}

function* localGen(
  ctx: RunContext,
  patch: Record<string, unknown>,
  p: ProgramLikeOf<unknown>,
): Generator<unknown, unknown, unknown> {
  const tc = ctx.current;
  const prev = tc.env;
  tc.env = prev.with(patch);
  try {
    return yield p;
  } finally {
    tc.env = prev; // restored on success, error and finalization
  }
}

function* evaluateGen(
  ctx: RunContext,
  data: ReaderRun,
  prog: unknown,
  key: string,
): Generator<unknown, unknown, unknown> {
  const tc = ctx.current;
  const prev = tc.env;
  const record: Inflight = { promise: null };
  data.inflight.set(prog, record);
  tc.env = prev.evaluatingProgram(prog);
  let settled = false;
  try {
    let v: unknown;
    try {
      v = yield prog;
    } catch (e) {
      // failures are not cached: every waiting ask gets the error, a later ask retries
      data.inflight.delete(prog);
      settled = true;
      tc.env = prev;
      if (record.promise !== null) yield* failPromise(record.promise, e);
      throw e;
    }
    data.cache.set(prog as object, v);
    data.inflight.delete(prog);
    settled = true;
    tc.env = prev;
    if (record.promise !== null) yield* completePromise(record.promise, v);
    return v;
  } finally {
    tc.env = prev;
    if (!settled) {
      // finalized (its task cancelled, or abandoned): not cached; waiters get TaskCancelledError
      data.inflight.delete(prog);
      if (record.promise !== null) {
        yield* failPromise(
          record.promise,
          new TaskCancelledError(
            undefined,
            `the task evaluating the lazy env value ${JSON.stringify(key)} was cancelled; ask again to retry`,
          ),
        );
      }
    }
  }
}

/** An ask that arrived during another task's evaluation: wait for it, at the ask's own site. */
function* waitGen(record: Inflight): Generator<unknown, unknown, unknown> {
  if (record.promise === null) record.promise = yield* createPromise();
  return yield* wait(record.promise.future);
}

/**
 * The standard handler of `Ask` and `Local`: `ask(key)` reads the run's env (the `env` run option, a
 * plain object or a Map; tasks inherit it), `local(patch, p)` runs `p` with the env overlaid. An env
 * value that is a Program is evaluated at its first ask and cached for the run.
 *
 * @example
 * ```ts
 * const greet = fn(function* () { return `hello ${yield* ask<string>("name")}`; });
 * run(greet(), { handlers: [reader], env: { name: "Ada" } }).value; // "hello Ada"
 * ```
 */
export const reader: Handler<Ask<unknown> | Local<unknown, unknown>> = function* reader(effect, k) {
  const ctx = yield* getRunContext();
  if (effect instanceof Local) {
    return yield* transferWith(k, hidden(localGen, ctx, effect.patch, effect.program));
  }
  let v: unknown;
  try {
    v = askAnswer(effect, ctx);
  } catch (e) {
    return yield* raiseAt(k, e);
  }
  if (v !== DEFER) return yield* transfer(k, v);
  const prog = ctx.current.env.get(effect.key);
  if (ctx.current.env.evaluating.has(prog)) {
    return yield* raiseAt(k, new CircularAskError(effect.key));
  }
  const data = runData(ctx);
  const inflight = data.inflight.get(prog);
  if (inflight !== undefined) return yield* transferWith(k, hidden(waitGen, inflight));
  return yield* transferWith(k, hidden(evaluateGen, ctx, data, prog, effect.key));
};
reader.handles = (e) => e instanceof Ask || e instanceof Local;
reader[TAKES] = [Ask, Local];
named("reader", reader);
reader[FAST_PATH] = askAnswer;

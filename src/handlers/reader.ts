/**
 * The `reader` handler (SEMANTICS §7.4): Ask reads the current task's env; Local runs a program at
 * the perform site with the env overlaid; a Program-valued env entry is a lazy value, evaluated at its
 * first ask at that ask site and cached per run (keyed by the Program object). Failures are not
 * cached. An ask of a value whose evaluation is in progress on this env's path is a cycle.
 */
import { Ask, Local } from "../effects/reader.js";
import { CircularAskError, MissingEnvKeyError } from "../errors.js";
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
} from "../protocol.js";
import { raise } from "./util.js";

const B_PROGRAM = 2;

interface Inflight {
  /** called with the outcome when the evaluation ends (waiters from other tasks) */
  readonly settle: Array<(ok: boolean, v: unknown) => Generator<unknown, void, unknown>>;
}
interface ReaderRun {
  readonly cache: Map<unknown, unknown>;
  readonly inflight: Map<unknown, Inflight>;
}

function runData(ctx: RunContext): ReaderRun {
  return perRun(ctx, reader, () => ({ cache: new Map(), inflight: new Map() }));
}

/** Fast answer for a plain or cached ask; DEFER for Local and lazy values still to evaluate. */
function askAnswer(effect: Ask | Local, ctx: RunContext): unknown {
  if (!(effect instanceof Ask)) return DEFER;
  const env = ctx.current.env;
  const v = env.get(effect.key);
  if (v === undefined && !env.has(effect.key)) throw new MissingEnvKeyError(effect.key);
  if (brandOf(v) !== B_PROGRAM) return v;
  const data = runData(ctx);
  if (data.cache.has(v)) return data.cache.get(v);
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

function* evaluateGen(ctx: RunContext, data: ReaderRun, prog: unknown): Generator<unknown, unknown, unknown> {
  const tc = ctx.current;
  const prev = tc.env;
  const record: Inflight = { settle: [] };
  data.inflight.set(prog, record);
  tc.env = prev.evaluatingProgram(prog);
  let settled = false;
  try {
    const v = yield prog;
    data.cache.set(prog, v);
    data.inflight.delete(prog);
    settled = true;
    for (const s of record.settle) yield* s(true, v);
    return v;
  } catch (e) {
    if (!settled) {
      data.inflight.delete(prog);
      settled = true;
      for (const s of record.settle) yield* s(false, e);
    }
    throw e;
  } finally {
    tc.env = prev;
    if (!settled) data.inflight.delete(prog); // finalized (e.g. its task cancelled): a later ask retries
  }
}

/** Hook for waiting on an evaluation running in another task (installed by the scheduler module). */
export const lazyWait: {
  wait: ((record: Inflight) => ProgramLikeOf<unknown>) | null;
} = { wait: null };

export const reader: Handler<Ask | Local> = function* reader(effect, k) {
  const ctx = yield* getRunContext();
  if (effect instanceof Local) {
    return yield* transferWith(k, hidden(localGen, ctx, effect.patch, effect.program));
  }
  let v: unknown;
  try {
    v = askAnswer(effect, ctx);
  } catch (e) {
    return yield* transferWith(k, raise(e));
  }
  if (v !== DEFER) return yield* transfer(k, v);
  const prog = ctx.current.env.get(effect.key);
  if (ctx.current.env.evaluating.has(prog)) {
    return yield* transferWith(k, raise(new CircularAskError(effect.key)));
  }
  const data = runData(ctx);
  const inflight = data.inflight.get(prog);
  if (inflight !== undefined) {
    if (lazyWait.wait === null) return yield* transferWith(k, raise(new CircularAskError(effect.key)));
    return yield* transferWith(k, lazyWait.wait(inflight));
  }
  return yield* transferWith(k, hidden(evaluateGen, ctx, data, prog));
};
reader.handles = (e) => e instanceof Ask || e instanceof Local;
reader[FAST_PATH] = askAnswer;

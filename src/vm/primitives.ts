/**
 * Primitives (SEMANTICS §4): frozen VM instructions. The functions here only build and validate
 * them (eagerly: bad arguments throw synchronously); the machine executes them (vm/execute.ts).
 */
import { brand, describe, isGeneratorObject, isProgramLike, notAHandler } from "./brand.js";
import { type Continuation, isContinuation } from "./continuation.js";
import { madeByFn, type Program, type ProgramLikeOf, recursionName, registerCallGen } from "./program.js";
import type {
  AnyFunction,
  AnyProgramLike,
  EffectsOf,
  KnownEffectsOf,
  ProgramArg,
  ResultOf,
} from "./types.js";
import type { CheckedHandler } from "../run/every-effect.js";
import type { NotTakenBy } from "../run/rows.js";
import type { WithHandlerTaskEnders } from "../run/task-results.js";
import { Once } from "./once.js";
import { captureSite, siteState } from "./sites.js";
import { transfersOn } from "../trace/transfers.js";
import {
  B_PRIMITIVE,
  OP_CALL_GEN,
  OP_GET_RUN_CONTEXT,
  OP_TRANSFER,
  OP_TRANSFER_WITH,
  OP_WITH_HANDLER,
} from "./codes.js";

/**
 * The ops' names, for messages, `toString` and step traces: here those of the primitives this module
 * makes; each module that makes another adds its own as it loads (resume.ts, pass.ts, rare-ops.ts,
 * introspect.ts), so a bundle that cannot make one (the small import `run, program, state, get,
 * put`) carries no name it cannot meet.
 */
export const OP_NAMES: Record<number, string> = {
  [OP_WITH_HANDLER]: "withHandler",
  [OP_TRANSFER]: "transfer",
  [OP_TRANSFER_WITH]: "transferWith",
  [OP_GET_RUN_CONTEXT]: "getRunContext",
  [OP_CALL_GEN]: "call",
};

/** A VM instruction (immutable). `A` is what `yield*` on it evaluates to; `E` the effects it may perform. */
export class Primitive<A = unknown, E = never> {
  // (phantoms, required as Program's: see there)
  declare readonly __answer: A;
  declare readonly __effects: E;
  /**
   * Phantom, protected: makes Primitive nominal for the type checker. The run-time fields are
   * stripped from the published declarations, and without this any iterable would match the type.
   */
  declare protected readonly __primitive: true;
  /** @internal */ declare readonly op: number;
  /** @internal */ declare readonly a: unknown;
  /** @internal */ declare readonly b: unknown;
  /** @hidden Primitives are made by the functions of this module (resume, withHandler, …). */
  constructor(op: number, a: unknown, b: unknown) {
    this.op = op;
    this.a = a;
    this.b = b;
    // Not Object.freeze()d at run time, by decision: freezing cost ~7% of a transfer on the hot path.
    // Fields are readonly in the types and never written after construction (README, design notes).
  }
  [Symbol.iterator](): Iterator<Primitive<A, E>, A, unknown> {
    if (siteState.on !== 0) captureSite();
    return new Once<Primitive<A, E>, A>(this) as Iterator<Primitive<A, E>, A, unknown>;
  }
  toString(): string {
    return `${OP_NAMES[this.op]}()`;
  }
}
brand(Primitive.prototype, B_PRIMITIVE);

registerCallGen((gen, name) => new Primitive(OP_CALL_GEN, gen, name));

/** Is `x` a Primitive (by its prototype chain: see isEffectInstance). Never throws. */
export function isPrimitive(x: unknown): x is Primitive {
  if (x === null || typeof x !== "object") return false;
  try {
    return x instanceof Primitive;
  } catch {
    return false;
  }
}

export function checkK(k: unknown, where: string): void {
  if (!isContinuation(k)) {
    // a primitive here is most often createContinuation(…) / getContinuation() not yet performed
    throw new TypeError(
      `${where} expects a continuation (the handler's \`k\` argument), got ${describe(k)}${isPrimitive(k) ? ` (\`yield*\` it first: \`const k = yield* ${k}\`)` : ""}`,
    );
  }
}

/** @internal validates a ProgramLike argument; raw generator objects get a pointed message. */
export function checkProgramLike(p: unknown, where: string): void {
  if (isProgramLike(p)) return;
  if (isGeneratorObject(p)) {
    const n = recursionName(p);
    if (n !== null)
      throw new TypeError(
        `${where} got ${n}(…) from inside fn(function* ${n}(…) {…}), where \`${n}\` is the generator function, not the fn wrapper: rename the generator (function* ${n}Gen) to pass ${n}(…) to ${where}`,
      );
    throw new TypeError(
      `${where} got a raw generator object; wrap the generator function with fn(function* name() {...}) and pass name(...), or use program(function* () {...})`,
    );
  }
  // (`withHandler(h, job)` for `withHandler(h, job(…))`: said what job is, not what to pass)
  const uncalled =
    typeof p === "function" && madeByFn(p)
      ? `, made by fn but not called: pass the program it makes, ${p.name ? `${p.name}(…)` : "its call"}`
      : "";
  throw new TypeError(`${where} expects a Program, Effect or primitive, got ${describe(p)}${uncalled}`);
}

export function checkHandler(h: unknown, where: string): void {
  const bad = notAHandler(h);
  if (bad !== null) {
    throw new TypeError(`${where} expects a handler function ((effect, k) => generator), got ${bad}`);
  }
}

/**
 * Install handler `h` around `p`; evaluates to p's result, or the first invocation's outcome.
 * Row: p's effects minus those `h` handles, plus those `h` performs. Result: p's result, or what an
 * invocation of `h` returns in its place (its `Ret`: `null` for a `handle` handler doing
 * `return null` without resuming; `never` for one that always resumes or transfers). When `p` spawns
 * tasks, `h` is inside the scheduler and the tasks run under it: if it may end one with a value the
 * task's type lacks, the row notes it (TaskEndedBy) and `run` refuses it (TaskResultError).
 * A handler typed as taking every effect (`Handler<Effect<unknown>>`, `Handler<unknown>`, a class
 * without fields) is refused, as in `run`'s list: it would remove every effect from p's row
 * (EveryEffectHandlerError). `Handler`, with no type argument, is the unchecked escape hatch, and so
 * is a handler written inline without a type on its effect parameter (H's default `any`: TypeScript
 * infers H in a second pass when the handler is written inline, and the first must not fail).
 */
export function withHandler<P extends AnyProgramLike | AnyFunction, H = any, Em = never, Ret = never>(
  h: CheckedHandler<H, Em, Ret>,
  p: P & NoInfer<ProgramArg<P>>,
): Primitive<
  ResultOf<P> | Ret,
  // (Exclude: a handler declared as an interface extending Handler — mock's Mock, record's Recorder —
  // gives its Em through the optional phantom `__emits?`, read as `Em | undefined` without
  // exactOptionalPropertyTypes; `undefined` in the row was `MissingHandlerError<undefined>` at run)
  NotTakenBy<EffectsOf<P>, H> | Exclude<Em, undefined> | WithHandlerTaskEnders<EffectsOf<P>, H, Em, Ret>
> {
  checkHandler(h, "withHandler");
  checkProgramLike(p, "withHandler");
  return new Primitive(OP_WITH_HANDLER, h, p);
}

/**
 * @internal The program inside `withHandler(h, p)` (and inside those it nests), else `p` itself:
 * what a task spawned as `spawn(withHandler(h, audit()))` is named by (handlers/scheduler-unstarted.ts).
 */
export function underHandlers(p: unknown): unknown {
  for (let i = 0; i < 8 && p instanceof Primitive && p.op === OP_WITH_HANDLER; i++) p = p.b;
  return p;
}

/**
 * @internal withHandler's primitive without withHandler's checks, for run and runAsync: they made
 * them already (checkProgram, and checkOptions for each handler with notAHandler), and driveAsync's
 * callers pass what the library made — so the small import carries neither check.
 */
export function withHandlerUnchecked(h: unknown, p: unknown): Primitive<unknown, unknown> {
  return new Primitive(OP_WITH_HANDLER, h, p);
}

/**
 * @internal transferWith(k, p) for a program `p` the library made (handlers/util.ts raiseAt's
 * `raise(error)`): `k` is checked as transferWith checks it; `p` is a program, so it is not checked —
 * and a bundle whose only transferWith is such a one (the small import's state handler) carries no
 * check of a program argument.
 */
export function transferWithMade<A, E = never>(
  k: Continuation<A, unknown, E>,
  p: Program<never>,
): Primitive<never, E> {
  checkK(k, "transferWith");
  return new Primitive(OP_TRANSFER_WITH, k, p);
}

/**
 * The value argument of resume/transfer for a continuation answering `A`: required, unless
 * `undefined` is a valid answer (`Effect<void>`, `Effect<undefined>`, `Effect<unknown>`).
 */
export type AnswerArg<A> = [undefined] extends [A] ? [value?: A] : [value: A];

/** Tail-resume `k` with `v` (handler only): the invocation ends and k's outcome goes to its awaiter. */
export function transfer<A, E = never>(
  k: Continuation<A, unknown, E>,
  ...v: AnswerArg<NoInfer<A>>
): Primitive<never, E>;
export function transfer(k: Continuation<unknown, unknown, unknown>, v?: unknown): Primitive<never, unknown> {
  checkK(k, "transfer");
  return new Primitive(OP_TRANSFER, k, v);
}

/** As transfer, but runs `p` at k's perform site instead of delivering a value (handler only). */
export function transferWith<A, E = never, P extends ProgramLikeOf<NoInfer<A>> = ProgramLikeOf<NoInfer<A>>>(
  k: Continuation<A, unknown, E>,
  p: P,
): Primitive<never, E | KnownEffectsOf<P>>;
export function transferWith(
  k: Continuation<unknown, unknown, unknown>,
  p: ProgramLikeOf<unknown>,
): Primitive<never, unknown> {
  checkK(k, "transferWith");
  checkProgramLike(p, "transferWith");
  transfersOn(); // (its traceback lines: trace/transfers.ts)
  return new Primitive(OP_TRANSFER_WITH, k, p);
}

const GET_RUN_CONTEXT = /* @__PURE__ */ new Primitive<import("../run/context.js").RunContext>(
  OP_GET_RUN_CONTEXT,
  undefined,
  undefined,
);

/** One program frame of `getCallStack()`. */
export interface CallStackEntry {
  /** The program's name (its generator function's name, as in tracebacks). */
  readonly name: string;
  /** The Program object of that frame. */
  readonly program: unknown;
}

/** The run's RunContext. */
export function getRunContext(): Primitive<import("../run/context.js").RunContext> {
  return GET_RUN_CONTEXT;
}

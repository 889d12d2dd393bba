/**
 * The public handler protocol: everything a handler library needs, and nothing of the machine's
 * internals. `src/handlers/` imports only this module, the effect classes and the errors (a test
 * enforces it), so any user can write the standard handlers again on the same footing.
 */
export {
  brandOf,
  className,
  describe,
  isEffectValue,
  isProgramLike,
  listedUncalled,
  notAnEffectClass,
} from "./vm/brand.js";
export { captureSite, siteState } from "./vm/sites.js";
export { siteOf } from "./trace/format.js";
/** @internal What a blocked computation waits on, for the report of an aborted run. */
export { blockedIn, heldBy, noteBlockedAt, noteWait, SHOWN_ARG, waitsIn } from "./trace/blocked-in.js";
/** @internal An error rebuilt from another process's, and the boundary line its traceback shows. */
export { crossedIn, queueJobLine } from "./trace/crossed.js";
/** What a boundary line is made from, for tracebackOf (FrameLabel.lineFields). */
export type { LineFields, QueueJobFields } from "./trace/entries.js";
/** @internal What a `boundary(…)` program's label is made from (a doeff/workers job's line). */
export { labelMadeOf } from "./trace/frame-lines.js";
export type { Continuation } from "./vm/continuation.js";
export {
  DEFER,
  FAST_PATH,
  TAKES,
  TRACE_QUIET,
  type BodyResult,
  type FastPath,
  type Handler,
  type HandlerResult,
  type WithoutBodyResult,
} from "./vm/handler.js";
export {
  getRunContext,
  type Primitive,
  transfer,
  transferWith,
  withHandler,
} from "./vm/primitives.js";
/** @internal transferWith for a program the library made (handlers/util.ts raiseAt). */
export { transferWithMade } from "./vm/primitives.js";
/** @internal The program inside withHandler(h, p), for a task's name. */
export { underHandlers } from "./vm/primitives.js";
export { pass } from "./vm/pass.js";
export { type ClosingReason, closingReason, getCallStack, getHandlers } from "./vm/introspect.js";
export { discontinue, resume, resumeContinuation } from "./vm/resume.js";
export {
  asyncEscape,
  createContinuation,
  delegate,
  detach,
  finalize,
  getContinuation,
} from "./vm/rare-ops.js";
export { boundary, fn, hidden, Program, type ProgramLikeOf, program, pure } from "./vm/program.js";
/** @internal A hidden frame driven by an iterator, its traceback label made on demand. */
export { functionKind } from "./vm/program.js";
/** @internal The scheduler's task report as a program (see its declaration). */
export { reported } from "./vm/reported.js";
/** @internal */
export type { FrameLabel } from "./vm/segment.js";
export type {
  AnswerOf,
  AnyEffect,
  AnyFunction,
  AnyProgramLike,
  EffectsOf,
  KnownEffectsOf,
  FieldlessEffects,
  IsOpen,
  ProgramArg,
  ResultOf,
  UntaggedEffectError,
} from "./vm/types.js";
export { Env, perRun, type RunContext, type TaskContext } from "./run/context.js";
/** @internal One listener per AbortSignal for all who listen to it (a shared shutdown signal). */
export { offAbort, onAbort } from "./run/abort-listeners.js";
/** @internal One turn of the event loop (the scheduler's idle processing under runAsync). */
export { macrotask } from "./run/macrotask.js";
/** @internal The TaskContext class the run and the scheduler make (its log made on first use). */
export { TaskCtx } from "./run/context.js";
/** @internal An error kept on the run's warnings until a program receives it (scheduler-cancel.ts). */
export { provisionalWarning } from "./run/provisional.js";
// Concurrency (SEMANTICS §9–§10): what a replacement scheduler or clock needs beyond the effects —
// the SCHEDULER marker, handle construction/recognition, and the idle-source protocol.
export {
  handleRef,
  type IdleSource,
  PromiseHandle,
  SCHEDULER,
  SchedulerEffect,
} from "./effects/scheduler.js";
/** @internal The at-site answers of a FAST_PATH (see their declarations). */
export { SITE_PASS, SITE_SWITCH } from "./vm/handler.js";
/** @internal A FAST_PATH answer that calls a program at the perform site (see its declaration). */
export { callAtSiteAnswer } from "./vm/call-at-site.js";
/** @internal FAST_PATH answers: a switch to SITE_SWITCH's continuation or start, a wait at the site. */
export { awaitAnswer, handBack, switchAnswer } from "./vm/site-answers.js";
/** @internal For FAST_PATH hooks: the handlers between a site and the taking prompt. */
export {
  capturedPrompt,
  capturedSite,
  firstVisible,
  handlersInside,
  performedIn,
  reinstalled,
  visibleMarked,
} from "./vm/dispatch.js";
/** @internal An unstarted continuation, as the createContinuation primitive makes it. */
export { unstarted } from "./vm/finalize.js";
/** @internal Handle construction (marked internal where declared, so kept out of the .d.ts). */
export { newFuture, newTask, TaskRecord } from "./effects/scheduler.js";
/** @internal How an effect or a waited future names itself in TimeoutError (see its declaration). */
export { TIMED_OUT } from "./concurrency/timed-out.js";

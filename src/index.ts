/**
 * doeff — algebraic effects for TypeScript. A program is a generator that `yield*`s effects; the
 * handlers it runs under (`run(program, { handlers })`, `withHandler`) answer them through one-shot
 * continuations, on a stack-safe virtual machine. This entry point is the whole core: programs,
 * running, effects and handlers, the standard effects and their handlers (reader, state, writer,
 * the scheduler with simulated time), the concurrency toolkit, errors and tracebacks. Zero
 * dependencies; what you do not import is tree-shaken away.
 *
 * The other entry points: `doeff/testing` (test helpers), `doeff/workers` (programs on worker
 * threads, with piscina) and `doeff/queue` (programs as BullMQ jobs).
 *
 * @module doeff
 */

// §1 Programs
export { fn, program, pure, Program, type ProgramLikeOf } from "./vm/program.js";
export { Effect } from "./effects/effect.js";

// §2 Running
export { run, runAsync } from "./run/run.js";
export type { RunOptions, TraceOptions } from "./run/options.js";
export type { WarningHook, WarningInfo, WarningStatus } from "./run/context.js";
export { RunResult } from "./run/result.js";
// the traceback as data, for error trackers and JSON logs (tree-shaken when not imported)
export {
  type FailureTraceback,
  type OkTraceback,
  type TraceBoundary,
  type TraceEffect,
  type TraceEntry,
  type TraceError,
  type TraceForwarded,
  type TraceGap,
  type TraceHandler,
  type TraceMarker,
  type TraceOutcome,
  type TraceProgram,
  type TraceSite,
  type TraceTask,
  type TraceVisit,
  type TraceWait,
  type TraceWarning,
  type Traceback,
  tracebackOf,
} from "./trace/data.js";
export type { Driver, Env, RunContext, TaskContext } from "./run/context.js";

// §3 Effects and handlers
export type { Continuation } from "./vm/continuation.js";
export {
  type BodyResult,
  DEFER,
  FAST_PATH,
  type FastPath,
  type Handler,
  type HandlerResult,
  TAKES,
  TRACE_QUIET,
} from "./vm/handler.js";
export {
  type CallStackEntry,
  getRunContext,
  Primitive,
  transfer,
  transferWith,
  withHandler,
} from "./vm/primitives.js";
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
export { handle } from "./handlers/handle.js";
export { answer } from "./handlers/answer.js"; // perf: the tail-resumptive handler form
export type { AsyncAnswerError, SyncAnswer } from "./handlers/answer.js";

// §4 Standard effects and handlers
export {
  Get,
  type GetConstructor,
  get,
  Modify,
  type ModifyConstructor,
  modify,
  Put,
  put,
} from "./effects/state.js";
// typed state keys: augment StateTypes to type get/put/modify(key), run's store and RunResult.store
// (all the types of state-types.ts, unlisted: a list's text moved esbuild's short names; see there)
export type * from "./effects/state-types.js";
export { Ask, ask, Local, local } from "./effects/reader.js";
// typed env keys (issue 11): augment EnvTypes to type ask(key), local's patch and run's env
// (all the types of env-types.ts, unlisted, as state-types.ts's are)
export type * from "./effects/env-types.js";
export { Listen, type Listened, listen, Tell, tell } from "./effects/writer.js";
// typed log entries: augment LogTypes to type tell, Tell.message, listen's log and RunResult.log
// (all the types of log-types.ts, unlisted, as state-types.ts's are)
export type * from "./effects/log-types.js";
export { Err, Ok, type Result, safe } from "./effects/safe.js";
export { state } from "./handlers/state.js";
export { reader } from "./handlers/reader.js";
export { writer } from "./handlers/writer.js";
export { type InterceptedEffects, intercept, type InterceptResult } from "./handlers/intercept.js";
// a pass-through handler for tracing and metrics (tree-shaken when not imported)
export { type EffectObserver, type EffectOutcome, observe } from "./handlers/observe.js";

// §5 Concurrency, promises, time
export {
  AwaitPromise,
  awaitPromise,
  Cancel,
  cancel,
  CompletePromise,
  completePromise,
  CreateExternalPromise,
  CreatePromise,
  createExternalPromise,
  createPromise,
  type ExternalPromise,
  FailPromise,
  failPromise,
  Future,
  Gather,
  gather,
  type IdleSource,
  IsDone,
  isDone,
  PromiseHandle,
  Race,
  type RaceResult,
  RegisterIdleSource,
  race,
  registerIdleSource,
  SCHEDULER,
  SchedulerEffect,
  Spawn,
  type SpawnOptions,
  spawn,
  Task,
  type Waitable,
  type WaitableValue,
  Wait,
  wait,
} from "./effects/scheduler.js";
export { Delay, delay, Now, now } from "./effects/time.js";
export { scheduler } from "./handlers/scheduler.js";
export { realTime, type SimulatedTimeOptions, simulatedTime } from "./handlers/time.js";

// §5 scheduler core (signals, getAbortSignal, gather(array), RunResult.warnings)
export { GetAbortSignal, type GatherValues, getAbortSignal } from "./effects/scheduler.js";
// the current task's id and spawner, for correlating logs and spans with tracebacks
export { GetTaskInfo, getTaskInfo, type TaskInfo } from "./effects/scheduler.js";
// a task's turn for the others without a clock round (long batches under simulatedTime)
export { Cede, cede } from "./effects/scheduler.js";

// §5 Structured concurrency toolkit (SEMANTICS §9.8): ordinary programs over the §9 effects
export { type AllOptions, all, forEach } from "./concurrency/all.js";
export { type RaceWinner, raceAll } from "./concurrency/race-all.js";
export { raceFirst } from "./concurrency/race-first.js";
export { timeout } from "./concurrency/timeout.js";
export { abortable } from "./concurrency/abortable.js";
export { type RetryOptions, retry } from "./concurrency/retry.js";
export { scoped } from "./concurrency/scoped.js";
export { recover } from "./concurrency/recover.js";
export { acquire, createSemaphore, release, Semaphore, withPermit } from "./concurrency/semaphore.js";
export { RateLimiter, type RateLimiterOptions, rateLimited, rateLimiter } from "./concurrency/rate-limit.js";
export {
  ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  concurrencyLimited,
  concurrencyLimiter,
} from "./concurrency/concurrency-limit.js";
export {
  Channel,
  type ChannelExpectedError,
  type ChannelOptions,
  close,
  createChannel,
  type Overflow,
  type Received,
  receive,
  send,
} from "./concurrency/channel.js";
export {
  type EventChannelOptions,
  type EventSubscribe,
  eventChannel,
} from "./concurrency/event-channel.js";
export { type ForEachLatestOptions, forEachLatest } from "./concurrency/latest.js";
export {
  ChannelStream,
  channelStream,
  type ForEachAsyncOptions,
  forEachAsync,
  next,
} from "./concurrency/async-iterable.js";
export { ChannelClosedError, TimeoutError } from "./errors.js";

// §6 Errors
export {
  AsyncRequiredError,
  CircularAskError,
  ContinuationConsumedError,
  DeadlockError,
  DoeffError,
  HandlerContextError,
  MissingEnvKeyError,
  MissingStateKeyError,
  PromiseAlreadyCompletedError,
  TaskCancelledError,
  UnhandledEffectError,
  VMInternalError,
} from "./errors.js";

// Types that appear in public signatures, exported so users can name them (packaging / API reference)
export type {
  AnyEffect,
  AnyFunction,
  AnyProgramLike,
  ClassFix,
  EffectsOf,
  FixFor,
  FunctionArg,
  GenericFix,
  IsOpen,
  ProgramArg,
  ProgramExpectedError,
  ResultOf,
} from "./vm/types.js";
export type {
  MissingHandlerError,
  MissingHandlers,
  MissingSchedulerAndClockError,
  MissingSchedulerError,
} from "./run/coverage.js";
export type { Covered, CoveredProgram, FirstPass, RunOptionsOf } from "./run/entry-check.js";
export type { RowOf, Runnable, RunValue } from "./run/rows.js";
export type { SpawnStore } from "./effects/scheduler.js";

// Types used in public signatures (API reference: typedoc's notExported check)
export type {
  AnotherCopyError,
  AnswerOf,
  FieldlessEffects,
  FromAnotherCopy,
  HasNoFields,
  InnerRow,
  IsOpenMember,
  KnownEffectsOf,
  NotAnEffect,
  NotAnEffectError,
  NotEffectsOf,
  UnusualMembers,
  UntaggedEffectError,
} from "./vm/types.js";
export type {
  AnotherCopyHandlerError,
  CoverageOf,
  CoverageOfEffects,
  MadeByAnotherCopy,
  MissingCoverage,
  FullCoverageOf,
  NotAnEffectCoverage,
  HandlerFactoryError,
  HandlerOrderError,
  OutOfOrder,
  OutOfOrderIfAny,
  PlainCoverage,
  TakenFromAnotherCopy,
  UncalledFactories,
  Unhandled,
} from "./run/coverage.js";
export type {
  CheckedRunAsyncOptions,
  CheckedRunOptions,
  InferOnly,
  ListWritten,
  MaybeNone,
  NotInferred,
  NullsUnchecked,
  SettleForRunAsync,
  SettleForRunAsyncError,
  UnknownRunOptionError,
} from "./run/entry-check.js";
export type {
  CheckedHandler,
  EffectProbe,
  EveryEffectHandlerError,
  TakesEvery,
  TakingEvery,
} from "./run/every-effect.js";
export type {
  AnyHandlerFn,
  Bivariant,
  BivariantFields,
  BivariantFn,
  BivariantOne,
  EmittedBy,
  HandledBy,
  LooseEffect,
  NotTakenBy,
  PerformedBy,
  ReturnedBy,
  ReturnedByOne,
  TakenBy,
  TakenIn,
  TaskEndedBy,
} from "./run/rows.js";
export type {
  EndingHandlers,
  EndsTask,
  HandlerEndsTasks,
  InsideScheduler,
  RowTaskEnders,
  SpawnsIn,
  TaskEnders,
  TaskResultError,
  WithHandlerTaskEnders,
} from "./run/task-results.js";
export type { WithoutBodyResult } from "./vm/handler.js";
export type { AnswerArg } from "./vm/primitives.js";
export type {
  BaseEffectClass,
  BaseEffectClassError,
  BaseEffectClasses,
  Distinguishable,
  EffectClass,
  EmptyClassListError,
  HandleableClass,
  HandleableClasses,
  HandlerReturn,
  HandlerRow,
  InstancesOf,
} from "./handlers/handle.js";
export type {
  EmptyErrorClassListError,
  ErrorClass,
  RecoverAnswer,
  RecoverAsyncError,
  Recovered,
  RecoveredBesides,
  RecoveredError,
  RecoveredRow,
} from "./concurrency/recover.js";
export type {
  RetryHookAnswer,
  RetryHookGeneratorError,
  RetryHookUncalledError,
} from "./concurrency/retry.js";
export type {
  ArrayExpectedError,
  NonEmptyCheck,
  NonEmptyItemsCheck,
  NotAGeneratorFunction,
  NotAProgram,
  ProgramMaking,
  ResultsOf,
  RowsOf,
  SchedulerRow,
  TasksRow,
  TimedRow,
} from "./concurrency/row.js";

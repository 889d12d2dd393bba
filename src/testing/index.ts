/**
 * doeff/testing — helpers for testing doeff programs by swapping handlers: `record` (what did the
 * program perform, and what was it answered), `mock` (answer one effect class), `expectEffects`
 * (run and check the effects performed, in order), `virtualClock` (instant, deterministic time),
 * `seededRandom` (a replayable generator for simulation tests) and `quiescent` (wait until a
 * simulation has nothing left to do).
 * Zero dependencies; import only what you use.
 *
 * @module doeff/testing
 */
export {
  type CheckedClockRunAsyncOptions,
  type CheckedClockRunOptions,
  type ClockHandlers,
  type ClockRunSettleError,
  type DelayRecord,
  type VirtualClock,
  virtualClock,
} from "./clock.js";
export type {
  SettleForAsync,
  TestCovered,
  TestCoveredProgram,
  TestRunOptionsOf,
  UnknownOptionError,
} from "./covered.js";
export {
  type CheckedExpectAsyncOptions,
  type CheckedExpectOptions,
  compareEffects,
  type EffectExpectation,
  EffectExpectationError,
  type ExpectOptions,
  type ExpectOptionsOf,
  type ExpectSettleError,
  expectEffects,
  expectEffectsAsync,
} from "./expect.js";
export { type AnswerOf, type Mock, type MockAnswer, type MockOptions, mock } from "./mock.js";
export { quiescent } from "./quiescent.js";
export { type SeededRandom, seededRandom } from "./random.js";
export {
  type RecordedAnswer,
  type RecordedOf,
  type RecordFilter,
  type Recorded,
  type Recorder,
  record,
} from "./record.js";

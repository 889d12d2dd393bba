/** Vocabulary of the toolkit tests (SEMANTICS §9.8): handlers, an event log stamped with virtual time. */
import {
  Delay,
  delay,
  Effect,
  fn,
  type Handler,
  handle,
  now,
  scheduler,
  simulatedTime,
  state,
  transfer,
  writer,
} from "../src/index.js";

/** [scheduler, simulatedTime(), state, writer]: a fresh clock handler each call. */
export function TK(): Handler[] {
  return [scheduler, simulatedTime(), state, writer];
}

/** Events recorded by `mark`, as "t: text" (t = virtual time). Reset per test with `events.length = 0`. */
export const events: string[] = [];

/** Record `text` stamped with the clock's time. */
export const mark = fn(function* mark(text: string) {
  const t = yield* now();
  events.push(`${t}: ${text}`);
});

/** A program that waits `ms`, records it, and returns `value` (its finally is recorded too). */
export const job = fn(function* job<T>(name: string, ms: number, value: T) {
  yield* mark(`${name} start`);
  try {
    yield* delay(ms);
    yield* mark(`${name} done`);
    return value;
  } finally {
    yield* mark(`${name} finally`);
  }
});

/** A program that waits `ms`, records it, and throws `error`. */
export const failing = fn(function* failing(name: string, ms: number, error: unknown) {
  yield* mark(`${name} start`);
  yield* delay(ms);
  yield* mark(`${name} fails`);
  throw error;
});

/** An effect whose handlers below end the task that performs it before its program completes. */
export class Ping extends Effect<number> {
  declare readonly _tag: "Ping";
}
export const handlerBoom = new Error("handlerBoom");
/** throws instead of resuming */
export const throwingPing = handle(Ping, function* () {
  throw handlerBoom;
});
/** abort style: its value is the task's value, the program never resumed */
export const abortingPing = handle(Ping, function* () {
  return "aborted-by-handler";
});

/** Under simulatedTime, each delay of the limiter made `extras[i]` ms longer: a timer that fires late. */
export const late = (extras: readonly number[]) => {
  let i = 0;
  return handle(Delay, function* lateTimer(e, k) {
    yield* delay(e.ms + (extras.length === 0 ? 0 : extras[i++ % extras.length]!));
    return yield* transfer(k, undefined);
  });
};

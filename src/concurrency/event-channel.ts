/**
 * `eventChannel(subscribe, options)`: a channel fed from outside the run (redux-saga's
 * `eventChannel`) — DOM events, an EventEmitter, a WebSocket's messages. `subscribe(emit, close)`
 * is called once, inside the run; `emit(value)` and `close()` may be called from anywhere (a
 * callback, a timer, code inside the run), and it returns the function that unsubscribes.
 *
 * How a value crosses into the run: `emit` buffers it (plain bookkeeping, no effect), or hands it
 * to the first waiting receiver, which on an event channel waits on an *external* promise (see
 * channel.ts) — completed by a request the scheduler applies at its next step, in call order (R7).
 * So a receive waiting for the outside counts as pending external work: runAsync waits for it, and
 * `run` fails with AsyncRequiredError when nothing else can happen, as for `awaitPromise`.
 *
 * `close(err)` from outside closes it with an error, which receives throw once the buffer is drained
 * (channel.ts `done`): a WebSocket's `error` event.
 *
 * An outside producer cannot be made to wait, so the buffer never blocks: unbounded by default, or
 * bounded with overflow "dropping" / "sliding"; a bounded one without either is refused at the call.
 *
 * Unsubscribing: once, at the first of `close(ch)` inside the run, `close()` from outside, and the
 * end of the channel's guard — a task spawned with it that waits until the channel is closed, so
 * that main's end (which cancels every task), an aborted run, or the end of a `scoped` block
 * around the `eventChannel` call cancels it and its finally closes the channel and unsubscribes.
 * `emit` after close is ignored (answers false): a source often fires once more while it is torn
 * down (a message in flight), and there is nobody left to tell. `close()` from outside never throws
 * (an unsubscribe that throws there is a run warning: EventFeed.close).
 */
import {
  completePromise,
  createPromise,
  type ExternalPromise,
  type PromiseHandle,
  ownedSpawn,
  wait,
} from "../effects/scheduler.js";
import type { RunContext } from "../run/context.js";
import { describe } from "../vm/brand.js";
import { getRunContext } from "../vm/primitives.js";
import { fn, hidden, type Program } from "../vm/program.js";
import {
  Channel,
  channelOptions,
  closeGen,
  DONE,
  DROPPED,
  type Feed,
  isError,
  offer,
  type Overflow,
  type Received,
} from "./channel.js";
import { functionArg } from "./check.js";
import type { SchedulerRow } from "./row.js";
import { at, callSite, named } from "./site.js";

/**
 * Options of `eventChannel(subscribe, options)`: the buffer between the outside and the run. It
 * cannot block an outside producer, so it is unbounded (`capacity: Infinity`, the default) or
 * bounded with a policy that drops values when it is full.
 *
 * @example
 * ```ts
 * const moves = yield* eventChannel<PointerEvent>(subscribe, { capacity: 1, overflow: "sliding" }); // the latest only
 * ```
 */
export interface EventChannelOptions {
  /** How many values it buffers: `Infinity` (the default), or an integer ≥ 0 with `overflow`. */
  capacity?: number;
  /** What an `emit` to a full channel does: `"dropping"` drops the new value, `"sliding"` the oldest. */
  overflow?: "dropping" | "sliding";
}

/**
 * What `subscribe` is given: `emit(value)` sends a value into the run (false: it was dropped by a
 * full channel's overflow, or the channel is closed and it was ignored); `close()` closes the
 * channel (its receivers get `{ done: true }` once the buffered values are taken) and unsubscribes
 * (it never throws: if the function that unsubscribes throws, that error is a run warning);
 * `close(error)` closes it with an error: once the buffered values are taken, the waiting receives
 * and every later one throw `error`. (Typed as an `Error` so that a listener's argument — a DOM
 * `CloseEvent` from `ws.addEventListener("close", close)` — is not taken for one: write
 * `() => close()` there; an emitter's listener is not checked, so at run time anything but an
 * Error closes it with a TypeError saying so.)
 */
export type EventSubscribe<T> = (emit: (value: T) => boolean, close: (error?: Error) => void) => () => void;

class EventFeed<T> implements Feed {
  unsubscribe: (() => void) | null = null;
  /**
   * completed when the channel is closed inside the run, or a receive or close(ch) in the run finds
   * it closed by its source (whose close() can perform no effect): the guard's end
   */
  stop: PromiseHandle<undefined> | null = null;
  constructor(
    readonly ch: Channel<T>,
    /** the run's context: where an unsubscribe that throws at the source's close() is warned of */
    readonly ctx: RunContext,
  ) {}

  /** (bound: `emitter.on("data", emit)`) */
  readonly emit = (value: T): boolean => {
    const ch = this.ch;
    if (ch.isClosed) return false;
    const r = offer(ch, value);
    if (typeof r === "object") (r.promise as ExternalPromise<Received<T>>).complete(r.value!);
    return r !== DROPPED;
  };

  /**
   * close() from outside: as close(ch), with requests instead of effects (idempotent); close(err):
   * fails it. It never throws: it runs in the source's listener (inside `EventEmitter.emit`, a
   * socket's handler), where a throw would break the source — an uncaught exception ends a Node
   * process. An unsubscribe that throws is kept on the run's warnings (RunContext.warn) instead.
   * The channel is closed all the same, as its source said: its receivers do not get that error,
   * which is none of the stream's (what they get is what the source closed it with).
   */
  readonly close = (error?: unknown): void => {
    const ch = this.ch;
    if (!ch.isClosed) {
      ch.isClosed = true;
      if (error !== undefined) ch.failure = { error: isError(error) ? error : notAnError(error) };
      // as drained(): a value handed to a receiver that has not taken it may still come back, and
      // then that receiver tells the others (channel.ts); blocked senders: none, nothing blocks
      if (ch.handed === 0 && ch.size === 0) {
        for (let r = ch.firstReceiver(); r !== undefined; r = ch.firstReceiver()) {
          r.state = 1;
          r.value = DONE;
          (r.promise as ExternalPromise<Received<T>>).complete(DONE);
        }
      }
    }
    try {
      this.unsub();
    } catch (e) {
      this.ctx.warn(
        e,
        "the function that unsubscribes an eventChannel from its source threw when the source called close() (the channel is closed)",
      );
    }
  };

  unsub(): void {
    const u = this.unsubscribe;
    this.unsubscribe = null;
    u?.();
  }

  *closed(): Generator<unknown, void, any> {
    const stop = this.stop;
    this.stop = null;
    try {
      this.unsub();
    } finally {
      if (stop !== null) yield* completePromise(stop, undefined);
    }
  }
}

/**
 * What receives throw when `close` was given something other than an Error: almost always `close`
 * passed as a listener, `socket.on("close", close)`, handed the event's arguments (net.Socket's
 * `hadError` false, a child process's exit code 0, a ws close code) — the loop failed with `thrown:
 * false` and no word of where it came from. The value given is the cause.
 */
function notAnError(x: unknown): TypeError {
  return new TypeError(
    `eventChannel's close was given ${describe(x)}, not an Error (as a listener, source.on("close", close), it gets the event's arguments): write () => close()`,
    { cause: x },
  );
}

/** The guard task: waits until the channel is closed; cancelled (main's end, scoped), closes it. */
const guard = fn(
  named(
    "eventChannel",
    function* eventChannel(
      feed: EventFeed<unknown>,
      stop: PromiseHandle<undefined>,
      started: PromiseHandle<undefined>,
      site: Error | null,
    ): Generator<unknown, undefined, any> {
      try {
        yield* completePromise(started, undefined);
        // (bare, at the user's call: a yield site here would be in the library, so the task's line
        // named the run's call — `runAsync(…)` — instead of the eventChannel call)
        yield at(site, wait(stop.future));
      } finally {
        yield* closeGen(feed.ch); // (a no-op when it was closed: then it has unsubscribed)
        feed.unsub(); // (closed from outside before subscribe returned)
      }
      return undefined;
    },
  ),
);

function* eventChannelGen<T>(
  subscribe: EventSubscribe<T>,
  capacity: number,
  overflow: Overflow,
  site: Error | null,
): Generator<unknown, Channel<T>, any> {
  const ch = new Channel<T>(capacity, overflow);
  const feed = new EventFeed(ch, (yield getRunContext()) as RunContext);
  ch.feed = feed;
  const stop = yield* createPromise<undefined>();
  feed.stop = stop;
  // the guard must have entered its try before anything is subscribed: a task cancelled before it
  // ever ran runs no finally (main returning right after this call would leak the listener)
  const started = yield* createPromise<undefined>();
  yield at(site, ownedSpawn(guard(feed as EventFeed<unknown>, stop, started, site), site));
  let ok = false;
  try {
    yield* wait(started.future);
    const u = subscribe(feed.emit, feed.close) as unknown;
    if (typeof u !== "function")
      throw new TypeError(
        `eventChannel's subscribe must return the function that unsubscribes, e.g. (emit) => { source.on("data", emit); return () => source.off("data", emit); }; it returned ${describe(u)}`,
      );
    feed.unsubscribe = u as () => void;
    if (ch.isClosed) feed.unsub(); // close() was called while subscribing
    ok = true;
    return ch;
  } finally {
    if (!ok) yield* closeGen(ch); // subscribe threw (or this task was cancelled): the guard ends too
  }
}

/**
 * A channel fed from outside the run: `subscribe(emit, close)` is called now and returns the
 * function that unsubscribes, which is called once the channel is closed (by `close(ch)`, by the
 * `close` given to subscribe) or the run ends. Receive its values with `receive(ch)`; after
 * `close(error)`, receives throw that error once the buffered values are taken.
 *
 * @example
 * ```ts
 * const messages = yield* eventChannel<string>((emit, close) => {
 *   const onMessage = (e: MessageEvent) => emit(String(e.data));
 *   const onClose = () => close(); // (not `close` itself: it would take the CloseEvent for an error)
 *   const onError = () => close(new Error("the WebSocket failed"));
 *   ws.addEventListener("message", onMessage);
 *   ws.addEventListener("close", onClose);
 *   ws.addEventListener("error", onError);
 *   return () => {
 *     ws.removeEventListener("message", onMessage);
 *     ws.removeEventListener("close", onClose);
 *     ws.removeEventListener("error", onError);
 *   };
 * });
 * ```
 */
export function eventChannel<T>(
  subscribe: EventSubscribe<T>,
  options?: EventChannelOptions,
): Program<Channel<T>, SchedulerRow> {
  functionArg(
    subscribe,
    "eventChannel",
    '(emit) => { source.on("data", emit); return () => source.off("data", emit); }',
  );
  const overflow = (options as { overflow?: unknown } | undefined)?.overflow;
  const o = channelOptions(options, "eventChannel", Infinity, ["dropping", "sliding", "block"]);
  if (o.capacity !== Infinity && overflow !== "dropping" && overflow !== "sliding")
    throw new RangeError(
      `eventChannel of capacity ${o.capacity} needs overflow "dropping" or "sliding"${overflow === undefined ? "" : ` (got "block")`}: a full channel cannot make an outside producer wait, so say which value to drop — or leave capacity out (unbounded)`,
    );
  return hidden(eventChannelGen<T>, subscribe, o.capacity, o.overflow, callSite()) as Program<
    Channel<T>,
    SchedulerRow
  >;
}

/**
 * Channel (SEMANTICS §9.8), made of ordinary programs over the §9 promise effects. A buffer of at
 * most `capacity` values (0 = rendezvous: a send waits for a receiver; Infinity allowed) plus FIFO
 * queues of blocked senders and receivers, each blocked on a one-shot promise of its own.
 * Invariant: receivers wait only while the buffer is empty and no sender waits.
 * `overflow` says what a send to a full channel does: "block" (wait for room), "dropping" (drop
 * the new value), "sliding" (drop the oldest buffered value); only "block" ever queues senders.
 * An event channel (event-channel.ts) is fed from outside the run: its receivers wait on external
 * promises, which code outside the run can complete (and which runAsync waits for).
 * A cancelled sender or receiver leaves its queue; a receiver cancelled after being handed a value
 * puts it back before the buffered values (`back`), so no value is lost — also after close: the
 * other receivers are told `{ done: true }` only once no value is handed and untaken (`handed`).
 */
import {
  completePromise,
  createExternalPromise,
  createPromise,
  type ExternalPromise,
  failPromise,
  type PromiseHandle,
  wait,
} from "../effects/scheduler.js";
import { ChannelClosedError } from "../errors.js";
import { describe } from "../vm/brand.js";
import { hidden, isProgram, type Program } from "../vm/program.js";
import { SHOWN_ARG, waitsIn } from "../trace/blocked-in.js";
import { optionsObject } from "./check.js";
import { Queue } from "./queue.js";
import type { SchedulerRow } from "./row.js";

/** What `receive` answers: a value, or `{ done: true }` once the channel is closed and drained. */
export type Received<T> =
  | { readonly done: false; readonly value: T }
  | { readonly done: true; readonly value?: undefined };

interface Sender<T> {
  readonly value: T;
  readonly promise: PromiseHandle<undefined>;
  /** 0 waiting, 1 taken (or failed by close), 2 left (cancelled) */
  state: number;
}
/** @internal */
export interface Receiver<T> {
  /** (an external promise on an event channel, so that code outside the run can wake it) */
  readonly promise: PromiseHandle<Received<T>> | ExternalPromise<Received<T>>;
  state: number;
  value: Received<T> | undefined;
  /** the value's number (`Channel.hands`): where it goes back if this receiver does not take it */
  n: number;
}

/** @internal */
export const DONE: Received<never> = Object.freeze({ done: true }) as Received<never>;

/**
 * What a send to a full channel does: `"block"` waits for room (the default), `"dropping"` drops
 * the value sent, `"sliding"` drops the oldest buffered value to make room for it.
 */
export type Overflow = "block" | "dropping" | "sliding";

/** @internal What an event channel's feed does when the channel is closed inside the run. */
export interface Feed {
  closed(): Generator<unknown, void, any>;
}

/**
 * A channel made by `createChannel({ capacity, overflow })`, or fed from outside the run by
 * `eventChannel(subscribe)`; use it within the run that made it.
 */
export class Channel<T = unknown> {
  declare readonly __channel?: T;
  /** @internal */ readonly buffer = new Queue<T>();
  /**
   * @internal Values put back by receivers cancelled after they were handed them, with their
   * numbers, ascending: taken before the buffer's (all sent before them: a value is handed only
   * while the buffer is empty). Apart from the buffer, and in the order they were handed: put back
   * at its front one by one, receivers cancelled in the order they were handed them (a scope's
   * tasks) gave them back reversed, and each put back on a long buffer moved all of it.
   */
  readonly back = new Queue<readonly [number, T]>();
  /** @internal how many values were handed to receivers: each one's number */
  hands = 0;
  /** @internal */ readonly senders = new Queue<Sender<T>>();
  /** @internal */ readonly receivers = new Queue<Receiver<T>>();
  /** @internal */ isClosed = false;
  /** @internal receivers / senders that left (cancelled) and are still queued (see leave) */
  deadR = 0;
  /** @internal */ deadS = 0;
  /**
   * @internal Values handed to a receiver that has not taken them yet (it may still be cancelled
   * and put its value back). While any is, a closed channel is not drained: receivers keep waiting.
   */
  handed = 0;
  /** @internal values dropped by the overflow policy */
  drops = 0;
  /** @internal set on an event channel (event-channel.ts) */
  feed: Feed | null = null;
  /**
   * @internal Closed with an error (`close(ch, err)`, or an event channel's source's `close(err)`):
   * once the channel is drained, receives throw it instead of answering `{ done: true }`.
   */
  failure: { readonly error: unknown } | null = null;
  constructor(
    readonly capacity: number,
    /** What a send to a full channel does (see Overflow). */
    readonly overflow: Overflow = "block",
  ) {
    // (the class is public: `new Channel()` had no capacity, and its first send a DeadlockError)
    // (no default capacity here: a missing one is the mistake, not 0 — the channel would keep `undefined`)
    channelOptions({ capacity, overflow }, "new Channel", undefined, ["block", "dropping", "sliding"]);
  }
  /** True once `close(ch)` was called (on an event channel: also its source's `close()`, or the run ended). */
  get closed(): boolean {
    return this.isClosed;
  }
  /** Values buffered now. */
  get size(): number {
    return this.buffer.length + this.back.length;
  }
  /** @internal the oldest buffered value (there is one) */
  take(): T {
    return this.back.length > 0 ? this.back.shift()![1] : (this.buffer.shift() as T);
  }
  /** How many values the overflow policy dropped so far ("dropping": sent ones; "sliding": buffered ones). */
  get dropped(): number {
    return this.drops;
  }
  /** @internal the first receiver still waiting */
  firstReceiver(): Receiver<T> | undefined {
    for (;;) {
      const r = this.receivers.shift();
      if (r === undefined || r.state === 0) return r;
      this.deadR--;
    }
  }
  /** @internal the first sender still waiting */
  firstSender(): Sender<T> | undefined {
    for (;;) {
      const s = this.senders.shift();
      if (s === undefined || s.state === 0) return s;
      this.deadS--;
    }
  }
  /**
   * @internal A queued receiver or sender left (cancelled: a receive in a timeout on an idle
   * channel, every heartbeat). It is skipped when reached; but an idle channel would keep them all,
   * and their tasks, so they are dropped once they are most of the queue (amortized O(1)).
   */
  leave(receiver: boolean): void {
    if (receiver) {
      if (++this.deadR > 16 && this.deadR * 2 > this.receivers.length) {
        this.receivers.prune((r) => r.state === 0);
        this.deadR = 0;
      }
    } else if (++this.deadS > 16 && this.deadS * 2 > this.senders.length) {
      this.senders.prune((x) => x.state === 0);
      this.deadS = 0;
    }
  }
}

/**
 * The compile error of `receive(eventChannel(subscribe))`, `forEachLatest(eventChannel(subscribe),
 * f)`, the `yield*` forgotten: the program that makes a channel where the channel goes (redux-saga's
 * `eventChannel` returns the channel itself; the call throws the same advice, checkChannel). No value
 * has this type — a program is not a string — so TypeScript prints the fix as what the argument is
 * not, where `Channel<T>` alone printed "missing the following properties from type
 * 'Channel<unknown>': buffer, back, hands, senders, and 17 more" (and, for forEachLatest, `T` not
 * inferred, a second error on `f`'s parameter). In `Channel<T> | ChannelExpectedError<T, …>`, `T` is
 * inferred from the program's channel, so the call has the one error. `Call` names the function,
 * `Example` shows the fix in its words.
 */
export type ChannelExpectedError<
  T,
  Call extends string = "forEachLatest",
  Example extends string = "forEachLatest(yield* eventChannel(subscribe), f)",
> = Program<Channel<T>, unknown> &
  `doeff: ${Call} takes a Channel, not the program that makes one: yield* it first, e.g. ${Example}`;

/** @internal (channelStream.pump checks its channel at the call too) */
export function checkChannel(ch: unknown, where: string): void {
  if (ch instanceof Channel) return;
  // the two mix-ups seen in practice: `forEachLatest(eventChannel(subscribe), f)`, the yield*
  // forgotten, and a stream (an async generator) where a channel goes
  if (isProgram(ch))
    throw new TypeError(
      `${where} expects a Channel, got a Program: yield* it first to get its channel, e.g. const ch = yield* eventChannel(subscribe) (or createChannel())`,
    );
  const fix = asyncIterable(ch)
    ? "an async iterable: loop over it with forEachAsync(iterable, f), or feed a channel from it"
    : describe(ch);
  throw new TypeError(`${where} expects a Channel (from yield* createChannel()), got ${fix}`);
}

/** Never throws (a hostile object's getter or a Proxy trap is no reason for another error). */
function asyncIterable(x: unknown): boolean {
  try {
    return typeof (x as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === "function";
  } catch {
    return false;
  }
}

/**
 * Give back `value`, handed as number `n` (-Infinity: taken, before any other given back): to the
 * first waiting receiver, or into `back` where its number sorts: O(1) given back in the order
 * handed or in the reverse, between others by a splice (Queue.insert).
 */
function* deliver<T>(ch: Channel<T>, value: T, n: number): Generator<unknown, void, any> {
  const r = ch.firstReceiver();
  if (r !== undefined) {
    r.state = 1;
    r.value = { done: false, value };
    r.n = n;
    ch.handed++;
    yield* completePromise(r.promise, r.value);
    return;
  }
  ch.back.insert([n, value], (x) => x[0] > n);
}

/** @internal offer's answers besides a receiver to wake */
export const BUFFERED = 0;
export const FULL = 1;
export const DROPPED = 2;

/**
 * @internal Hand `value` to the first waiting receiver — answered: the caller completes its promise
 * (an effect inside the run; a request from outside) — or buffer it (BUFFERED); a full channel
 * applies its overflow policy: FULL ("block": the sender waits), DROPPED ("dropping", or "sliding"
 * of capacity 0: nothing to slide), BUFFERED ("sliding": the oldest value made room).
 */
export function offer<T>(ch: Channel<T>, value: T): Receiver<T> | 0 | 1 | 2 {
  if (ch.size < ch.capacity || ch.receivers.length > 0) {
    const r = ch.firstReceiver();
    if (r !== undefined) {
      r.state = 1;
      r.value = { done: false, value };
      r.n = ++ch.hands;
      ch.handed++;
      return r;
    }
    if (ch.size < ch.capacity) {
      ch.buffer.push(value);
      return BUFFERED;
    }
  }
  if (ch.overflow === "block") return FULL;
  ch.drops++;
  if (ch.overflow === "dropping" || ch.capacity === 0) return DROPPED;
  ch.take();
  ch.buffer.push(value);
  return BUFFERED;
}

function* sendGen<T>(ch: Channel<T>, value: T): Generator<unknown, void, any> {
  if (ch.isClosed) throw new ChannelClosedError();
  const r = offer(ch, value);
  if (typeof r === "object") {
    yield* completePromise(r.promise, r.value!);
    return;
  }
  if (r !== FULL) return;
  const s: Sender<T> = { value, promise: yield* createPromise<undefined>(), state: 0 };
  ch.senders.push(s);
  let ok = false;
  try {
    yield* wait(s.promise.future); // taken by a receiver, or ChannelClosedError from close
    ok = true;
  } finally {
    if (!ok && s.state === 0) {
      s.state = 2;
      ch.leave(false);
    }
  }
}

function* receiveGen<T>(ch: Channel<T>): Generator<unknown, Received<T>, any> {
  if (ch.size > 0) {
    const value = ch.take();
    // a blocked sender's value moves into the freed slot — if there is one: a value put back by a
    // receiver cancelled after it was handed it may exceed the capacity (a rendezvous has none)
    const s = ch.size < ch.capacity ? ch.firstSender() : undefined;
    if (s !== undefined) {
      s.state = 1;
      ch.buffer.push(s.value);
      yield* completePromise(s.promise, undefined);
    }
    return { done: false, value };
  }
  const s = ch.firstSender(); // rendezvous: take it straight from the sender
  if (s !== undefined) {
    s.state = 1;
    yield* completePromise(s.promise, undefined);
    return { done: false, value: s.value };
  }
  if (ch.isClosed && ch.handed === 0) return yield* ended(ch);
  const r: Receiver<T> = {
    promise:
      ch.feed === null ? yield* createPromise<Received<T>>() : yield* createExternalPromise<Received<T>>(),
    state: 0,
    value: undefined,
    n: 0,
  };
  ch.receivers.push(r);
  let ok = false;
  try {
    const got = yield* wait(r.promise.future);
    ok = true;
    if (got.done) return yield* ended(ch);
    ch.handed--;
    if (ch.isClosed) yield* drained(ch);
    return got;
  } finally {
    if (!ok) {
      if (r.state === 0) {
        r.state = 2;
        ch.leave(true);
        // an external promise counts as work the run waits for until it settles (runAsync would
        // wait for it, run fail with AsyncRequiredError): settle it, nobody waits for it now
        if (ch.feed !== null) (r.promise as ExternalPromise<Received<T>>).complete(DONE);
      } else if (r.value !== undefined && !r.value.done) {
        // handed a value it will not take: the next receiver gets it (none: it is buffered)
        ch.handed--;
        yield* deliver(ch, r.value.value, r.n);
        if (ch.isClosed) yield* drained(ch);
      }
    }
  }
}

/**
 * The answer of a receive on a closed, drained channel; the source's error instead, if it closed it
 * with one (waiting receivers are woken with DONE alike — a promise failed from outside would be a
 * warning if its receiver were cancelled before it ran, though later receives throw it anyway).
 */
function done<T>(ch: Channel<T>): Received<T> {
  if (ch.failure !== null) throw ch.failure.error;
  return DONE;
}

/**
 * done(ch) for a receive: an event channel closed by its source (`close()` from outside, which can
 * perform no effect) ends its guard task here, or it waited until the run ended (a task per closed
 * WebSocket in a long-lived server).
 */
function* ended<T>(ch: Channel<T>): Generator<unknown, Received<T>, any> {
  if (ch.feed !== null) yield* ch.feed.closed();
  return done(ch);
}

/**
 * A closed channel whose last handed value was taken or passed on: when nothing is buffered or
 * handed any more, the receivers still waiting are told `{ done: true }`.
 */
function* drained<T>(ch: Channel<T>): Generator<unknown, void, any> {
  if (ch.handed > 0 || ch.size > 0) return;
  for (let r = ch.firstReceiver(); r !== undefined; r = ch.firstReceiver()) {
    r.state = 1;
    r.value = DONE;
    yield* completePromise(r.promise, DONE);
  }
}

/** @internal close(ch) (an event channel's feed also unsubscribes from its source). */
export function* closeGen<T>(ch: Channel<T>, error?: Error): Generator<unknown, void, any> {
  if (ch.isClosed) {
    if (ch.feed !== null) yield* ch.feed.closed(); // (closed by its source: its guard ends)
    return;
  }
  ch.isClosed = true;
  if (error !== undefined) ch.failure = { error };
  // (a value handed to a receiver not yet run may still come back: then they wait for it)
  yield* drained(ch);
  for (let s = ch.firstSender(); s !== undefined; s = ch.firstSender()) {
    s.state = 1;
    yield* failPromise(
      s.promise,
      new ChannelClosedError(
        "the channel was closed while this send was waiting; its value was not delivered",
      ),
    );
  }
  if (ch.feed !== null) yield* ch.feed.closed();
}

function* newChannel<T>(capacity: number, overflow: Overflow): Generator<unknown, Channel<T>, any> {
  return new Channel<T>(capacity, overflow);
}

/**
 * Options of `createChannel(options)`.
 *
 * @example
 * ```ts
 * const latest = yield* createChannel<number>({ capacity: 1, overflow: "sliding" }); // keeps the newest
 * ```
 */
export interface ChannelOptions {
  /** How many values it buffers: an integer ≥ 0, or `Infinity`; 0 (the default) is a rendezvous. */
  capacity?: number;
  /** What a send to a full channel does (default `"block"`): see {@link Overflow}. */
  overflow?: Overflow;
}

/** @internal capacity and overflow, checked (`where`: the function called, for messages). */
export function channelOptions(
  options: unknown,
  where: string,
  capacity: number | undefined,
  overflows: readonly string[],
): { capacity: number; overflow: Overflow } {
  const o = optionsObject(options, where, ["capacity", "overflow"]);
  const c = o.capacity ?? capacity;
  if (typeof c !== "number")
    throw new TypeError(
      `${where} option capacity must be a number (an integer ≥ 0, or Infinity), got ${describe(c)}`,
    );
  if (c !== Infinity && (!Number.isInteger(c) || c < 0))
    throw new RangeError(`${where} option capacity must be an integer ≥ 0 or Infinity, got ${String(c)}`);
  const overflow = o.overflow ?? overflows[0];
  if (!overflows.includes(overflow as string))
    throw new TypeError(
      `${where} option overflow must be ${overflows.map((x) => `"${x}"`).join(", ")}, got ${describe(overflow)}`,
    );
  return { capacity: c, overflow: overflow as Overflow };
}

/**
 * A new channel: `const ch = yield* createChannel<number>({ capacity: 10 })` (default 0: rendezvous);
 * `overflow: "dropping" | "sliding"` makes a send to a full channel drop a value instead of waiting.
 */
export function createChannel<T = unknown>(options?: ChannelOptions): Program<Channel<T>, never> {
  const o = channelOptions(options, "createChannel", 0, ["block", "dropping", "sliding"]);
  return hidden(newChannel<T>, o.capacity, o.overflow) as Program<Channel<T>, never>;
}

/**
 * What an aborted run's report says a task blocked in one was blocked in, not `wait(a promise)` (a
 * deadlock's message and chain say `receive(…)`, the call alone: blocked-in.ts blockedName): which
 * channel, as far as a channel can be told — it has no name, so its capacity, and whether it is an
 * event channel (`receive(a channel of capacity 16)`), which tells a pipeline's stages apart and a
 * rendezvous (0) from a full buffer. A send's value is left out
 * (`send(a channel of capacity 16, …)`): producers blocked on one full channel, each with a value
 * of its own, would no longer read alike, and the report folds tasks that read alike into one entry
 * (`in tasks 1, 2, 3, … (50 tasks)`) — 50 entries told less than one. The channel goes on the
 * generator (SHOWN_ARG: a property, not a WeakMap entry per call), written out only by a report.
 */
const showChannel = (ch: Channel): string =>
  `${ch.feed === null ? "a channel" : "an event channel"} of capacity ${ch.capacity}`;
waitsIn(sendGen, "send(…)", (ch: Channel) => `${showChannel(ch)}, …`);
waitsIn(receiveGen, "receive(…)", showChannel);
// (and their makers, which `timeout(receive(ch), ms)` and a Spawn's line name as the call: `receive(…)`)
waitsIn(sendOf, "send(…)");
waitsIn(receiveOf, "receive(…)");

/** sendGen's generator, carrying its channel for the report (SHOWN_ARG). */
function sendOf<T>(ch: Channel<T>, value: T): Generator<unknown, void, any> {
  const g = sendGen(ch, value);
  (g as { [SHOWN_ARG]?: Channel<T> })[SHOWN_ARG] = ch;
  return g;
}

/** receiveGen's generator, carrying its channel for the report (SHOWN_ARG). */
function receiveOf<T>(ch: Channel<T>): Generator<unknown, Received<T>, any> {
  const g = receiveGen(ch);
  (g as { [SHOWN_ARG]?: Channel<T> })[SHOWN_ARG] = ch;
  return g;
}

/**
 * Send `value`; blocks while the channel is full (rendezvous: until a receiver takes it) — unless its
 * `overflow` is "dropping" (the value is dropped) or "sliding" (the oldest buffered value is).
 */
export function send<T>(
  ch:
    | Channel<T>
    | ChannelExpectedError<T, "send", "const ch = yield* createChannel(); yield* send(ch, value)">,
  value: T,
): Program<undefined, SchedulerRow> {
  checkChannel(ch, "send");
  return hidden(sendOf<T>, ch as Channel<T>, value) as Program<undefined, SchedulerRow>; // (checked)
}

/** `{ done: false, value }`, or `{ done: true }` once closed and drained; blocks while empty and open. */
export function receive<T>(
  ch:
    | Channel<T>
    | ChannelExpectedError<T, "receive", "const ch = yield* eventChannel(subscribe); yield* receive(ch)">,
): Program<Received<T>, SchedulerRow> {
  checkChannel(ch, "receive");
  return hidden(receiveOf<T>, ch as Channel<T>) as Program<Received<T>, SchedulerRow>; // (checked)
}

/** @internal Put a value taken from `ch` back at its front (a receiver that could not use it). */
export function putBack<T>(ch: Channel<T>, value: T): Program<undefined, SchedulerRow> {
  return hidden(deliver<T>, ch, value, -Infinity) as Program<undefined, SchedulerRow>;
}

/**
 * Close the channel (idempotent): blocked receivers get `{ done: true }`, blocked senders
 * ChannelClosedError. `close(ch, error)` closes it with an error: once the buffered values are
 * taken, receives throw `error` instead of answering `{ done: true }` — a producer that failed tells
 * its consumers why. Closing a closed channel, with or without an error, does nothing.
 */
export function close(
  ch:
    | Channel<unknown>
    | ChannelExpectedError<unknown, "close", "const ch = yield* createChannel(); yield* close(ch)">,
  error?: Error,
): Program<undefined, SchedulerRow> {
  checkChannel(ch, "close");
  // (checked at the call, as every argument of the toolkit: a string or a code closed the channel
  // and was thrown by receives far from here — `close(ch, "failed")` from JavaScript)
  if (error !== undefined && !isError(error))
    throw new TypeError(
      `close(ch, error): error must be an Error, got ${describe(error)} (write close(ch, new Error(…)), or close(ch) to end it without one)`,
    );
  return hidden(closeGen, ch as Channel<unknown>, error) as Program<undefined, SchedulerRow>; // (checked)
}

/** @internal An Error, also one of another realm (a worker's, a vm context's). */
export function isError(x: unknown): boolean {
  return x instanceof Error || Object.prototype.toString.call(x) === "[object Error]";
}

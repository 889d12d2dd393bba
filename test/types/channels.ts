/**
 * Type tests for channel overflow policies, eventChannel and the object forms of raceAll and all, checked by
 * `tsc` (never executed). `expectType<Equal<A, B>>()` asserts an exact type; each
 * `// @ts-expect-error` line must fail.
 */
import {
  all,
  type Channel,
  channelStream,
  type EffectsOf,
  type EventChannelOptions,
  type Overflow,
  type Program,
  type RaceWinner,
  type SchedulerRow,
  type Spawn,
  close,
  createChannel,
  delay,
  eventChannel,
  forEachLatest,
  type ForEachLatestOptions,
  program,
  raceAll,
  raceFirst,
  receive,
  run,
  scheduler,
  send,
  simulatedTime,
  spawn,
  tell,
  writer,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const num = program(function* () {
  yield* delay(1);
  return 1;
});
const str = program(function* () {
  yield* tell("s");
  return "s";
});
const other = program(function* () {
  return 2;
});

// createChannel: overflow is one of three policies; the channel says which
const sliding = createChannel<number>({ capacity: 1, overflow: "sliding" });
expectType<Equal<typeof sliding, Program<Channel<number>, never>>>();
createChannel({ capacity: 1, overflow: "dropping" });
createChannel({ overflow: "block" });
// @ts-expect-error -- not a policy
createChannel({ capacity: 1, overflow: "lifo" });
declare const ch: Channel<number>;
expectType<Equal<typeof ch.overflow, Overflow>>();
expectType<Equal<typeof ch.dropped, number>>();
expectType<Equal<Overflow, "block" | "dropping" | "sliding">>();

// eventChannel: the values emit takes are the channel's; subscribe returns the unsubscribe function
declare const source: { on(f: (v: string) => void): void; off(f: (v: string) => void): void };
const messages = eventChannel<string>((emit, end) => {
  source.on(emit);
  expectType<Equal<typeof emit, (value: string) => boolean>>();
  expectType<Equal<typeof end, (error?: Error) => void>>();
  return () => source.off(emit);
});
expectType<Equal<typeof messages, Program<Channel<string>, SchedulerRow>>>();
const fed = program(function* () {
  const m = yield* messages;
  const r = yield* receive(m);
  if (!r.done) expectType<Equal<typeof r.value, string>>();
  yield* close(m);
});
run(fed, { handlers: [scheduler] });
// receive, send, close given the program that makes a channel (the yield* forgotten): one error at
// the channel saying to yield* it (ChannelExpectedError; its text is checked by types-matrix), T
// still inferred from the program's channel — send's value is checked against it
// @ts-expect-error -- yield* it first: const ch = yield* eventChannel(subscribe); yield* receive(ch)
const unreceived = receive(messages);
expectType<Equal<typeof unreceived, Program<import("../../src/index.js").Received<string>, SchedulerRow>>>();
// @ts-expect-error -- yield* it first
send(messages, "hello");
// @ts-expect-error -- yield* it first
close(messages);
// a ChannelStream's pump likewise (its text is checked by types-matrix)
const stream = channelStream<string>();
// @ts-expect-error -- yield* it first: const ch = yield* createChannel(); yield* spawn(stream.pump(ch))
stream.pump(messages);
const pumped = program(function* () {
  const m = yield* messages;
  yield* spawn(stream.pump(m));
});
void pumped;
const sends = program(function* () {
  const m = yield* messages;
  yield* send(m, "hello");
  // @ts-expect-error -- the channel's values are strings
  yield* send(m, 1);
});
run(sends, { handlers: [scheduler] });
eventChannel<number>(() => () => {}, { capacity: 10, overflow: "dropping" });
eventChannel<number>(() => () => {}, { capacity: Number.POSITIVE_INFINITY });
// @ts-expect-error -- an outside producer cannot be blocked: no "block" for an event channel
eventChannel<number>(() => () => {}, { capacity: 10, overflow: "block" });
// @ts-expect-error -- subscribe must return the function that unsubscribes
eventChannel<number>((emit) => void emit(1));
// @ts-expect-error -- emit takes the channel's values
eventChannel<number>((emit) => (emit("x"), () => {}));
// close(error): an Error, so that a listener's event is not taken for one
declare const ws: {
  addEventListener(type: "close" | "error", f: (event: { readonly type: string }) => void): void;
};
eventChannel<string>((_emit, end) => {
  ws.addEventListener("close", () => end());
  ws.addEventListener("error", () => end(new Error("the WebSocket failed")));
  // @ts-expect-error -- the listener's CloseEvent would close the channel with it as the error
  ws.addEventListener("close", end);
  return () => {};
});
const opts: EventChannelOptions = { capacity: 1, overflow: "sliding" };
void opts;

// raceAll of an object → { key, value } of the winner, `key` narrowing `value`
const won = raceAll({ a: num, b: str, c: other });
const raceOfTuple = raceAll([num, str]);
type Won = { key: "a"; value: number } | { key: "b"; value: string } | { key: "c"; value: number };
expectType<
  Equal<
    typeof won,
    Program<
      Won,
      | EffectsOf<typeof num | typeof str | typeof other>
      | SchedulerRow
      | Spawn<number, EffectsOf<typeof num>>
      | Spawn<string, EffectsOf<typeof str>>
      | Spawn<number, EffectsOf<typeof other>>
    >
  >
>();
expectType<Equal<RaceWinner<{ a: typeof num; b: typeof str; c: typeof other }>, Won>>();
const narrowed = program(function* () {
  const w = yield* won;
  if (w.key === "b") expectType<Equal<typeof w.value, string>>();
  else expectType<Equal<typeof w.value, number>>();
});
run(narrowed, { handlers: [scheduler, simulatedTime(), writer] });
// @ts-expect-error -- missing the writer for str's Tell
run(won, { handlers: [scheduler, simulatedTime()] });
// @ts-expect-error -- a value that is not a program
raceAll({ a: num, b: 1 });
// @ts-expect-error -- a single program is not an object of programs
raceAll(num);

// raceFirst (redux-saga's race: the first to finish, by value or error) is typed as raceAll
const first = raceFirst({ a: num, b: str, c: other });
expectType<Equal<typeof first, typeof won>>();
const firstNarrowed = program(function* () {
  const w = yield* first;
  if (w.key === "b") expectType<Equal<typeof w.value, string>>();
  else expectType<Equal<typeof w.value, number>>();
});
run(firstNarrowed, { handlers: [scheduler, simulatedTime(), writer] });
const firstOfTuple = raceFirst([num, str]);
expectType<Equal<typeof firstOfTuple, typeof raceOfTuple>>();
// @ts-expect-error -- missing the writer for str's Tell
run(first, { handlers: [scheduler, simulatedTime()] });
// @ts-expect-error -- a value that is not a program
raceFirst({ a: num, b: 1 });
// @ts-expect-error -- a single program is not an object of programs
raceFirst(num);

// all of an object → { key: value } per key, the precise value types; the row as raceAll's
const both = all({ a: num, b: str, c: other }, { concurrency: 2 });
expectType<
  Equal<
    typeof both,
    Program<
      { a: number; b: string; c: number },
      | EffectsOf<typeof num | typeof str | typeof other>
      | SchedulerRow
      | Spawn<number, EffectsOf<typeof num>>
      | Spawn<string, EffectsOf<typeof str>>
      | Spawn<number, EffectsOf<typeof other>>
    >
  >
>();
const literal = all({
  ok: program(function* () {
    return "yes" as const;
  }),
});
expectType<Equal<typeof literal, Program<{ ok: "yes" }, SchedulerRow | Spawn<"yes", never>>>>();
const values = program(function* () {
  const v = yield* both;
  v.a = 2; // a fresh object, not readonly
  expectType<Equal<typeof v.b, string>>();
  // @ts-expect-error -- no such key
  void v.d;
});
run(values, { handlers: [scheduler, simulatedTime(), writer] });
// @ts-expect-error -- missing the writer for str's Tell
run(both, { handlers: [scheduler, simulatedTime()] });
const none = all({});
expectType<Equal<typeof none, Program<{}, SchedulerRow>>>();
// @ts-expect-error -- a value that is not a program
all({ a: num, b: 1 });
// @ts-expect-error -- a single program is not an object of programs
all(num);
// @ts-expect-error -- an unknown option
all({ a: num }, { limit: 2 });

// forEachLatest: f takes the channel's values; its row is f's, the scheduler's and each task's, and
// a clock's (Delay) only with options (debounce)
declare const queries: Channel<string>;
const latest = forEachLatest(queries, (q) => {
  expectType<Equal<typeof q, string>>();
  return str;
});
expectType<
  Equal<
    typeof latest,
    Program<undefined, EffectsOf<typeof str> | SchedulerRow | Spawn<string, EffectsOf<typeof str>>>
  >
>();
run(latest, { handlers: [scheduler, writer] });
const debounced = forEachLatest(queries, () => str, { debounce: 200 });
run(debounced, { handlers: [scheduler, simulatedTime(), writer] });
// @ts-expect-error -- a debounce needs a clock (Delay)
run(debounced, { handlers: [scheduler, writer] });
// @ts-expect-error -- f takes the channel's values
forEachLatest(queries, (q: number) => num);
// @ts-expect-error -- f returns a program
forEachLatest(queries, () => 1);
// @ts-expect-error -- the option is debounce
forEachLatest(queries, () => str, { debouce: 200 });
// the program that makes a channel where the channel goes (the yield* forgotten): one error, at
// the channel, saying to yield* it (ChannelExpectedError; the text is checked by types-matrix) —
// `f` is still typed by the channel's values, so its body has no second error
forEachLatest(
  // @ts-expect-error -- yield* it first: forEachLatest(yield* eventChannel(subscribe), f)
  messages,
  (q) => {
    expectType<Equal<typeof q, string>>();
    return str;
  },
  { debounce: 200 },
);
// a function passing its own optional options on (undefined: the row keeps Delay, as with options)
const searchAll = (options?: ForEachLatestOptions) => forEachLatest(queries, () => str, options);
expectType<
  Equal<typeof searchAll extends (o?: ForEachLatestOptions) => infer R ? R : never, typeof debounced>
>();
run(searchAll(), { handlers: [scheduler, simulatedTime(), writer] });

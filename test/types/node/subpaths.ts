/**
 * doeff/workers and doeff/queue as a consumer types them (Node's types loaded: these subpaths run on
 * Node). Their handlers are interfaces extending Handler; without exactOptionalPropertyTypes the
 * phantom `__emits?: never` reads as `undefined`, which once made every run with such a handler a
 * MissingHandlerError<undefined>.
 */
import {
  answer,
  ask,
  Effect,
  Tell,
  tell,
  type EmittedBy,
  type Program,
  type Future,
  fn,
  handle,
  reader,
  resume,
  type SchedulerEffect,
  program,
  realTime,
  runAsync,
  scheduler,
  wait,
  writer,
} from "../../../src/index.js";
import {
  type Enqueue,
  enqueue,
  enqueueFor,
  type QueueHandler,
  queue,
  reportProgress,
  startWorker,
} from "../../../src/queue/index.js";
import {
  runInWorker,
  runInWorkerFor,
  type WorkersHandler,
  workerFn,
  workers,
} from "../../../src/workers/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// their own code performs scheduler effects: the coverage check asks for `scheduler`, listed before them
const emitsScheduler: Equal<EmittedBy<[WorkersHandler, QueueHandler]>, SchedulerEffect<any>> = true;
void emitsScheduler;

const pool = workers({ size: 2 });
const q = queue({ connection: { host: "127.0.0.1", port: 6379 }, name: "jobs" });

const main = program(function* () {
  const a = yield* runInWorker<number>(new URL("./jobs.js", import.meta.url), "fib", 30);
  const b = yield* wait(yield* enqueue<number>("square", [7]));
  return a + b;
});
export const viaBoth = runAsync(main, { handlers: [scheduler, realTime, writer, pool, q] });
export const trivial = runAsync(
  program(function* () {
    return 1;
  }),
  { handlers: [scheduler, realTime, pool] },
);
// @ts-expect-error -- no scheduler: runInWorker would fail at run time (MissingHandlerError)
export const noScheduler = runAsync(main, { handlers: [realTime, writer, pool, q] });
// @ts-expect-error -- scheduler inside the queue handler, where its effects never go (HandlerOrderError)
export const outOfOrder = runAsync(main, { handlers: [realTime, writer, pool, q, scheduler] });
export const worker = startWorker({
  connection: { host: "127.0.0.1", port: 6379 },
  name: "jobs",
  programs: {
    square: fn(function* square(n: number) {
      return n * n;
    }),
  },
  signals: ["SIGTERM"],
});

// workerFn: typed by the export — a function of its arguments, or a Program export run as it is
const fibProgram = fn(function* fib(n: number) {
  return n;
});
const constantProgram = program(function* constant() {
  return 42;
});
const fib = workerFn<typeof fibProgram>(new URL("./jobs.js", import.meta.url), "fib");
const constant = workerFn<typeof constantProgram>(new URL("./jobs.js", import.meta.url), "constant");
export const viaWorkerFn = program(function* () {
  const a: number = yield* fib(30);
  const b: number = yield* constant();
  // @ts-expect-error -- fib takes a number
  fib("30");
  // @ts-expect-error -- a Program export takes no arguments
  constant(1);
  return a + b;
});

// doeff/queue typed by the worker's programs: enqueueFor checks names, arguments and results, and
// startWorker checks that its handlers take what the programs perform
class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
const dice = answer(Roll, () => 4);
const programs = {
  countPrimes: fn(function* countPrimes(from: number, to: number) {
    yield* reportProgress(50);
    return to - from;
  }),
  roll: fn(function* roll(sides: number) {
    return yield* new Roll(sides);
  }),
  ping: fn(function* ping() {
    return "pong" as const;
  }),
};
const enqueueJob = enqueueFor<typeof programs>();
export const typedQueue = program(function* () {
  const f = yield* enqueueJob("countPrimes", [2, 100]);
  const typedFuture: Equal<typeof f, Future<number>> = true;
  void typedFuture;
  const pong = yield* wait(yield* enqueueJob("ping"));
  const typedPong: Equal<typeof pong, "pong"> = true;
  void typedPong;
  const withOptions: Enqueue<number> = enqueueJob("roll", [6], { attempts: 3 });
  void withOptions;
  // @ts-expect-error -- a misspelled program name
  enqueueJob("countPrimez", [2, 100]);
  // @ts-expect-error -- wrong argument types
  enqueueJob("countPrimes", ["a", "b"]);
  // @ts-expect-error -- missing arguments
  enqueueJob("roll");
  // @ts-expect-error -- too many arguments
  enqueueJob("countPrimes", [2, 100, 3]);
  const loose: number[] = [2, 100];
  // @ts-expect-error -- an array of unknown length for a fixed argument list
  enqueueJob("countPrimes", loose);
  const typedArgs = [2, 100] as const; // a readonly tuple is accepted
  void enqueueJob("countPrimes", typedArgs);
  // arguments JSON would change: the program cannot be enqueued (its argument's type is an error)
  const notJson = enqueueFor<{
    at: (when: Date) => Program<number, never>;
    tags: (t: { names: Set<string> }) => Program<number, never>;
    big: (n: bigint) => Program<number, never>;
    plain: (o: { when: string; names: string[]; n?: number | null }) => Program<number, never>;
  }>();
  // @ts-expect-error -- a Date argument
  void notJson("at", [new Date()]);
  // @ts-expect-error -- a Set inside an object argument
  void notJson("tags", [{ names: new Set(["a"]) }]);
  // @ts-expect-error -- a bigint argument
  void notJson("big", [1n]);
  void notJson("plain", [{ when: "2026-01-01", names: ["a"], n: null }]);
  return (yield* wait(f)) + pong.length;
});
// untyped enqueue compiles as before: any name, any arguments, and an unknown result
export const untypedQueue = program(function* () {
  const f = yield* enqueue("countPrimes", ["a", "b", "c"]);
  const v = yield* wait(yield* enqueue("countPrimez", [1, 2]));
  const unknownResult: Equal<typeof v, unknown> = true;
  void unknownResult;
  return f;
});
export const typedWorker = startWorker({
  connection: { host: "127.0.0.1", port: 6379 },
  name: "jobs",
  programs,
  handlers: [dice],
});
// @ts-expect-error -- Roll (performed by programs.roll) has no handler: MissingHandlerError<Roll>
export const uncoveredWorker = startWorker({
  connection: { host: "127.0.0.1", port: 6379 },
  name: "jobs",
  programs,
});
// @ts-expect-error -- an empty list covers no more: MissingHandlerError<Roll>
export const emptyHandlers = startWorker({ connection: {}, name: "q", programs, handlers: [] });
// @ts-expect-error -- `handlers: undefined` (plain strict) is no list: MissingHandlerError<Roll>
export const undefinedHandlers = startWorker({ connection: {}, name: "q", programs, handlers: undefined });
const { countPrimes } = programs; // its effects (ReportProgress) are provided by the worker
export const nothingToHandle = startWorker({
  connection: {},
  name: "q",
  programs: { countPrimes },
  handlers: [],
});
export const envWorker = startWorker({
  connection: {},
  name: "q",
  programs: {
    countPrimes,
    greet: fn(function* greet() {
      return yield* ask<string>("greeting");
    }),
  },
  handlers: [reader],
  env: { greeting: "Hello" },
});
const rollEnv = { sides: programs.roll(6) }; // a lazy env value: it runs at its first ask, in the job
// @ts-expect-error -- its Roll has no handler: MissingHandlerError<Roll>
export const lazyEnvUncovered = startWorker({
  connection: {},
  name: "q",
  programs: { countPrimes },
  handlers: [reader],
  env: rollEnv,
});
export const lazyEnvCovered = startWorker({
  connection: {},
  name: "q",
  programs: { countPrimes },
  handlers: [reader, dice],
  env: rollEnv,
});
// a handler written inline in the list is inferred (TypeScript's second inference pass) and checked
export const inlineHandlerWorker = startWorker({
  connection: {},
  name: "q",
  programs,
  handlers: [
    handle(Roll, function* (_e, k) {
      return yield* resume(k, 3);
    }),
  ],
});
// a misspelled option is refused
export const misspelledWorker = startWorker({
  connection: {},
  name: "q",
  programs: { countPrimes },
  // @ts-expect-error -- UnknownWorkerOptionError<"concurency">
  concurency: 2,
});
class Flag extends Effect<boolean> {
  declare readonly _tag: "Flag";
}
// @ts-expect-error -- MissingHandlerError<Roll>: the inline handler takes another effect
export const inlineHandlerWorkerMissing = startWorker({
  connection: {},
  name: "q",
  programs,
  handlers: [handle(Flag, (_e, k) => resume(k, true))],
});

// runInWorkerFor: checked against the job module's type — names, arguments, results, and the effects
// the job forwards join the caller's row
class Secret extends Effect<string> {
  declare readonly _tag: "Secret";
}
const jobsModule = {
  forward: [Tell],
  handlers: [answer(Secret, () => "s")],
  countPrimes: fn(function* countPrimes(from: number, to: number) {
    yield* tell(`${from}..${to}`);
    return to - from;
  }),
  quiet: fn(function* quiet(n: number) {
    return yield* new Secret(); // taken by the module's own handler, never forwarded
  }),
  constant: program(function* constant() {
    return 42;
  }),
  helper: (n: number) => n > 1,
  shapes: fn(function* shapes(
    p: { x: number; y: number; tags: string[] },
    when: Date,
    seen: Map<string, Set<number>>,
    bytes: Uint8Array,
    cause?: Error,
  ) {
    return p.x + p.y + p.tags.length + when.getTime() + seen.size + bytes.length + (cause ? 1 : 0);
  }),
  withCallback: fn(function* withCallback(onDone: () => void) {
    onDone();
    return 0;
  }),
  withMethods: fn(function* withMethods(point: { x: number; norm(): number }) {
    return point.norm();
  }),
  withPromise: fn(function* withPromise(p: Promise<number>) {
    return p;
  }),
  withNested: fn(function* withNested(o: { deep: { handlers: Map<string, (x: number) => void> } }) {
    return o.deep.handlers.size;
  }),
};
const inJobs = runInWorkerFor<typeof jobsModule>(new URL("./jobs.js", import.meta.url));
const telling = program(function* () {
  const n = yield* inJobs("countPrimes", 0, 10);
  const typedN: Equal<typeof n, number> = true;
  void typedN;
  return n;
});
const silent = program(function* () {
  const s = yield* inJobs("quiet", 1);
  const c = yield* inJobs("constant");
  const typedS: Equal<typeof s, string> = true;
  const typedC: Equal<typeof c, number> = true;
  void typedS;
  void typedC;
  // @ts-expect-error -- a misspelled export
  inJobs("countPrimez", 0, 10);
  // @ts-expect-error -- wrong argument types
  inJobs("countPrimes", "0", 10);
  // @ts-expect-error -- a program exported as it is takes no arguments
  inJobs("constant", 1);
  // @ts-expect-error -- not a job: a plain function
  inJobs("helper", 2);
  // @ts-expect-error -- not a job: the forward list
  inJobs("forward");
  // what structured clone copies: plain data, Dates, Maps, Sets, typed arrays, errors, optional ones
  void inJobs(
    "shapes",
    { x: 1, y: 2, tags: ["a"] },
    new Date(),
    new Map([["a", new Set([1])]]),
    new Uint8Array(2),
  );
  void inJobs(
    "shapes",
    { x: 1, y: 2, tags: [] },
    new Date(),
    new Map(),
    new Uint8Array(0),
    new RangeError("r"),
  );
  // @ts-expect-error -- a function argument cannot be cloned: JobArgNotCloneableError
  void inJobs("withCallback", () => {});
  // @ts-expect-error -- an object with a method would arrive without it
  void inJobs("withMethods", { x: 3, norm: () => 3 });
  // @ts-expect-error -- a Promise cannot be cloned
  void inJobs("withPromise", Promise.resolve(1));
  // @ts-expect-error -- a function inside a Map inside an object
  void inJobs("withNested", { deep: { handlers: new Map([["a", (_x: number) => {}]]) } });
  return s.length + c;
});
export const tellingCovered = runAsync(telling, { handlers: [scheduler, realTime, writer, pool] });
// @ts-expect-error -- the job forwards Tell: without writer it is MissingHandlerError<Tell>
export const tellingUncovered = runAsync(telling, { handlers: [scheduler, realTime, pool] });
// Secret is handled in the worker: nothing to cover in the parent
export const silentCovered = runAsync(silent, { handlers: [scheduler, realTime, pool] });
// @ts-expect-error -- no workers handler: MissingHandlerError<RunInWorker<…>>
export const noPool = runAsync(silent, { handlers: [scheduler, realTime] });

/**
 * doeff/workers and doeff/queue as a consumer types them (Node's types loaded: these subpaths run on
 * Node). Their handlers are interfaces extending Handler; without exactOptionalPropertyTypes the
 * phantom `__emits?: never` reads as `undefined`, which once made every run with such a handler a
 * MissingHandlerError<undefined>.
 */
import {
  type EmittedBy,
  fn,
  type SchedulerEffect,
  program,
  realTime,
  runAsync,
  scheduler,
  wait,
  writer,
} from "../../../src/index.js";
import { enqueue, type QueueHandler, queue, startWorker } from "../../../src/queue/index.js";
import { runInWorker, type WorkersHandler, workerFn, workers } from "../../../src/workers/index.js";

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

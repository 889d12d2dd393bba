// doeff.ts: the same feed watcher in doeff
import { EventEmitter } from "node:events";
import {
  awaitPromise,
  delay,
  eventChannel,
  fn,
  type Program,
  program,
  realTime,
  receive,
  runAsync,
  scheduler,
  scoped,
  spawn,
} from "../../src/index.js";

const prices = new EventEmitter(); // the outside source: a socket, a queue client…

// resource(): a function that opens, runs the body, and closes in a finally
const withConnection = fn(function* withConnection<T, E>(
  url: string,
  body: (conn: { url: string }) => Program<T, E>,
) {
  console.log(`connected to ${url}`);
  try {
    return yield* body({ url });
  } finally {
    console.log("disconnected");
  }
});

const heartbeat = fn(function* heartbeat() {
  try {
    for (;;) yield* delay(1000);
  } finally {
    console.log("heartbeat stopped");
  }
});

// createSignal + each: an event channel; made inside scoped (below), it unsubscribes at its end
const watch = fn(function* watch(count: number) {
  const ticks = yield* eventChannel<number>((emit) => {
    prices.on("tick", emit);
    return () => prices.off("tick", emit);
  });
  const seen: number[] = [];
  while (seen.length < count) {
    const next = yield* receive(ticks);
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
});

// suspend(): wait for a promise that never settles; the timer holds the process open until the
// run is aborted, as effection's main does
const suspend = () =>
  awaitPromise(
    (signal) =>
      new Promise<never>(() => {
        const hold = setInterval(() => {}, 2 ** 30);
        signal.addEventListener("abort", () => clearInterval(hold));
      }),
  );

const app = program(function* () {
  // scoped inside withConnection: the heartbeat is stopped before the connection closes
  return yield* withConnection("feed.example", (conn) =>
    scoped(
      program(function* () {
        yield* spawn(heartbeat());
        setTimeout(() => {
          for (const price of [101, 102, 99]) prices.emit("tick", price);
        }, 10);
        const seen = yield* scoped(watch(3));
        console.log(
          `seen ${seen.join(", ")} via ${conn.url}; listeners left: ${prices.listenerCount("tick")}`,
        );
        console.log("ready; Ctrl-C to stop");
        yield* suspend();
      }),
    ),
  );
});

// main(): Ctrl-C aborts the run; every finally block runs before runAsync returns
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted by SIGINT")));
const result = await runAsync(app, { handlers: [scheduler, realTime], signal: controller.signal });
if (controller.signal.aborted) process.exitCode = 130;
else if (result.isErr()) {
  console.error(result.format());
  process.exitCode = 1;
}

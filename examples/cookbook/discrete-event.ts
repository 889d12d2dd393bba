import {
  answer,
  createChannel,
  createSemaphore,
  delay,
  Effect,
  fn,
  handle,
  modify,
  now,
  program,
  rateLimiter,
  receive,
  run,
  runAsync,
  safe,
  scheduler,
  send,
  simulatedTime,
  spawn,
  state,
  TimeoutError,
  timeout,
  transfer,
  withPermit,
} from "../../src/index.js";
import { seededRandom } from "../../src/testing/index.js";

// The world's own effects: a random draw, and an event for the log (stamped with virtual time)
class Random extends Effect<number> {
  declare readonly _tag: "Random";
}
class Event extends Effect<void> {
  declare readonly _tag: "Event";
  constructor(readonly what: string) {
    super();
  }
}
const uniform = fn(function* uniform(lo: number, hi: number) {
  return lo + Math.floor((yield* new Random()) * (hi - lo)); // whole milliseconds: see below
});

type Order = { id: number; placed: number };

// A warehouse: orders arrive at random, 4 pickers take them from a queue, loading needs one of 2
// docks, each parcel gets a label from a printer that does 1 per 6 ms, an order has 60 ms to ship
function warehouse(seed: number, seconds: number) {
  const rng = seededRandom(seed);
  const events: string[] = [];
  const log = handle(Event, function* (e, k) {
    events.push(`${String(yield* now()).padStart(6)} ms  ${e.what}`);
    return yield* transfer(k, undefined);
  });
  const printer = rateLimiter({ limit: 1, interval: 6 }); // one per run: state lives in the run

  const main = program(function* () {
    const orders = yield* createChannel<Order>({ capacity: Infinity });
    const docks = yield* createSemaphore(2);
    const picker = fn(function* picker(name: string) {
      for (;;) {
        const { value: order } = yield* receive(orders);
        if (order === undefined) return;
        const ship = program(function* () {
          yield* delay(yield* uniform(5, 25)); // walk the aisles
          yield* withPermit(docks, delay(8)); // load at a dock
          yield* printer.take(); // print the label
        });
        const left = 60 - ((yield* now()) - order.placed); // (it may have waited in the queue)
        const r = yield* safe(timeout(ship, Math.max(0, left)));
        if (!r.ok && !(r.error instanceof TimeoutError)) throw r.error; // a bug, not a late order
        if (r.ok) yield* modify("shipped", (n: number | undefined) => (n ?? 0) + 1);
        yield* new Event(`${name} ${r.ok ? "ships" : "gives up on"} order ${order.id}`);
      }
    });
    for (const name of ["ann", "bob", "cy", "di"]) yield* spawn(picker(name));
    yield* spawn(
      program(function* customers() {
        for (let id = 1; ; id++) {
          yield* delay(yield* uniform(1, 14));
          yield* send(orders, { id, placed: yield* now() });
        }
      }),
    );
    yield* delay(seconds * 1000); // run until then: returning cancels every task
  });
  const handlers = [scheduler, simulatedTime(), state, log, answer(Random, () => rng.next())] as const;
  return { main, handlers, events, store: { shipped: 0 } };
}

const w = warehouse(7, 10);
const r = run(w.main, { handlers: w.handlers, store: w.store });
console.log(w.events.slice(0, 4).join("\n"));
console.log(`10 s: ${w.events.length} orders done, ${r.store.shipped} shipped in time`);

// the same seed gives the same log, event for event, under run and runAsync
const again = warehouse(7, 10);
run(again.main, { handlers: again.handlers, store: again.store });
const onLoop = warehouse(7, 10);
await runAsync(onLoop.main, { handlers: onLoop.handlers, store: onLoop.store });
const same =
  again.events.join("\n") === w.events.join("\n") && onLoop.events.join("\n") === w.events.join("\n");
console.log(same ? "seed 7 replays exactly, under run and runAsync" : "seed 7 did not replay");

// effection.ts: a feed watcher in effection 4 — a connection, a heartbeat, a stream of prices, Ctrl-C
import { EventEmitter } from "node:events";
import {
  createSignal,
  each,
  ensure,
  main,
  type Operation,
  resource,
  scoped,
  sleep,
  spawn,
  suspend,
} from "effection";

const prices = new EventEmitter(); // the outside source: a socket, a queue client…

function useConnection(url: string): Operation<{ url: string }> {
  return resource(function* (provide) {
    console.log(`connected to ${url}`);
    try {
      yield* provide({ url });
    } finally {
      console.log("disconnected");
    }
  });
}

function* heartbeat(): Operation<void> {
  try {
    for (;;) yield* sleep(1000);
  } finally {
    console.log("heartbeat stopped");
  }
}

function* watch(count: number): Operation<number[]> {
  const ticks = createSignal<number, void>();
  prices.on("tick", ticks.send);
  yield* ensure(() => {
    prices.off("tick", ticks.send);
  });
  const seen: number[] = [];
  for (const price of yield* each(ticks)) {
    seen.push(price);
    if (seen.length === count) break;
    yield* each.next();
  }
  return seen;
}

await main(function* () {
  const conn = yield* useConnection("feed.example");
  yield* spawn(heartbeat);
  setTimeout(() => {
    for (const price of [101, 102, 99]) prices.emit("tick", price);
  }, 10);
  const seen = yield* scoped(() => watch(3)); // its ensure runs at the end of the scope
  console.log(`seen ${seen.join(", ")} via ${conn.url}; listeners left: ${prices.listenerCount("tick")}`);
  console.log("ready; Ctrl-C to stop");
  yield* suspend();
});

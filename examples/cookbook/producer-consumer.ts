import {
  close,
  createChannel,
  delay,
  now,
  program,
  receive,
  run,
  scheduler,
  send,
  simulatedTime,
  spawn,
  wait,
} from "../../src/index.js";

const main = program(function* () {
  const ch = yield* createChannel<number>({ capacity: 2 }); // a full channel blocks the producer

  const producer = yield* spawn(
    program(function* producer() {
      for (let i = 1; i <= 5; i++) {
        yield* send(ch, i);
        console.log(`${yield* now()} ms: produced ${i}`);
      }
      yield* close(ch); // the consumer's loop ends once the channel is drained
    }),
  );

  let total = 0;
  for (let r = yield* receive(ch); !r.done; r = yield* receive(ch)) {
    yield* delay(100); // a slow consumer
    console.log(`${yield* now()} ms: consumed ${r.value}`);
    total += r.value;
  }
  yield* wait(producer);
  return total;
});

console.log(run(main, { handlers: [scheduler, simulatedTime()] }).value);

/**
 * A deadlock's traceback names the library call a task is blocked in (`blocked in receive(…)`) in
 * every combination where the error reaches it: found at its own blocking call or as another task
 * ended (the scheduler's switch at the perform site, or its handler), with an `observe` inside or
 * outside the scheduler, in main or a spawned task, under run and runAsync — and a DeadlockError's
 * message says where each task waits through an `observe` inside the scheduler too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acquire,
  concurrencyLimiter,
  createChannel,
  createSemaphore,
  DeadlockError,
  fn,
  observe,
  receive,
  run,
  runAsync,
  scheduler,
  send,
  simulatedTime,
  spawn,
  wait,
} from "../src/index.js";

/** The calls that block for a reason of their own, each in a program that blocks for good in it. */
const calls = {
  "receive(…)": fn(function* user() {
    const ch = yield* createChannel<number>();
    return yield* receive(ch);
  }),
  "send(…)": fn(function* user() {
    const ch = yield* createChannel<number>();
    yield* send(ch, 1);
  }),
  "acquire(…)": fn(function* user() {
    const s = yield* createSemaphore(1);
    yield* acquire(s);
    yield* acquire(s);
  }),
  "limiter.take()": fn(function* user() {
    const l = concurrencyLimiter({ limit: 1 });
    yield* l.take();
    yield* l.take();
  }),
};

type User = (typeof calls)[keyof typeof calls];

const noop = fn(function* noop() {
  return 0;
});

/** How the deadlock reaches the blocked program. */
const shapes = {
  // found at the program's own blocking call
  main: (user: User) =>
    fn(function* main() {
      return yield* user();
    })(),
  // found as another task ended (its completion switches at the perform site, or in the handler)
  "main, found as a task ends": (user: User) =>
    fn(function* main() {
      yield* spawn(noop());
      return yield* user();
    })(),
  "a task": (user: User) =>
    fn(function* main() {
      const t = yield* spawn(
        fn(function* loop() {
          return yield* user();
        })(),
      );
      return yield* wait(t);
    })(),
};

const stacks = {
  "scheduler, simulatedTime": () => [scheduler, simulatedTime()],
  "observe inside the scheduler": () => [scheduler, observe(() => {}), simulatedTime()],
  "observe innermost": () => [scheduler, simulatedTime(), observe(() => {})],
  "observe outside the scheduler": () => [observe(() => {}), scheduler, simulatedTime()],
};

/** each combination's effect line, to compare the shapes' (below) */
const effectLines = new Map<string, string>();

for (const [what, user] of Object.entries(calls))
  for (const [shape, make] of Object.entries(shapes))
    for (const [stack, handlers] of Object.entries(stacks))
      test(`a deadlock in ${what} (${shape}; ${stack}): the traceback and the message name the call`, async () => {
        const inTask = shape === "a task";
        const expected = [
          "doeff traceback (outermost first):",
          "  main",
          ...(inTask ? ["  ── in task 1 ──", "  loop"] : []),
          "  user",
          `  blocked in ${what}`,
        ];
        for (const r of [
          run(make(user), { handlers: handlers() as never }),
          await runAsync(make(user), { handlers: handlers() as never }),
        ]) {
          assert.ok(r.error instanceof DeadlockError, String(r.error));
          const lines = r.format().split("\n").slice(0, -1);
          // the effect's line follows, also when the deadlock was found as another task ended (the
          // scheduler notes the effect the task blocked at: noteBlockedAt), with the same visits
          const found = lines.slice(-1);
          assert.match(found[0]!, /^ {2}effect Wait\(Future\): .*scheduler ✗/);
          effectLines.set(`${what} ${stack} ${shape}`, found[0]!);
          assert.deepEqual(lines.slice(0, lines.length - found.length), expected);
          const where = inTask
            ? `task 1 in loop > user, blocked in ${what}`
            : `main in main > user, blocked in ${what}`;
          assert.ok(r.error.message.includes(where), r.error.message);
        }
      });

test("the effect line of a deadlock found as a task ends reads as the one found at the blocking call", () => {
  let compared = 0;
  for (const [key, line] of effectLines) {
    if (!key.endsWith(" main, found as a task ends")) continue;
    const own = effectLines.get(key.replace(/ main, found as a task ends$/, " main"));
    assert.equal(line, own, key);
    compared++;
  }
  assert.equal(compared, Object.keys(calls).length * Object.keys(stacks).length);
});

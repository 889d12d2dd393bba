/**
 * The handler-search caches (src/vm/dispatch.ts: the search-cache invariant) across task switches
 * and continuations resumed under other handlers: counted in prompts walked (searchStats), not timed.
 */
import assert from "node:assert/strict";
import test from "node:test";
import {
  createChannel,
  detach,
  Effect,
  fn,
  get,
  type AnyProgramLike,
  type Handler,
  handle,
  type Program,
  program,
  receive,
  resume,
  run,
  scheduler,
  send,
  spawn,
  state,
  transfer,
  wait,
  withHandler,
} from "../src/index.js";
import { searchStats } from "../src/vm/dispatch.js";

/** `n` class-based handlers, none of which takes Get or a scheduler effect. */
function others(n: number): Handler[] {
  const hs: Handler[] = [];
  for (let i = 0; i < n; i++) {
    class Other extends Effect<number> {
      declare readonly _tag: "Other";
    }
    hs.push(handle(Other, (_e, k) => transfer(k, i)));
  }
  return hs;
}
function inside(hs: readonly Handler[], p: AnyProgramLike): AnyProgramLike {
  let q = p;
  for (const h of hs) q = withHandler(h, q);
  return q;
}
/** The prompts the searches walked in `f()`, and its result. */
function walkedBy<T>(f: () => T): [T, number] {
  const before = searchStats.walked;
  const r = f();
  return [r, searchStats.walked - before];
}
/**
 * The prompts walked by `scenario(rounds)` for M and 2M rounds, checking its value: equal when the
 * handlers are walked once per effect class, not again at each round.
 */
function walkedPerRounds(
  scenario: (rounds: number) => unknown,
  value: (rounds: number) => unknown,
): number[] {
  return [M, 2 * M].map((rounds) => {
    const [r, walked] = walkedBy(() => scenario(rounds));
    assert.equal(r, value(rounds));
    return walked;
  });
}

const N = 20; // handlers around each task's body
const M = 500; // rounds

test("a task inside many handlers that spawns and waits between its effects walks them once per effect class, not after every switch", () => {
  // Each wait switched away, and the task's search cache was dropped: Get, Spawn and Wait each walked
  // the 20 handlers again every round (65 prompts a round).
  const hs = others(N);
  const child = fn(function* child() {
    return 1;
  });
  const body = fn(function* body(rounds: number) {
    let s = 0;
    for (let i = 0; i < rounds; i++) {
      s += yield* get<number>("c");
      s += yield* wait(yield* spawn(child()));
    }
    return s;
  });
  const main = fn(function* main(rounds: number) {
    return yield* wait(yield* spawn(inside(hs, body(rounds))));
  });
  const [once, twice] = walkedPerRounds(
    (rounds) => run(main(rounds), { handlers: [scheduler, state], store: { c: 1 } }).value,
    (rounds) => 2 * rounds,
  );
  assert.equal(twice, once);
  assert.ok(once! <= 3 * (N + 3), `walked ${once} prompts`); // Get, Spawn, Wait: each past the 20 once
});

test("two tasks inside many handlers switching over channels walk them once per effect class", () => {
  // 174 prompts a round before: Get, Send and Receive past the 20 handlers in each task
  const hs = others(N);
  const main = fn(function* main(rounds: number) {
    const ping = yield* createChannel<number>();
    const pong = yield* createChannel<number>();
    const a = yield* spawn(
      inside(
        hs,
        fn(function* a() {
          let s = 0;
          for (let i = 0; i < rounds; i++) {
            s += yield* get<number>("c");
            yield* send(ping, i);
            yield* receive(pong);
          }
          return s;
        })(),
      ),
    );
    const b = yield* spawn(
      inside(
        hs,
        fn(function* b() {
          let s = 0;
          for (let i = 0; i < rounds; i++) {
            yield* receive(ping);
            s += yield* get<number>("c");
            yield* send(pong, i);
          }
          return s;
        })(),
      ),
    );
    return (yield* wait(a)) + (yield* wait(b));
  });
  const [once, twice] = walkedPerRounds(
    (rounds) => run(main(rounds), { handlers: [scheduler, state], store: { c: 1 } }).value,
    (rounds) => 2 * rounds,
  );
  assert.equal(twice, once);
  assert.ok(once! <= 2 * 5 * (N + 3), `walked ${once} prompts`); // a few effect classes per task
});

class Yield extends Effect<void> {
  declare readonly _tag: "Yield";
}
class Next extends Effect<unknown> {
  constructor(readonly k: unknown) {
    super();
  }
}
class Ping extends Effect<string> {
  declare readonly _tag: "Ping";
}
type Step = { k: unknown };
/** A generator by effects: Yield detaches its k and hands it out; Next resumes it where Next is performed. */
const generator = handle(Yield, function* (_e, k) {
  yield* detach(k);
  return { k } as never;
});
const next = handle(Next, function* (e, _k) {
  return yield* resume(e.k as never, undefined);
});
const stepFrom = (s: Step): Program<any, any> =>
  program(function* () {
    return yield* withHandler(next, new Next(s.k));
  });
const answerPing = (v: string) => handle(Ping, (_e, k) => transfer(k, v));

test("a continuation resumed under other handlers than it was captured from leaves the search caches outside it alone", () => {
  // The generator's prompt is linked below other prompts at every step (every other step inside one
  // handler more): the epoch moved at each, and the body's Get walked its 20 handlers again.
  const hs = others(N);
  const producer = fn(function* producer(rounds: number) {
    for (let i = 0; i < rounds; i++) yield* new Yield();
    return null;
  });
  const body = fn(function* body(rounds: number) {
    let s = 0;
    let step = (yield* withHandler(generator, producer(rounds))) as Step | null;
    for (let i = 0; step !== null; i++) {
      s += yield* get<number>("c");
      step = i % 2 === 0 ? yield* stepFrom(step) : yield* withHandler(answerPing("x"), stepFrom(step));
    }
    return s;
  });
  const [once, twice] = walkedPerRounds(
    (rounds) => run(inside(hs, body(rounds)), { handlers: [state], store: { c: 1 } }).value,
    (rounds) => rounds,
  );
  assert.equal(twice, once);
  assert.ok(once! <= N + 2, `walked ${once} prompts`);
});

test("a continuation whose prompt a cached search went past, resumed under other handlers, finds the handlers it is under now", () => {
  // Ping's search from the body walks past its handlers (none: from the generator's prompt itself)
  // and the generator's prompt to the handler outside it; the generator's k is then resumed under
  // another Ping handler, every other time inside a third: each Ping is answered by the handler it
  // is under then, not by the one a cache remembers.
  for (const n of [0, 3]) {
    const producer = withHandler(
      generator,
      inside(
        others(n),
        fn(function* producer() {
          let seen = "";
          for (let i = 0; i < 6; i++) {
            seen += yield* new Ping();
            yield* new Yield();
          }
          return seen as never;
        })(),
      ),
    );
    const main = fn(function* main() {
      let step = yield* withHandler(answerPing("a"), producer);
      for (let i = 0; typeof step !== "string"; i++) {
        const from = stepFrom(step);
        step =
          i % 2 === 0
            ? yield* withHandler(answerPing("b"), from)
            : yield* withHandler(answerPing("c"), withHandler(answerPing("d"), from));
      }
      return step;
    });
    const r = run(main());
    assert.equal(r.value, "abdbdb", `${n} handlers: ${String(r.error)}`);
  }
});

test("a task's perform-site cache dropped while it waits keeps the mark that its prompt was walked past", () => {
  // Inside a task: X (a generator) around a body that makes a generator G, whose body's Ping search
  // goes past G and X; the body then blocks (its cache on X is dropped), X's k is resumed under
  // another Ping handler, and G's: its Ping is answered by that handler ("b"), not the one cached.
  const gBody = fn(function* gBody() {
    const first = yield* new Ping();
    yield* new Yield();
    return (first + (yield* new Ping())) as never;
  });
  const child = fn(function* child() {
    return 1;
  });
  const xBody = fn(function* xBody() {
    const g = (yield* withHandler(generator, gBody())) as Step;
    const own = yield* new Ping(); // a search from X itself: X's own cache
    yield* wait(yield* spawn(child())); // blocks at X: that cache is dropped
    yield* new Yield(); // X's k goes out
    return (own + ((yield* stepFrom(g)) as unknown as string)) as never;
  });
  const task = fn(function* task() {
    const x = (yield* withHandler(generator, xBody())) as Step;
    return (yield* withHandler(answerPing("b"), stepFrom(x))) as unknown as string;
  });
  const main = fn(function* main() {
    return yield* wait(yield* spawn(task()));
  });
  const r = run(withHandler(answerPing("a"), withHandler(scheduler, main())));
  assert.equal(r.value, "aab", String(r.error));
});

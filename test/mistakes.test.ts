/**
 * Mistakes users make, found in a review round (each was a silent wrong answer or a message that
 * did not say what to do): the exact error class and message at the call or in the result.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acquire,
  all,
  awaitPromise,
  type Channel,
  completePromise,
  createChannel,
  createContinuation,
  createPromise,
  createSemaphore,
  DeadlockError,
  delay,
  delegate,
  Effect,
  fn,
  gather,
  get,
  type Handler,
  handle,
  local,
  program,
  pure,
  race,
  reader,
  realTime,
  receive,
  release,
  resume,
  resumeContinuation,
  run,
  runAsync,
  safe,
  scheduler,
  send,
  type PromiseHandle,
  type Semaphore,
  simulatedTime,
  spawn,
  state,
  timeout,
  UnhandledEffectError,
  wait,
  withHandler,
  withPermit,
} from "../src/index.js";
import { record } from "../src/testing/index.js";
import { runInWorker, workers } from "../src/workers/index.js";
import { TK } from "./toolkit-helpers.js";

class Roll extends Effect<number> {
  declare readonly _tag: "Roll";
  constructor(readonly sides: number) {
    super();
  }
}
const work = fn(function* work() {
  return (yield* new Roll(6)) * 10;
});

test("the effect class given where a handler goes: a TypeError naming the class and the two ways to write its handler", () => {
  const fix =
    "the effect class Roll, not a handler for it (write handle(Roll, (effect, k) => …) or answer(Roll, (effect) => value))";
  assert.throws(() => run(work() as never, { handlers: [Roll as never] }), {
    name: "TypeError",
    message: `run option handlers[0] is ${fix}`,
  });
  assert.throws(() => withHandler(Roll as never, work()), {
    name: "TypeError",
    message: `withHandler expects a handler function ((effect, k) => generator), got ${fix}`,
  });
});

test("a class that is not an effect class given where a handler goes: at the first effect it is given (not read up front), a TypeError naming it and what to pass, the engine's own as its cause; a handler's own TypeError is left alone", async () => {
  class Dice {}
  const message =
    "handler Dice is a class, not a handler function (write handle(Dice, (effect, k) => …) or answer(Dice, (effect) => value))";
  const failed = (r: { ok: boolean; error?: unknown }) => {
    assert.equal(r.ok, false);
    assert.equal((r.error as Error).constructor, TypeError);
    assert.equal((r.error as Error).message, message);
    assert.equal(
      ((r.error as Error).cause as Error).message,
      "Class constructor Dice cannot be invoked without 'new'",
    );
    return r.error;
  };
  const steps: string[] = [];
  failed(run(withHandler(Dice as never, work()))); // untraced: the tail path (invokeTail)
  failed(run(withHandler(Dice as never, work()), { trace: { steps: (l) => steps.push(l) } })); // traced: invoke
  assert.ok(steps.length > 0);
  failed(run(work() as never, { handlers: [Dice as never] }));
  failed(await runAsync(work() as never, { handlers: [scheduler, Dice as never] }));
  // thrown out of the withHandler, where the program can catch it
  const caught = run(
    program(function* () {
      return yield* safe(withHandler(Dice as never, work()));
    }),
  );
  assert.equal(caught.ok && !caught.value.ok && (caught.value.error as Error).message, message);
  // a handler function that throws a TypeError of its own: that very error
  const own = new TypeError("mine");
  const r = run(
    withHandler(() => {
      throw own;
    }, work()),
  );
  assert.equal(r.error, own);
});

test("all(a, b) and all(a): the programs go in one array", () => {
  const a = program(function* a() {
    return 1;
  });
  const b = program(function* b() {
    return 2;
  });
  const msg =
    "all expects an array of programs, got a single Program object: put the programs in one array, all([a, b])";
  assert.throws(() => all(a as never, b as never), { name: "TypeError", message: msg });
  assert.throws(() => all(a as never), { name: "TypeError", message: msg }); // was all([a]), silently
  assert.throws(() => all([a], b as never), {
    name: "TypeError",
    message: "all takes its programs as one array, and options second: write all([a, b]), not all(a, b)",
  });
});

test("createContinuation(…) given to resumeContinuation without `yield*`: the message says to yield* it first", () => {
  const r = run(
    program(function* () {
      return yield* resumeContinuation(createContinuation(pure(1)) as never, undefined);
    }),
  );
  assert.equal(r.ok, false);
  const e = (r as { error: unknown }).error;
  assert.ok(e instanceof TypeError);
  assert.equal(
    e.message,
    "resumeContinuation expects a continuation (the handler's `k` argument), got Primitive object (`yield*` it first: `const k = yield* createContinuation()`)",
  );
});

test("a generator object run a second time: a TypeError, not Ok(undefined)", () => {
  const g = (function* () {
    return 7;
  })();
  assert.equal(run(g).value, 7);
  assert.throws(() => run(g), {
    name: "TypeError",
    message:
      "run got a generator object that was already run (a generator runs once); to run a program again, pass a Program: program(function* () {...}) or fn(function* name() {...})()",
  });
});

test("delegate() with no handler outside the delegating one: the message names it and says to install one further out", () => {
  const h = handle(Roll, function* logRolls(_e, k) {
    const v = yield* delegate<number>();
    return yield* resume(k, v);
  });
  const r = run(withHandler(h, work()));
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(
    (r.error as Error).message,
    "no handler takes Roll (delegated by handler function logRolls; none outside it takes it). Install one further out with withHandler(handler, program) or run(program, { handlers: [...] })",
  );
});

test("a handler listed before the standard handler its own code needs: the message says to list that one first (the compile-time check is HandlerOrderError)", () => {
  const counted = handle(Roll, function* counted(_e, k) {
    const n = yield* get<number>("n");
    return yield* resume(k, n);
  });
  const r = run(work(), { handlers: [counted, state] as Handler[], store: { n: 3 } });
  assert.ok(r.error instanceof UnhandledEffectError);
  assert.equal(
    (r.error as Error).message,
    "no handler takes Get (performed by handler function counted; none outside it takes it). Get is answered by the standard handler state: install it outside that handler (in run's handlers, list it before the handler)",
  );
  assert.equal(run(work(), { handlers: [state, counted], store: { n: 3 } }).value, 30);
});

test("Semaphore.waiting counts only tasks still waiting: a waiter that timeout cancelled leaves it at once", () => {
  const r = run(
    program(function* () {
      const sem = yield* createSemaphore(1);
      yield* acquire(sem);
      const t = yield* spawn(safe(timeout(acquire(sem), 5)));
      yield* delay(1);
      const before = sem.waiting;
      yield* wait(t); // timed out: its acquire was cancelled
      const after = sem.waiting;
      yield* release(sem);
      return [before, after, sem.available];
    }),
    { handlers: TK() },
  );
  assert.deepEqual(r.value, [1, 0, 1]);
});

test("DeadlockError names the blocked tasks, what to look for, where each waits, and where it is thrown", () => {
  const take = fn(function* take(sem: Semaphore) {
    yield* acquire(sem);
  });
  const worker = fn(function* worker(sem: Semaphore) {
    yield* take(sem);
  });
  const r = run(
    program(function* checkout() {
      const sem = yield* createSemaphore(1);
      yield* acquire(sem);
      const t = yield* spawn(worker(sem)); // task 1 waits for a permit main never releases
      const u = yield* spawn(acquire(sem)); // task 2 too, in no program frame of its own
      yield* gather(t, u); // main waits for both
      return "unreachable";
    }),
    { handlers: TK() },
  );
  assert.ok(r.error instanceof DeadlockError);
  assert.equal(
    (r.error as Error).message,
    "deadlock: every task is blocked (main, task 1, task 2) and nothing timed or external is pending; one waits for what no task will do (complete a promise, release a semaphore, send on or close a channel, finish; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks). Where they wait: main in checkout; task 1 in worker > take, blocked in acquire(…); task 2, blocked in acquire(…). Thrown where task 2 blocked last",
  );
});

test("DeadlockError: a loop that receives from a channel whose only sender failed says it is blocked in receive, beside the failure on warnings", () => {
  // a crawler's main loop, waiting for a result its task will never send (it threw first)
  const visit = fn(function* visit(ch: Channel<string>, url: string) {
    yield* send(ch, new URL(url).host);
  });
  const r = run(
    program(function* crawl() {
      const ch = yield* createChannel<string>();
      yield* spawn(visit(ch, "not a url"));
      return yield* receive(ch);
    }),
    { handlers: [scheduler, simulatedTime()] },
  );
  assert.ok(r.error instanceof DeadlockError);
  assert.match(
    (r.error as Error).message,
    / Where they wait: main in crawl, blocked in receive\(…\)\. Thrown where main blocked last$/,
  );
  assert.deepEqual(r.warnings.map(String), ["TypeError: Invalid URL"]);
});

test("DeadlockError: a semaphore shared by two runs going on at once — the message names that cause", async () => {
  const sem = run(createSemaphore(1)).value;
  const req = (i: number) =>
    withPermit(
      sem,
      program(function* () {
        yield* awaitPromise(() => new Promise((r) => setTimeout(r, 20)));
        return i;
      }),
    );
  const [a, b] = await Promise.all([
    runAsync(req(1), { handlers: [scheduler, realTime] }),
    runAsync(req(2), { handlers: [scheduler, realTime] }),
  ]);
  assert.equal(a.value, 1);
  assert.ok(b.error instanceof DeadlockError);
  assert.match(
    (b.error as Error).message,
    /; a semaphore or channel shared with a run going on at the same time never wakes this run's tasks\)/,
  );
});

test("a semaphore shared by two runs going on at once, the waiter under a timeout: the releasing run's error names the sharing, not a missing scheduler", async () => {
  // (no deadlock: the waiting run has a timer; the release is where the runs meet)
  const sem = run(createSemaphore(1)).value;
  const req = (i: number) =>
    withPermit(
      sem,
      program(function* () {
        yield* awaitPromise(() => new Promise((r) => setTimeout(r, 20)));
        return i;
      }),
    );
  const [a, b] = await Promise.all([
    runAsync(req(1), { handlers: [scheduler, realTime] }),
    runAsync(timeout(req(2), 200), { handlers: [scheduler, realTime] }),
  ]);
  assert.ok(a.error instanceof UnhandledEffectError);
  assert.equal(
    a.error.message,
    "no handler takes CompletePromise (passed on by a handler); 2 visible handler(s) declined it. The task or future it is about belongs to another run going on at the same time, as when two runs share a semaphore or channel: use it within one run (spawn the concurrent work as its tasks)",
  );
  assert.equal((b.error as Error).name, "TimeoutError");
  assert.equal(sem.available, 1); // the waiter cancelled after being handed the permit passed it on
  // a channel: the sender's run fails with the same account of it
  const ch = run(createChannel<number>()).value;
  const [rx, tx] = await Promise.all([
    runAsync(timeout(receive(ch), 200), { handlers: [scheduler, realTime] }),
    runAsync(
      program(function* () {
        yield* awaitPromise(() => new Promise((r) => setTimeout(r, 20)));
        return yield* send(ch, 1);
      }),
      { handlers: [scheduler, realTime] },
    ),
  ]);
  assert.equal((rx.error as Error).name, "TimeoutError");
  assert.equal((tx.error as Error).message, (a.error as Error).message);
  // a handler outside the scheduler completing this run's promise: still "list the scheduler first"
  let p!: PromiseHandle<number>;
  const completer = handle(Roll, function* (_e, k) {
    yield* completePromise(p, 1);
    return yield* resume(k, 1);
  });
  const h = run(
    program(function* () {
      p = yield* createPromise<number>();
      return yield* work();
    }),
    { handlers: [completer, scheduler] } as never,
  );
  assert.equal(
    (h.error as Error).message,
    "no handler takes CompletePromise (performed by handler function handle(Roll); none outside it takes it). CompletePromise is answered by the standard handler scheduler: install it outside that handler (in run's handlers, list it before the handler). spawn, wait, awaitPromise and the concurrency toolkit (all, forEach, raceAll, raceFirst, timeout, scoped, semaphores, channels, eventChannel, forEachLatest) perform scheduler effects: a program that calls only them needs the scheduler too",
  );
});

test('local(program, patch) with its arguments swapped: a TypeError saying so, not "got object"', () => {
  const body = program(function* () {
    return 1;
  });
  assert.throws(
    () => (local as (a: unknown, b: unknown) => unknown)(body, { user: "ann" }),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "local takes (patch, program), got a program first: the arguments are swapped; write local({ key: value }, program)",
  );
  // the right order still works
  assert.equal(run(local({ user: "ann" }, body), { handlers: [reader] }).value, 1);
});

test('a handler factory listed without its call (handlers: [scheduler, simulatedTime]): the TypeError says to call it, not `unknown simulatedTime option "ms"`', async () => {
  const say = (name: string, call = `${name}()`) =>
    `${name} makes a handler and was listed as one itself: write ${call} in handlers, not ${name}`;
  const nap = program(function* nap() {
    yield* delay(5);
    return yield* get<number>("a");
  });
  const r = run(nap, { handlers: [scheduler, simulatedTime] } as never);
  assert.ok(r.error instanceof TypeError);
  assert.equal(r.error.message, say("simulatedTime"));
  assert.equal(r.format().split("\n")[3], "  effect Delay(5): simulatedTime ✗, scheduler ·");
  const rec = run(nap, { handlers: [state, simulatedTime(), record] } as never);
  assert.equal((rec.error as Error).message, say("record"));
  const job = program(function* job() {
    return yield* runInWorker(new URL("file:///jobs.js"), "work");
  });
  const w = await runAsync(job, { handlers: [scheduler, realTime, workers] } as never);
  assert.equal((w.error as Error).message, say("workers", "workers({ size })"));
  // called, they are handlers as ever
  assert.equal(run(nap, { handlers: [state, scheduler, simulatedTime()], store: { a: 1 } }).value, 1);
});

test("wait / gather / race given a spawn not yet performed or a program: the TypeError says to yield* it (it said only `got Spawn object`)", () => {
  const head = (where: string, got: string) =>
    `${where} expects a Task (from spawn) or a Future (a promise's .future), got ${got}`;
  assert.throws(() => wait(spawn(work()) as never), {
    name: "TypeError",
    message: `${head("wait", "Spawn object")}: \`yield*\` it first, const task = yield* spawn(p)`,
  });
  const program_ = ": `yield*` a program to run it, or spawn it first";
  assert.throws(() => wait(work() as never), {
    name: "TypeError",
    message: `${head("wait", "Program object")}${program_}`,
  });
  assert.throws(() => gather(work() as never, work() as never), {
    name: "TypeError",
    message: `${head("gather (item 0)", "Program object")}${program_}`,
  });
  assert.throws(() => race(new Roll(6) as never), {
    name: "TypeError",
    message: `${head("race (item 0)", "Roll object")}${program_}`,
  });
  // anything else: as before
  assert.throws(() => wait(42 as never), { name: "TypeError", message: head("wait", "42") });
});

test("an async handler (async function* or async function): the TypeError says so and how to bring promises in (it said `returned object`)", () => {
  const fix =
    "; a handler must return a generator (write it as function*, not async: promises come in with awaitPromise) or a Program, e.g. `return resume(k, value)`";
  const asyncGen = handle(Roll, async function* asyncRoll(_e: Roll, _k: unknown) {
    return 1;
  } as never);
  const asyncFn = handle(Roll, (async (_e: Roll, _k: unknown) => 1) as never);
  const r1 = run(work(), { handlers: [asyncGen] });
  assert.equal(
    (r1.error as Error).message,
    `handler function asyncRoll returned an async generator object${fix}`,
  );
  const r2 = run(work(), { handlers: [asyncFn] });
  assert.equal((r2.error as Error).message, `handler function handle(Roll) returned a Promise${fix}`);
  // anything else: as before
  const plain = handle(Roll, (() => 5) as never);
  assert.equal(
    (run(work(), { handlers: [plain] }).error as Error).message,
    "handler function handle(Roll) returned 5; a handler must return a generator (write it as function*) or a Program, e.g. `return resume(k, value)`",
  );
});

test("a generator method given to fn (fn(game.play)) and reading this: a TypeError saying it has no this and what to write", () => {
  class Game {
    bonus = 5;
    *play() {
      return (yield* new Roll(6)) + this.bonus;
    }
    *plain() {
      return (yield* new Roll(6)) * 2;
    }
  }
  const game = new Game();
  const dice = handle(Roll, (_e, k) => resume(k, 4));
  const r = run(fn(game.play)(), { handlers: [dice] });
  assert.ok(r.error instanceof TypeError);
  assert.equal(
    r.error.message,
    "fn(play): play is a method, called by doeff without a this, so this.bonus cannot be read: give fn the method bound to its object, fn(obj.play.bind(obj)), or pass what it needs as an argument, or close over it",
  );
  // V8's own error is its cause (its stack has the line that read this.bonus)
  assert.ok(r.error.cause instanceof TypeError);
  assert.equal(r.error.cause.message, "Cannot read properties of undefined (reading 'bonus')");
  // writing to it says so too; destructuring it is V8's own error, which names this
  const counter = {
    count: 0,
    *tick() {
      this.count = 1;
    },
    *peek() {
      const { count } = this;
      return count;
    },
  };
  assert.match(
    String(run(fn(counter.tick)()).error),
    /^TypeError: fn\(tick\): tick is a method, called by doeff without a this, so this\.count cannot be set: give fn/,
  );
  const peek = run(fn(counter.peek)()).error as TypeError;
  assert.equal(peek.constructor, TypeError);
  assert.equal(peek.message, "Cannot destructure property 'count' of 'this' as it is undefined.");
  // a method that does not use this runs as before, and a bound one has its this
  assert.equal(run(fn(game.plain)(), { handlers: [dice] }).value, 8);
  assert.equal(run(fn(game.play.bind(game))(), { handlers: [dice] }).value, 9);
  // named as the method, not "bound play", in tracebacks and getCallStack
  assert.equal(fn(game.play.bind(game)).name, "play");
  assert.equal((fn(game.play.bind(game))() as unknown as { name: string }).name, "play");
});

test("a generator-function handler called where it is passed (scheduler()): a TypeError that says to pass it uncalled", () => {
  const called = (scheduler as unknown as () => unknown)();
  const hint = "(a handler was called: list it uncalled, e.g. scheduler, not scheduler())";
  assert.throws(() => run(work() as never, { handlers: [called as never] }), {
    name: "TypeError",
    message: `run option handlers[0] is a generator object, not a handler function ${hint}`,
  });
  assert.throws(() => withHandler(called as never, work()), {
    name: "TypeError",
    message: `withHandler expects a handler function ((effect, k) => generator), got a generator object ${hint}`,
  });
  assert.throws(() => run(work() as never, { handlers: [42 as never] }), {
    name: "TypeError",
    message: "run option handlers[0] is 42, not a handler function",
  });
});

test("a generator method given to fn: this is undefined as in plain JS (this ?? defaults, this?.x, typeof this), and others' errors pass through it unchanged", () => {
  const defaults = { bonus: 1 };
  class Game {
    bonus = 5;
    *play(): Generator<unknown, number, unknown> {
      const self = this ?? defaults;
      return (yield* new Roll(6)) + self.bonus;
    }
    *optional(): Generator<unknown, string, unknown> {
      yield* new Roll(6);
      return `${typeof this} ${this?.bonus}`;
    }
  }
  const game = new Game();
  const dice = handle(Roll, (_e, k) => resume(k, 4));
  assert.equal(run(fn(game.play)(), { handlers: [dice] }).value, 5);
  assert.equal(run(fn(game.play.bind(game))(), { handlers: [dice] }).value, 9);
  assert.equal(run(fn(game.optional)(), { handlers: [dice] }).value, "undefined undefined");
  // an error of the same kind thrown by a program it calls, or by its own code reading a property
  // of something else, is not about its this: it arrives as it was thrown
  const opts: { bonus: number } | undefined = undefined;
  const child = fn(function* child() {
    yield* new Roll(6);
    return (opts as unknown as { bonus: number }).bonus;
  });
  const shop = {
    bonus: 2,
    *viaChild(): Generator<unknown, number, unknown> {
      return (yield* child()) + this.bonus;
    },
    *own(): Generator<unknown, number, unknown> {
      const other = (yield* new Roll(6)) > 0 ? undefined : this;
      return (other as unknown as { price: number }).price;
    },
  };
  const viaChild = run(fn(shop.viaChild)(), { handlers: [dice] }).error as TypeError;
  assert.equal(viaChild.constructor, TypeError);
  assert.equal(viaChild.message, "Cannot read properties of undefined (reading 'bonus')");
  assert.equal(viaChild.cause, undefined);
  const own = run(fn(shop.own)(), { handlers: [dice] }).error as TypeError;
  assert.equal(own.message, "Cannot read properties of undefined (reading 'price')");
});

/**
 * §9.8 `raceFirst(programs)`: the first program to *finish* decides, by value or by error (redux-saga's
 * `race`, effection's `race`, `Promise.race`); the others are cancelled, their finally blocks run,
 * before it returns or throws. `raceAll` waits failures out (the first *success* wins), which is not
 * what a saga's `race({ user: call(fetch), cancel: take(CANCEL) })` does: there a failed fetch is
 * thrown into the saga at once. Porting a saga with `raceAll` dropped the fetch's error and left the
 * saga waiting for a CANCEL that may never come.
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import {
  type Continuation,
  createChannel,
  Effect,
  fn,
  type Handler,
  now,
  pass,
  type Program,
  resume,
  scheduler,
  simulatedTime,
  program,
  raceAll,
  raceFirst,
  receive,
  run,
  send,
  spawn,
  tell,
  delay,
  timeout,
} from "../src/index.js";
import { assertOk } from "./sched-helpers.js";
import { events, failing, job, mark, TK } from "./toolkit-helpers.js";

beforeEach(() => {
  events.length = 0;
});

const apiDown = new Error("api down");
/** The lines format() lists under "errors beside the outcome" (the traceback lines left out). */
const warningLines = (report: string) =>
  report
    .split("\n")
    .slice(report.split("\n").findIndex((l) => l.startsWith("──")) + 1)
    .filter((l) => !l.startsWith(" "));

test("a failure that finishes first is thrown unchanged, after the others were cancelled (raceAll would wait it out)", () => {
  const race = (r: typeof raceFirst) =>
    program(function* () {
      try {
        const won = yield* r({ user: failing("user", 10, apiDown), cancel: job("cancel", 1000, "CANCEL") });
        yield* mark(`won ${won.key}`);
        return won.key;
      } catch (e) {
        yield* mark(`caught ${(e as Error).message}`);
        return e;
      }
    });
  const r = run(race(raceFirst), { handlers: TK() });
  assert.equal(assertOk(r), apiDown); // the very error
  assert.deepEqual(events, [
    "0: user start",
    "0: cancel start",
    "10: user fails",
    "10: cancel finally", // cancelled before raceFirst throws
    "10: caught api down",
  ]);
  assert.deepEqual(r.warnings, []);
  // the behaviour a port with raceAll got: the failure dropped, the race decided 990 ms later
  events.length = 0;
  assert.equal(assertOk(run(race(raceAll as unknown as typeof raceFirst), { handlers: TK() })), "cancel");
  assert.deepEqual(events.slice(2), [
    "10: user fails",
    "1000: cancel done",
    "1000: cancel finally",
    "1000: won cancel",
  ]);
});

test("a value that finishes first wins: { key, value } of an object, the value of an array; the winner's log merged", () => {
  const logged = fn(function* logged(name: string, ms: number) {
    yield* tell(`${name} ran`);
    yield* delay(ms);
    return name.length;
  });
  const r = run(
    program(function* () {
      const won = yield* raceFirst({
        slow: logged("slow", 30),
        fast: logged("fast!", 20),
        late: failing("late", 25, apiDown),
      });
      const first = yield* raceFirst([job("a", 5, "a"), failing("b", 6, apiDown)]);
      return [won, first];
    }),
    { handlers: TK() },
  );
  assert.deepEqual(assertOk(r), [{ key: "fast", value: 5 }, "a"]);
  assert.deepEqual(r.log, ["fast! ran"]); // the cancelled ones' logs are not delivered
  assert.deepEqual(r.warnings, []); // "late" was cancelled at 20 ms, before it failed
});

test("the saga idiom: race a call against a cancel action; a failed call is caught by the saga, at once", () => {
  // take(CANCEL) as a receive on the action channel; the call fails at 10 ms, CANCEL never comes
  const r = run(
    program(function* () {
      const actions = yield* createChannel<string>({ capacity: Infinity });
      try {
        const won = yield* raceFirst({ user: failing("fetch", 10, apiDown), cancel: receive(actions) });
        return won.key;
      } catch (e) {
        yield* mark(`FETCH_FAILED: ${(e as Error).message}`);
        // the cancelled receive gave nothing away: a later CANCEL is still there to take
        yield* spawn(send(actions, "CANCEL"));
        return (yield* receive(actions)).value;
      }
    }),
    { handlers: TK() },
  );
  assert.equal(assertOk(r), "CANCEL");
  assert.deepEqual(events, ["0: fetch start", "10: fetch fails", "10: FETCH_FAILED: api down"]);
});

test("a program that fails too, in the step raceFirst decided, reaches no program: kept on the warnings, saying so", () => {
  const second = new Error("second");
  const both = run(raceFirst([failing("a", 10, apiDown), failing("b", 10, second)]), { handlers: TK() });
  assert.equal(both.ok, false);
  assert.equal(both.error, apiDown);
  assert.deepEqual(both.warnings, [second]); // the very error
  assert.deepEqual(warningLines(both.format()), [
    "task 2 (programs[1] of raceFirst) failed too, after raceFirst had thrown the first failure (task 1's); to receive every failure, wrap each program in safe(): Error: second",
  ]);
  const won = run(raceFirst({ a: job("a", 10, 1), b: failing("b", 10, second) }), { handlers: TK() });
  assert.deepEqual(assertOk(won), { key: "a", value: 1 });
  assert.deepEqual(won.warnings, [second]);
  assert.deepEqual(warningLines(won.format()), [
    'task 2 (key "b" of raceFirst) failed too, after task 1 had won raceFirst; to receive every failure, wrap each program in safe(): Error: second',
  ]);
});

test("raceFirst cancelled from outside (a timeout around it) cancels its programs first", () => {
  const r = run(
    program(function* () {
      try {
        return yield* timeout(raceFirst([job("a", 100, 1), job("b", 200, 2)]), 50);
      } catch (e) {
        yield* mark((e as Error).name);
        return 0;
      }
    }),
    { handlers: TK() },
  );
  assert.equal(assertOk(r), 0);
  assert.deepEqual(events, [
    "0: a start",
    "0: b start",
    "50: a finally",
    "50: b finally",
    "50: TimeoutError",
  ]);
});

test("bad arguments are a TypeError at the call that says what to pass", () => {
  // @ts-expect-error -- a compile error too, in these words (test/types/concurrency.ts)
  assert.throws(() => raceFirst([]), {
    name: "TypeError",
    message: "raceFirst needs at least one program (a race of nothing never ends)",
  });
  // @ts-expect-error -- a compile error too, in these words (test/types/concurrency.ts)
  assert.throws(() => raceFirst({}), {
    name: "TypeError",
    message:
      "raceFirst needs at least one program (a race of nothing never ends), got an object with no keys",
  });
  assert.throws(() => raceFirst(job("a", 1, 1) as never), { name: "TypeError", message: /raceFirst/ });
});

test("a handler inside the scheduler that wraps the tasks: a program's failure decides as the program threw it; a success waits for the handler's work and delivers the task's outcome (docs/concurrency.md 2.2)", () => {
  class Commit extends Effect<number> {}
  const at: string[] = [];
  // after `resume` returned (the program succeeded), it works on (10 ms), then fails the task
  const failingCommit = function* (e: unknown, k: Continuation) {
    if (!(e instanceof Commit)) return yield* pass();
    yield* resume(k, 1);
    yield* delay(10);
    throw new Error("commit failed");
  } as unknown as Handler;
  // turns the program's failure into a value
  const recovering = function* (e: unknown, k: Continuation) {
    if (!(e instanceof Commit)) return yield* pass();
    try {
      return yield* resume(k, 1);
    } catch {
      return "fallback";
    }
  } as unknown as Handler;
  const committing = fn(function* committing() {
    return yield* new Commit();
  });
  const committingThenFailing = fn(function* committingThenFailing() {
    yield* new Commit();
    throw new Error("program failed");
  });
  const other = fn(function* other() {
    yield* delay(5);
    at.push(`other done at ${yield* now()}`);
    return "other";
  });
  const race = (p: Program<unknown, unknown>) =>
    program(function* () {
      try {
        return yield* raceFirst([p, other()]);
      } catch (e) {
        return `${(e as Error).message} at ${yield* now()}`;
      }
    });
  const withHandler = (h: Handler) => ({ handlers: [scheduler, simulatedTime(), h] });
  // the program succeeded first; the handler's work goes on past `other`'s success, and its error is thrown
  assertOk(run(race(committing()), withHandler(failingCommit)), "commit failed at 10");
  assert.deepEqual(at, ["other done at 5"]);
  // the program failed first: thrown as it threw, the handler's fallback not taken (as `all` does)
  assertOk(run(race(committingThenFailing()), withHandler(recovering)), "program failed at 0");
});

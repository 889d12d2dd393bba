/**
 * Second-opinion review of the size trim (hooks set when their module loads), defects4 (retry and
 * abort reasons) and user-crawler (a deadlock's traceback), taken together.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  abortable,
  acquire,
  createChannel,
  createSemaphore,
  DeadlockError,
  fn,
  program,
  receive,
  retry,
  run,
  scheduler,
  send,
  spawn,
  wait,
} from "../src/index.js";
import { TK } from "./toolkit-helpers.js";

/** a program that throws `reason` at its first attempt, then returns its attempt's number */
function throwsOnce(reason: unknown) {
  let attempts = 0;
  return program(function* once() {
    if (++attempts === 1) throw reason;
    return attempts;
  });
}

/** a run in which abortable throws `reason`, the reason of a signal aborted before it */
function abortedRun(reason: unknown): void {
  const c = new AbortController();
  c.abort(reason);
  const r = run(
    abortable(
      program(function* () {}),
      c.signal,
    ),
    { handlers: TK() },
  );
  assert.equal(r.ok ? "ok" : r.error, reason);
}

test('retry: another run\'s abort("stop") does not stop this run\'s retry of a thrown "stop" (the primitive reasons are per run)', () => {
  abortedRun("stop");
  const r = run(retry(throwsOnce("stop"), { times: 1 }), { handlers: TK() });
  assert.equal(r.ok ? r.value : r.error, 2);
});

test('retry: abort("stop") in the same run still stops the retry of a thrown "stop", and an abort reason\'s run list keeps only the last 32', () => {
  const stopped = program(function* () {
    const c = new AbortController();
    c.abort("stop");
    try {
      yield* abortable(
        program(function* () {}),
        c.signal,
      );
    } catch {}
    return yield* retry(throwsOnce("stop"), { times: 1 });
  });
  const r = run(stopped, { handlers: TK() });
  assert.equal(r.ok ? r.value : r.error, "stop");
  // 33 other primitive reasons after it: "stop" forgotten, so retried (one more attempt, as documented)
  const forgotten = program(function* () {
    for (let i = 0; i <= 32; i++) {
      const c = new AbortController();
      c.abort(i === 0 ? "stop" : i);
      try {
        yield* abortable(
          program(function* () {}),
          c.signal,
        );
      } catch {}
    }
    let kept: unknown;
    try {
      kept = yield* retry(throwsOnce(32), { times: 1 });
    } catch (e) {
      kept = `threw ${String(e)}`;
    }
    return [kept, yield* retry(throwsOnce("stop"), { times: 1 })];
  });
  const r2 = run(forgotten, { handlers: TK() });
  assert.deepEqual(r2.ok ? r2.value : r2.error, ["threw 32", 2]);
});

/** the traceback's lines before the error's (a deadlock's message is long) */
const chainOf = (r: { format(): string }): string[] => r.format().split("\n").slice(0, -1);

test("a deadlock in receive(ch): the traceback names the call the program made before the effect's line (the effect, Wait(Future), is receive's own)", () => {
  const r = run(
    fn(function* main() {
      const done = yield* createChannel<number>();
      return yield* receive(done);
    })(),
    { handlers: [scheduler] },
  );
  assert.ok(r.error instanceof DeadlockError);
  assert.deepEqual(chainOf(r), [
    "doeff traceback (outermost first):",
    "  main",
    "  blocked in receive(…)",
    "  effect Wait(Future): scheduler ✗",
  ]);
});

test("a deadlock in a task blocked in send(ch, v), and in acquire(sem): the call named as for receive", () => {
  const sending = run(
    fn(function* crawl() {
      const ch = yield* createChannel<number>();
      const t = yield* spawn(
        fn(function* loop() {
          yield* send(ch, 1);
        })(),
      );
      return yield* wait(t);
    })(),
    { handlers: [scheduler] },
  );
  assert.ok(sending.error instanceof DeadlockError);
  assert.deepEqual(chainOf(sending), [
    "doeff traceback (outermost first):",
    "  crawl",
    "  ── in task 1 ──",
    "  loop",
    "  blocked in send(…)",
    "  effect Wait(Future): scheduler ✗",
  ]);
  const acquiring = run(
    fn(function* main() {
      const sem = yield* createSemaphore(1);
      yield* acquire(sem);
      yield* acquire(sem);
    })(),
    { handlers: [scheduler] },
  );
  assert.ok(acquiring.error instanceof DeadlockError);
  assert.deepEqual(chainOf(acquiring), [
    "doeff traceback (outermost first):",
    "  main",
    "  blocked in acquire(…)",
    "  effect Wait(Future): scheduler ✗",
  ]);
});

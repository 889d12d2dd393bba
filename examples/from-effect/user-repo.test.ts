// user-repo.test.ts: the TestClock test, on doeff's virtual clock
import assert from "node:assert/strict";
import { test } from "node:test";
import { all, answer, delay, program, TimeoutError } from "../../src/index.js";
import { virtualClock } from "../../src/testing/index.js";
import { Log, loadUsers, type Pool, Unavailable, userRepoFake, withUserRepo } from "./user-repo.js";

const table = { 1: "Ada", 2: "Alan", 4: "Grace" };

test("two 503s are retried after 100 ms; unknown ids are skipped", () => {
  const lines: string[] = [];
  const clock = virtualClock(); // TestClock, but nothing to adjust: it jumps to the next timer
  const r = clock.run(loadUsers([1, 2, 3, 4, 5]), {
    handlers: [
      answer(Log, (e) => void lines.push(e.line)),
      userRepoFake(table, { latency: 200, failFirst: 2 }),
    ],
  });
  assert.deepEqual(
    r.value.map((u) => u.name),
    ["Ada", "Alan", "Grace"],
  );
  assert.equal(clock.now, 500); // 200 ms, a 503, 100 ms of back-off, 200 ms
  // timers due at one instant fire in the order they were set: the beat at 500 ms before the last queries end
  assert.deepEqual(lines, ["still loading at 250 ms", "still loading at 500 ms"]);
});

test("what had happened by 260 ms (TestClock.adjust, then look): a task of the test that waits", () => {
  const lines: string[] = [];
  const at260 = program(function* at260() {
    yield* delay(260);
    return [...lines];
  });
  const r = virtualClock().run(all({ users: loadUsers([1, 2, 3, 4, 5]), at260 }), {
    handlers: [
      answer(Log, (e) => void lines.push(e.line)),
      userRepoFake(table, { latency: 200, failFirst: 2 }),
    ],
  });
  assert.deepEqual(r.value.at260, ["still loading at 250 ms"]);
  assert.equal(r.value.users.length, 3);
});

test("a store slower than the timeout: 4 attempts, then TimeoutError", () => {
  const lines: string[] = [];
  const clock = virtualClock();
  const r = clock.run(loadUsers([1]), {
    handlers: [
      answer(Log, (e) => void lines.push(e.line)),
      userRepoFake(table, { latency: 5000, failFirst: 0 }),
    ],
  });
  assert.ok(r.error instanceof TimeoutError);
  assert.equal(clock.now, 4 * 1000 + 100 + 200 + 400);
  assert.equal(lines.length, 18); // every 250 ms until the failure stopped it
});

test("the pool is closed when the program fails (acquireRelease)", async () => {
  const closed: string[] = [];
  const pool: Pool = {
    query: () => Promise.reject(new Error("ECONNREFUSED")),
    close: () => void closed.push("closed"),
  };
  const clock = virtualClock();
  const r = await clock.runAsync(
    withUserRepo(async () => pool, loadUsers([1])),
    {
      handlers: [answer(Log, () => {})],
    },
  );
  assert.ok(r.error instanceof Unavailable); // after 3 retries, at 100, 300 and 700 ms
  assert.equal((r.error.cause as Error).message, "ECONNREFUSED");
  assert.equal(clock.now, 700);
  assert.deepEqual(closed, ["closed"]);
});

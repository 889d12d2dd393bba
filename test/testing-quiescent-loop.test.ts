/**
 * quiescent() and a task looping on a timer for ever (docs/testing.md, "A task nothing waits for"):
 * under run, virtual time ran on without end, a synchronous hang no test runner's timeout stops.
 * Now, after 100,000 rounds of timers in which no task running when they began ended, the tasks
 * waiting in quiescent() throw a DoeffError naming where the others wait. The cases run in a child
 * process with a timeout (test/fixtures/quiescent-loop.ts), so the old source fails, not hangs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const message = (where: string) =>
  `quiescent() waited through 100,000 rounds of timers in which no task running when they began ended, so the simulation never settles: a task loops on a timer for ever (a heartbeat, a poller). Still running: ${where}. Cancel such a task before \`yield* quiescent()\` (\`yield* cancel(task)\`), or wait for the task under test (\`yield* wait(task)\`) or for a bounded time (\`yield* delay(ms)\`) instead`;

test("quiescent() with a task looping on a timer: a DoeffError after 100,000 rounds, not a hang", () => {
  const child = spawnSync(process.execPath, ["--import", "tsx", "test/fixtures/quiescent-loop.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(child.signal, null, "the child hung: quiescent() never returned (killed at the timeout)");
  assert.equal(child.stderr, "");
  assert.equal(child.status, 0);
  const lines = child.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  const failed = (name: string, where: string, at: number) => ({
    name,
    ok: false,
    doeff: true,
    cls: "DoeffError",
    message: message(where),
    at,
  });
  assert.deepEqual(lines, [
    // beats at 1000, 2000, …: the 100,000th round, at 100,000,000 ms, throws
    failed("heartbeat", "task 1 in heartbeat, blocked in delay(1000)", 100_000_000),
    // the worker's end (at 60,000 ms, its 60,000th round) is seen at the next check (every 1,024
    // rounds: the 60,416th, at 476,000 ms), and the count starts again at the next round
    failed("reset", "task 1 in heartbeat, blocked in delay(1000)", 477_000 + 99_999 * 1000),
    // a heartbeat spawning a short task each beat (rounds at 1000, 1001, 2000, …): those tasks
    // end, but none that ran when the rounds began; under virtualClock (its probe in between) the
    // task's frames are not named
    failed("virtualClock", "task 1, blocked in delay(1000)", 50_000_001),
    // the fix the message gives: cancel the heartbeat, then quiescent() returns at once
    { name: "cancelled", ok: true, value: "settled", doeff: false, at: 2500 },
  ]);
});

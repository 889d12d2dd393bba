/**
 * runAsync with a signal that never aborts costs what it costs without one (services always pass
 * one, for a graceful shutdown): an await makes no promise of its own to race the abort
 * (run.ts drive/Waker), and an awaitPromise awaited alone is awaited at its site, handed back to
 * the handler only if the run aborts (scheduler-site.ts awaitAtSite). Its abort semantics are
 * compared with the general path in test/scheduler-await-alone.test.ts.
 */
import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { test } from "node:test";
import { awaitPromise, fn, program, run, runAsync, scheduler, tell, writer } from "../src/index.js";
import { siteState } from "../src/vm/sites.js";

const awaits = (n: number) =>
  program(function* () {
    let s = 0;
    for (let i = 0; i < n; i++) s += yield* awaitPromise(() => Promise.resolve(1));
    return s;
  });

let made = 0;
const hook = createHook({
  init(_id, type) {
    if (type === "PROMISE") made++;
  },
});

/**
 * The promises a run of `n` awaits makes (the thunks' own included). The clock stands still while
 * it runs: how often the driver reads it, and whether it yields a turn of the event loop, depends on
 * the milliseconds that pass (a loaded CI machine counted 258 per 90 awaits, not ~180) — this counts
 * what an await itself costs. The least of three runs, for the same reason.
 */
async function promises(n: number, signal: AbortSignal | null): Promise<number> {
  const now = Date.now;
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const p = awaits(n);
    const t = now();
    Date.now = () => t;
    hook.enable();
    made = 0;
    try {
      const r = await (signal === null
        ? runAsync(p, { handlers: [scheduler] })
        : runAsync(p, { handlers: [scheduler], signal }));
      assert.equal(r.value, n);
    } finally {
      hook.disable();
      Date.now = now;
    }
    least = Math.min(least, made);
  }
  return least;
}

test("an await in a run with a signal makes as many promises as one without (none of its own to race the abort)", async () => {
  const signal = new AbortController().signal;
  // per 90 awaits (a run's own promises cancel out): ~170–190 either way — the thunk's and the
  // driver's await; a signal once added 3 per await (the race) and the handler's 2 (awaitAlone)
  const without = (await promises(100, null)) - (await promises(10, null));
  const withSignal = (await promises(100, signal)) - (await promises(10, signal));
  assert.ok(without < 200, `${without} promises per 90 awaits without a signal`);
  assert.ok(
    withSignal <= without + 20,
    `${withSignal} promises per 90 awaits with a signal, ${without} without`,
  );
});

test("a signal aborted while an await waits: the run ends with its reason at once, finally blocks run once, and the promise's late outcome is ignored (no unhandled rejection)", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    for (const outcome of ["resolve", "reject", "never"] as const) {
      const ctl = new AbortController();
      const events: string[] = [];
      let settle: (() => void) | null = null;
      const main = fn(function* main() {
        try {
          events.push("awaiting");
          const v = yield* awaitPromise(
            () =>
              new Promise<number>((res, rej) => {
                settle = () => (outcome === "resolve" ? res(7) : rej(new Error("late")));
                setImmediate(() => {
                  events.push("abort");
                  ctl.abort(new Error("shutdown"));
                });
              }),
          );
          events.push(`got ${v}`);
        } finally {
          events.push("finally");
          yield* tell("finally");
        }
      });
      const r = await runAsync(main(), { handlers: [writer, scheduler], signal: ctl.signal });
      assert.equal(r.ok, false);
      assert.equal((r.error as Error).message, "shutdown");
      assert.deepEqual(r.log, ["finally"]);
      if (outcome !== "never") settle!();
      await new Promise((res) => setImmediate(res));
      await new Promise((res) => setImmediate(res));
      assert.deepEqual(events, ["awaiting", "abort", "finally"], outcome);
    }
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});

test("a signal that never aborts: the same results as without one (values, rejections thrown at the site)", async () => {
  const failing = fn(function* failing() {
    return yield* awaitPromise((): Promise<number> => Promise.reject(new RangeError("no")));
  });
  const main = fn(function* main() {
    let s = 0;
    for (let i = 0; i < 5; i++) s += yield* awaitPromise(() => Promise.resolve(i));
    try {
      yield* failing();
    } catch (e) {
      s += (e as Error).message.length;
    }
    return s;
  });
  const a = await runAsync(main(), { handlers: [scheduler] });
  const b = await runAsync(main(), { handlers: [scheduler], signal: new AbortController().signal });
  assert.equal(a.value, 12);
  assert.equal(b.value, 12);
});

test("a run's abort called by another run's program (in its step) leaves that run's next yield site to it (the handed-back handler's is not taken for it)", async () => {
  const ctl = new AbortController();
  const waiting = runAsync(
    fn(function* waits() {
      yield* awaitPromise(() => 0); // (the scheduler's first invocation)
      return yield* awaitPromise(() => new Promise<number>(() => {})); // (awaited at its site)
    })(),
    { handlers: [scheduler], signal: ctl.signal },
  );
  await new Promise((r) => setImmediate(r));
  const seen: unknown[] = [];
  const aborts = fn(function* aborts() {
    yield* tell("before");
    seen.push(siteState.last); // (taken by that yield: none pending)
    ctl.abort(new Error("shutdown"));
    // the next `yield` records this: a bare one must find none (a `yield*` makes its own)
    seen.push(siteState.last);
    return 1;
  });
  const r = run(aborts(), { handlers: [writer], trace: { sites: true } });
  assert.equal(r.value, 1);
  assert.deepEqual(seen, [null, null]);
  const w = await waiting;
  assert.equal((w.error as Error).message, "shutdown");
});

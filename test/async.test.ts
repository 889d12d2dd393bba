/** L4–L9 and A16 (runAsync half): the async driver, asyncEscape and awaitPromise (SEMANTICS §8.5–§8.6, §9.5). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AsyncRequiredError,
  all,
  asyncEscape,
  awaitPromise,
  fn,
  get,
  getRunContext,
  pure,
  run,
  runAsync,
  scheduler,
  spawn,
  state,
  wait,
} from "../src/index.js";
import { assertOk, P } from "./sched-helpers.js";

test("A16 getRunContext under runAsync → driver async, user map", async () => {
  const p = P(function* () {
    const c = yield* getRunContext();
    return [c.driver, c.user instanceof Map];
  });
  assertOk(await runAsync(p), ["async", true]);
  assertOk(run(p), ["sync", true]);
});

test("L4 runAsync returns a Promise resolving to the RunResult", async () => {
  const pr = runAsync(pure(1));
  assert.ok(pr instanceof Promise);
  assertOk(await pr, 1);
});

test("L5 asyncEscape: AsyncRequiredError under run; awaited under runAsync", async () => {
  assertOk(
    run(
      P(function* () {
        try {
          return yield* asyncEscape(() => Promise.resolve(1));
        } catch (e) {
          return e instanceof AsyncRequiredError;
        }
      }),
    ),
    true,
  );
  assertOk(
    await runAsync(
      P(function* () {
        return yield* asyncEscape(() => Promise.resolve(41));
      }),
    ),
    41,
  );
  const reason = new Error("r");
  assertOk(
    await runAsync(
      P(function* () {
        try {
          yield* asyncEscape(() => Promise.reject(reason));
          return false;
        } catch (e) {
          return e === reason;
        }
      }),
    ),
    true,
  );
});

test("L6 awaitPromise under runAsync with the scheduler", async () => {
  const r = await runAsync(
    P(function* () {
      return yield* awaitPromise(() => Promise.resolve(42));
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, 42);
});

test("L7 awaitPromise under run → AsyncRequiredError; the thunk is not called", () => {
  let called = false;
  const r = run(
    P(function* () {
      try {
        yield* awaitPromise(() => {
          called = true;
          return Promise.resolve(1);
        });
        return false;
      } catch (e) {
        return e instanceof AsyncRequiredError;
      }
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, true);
  assert.equal(called, false);
});

test("L8 awaitPromise rejection is thrown unchanged", async () => {
  const reason = new Error("r");
  const r = await runAsync(
    P(function* () {
      try {
        yield* awaitPromise(() => Promise.reject(reason));
        return false;
      } catch (e) {
        return e === reason;
      }
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, true);
});

test("L8 a synchronous throw from the awaitPromise thunk is thrown unchanged", async () => {
  const reason = new Error("sync");
  const r = await runAsync(
    P(function* () {
      try {
        yield* awaitPromise(() => {
          throw reason;
        });
        return false;
      } catch (e) {
        return e === reason;
      }
    }),
    { handlers: [scheduler] },
  );
  assertOk(r, true);
});

test("awaitPromise whose function returns a Program (or a generator object, an effect) is a TypeError at the perform site", async () => {
  const fetchUser = fn(function* fetchUser(id: number) {
    return { id };
  });
  const thunks: [string, () => unknown][] = [
    ["a Program", () => fetchUser(1)],
    [
      "a generator object",
      () =>
        (function* () {
          return 1;
        })(),
    ],
    ["a Get object", () => get("n")],
  ];
  for (const [what, thunk] of thunks) {
    // alone (the scheduler's fast path) and beside another task (the general path)
    for (const program of [
      awaitPromise(thunk as () => number),
      all([awaitPromise(thunk as () => number), pure(2)]),
    ]) {
      const r = await runAsync(
        P(function* () {
          try {
            yield* program;
            return "answered";
          } catch (e) {
            return `${(e as Error).constructor.name}: ${(e as Error).message}`;
          }
        }),
        { handlers: [scheduler, state], store: { n: 1 } },
      );
      assertOk(
        r,
        `TypeError: awaitPromise's function returned ${what}; \`yield*\` it instead (awaitPromise is for promises)`,
      );
    }
  }
  // a promise of a Program is a value like any other
  const p = fetchUser(2);
  assertOk(
    await runAsync(
      awaitPromise(() => Promise.resolve(p)),
      { handlers: [scheduler] },
    ),
    p,
  );
});

test("L9 runAsync yields to the macrotask queue periodically", async () => {
  let flag = false;
  setTimeout(() => {
    flag = true;
  }, 0);
  const r = await runAsync(
    P(function* () {
      let i = 0;
      while (!flag) {
        yield* get("n");
        i++;
      }
      return i > 0;
    }),
    { handlers: [state], store: { n: 0 } },
  );
  assertOk(r, true);
});

/**
 * Runs `body` while a setImmediate loop samples `count()` at each turn of the event loop: its
 * result and the samples (how much work ran between two turns).
 */
async function turnsDuring<T>(count: () => number, body: () => Promise<T>): Promise<[T, number[]]> {
  const seen: number[] = [];
  let ticking = true;
  const tick = () => {
    seen.push(count());
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return [await body(), seen];
  } finally {
    ticking = false;
  }
}

test("L9 runAsync yields after at most 10,000 steps of work, effects answered at the perform site included", async () => {
  // the FAST_PATH answers of `get` run many to a machine step (the fast lane); they count toward
  // the budget too, so the event loop gets a turn at least every ~10,000 effects (here: a tick
  // counter on setImmediate), however fast the effects are — not a timing assertion: 5 ms can
  // only make the turns come sooner
  let effects = 0;
  const [r, seen] = await turnsDuring(
    () => effects,
    () =>
      runAsync(
        P(function* () {
          for (let i = 0; i < 300_000; i++) {
            yield* get("n");
            effects++;
          }
          return effects;
        }),
        { handlers: [state], store: { n: 0 } },
      ),
  );
  assertOk(r, 300_000);
  let most = seen[0]!;
  for (let i = 1; i < seen.length; i++) most = Math.max(most, seen[i]! - seen[i - 1]!);
  assert.ok(seen.length >= 25, `the event loop ran ${seen.length} times during 300,000 effects`);
  assert.ok(most <= 11_000, `${most} effects ran between two turns of the event loop (at most ~10,000)`);
});

test("L9 periodic yielding also happens while scheduler tasks run", async () => {
  let flag = false;
  setTimeout(() => {
    flag = true;
  }, 0);
  const spin = P(function* () {
    let i = 0;
    while (!flag) {
      yield* get("n");
      i++;
    }
    return i;
  });
  const r = await runAsync(
    P(function* () {
      const t = yield* spawn(spin);
      const n = yield* wait(t);
      return n > 0;
    }),
    { handlers: [scheduler, state], store: { n: 0 } },
  );
  assertOk(r, true);
});

test("L9 runAsync yields to the macrotask queue while it awaits promises that had already settled", async () => {
  // an await of a settled promise (a cache hit, Promise.resolve) resumes the run in a microtask:
  // the event loop does not run in between. A loop of them kept timers, I/O and the run's own
  // signal out until it ended (a Ctrl-C did nothing), however long it took — not a timing
  // assertion: the turns come after ~10,000 awaits at most, 5 ms can only make them come sooner
  let awaited = 0;
  const loop = fn(function* loop(n: number) {
    for (let i = 0; i < n; i++) {
      yield* awaitPromise(() => Promise.resolve(i));
      awaited++;
    }
    return awaited;
  });
  // alone (awaitPromise answered at the perform site), then beside a task (the scheduler's way)
  const beside = fn(function* beside(n: number) {
    const t = yield* spawn(loop(n / 2));
    yield* loop(n / 2);
    return yield* wait(t);
  });
  for (const main of [loop(100_000), beside(100_000)]) {
    awaited = 0;
    const [r, seen] = await turnsDuring(
      () => awaited,
      () => runAsync(main, { handlers: [scheduler] }),
    );
    assert.equal(r.ok && awaited, 100_000);
    let most = seen[0] ?? Infinity;
    for (let i = 1; i < seen.length; i++) most = Math.max(most, seen[i]! - seen[i - 1]!);
    assert.ok(seen.length >= 10, `the event loop ran ${seen.length} times during 100,000 awaits`);
    assert.ok(most <= 11_000, `${most} awaits ran between two turns of the event loop (at most ~10,000)`);
  }
  // the run's signal, aborted by a callback of the event loop, gets in too: the run ends with its reason
  const controller = new AbortController();
  const reason = new Error("Ctrl-C");
  setImmediate(() => controller.abort(reason));
  awaited = 0;
  const r = await runAsync(loop(1_000_000), { handlers: [scheduler], signal: controller.signal });
  assert.equal(r.error, reason);
  assert.ok(awaited < 1_000_000, `the abort got in after ${awaited} awaits`);
});

test("L9 runAsync yields within ~5 ms while each settled await (its thunk, or the steps after it) computes for a while", async () => {
  // the clock was read every 64 awaits, from the 64th on: awaits of 1 ms each (a cache hit whose
  // thunk parses a row, or a row's work after it) ran 128 at a time — 128 ms without a turn of the
  // event loop, 1.3 s at 10 ms each. Now a reading that finds time gone reads sooner: after the
  // first 64 awaits, each takes at least 1 ms here, so 5 ms is ≤ 5 awaits (not a timing assertion).
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {}
  };
  for (const where of ["thunk", "after"]) {
    let awaited = 0;
    const loop = fn(function* loop(n: number) {
      for (let i = 0; i < n; i++) {
        yield* awaitPromise(() => {
          if (where === "thunk") spin(1);
          return Promise.resolve(i);
        });
        if (where === "after") spin(1);
        awaited++;
      }
      return awaited;
    });
    const [r, seen] = await turnsDuring(
      () => awaited,
      () => runAsync(loop(300), { handlers: [scheduler] }),
    );
    assert.equal(r.ok && awaited, 300);
    let most = 0;
    for (let i = 1; i < seen.length; i++)
      if (seen[i - 1]! >= 64) most = Math.max(most, seen[i]! - seen[i - 1]!);
    assert.ok(
      seen.length >= 30,
      `${where}: the event loop ran ${seen.length} times during 300 awaits of 1 ms`,
    );
    assert.ok(most <= 20, `${where}: ${most} awaits of 1 ms ran between two turns of the event loop`);
  }
});

/**
 * runAsync's option settle: the promises of awaitPromise calls that cancellation abandoned (the
 * run's signal aborted, main ended, a timeout) are waited for, up to `settle` ms, before runAsync
 * resolves. The awaits are on both paths: awaited alone / at the site (the driver awaits the
 * promise itself) and the general one (an external cell), tasks 1 and 8 below.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as d from "../src/index.js";
import * as t from "../src/testing/index.js";
import { any, type Row, table } from "./bad-input-helpers.js";

const H = () => [d.scheduler, d.realTime];

/** A thunk whose work goes on for `after` ms once its signal aborts, then writes `marker.done`. */
function work(marker: { done: boolean; finallyRan?: boolean }, after: number) {
  return d.program(function* () {
    try {
      return yield* d.awaitPromise(
        (signal) =>
          new Promise<number>((_, reject) => {
            signal.addEventListener("abort", () => {
              setTimeout(() => {
                marker.done = true;
                reject(signal.reason);
              }, after);
            });
          }),
      );
    } finally {
      marker.finallyRan = true;
    }
  });
}

/** main: spawns `body`, waits for it; the run is aborted once the task waits. */
async function aborted(body: d.Program<unknown, any>, settle?: number) {
  const controller = new AbortController();
  const reason = new Error("stop");
  const main = d.program(function* () {
    const t = yield* d.spawn(body);
    return yield* d.wait(t);
  });
  setTimeout(() => controller.abort(reason), 10);
  const t0 = Date.now();
  const r = await d.runAsync(main, {
    handlers: H(),
    signal: controller.signal,
    ...(settle === undefined ? {} : { settle }),
  });
  return { r, ms: Date.now() - t0 - 10, reason };
}

test("settle: the abandoned work finishes before runAsync resolves (well before settle); the result is unchanged", async () => {
  const marker = { done: false, finallyRan: false };
  const { r, ms, reason } = await aborted(work(marker, 30), 1000);
  assert.equal(marker.finallyRan, true);
  assert.equal(marker.done, true);
  assert.ok(ms >= 25 && ms < 900, `resolved ${ms} ms after the abort`);
  assert.equal(r.ok, false);
  assert.equal(r.error, reason);
  assert.equal(r.warnings.length, 0);
});

test("without settle (and with settle: 0) runAsync resolves before the abandoned work finishes", async () => {
  for (const settle of [undefined, 0]) {
    const marker = { done: false, finallyRan: false };
    const { r, reason } = await aborted(work(marker, 30), settle);
    assert.equal(marker.finallyRan, true);
    assert.equal(marker.done, false, `settle ${settle}`);
    assert.equal(r.error, reason);
    await sleep(50); // (let it end before the next test)
  }
});

test("settle: a thunk that never settles: runAsync resolves after about settle ms", async () => {
  const never = d.program(function* () {
    return yield* d.awaitPromise(() => new Promise<number>(() => {}));
  });
  const { r, ms, reason } = await aborted(never, 200);
  assert.ok(ms >= 195 && ms < 2200, `resolved ${ms} ms after the abort`);
  assert.equal(r.error, reason);
});

test("settle: nothing abandoned: runAsync resolves at once", async () => {
  const t0 = Date.now();
  const r = await d.runAsync(
    d.program(function* () {
      yield* d.delay(5);
      return yield* d.awaitPromise(async () => 7);
    }),
    { handlers: H(), settle: 5000 },
  );
  assert.equal(r.value, 7);
  assert.ok(Date.now() - t0 < 1000);
});

test("settle: a rejection after the abort is no unhandledRejection and no warning", async () => {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on("unhandledRejection", on);
  try {
    const marker = { done: false };
    const { r, reason } = await aborted(work(marker, 20), 1000);
    assert.equal(marker.done, true);
    assert.equal(r.error, reason);
    assert.deepEqual(r.warnings, []);
    await sleep(30);
    assert.deepEqual(seen, []);
  } finally {
    process.off("unhandledRejection", on);
  }
});

test("settle: main ends normally while a task awaits (R9 cancel): the same waiting; the value unchanged", async () => {
  const marker = { done: false };
  const stray = d.program(function* () {
    return yield* d.awaitPromise(
      (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener("abort", () =>
            setTimeout(() => {
              marker.done = true;
              resolve();
            }, 30),
          ),
        ),
    );
  });
  const main = d.program(function* () {
    yield* d.spawn(stray);
    yield* d.delay(5);
    return "main's value";
  });
  const t0 = Date.now();
  const r = await d.runAsync(main, { handlers: H(), settle: 1000 });
  assert.equal(marker.done, true);
  assert.equal(r.value, "main's value");
  assert.ok(Date.now() - t0 < 900);
  const marker2 = marker;
  marker2.done = false;
  const r2 = await d.runAsync(main, { handlers: H() });
  assert.equal(marker2.done, false);
  assert.equal(r2.value, "main's value");
  await sleep(50);
});

test("settle: a task cancelled during the run (timeout) is waited for at the run's end too", async () => {
  const marker = { done: false };
  const main = d.program(function* () {
    try {
      yield* d.timeout(work(marker, 40), 5);
      return "no timeout";
    } catch (e) {
      return (e as Error).name;
    }
  });
  const r = await d.runAsync(main, { handlers: H(), settle: 1000 });
  assert.equal(r.value, "TimeoutError");
  assert.equal(marker.done, true);
});

test("settle: an abort while several tasks await (none awaits alone): each one's work is waited for", async () => {
  const a = { done: false };
  const b = { done: false };
  const both = d.program(function* () {
    const ta = yield* d.spawn(work(a, 20));
    const tb = yield* d.spawn(work(b, 40));
    return yield* d.gather([ta, tb]);
  });
  const { r, ms, reason } = await aborted(both, 1000);
  assert.deepEqual([a.done, b.done], [true, true]);
  assert.ok(ms >= 35 && ms < 900, `resolved ${ms} ms after the abort`);
  assert.equal(r.error, reason);
});

test("settle above a host timer's range (2 ** 31 ms and more) waits as given, not 1 ms, and without a TimeoutOverflowWarning", async () => {
  const warned: string[] = [];
  const onWarning = (w: Error) => warned.push(w.name);
  process.on("warning", onWarning);
  try {
    for (const settle of [2 ** 31, 3e9, Number.MAX_SAFE_INTEGER]) {
      let finish = (): void => {};
      const stray = d.program(function* () {
        return yield* d.awaitPromise(() => new Promise<void>((resolve) => (finish = resolve)));
      });
      const main = d.program(function* () {
        yield* d.spawn(stray);
        yield* d.delay(1);
        return "main's value";
      });
      let resolved = false;
      const result = d.runAsync(main, { handlers: H(), settle }).then((r) => {
        resolved = true;
        return r;
      });
      await sleep(60);
      assert.equal(resolved, false, `settle ${settle}: resolved before its abandoned work settled`);
      finish(); // (the abandoned work settles: the wait ends at once)
      const r = await result;
      assert.equal(r.value, "main's value");
    }
    await sleep(0);
    assert.deepEqual(warned, []);
  } finally {
    process.off("warning", onWarning);
  }
});

test("settle: a thenable that is no Promise (a query builder's) is waited for too, its then called once", async () => {
  for (const alone of [true, false]) {
    const marker = { done: false, thens: 0 };
    // (knex's and mongoose's queries are such thenables: the work starts when then is called)
    const query = (signal: AbortSignal) => ({
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is no Promise is the case under test
      then(resolve: (v: number) => void) {
        marker.thens++;
        signal.addEventListener("abort", () =>
          setTimeout(() => {
            marker.done = true;
            resolve(1);
          }, 30),
        );
      },
    });
    const body = d.program(function* () {
      // (the cast: awaitPromise's thunk is typed as answering a PromiseLike; this one has no catch)
      return yield* d.awaitPromise((signal) => query(signal) as unknown as PromiseLike<number>);
    });
    const two = d.program(function* () {
      const a = yield* d.spawn(body);
      const b = yield* d.spawn(d.delay(10_000));
      return yield* d.gather([a, b]);
    });
    const { r, ms, reason } = await aborted(alone ? body : two, 1000);
    assert.equal(r.error, reason);
    assert.deepEqual([marker.done, marker.thens], [true, 1], `alone: ${alone}`);
    assert.ok(ms >= 25 && ms < 900, `resolved ${ms} ms after the abort`);
  }
});

const p1 = d.pure(1);
table("run option settle", [
  {
    label: "run(p, { settle: 100 })",
    call: () => d.run(p1, any({ settle: 100 })),
    where: "throws",
    cls: TypeError,
    msg: /^run option settle is for runAsync only \(run cannot wait\): use runAsync or remove it$/,
  },
  // (doeff/testing's synchronous helpers name their async twin, not runAsync)
  {
    label: "expectEffects(p, [], { settle: 100 })",
    call: () => t.expectEffects(p1, [], any({ settle: 100 })),
    where: "throws",
    cls: TypeError,
    msg: /^expectEffects: option settle is for expectEffectsAsync only \(expectEffects cannot wait\): use expectEffectsAsync or remove it$/,
  },
  {
    label: "virtualClock().run(p, { settle: 100 })",
    call: () => t.virtualClock().run(p1, any({ settle: 100 })),
    where: "throws",
    cls: TypeError,
    msg: /^clock\.run: option settle is for clock\.runAsync only \(clock\.run cannot wait\): use clock\.runAsync or remove it$/,
  },
  {
    label: "run(p, { settle: 0 })",
    call: () => d.run(p1, any({ settle: 0 })),
    where: "throws",
    cls: TypeError,
    msg: /^run option settle is for runAsync only/,
  },
  // a value that is not a non-negative finite number, each rejected in the same words
  ...(
    [
      ["-1", -1],
      ["Infinity", Infinity],
      ["NaN", Number.NaN],
      ["'100'", "100"],
      ["null", null],
      ["100n", 100n],
    ] as const
  ).map(([shown, v]) => ({
    label: `runAsync(p, { settle: ${shown} })`,
    call: () => d.runAsync(p1, any({ settle: v })),
    where: "rejects" as const,
    cls: TypeError,
    msg: /^run option settle must be a non-negative finite number of milliseconds \(0: do not wait\), got /,
  })),
] satisfies Row[]);

test("settle: a bad value names what it got", async () => {
  for (const [v, shown] of [
    [-1, "-1"],
    [Infinity, "Infinity"],
    ["100", '"100"'],
  ] as const)
    await assert.rejects(d.runAsync(p1, any({ settle: v })), {
      name: "TypeError",
      message: `run option settle must be a non-negative finite number of milliseconds (0: do not wait), got ${shown}`,
    });
});

test("settle: an unknown option's message lists settle", () => {
  assert.throws(() => d.run(p1, any({ setle: 5 })), {
    name: "TypeError",
    message:
      'unknown run option "setle"; the options are handlers, env, store, trace, signal, onWarning and settle',
  });
});

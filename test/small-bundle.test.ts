/**
 * A bundle that imports only part of doeff leaves out what it cannot reach, behind registrations
 * made where the rare thing is made (test/size.test.ts). Its reports must read exactly as the whole
 * package's: here the same programs run in a bundle of `run, program, state, get, put` (with `fn`,
 * `handle`, `resume` and `Effect`, none of which can spawn) and in the sources with every module
 * loaded, and their reports are compared byte for byte.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as doeff from "../src/index.js";
import { bundle, importBuilt, inputsOf, inTempDir } from "./bundle.js";

/** The programs, as a function of the exports they use: each gives the report of its run. */
const scenarios = `
export function scenarios({ run, program, state, get, put, fn, handle, resume, Effect }) {
  class Ping extends Effect {}
  const out = [];
  // a run its own program aborts, deep in named programs under a user's handler (its live
  // invocations folded), with and without yield sites
  for (const sites of [false, true]) {
    const ac = new AbortController();
    const stop = new Error("stop");
    const inner = fn(function* inner() {
      try {
        for (let i = 0; ; i++) {
          yield* new Ping();
          if (i === 3) ac.abort(stop);
        }
      } finally {
        yield* put("cleaned", true);
      }
    });
    const outer = fn(function* outer() {
      return yield* inner();
    });
    const pinger = handle(Ping, function* pinger(_e, k) {
      return yield* resume(k, 1);
    });
    out.push(run(outer(), { handlers: [state, pinger], signal: ac.signal, trace: { sites } }).format());
  }
  // aborted in a state effect's own code (modify's function), and before the run started
  const ac = new AbortController();
  const p = program(function* main() {
    yield* put("n", 1);
    return yield* get("n");
  });
  out.push(run(p, { handlers: [state], signal: AbortSignal.abort("early") }).format());
  const q = fn(function* q() {
    yield* put("n", 1);
    ac.abort({ code: 42 });
    return yield* get("n");
  });
  out.push(run(q(), { handlers: [state], signal: ac.signal }).format());
  // the state handler's own code (not its FAST_PATH), called by a handler function: a missing key
  // thrown at the perform site (raiseAt: transferWith of raise's program, unchecked)
  const relay = function relay(e, k) {
    return state(e, k);
  };
  const reads = fn(function* reads() {
    return yield* get("missing");
  });
  out.push(run(reads(), { handlers: [state, relay] }).format());
  return out;
}
`;

test("small bundle: an aborted run's report reads as the whole package's, without the tasks' grouping", async () => {
  await inTempDir("doeff-small-", async (dir) => {
    const code = join(dir, "scenarios.mjs");
    writeFileSync(code, scenarios);
    const r = await bundle(
      `export { run, program, state, get, put, fn, handle, resume, Effect } from "./src/index.ts";`,
    );
    // (else this test could not tell the grouping's absence)
    const inputs = inputsOf(r);
    assert.ok(inputs.includes("src/trace/format.ts"), inputs.join(", "));
    assert.deepEqual(
      inputs.filter((f) => /abort-groups|scheduler|reported|site-answers/.test(f)),
      [],
    );
    const small = await importBuilt(r, dir);
    const { scenarios: play } = await import(pathToFileURL(code).href);
    const got: string[] = play(small);
    const want: string[] = play(doeff);
    assert.equal(got.length, 5);
    assert.deepEqual(got, want);
    assert.equal(
      want[4],
      'doeff traceback (outermost first):\n  reads\n  effect Get("missing"): relay ✗, state ·\nMissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    );
    assert.match(
      want[0]!,
      /^doeff: the run was aborted by its signal .*\nwhere the run was when its signal aborted it/,
    );
    assert.ok(want[0]!.includes("\n  outer\n  inner\n"), want[0]);
  });
});

test("small bundle: without resume's or pass's module a resume or pass made with new Primitive(…) is refused as any unknown primitive", async () => {
  const r = await bundle(`export { run, program, Primitive, handle, Effect } from "./src/index.ts";`);
  assert.deepEqual(
    inputsOf(r).filter((f) => /vm\/resume|vm\/pass|rare-ops/.test(f)),
    [],
  );
  await inTempDir("doeff-small-", async (dir) => {
    const d = await importBuilt(r, dir);
    // (1: resume's op; 4: discontinue's; 5: pass's — the VM's codes, never exported)
    for (const op of [1, 4, 5]) {
      const res = d.run(
        d.program(function* (): Generator<unknown, unknown, unknown> {
          return yield new d.Primitive(op, {}, 1);
        }),
      );
      assert.equal(res.ok, false);
      assert.ok(res.error instanceof TypeError);
      assert.equal(
        res.error.message,
        "got a Primitive made with new Primitive(…), which doeff cannot run: make it with resume, transfer, withHandler, …",
      );
    }
    // a handler's first yield: its frame is not parked for a resume that will not run
    class Ping extends d.Effect {}
    const res = d.run(
      d.program(function* (): Generator<unknown, unknown, unknown> {
        return yield new Ping();
      }),
      {
        handlers: [
          d.handle(Ping, function* (_e: unknown, k: unknown): Generator<unknown, unknown, unknown> {
            return yield new d.Primitive(1, k, 1);
          }),
        ],
      },
    );
    assert.equal(res.ok, false);
    assert.ok(res.error instanceof TypeError, String(res.error));
    assert.match(res.error.message, /^got a Primitive made with new Primitive/);
  });
});

test("small bundle: a named recursion, a state handler's own code (its run context) and a run's signal work in the small import alone, as in the whole package", async () => {
  // (size-trim5 moved Machine.callGenerator, deliver and requestAbort to where they are used: the
  // small import reaches a named-recursion call, getRunContext and an abort without them)
  const r = await bundle(`export { run, program, state, get, put } from "./src/index.ts";`);
  await inTempDir("doeff-small-", async (dir) => {
    const small = await importBuilt(r, dir);
    const play = (d: typeof doeff): unknown[] => {
      const out: unknown[] = [];
      // a named recursion: inside program(function* sum…), `yield* sum(n - 1)` calls the raw
      // generator function, whose generator object yields a call the VM makes (OP_CALL_GEN)
      const rec = d.run(
        d.program(function* sum(n = 50): Generator<unknown, number, unknown> {
          if (n === 0) return 0;
          return n + (yield* sum(n - 1));
        }),
      );
      out.push(rec.ok, rec.value);
      const thrown = d.run(
        d.program(function* deep(n = 3): Generator<unknown, number, unknown> {
          if (n === 0) throw new Error("bottom");
          return yield* deep(n - 1);
        }),
      );
      out.push(thrown.format());
      // the state handler's own code, called by a handler function: its getRunContext answers the run's
      const relay = function relay(e: never, k: never) {
        return d.state(e, k);
      };
      const rw = d.run(
        d.program(function* () {
          yield* d.put("n", 41);
          return (yield* d.get<number>("n")) + 1;
        }),
        { handlers: [d.state, relay as never], store: { n: 0 } },
      );
      out.push(rw.ok, rw.value, (rw.store as Record<string, unknown>).n);
      // a run its signal aborts mid-way: it stops at the next step and its finally blocks run
      const ac = new AbortController();
      const ab = d.run(
        d.program(function* main() {
          try {
            yield* d.put("n", 1);
            ac.abort(new Error("enough"));
            yield* d.put("n", 2);
            return "not reached";
          } finally {
            yield* d.put("closed", true);
          }
        }),
        { handlers: [d.state], signal: ac.signal },
      );
      out.push(
        ab.ok,
        (ab.error as Error).message,
        (ab.store as Record<string, unknown>).n,
        (ab.store as Record<string, unknown>).closed,
        ab.format(),
      );
      return out;
    };
    const got = play(small);
    const want = play(doeff);
    assert.deepEqual(got, want);
    assert.deepEqual(got.slice(0, 2), [true, 1275]);
    assert.match(
      got[2] as string,
      /^doeff traceback \(outermost first\):\n {2}deep\n {2}… 2 more …\n {2}deep\n {2}thrown at test\/small-bundle\.test\.ts:\d+\nError: bottom$/,
    );
    assert.deepEqual(got.slice(3, 6), [true, 42, 41]);
    assert.deepEqual(got.slice(6, 10), [false, "enough", 1, true]);
  });
});

test("small bundle: the primitives' names — the small import's own in its step trace as in the whole package's, and every op named once the modules that make them are loaded", async () => {
  // (size-trim6: OP_NAMES holds the names of the primitives primitives.ts makes; resume.ts, pass.ts,
  // rare-ops.ts and introspect.ts add theirs as they load)
  const { OP_NAMES } = await import("../src/vm/primitives.js");
  assert.deepEqual(
    Array.from({ length: 19 }, (_, op) => OP_NAMES[op]),
    [
      "withHandler",
      "resume",
      "transfer",
      "transferWith",
      "discontinue",
      "pass",
      "delegate",
      "getContinuation",
      "getHandlers",
      "createContinuation",
      "resumeContinuation",
      "detach",
      "finalize",
      "getCallStack",
      "getRunContext",
      "asyncEscape",
      "call",
      "originOf",
      "closingReason",
    ],
  );
  const r = await bundle(`export { run, program, state, get, put } from "./src/index.ts";`);
  await inTempDir("doeff-small-", async (dir) => {
    const small = await importBuilt(r, dir);
    const play = (d: typeof doeff): string[] => {
      const lines: string[] = [];
      // the state handler's own code (getRunContext, transfer; transferWith for the missing key)
      // under a relay, and a named recursion's call, each step traced
      const relay = function relay(e: never, k: never) {
        return d.state(e, k);
      };
      const r = d.run(
        d.program(function* main(n = 1): Generator<unknown, unknown, unknown> {
          yield* d.put("n", 1);
          if (n > 0) yield* main(n - 1);
          return yield* d.get("missing");
        }),
        { handlers: [d.state, relay as never], trace: { steps: (l) => lines.push(l) } },
      );
      lines.push(r.format());
      return lines;
    };
    const got = play(small);
    assert.deepEqual(got, play(doeff));
    const prims = got.map((l) => / prim:(\w+)/.exec(l)?.[1]).filter((p) => p !== undefined);
    assert.deepEqual([...new Set(prims)].sort(), [
      "call",
      "getRunContext",
      "transfer",
      "transferWith",
      "withHandler",
    ]);
  });
});

test("small bundle: program's checks and method wrapper, and run's warning for an async onWarning hook, read as in the whole package (size-trim6 moved fn's maker and runAsync's wait for the hook out)", async () => {
  const r = await bundle(`export { run, program, state, get, put } from "./src/index.ts";`);
  assert.deepEqual(
    inputsOf(r).filter((f) => /rare-ops|vm\/resume|vm\/pass|introspect/.test(f)),
    [],
  );
  await inTempDir("doeff-small-", async (dir) => {
    const small = await importBuilt(r, dir);
    const play = (d: typeof doeff): unknown[] => {
      const out: unknown[] = [];
      const threw = (f: () => unknown): string => {
        try {
          f();
          return "no throw";
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      out.push(threw(() => d.program(1 as never)));
      out.push(threw(() => d.program(async function* agen() {} as never)));
      // a generator method that reads `this`, run without it: methodRun says why
      const game = {
        bonus: 2,
        *play(): Generator<unknown, number, unknown> {
          return (this as { bonus: number }).bonus;
        },
      };
      const m = d.run(d.program(game.play as never));
      out.push(m.ok, (m.error as Error).message);
      // a program made twice is two programs; each runs
      const once = d.program(function* () {
        return yield* d.get("n");
      });
      out.push(d.run(once, { handlers: [d.state], store: { n: 7 } }).value);
      out.push(d.run(once, { handlers: [d.state], store: { n: 8 } }).value);
      // an async hook under run: a warning says run cannot wait for it (a finally block that threw
      // while the run's signal aborted it is the warning told)
      const ac = new AbortController();
      const told: unknown[] = [];
      const ab = d.run(
        d.program(function* main() {
          try {
            ac.abort(new Error("stop"));
            yield* d.put("n", 1);
          } finally {
            // biome-ignore lint/correctness/noUnsafeFinally: the case under test is a throwing finally
            throw new Error("cleanup failed");
          }
        }),
        {
          handlers: [d.state],
          signal: ac.signal,
          onWarning: async (e, info) => {
            told.push((e as Error).message, info.status);
          },
        },
      );
      out.push(
        told,
        ab.warnings.map((w) => (w as Error).message),
        ab.format().split("\n").slice(-3),
      );
      return out;
    };
    const got = play(small);
    assert.deepEqual(got, play(doeff));
    assert.deepEqual(got.slice(0, 2), [
      "TypeError: program expects a generator function (function* name() { ... }), got 1",
      "TypeError: program(async function* agen): async generators are not supported: write function* and use awaitPromise for promises",
    ]);
    assert.equal(got[2], false);
    assert.match(got[3] as string, /^fn\(play\): play is a method, called by doeff without a this/);
    assert.deepEqual(got.slice(4, 6), [7, 8]);
    assert.deepEqual(got[6], ["cleanup failed", "final"]);
    assert.deepEqual(got[7], [
      "cleanup failed",
      "run cannot wait for the promise the run option onWarning returned (its rejection is ignored): use runAsync, or a hook that returns nothing",
    ]);
  });
});

test("size-trim6: transferWith of an unstarted continuation is refused at the call, with or without a scheduler loaded (UNSTARTED.notStarted, set where one is made)", async () => {
  const r = await bundle(
    `export { run, program, handle, Effect, createContinuation, transferWith, pure } from "./src/index.ts";`,
  );
  assert.deepEqual(
    inputsOf(r).filter((f) => /scheduler/.test(f)),
    [],
  );
  await inTempDir("doeff-small-", async (dir) => {
    const built = await importBuilt(r, dir);
    const play = (d: typeof doeff): unknown[] => {
      class Ping extends d.Effect {
        declare readonly _tag: "Ping";
      }
      const res = d.run(
        d.program(function* main(): Generator<unknown, unknown, unknown> {
          return yield new Ping();
        }),
        {
          handlers: [
            d.handle(Ping, function* ping(): Generator<unknown, unknown, unknown> {
              const k = yield* d.createContinuation(d.pure(1));
              return yield* d.transferWith(k as never, d.pure(2));
            }),
          ],
        },
      );
      return [res.ok, (res.error as Error).name, (res.error as Error).message];
    };
    const got = play(built);
    assert.deepEqual(got, play(doeff));
    assert.deepEqual(got, [
      false,
      "TypeError",
      "transferWith needs a started continuation; use transfer or resume for an unstarted one",
    ]);
  });
});

test("size-trim7: the `handler h for E ⇢` lines of transferWith read as in the whole package in a bundle that has transferWith, and the small import carries none of their code", async () => {
  const small = await bundle(`export { run, program, state, get, put } from "./src/index.ts";`);
  assert.deepEqual(
    inputsOf(small).filter((f) => /trace\/transfers/.test(f)),
    [],
  );
  const r = await bundle(
    `export { run, program, fn, handle, transferWith, Effect, state, get, put } from "./src/index.ts";`,
  );
  assert.ok(inputsOf(r).includes("src/trace/transfers.ts"), inputsOf(r).join(", "));
  await inTempDir("doeff-small-", async (dir) => {
    const built = await importBuilt(r, dir);
    const play = (d: typeof doeff): string[] => {
      class Ping extends d.Effect<number> {
        declare readonly _tag: "Ping";
      }
      class Other extends d.Effect<number> {
        declare readonly _tag: "Other";
      }
      const failing = d.fn(function* failing(): Generator<never, number, unknown> {
        throw new Error("in the program transferWith started");
      });
      const main = d.fn(function* main() {
        return yield* new Ping();
      });
      // a named program at the site, then an effect given instead, whose handler fails
      const byProgram = d.handle(Ping, function* starts(_e, k) {
        return yield* d.transferWith(k, failing());
      });
      const byEffect = d.handle(Ping, function* gives(_e, k) {
        return yield* d.transferWith(k, new Other());
      });
      const fails = d.handle(Other, function* fails(): Generator<never, never, unknown> {
        throw new Error("in Other's handler");
      });
      return [
        d.run(main(), { handlers: [d.state, byProgram] }).format(),
        d.run(main(), { handlers: [d.state, fails, byEffect] }).format(),
      ];
    };
    const got = play(built);
    assert.deepEqual(got, play(doeff));
    const line = /(?<=small-bundle\.test\.ts:)\d+/; // (the throw's line: not the point here)
    assert.equal(
      got[0]!.replace(line, "L"),
      "doeff traceback (outermost first):\n  main\n  handler starts for Ping() ⇢\n  failing\n  thrown at test/small-bundle.test.ts:L\nError: in the program transferWith started",
    );
    assert.equal(
      got[1]!.replace(line, "L"),
      "doeff traceback (outermost first):\n  main\n  handler gives for Ping() ⇢\n  handler fails for Other() ✗\n  effect Other(): gives ↗, fails ✗, state ·\n  thrown at test/small-bundle.test.ts:L\nError: in Other's handler",
    );
  });
});

test("size-trim7: a task's boundary line reads as in the whole package in a bundle with the scheduler, and the small import carries none of the boundary lines' code", async () => {
  const small = await bundle(`export { run, program, state, get, put } from "./src/index.ts";`);
  const text = small.outputFiles[0]!.text;
  assert.ok(
    !/function (reportedLine|boundariesOn|labelsOn)\b/.test(text),
    "boundary lines in the small import",
  );
  const r = await bundle(`export { runAsync, program, fn, scheduler, spawn, wait } from "./src/index.ts";`);
  await inTempDir("doeff-small-", async (dir) => {
    const built = await importBuilt(r, dir);
    const play = async (d: typeof doeff): Promise<string> => {
      const child = d.fn(function* child(): Generator<never, number, unknown> {
        throw new Error("task failed");
      });
      const main = d.fn(function* main() {
        const t = yield* d.spawn(child());
        return yield* d.wait(t);
      });
      return (await d.runAsync(main(), { handlers: [d.scheduler] })).format();
    };
    const got = await play(built);
    assert.equal(got, await play(doeff));
    assert.equal(
      got.replace(/(?<=small-bundle\.test\.ts:)\d+/, "L"),
      "doeff traceback (outermost first):\n  main\n  ── in task 1 ──\n  child\n  thrown at test/small-bundle.test.ts:L\nError: task failed",
    );
  });
});

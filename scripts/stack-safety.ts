/**
 * Stack safety at full size (SEMANTICS INV-3; SCENARIOS O1–O5), under `run` with the default stack:
 *
 *   1,000,000-deep recursion (named recursion, and through the wrapped function)
 *   10,000,000 looped state effects
 *   100,000 nested finally blocks finalized
 *   10,000 nested handlers
 *   100,000 non-tail resumes
 *
 * Prints each figure (time, result) and exits non-zero on any failure. `npm run stack`.
 */
import {
  fn,
  get,
  type Handler,
  type Program,
  pass,
  pure,
  put,
  resume,
  run,
  state,
  withHandler,
} from "../src/index.js";
import { Abort, H, Num, P } from "../test/helpers.js";

interface Case {
  name: string;
  expected: unknown;
  make: () => { value: () => unknown; check?: () => string | null };
}

const cases: Case[] = [
  {
    name: "1,000,000-deep named recursion",
    expected: 1_000_000,
    make: () => {
      const count = fn(function* count(n: number): Generator<unknown, number, any> {
        return n === 0 ? 0 : 1 + (yield* count(n - 1));
      });
      return { value: () => run(count(1_000_000)).value };
    },
  },
  {
    name: "1,000,000-deep recursion via the wrapped function",
    expected: 1_000_000,
    make: () => {
      const count2: (n: number) => Program<number> = fn(function* (
        n: number,
      ): Generator<unknown, number, any> {
        return n === 0 ? 0 : 1 + (yield* count2(n - 1));
      });
      return { value: () => run(count2(1_000_000)).value };
    },
  },
  {
    name: "10,000,000 looped state effects",
    expected: 9_999_999,
    make: () => ({
      value: () =>
        run(
          P(function* () {
            for (let i = 0; i < 10_000_000; i++) yield* put("n", i);
            return yield* get("n");
          }),
          { handlers: [state] },
        ).value,
    }),
  },
  {
    name: "100,000 nested finally blocks finalized",
    expected: "aborted",
    make: () => {
      let closed = 0;
      const nest = fn(function* nest(n: number): Generator<unknown, void, any> {
        if (n === 0) {
          yield* new Abort();
          return;
        }
        try {
          yield* nest(n - 1);
        } finally {
          closed++;
        }
      });
      return {
        value: () =>
          run(
            withHandler(
              H(Abort)(() => pure("aborted")),
              nest(100_000),
            ),
          ).value,
        check: () => (closed === 100_000 ? null : `closed ${closed} finally blocks, expected 100000`),
      };
    },
  },
  {
    name: "10,000 nested handlers (skipped by handles)",
    expected: 1,
    make: () => {
      const skip: Handler = Object.assign(function* () {}, { handles: () => false });
      let p: Program<unknown> | ReturnType<typeof withHandler> = P(function* () {
        return yield* get("x");
      });
      for (let i = 0; i < 10_000; i++) p = withHandler(skip, p);
      return { value: () => run(p, { handlers: [state], store: { x: 1 } }).value };
    },
  },
  {
    name: "10,000 nested handlers (each passing)",
    expected: 7,
    make: () => {
      const passer = H(Num)(() => pass());
      let p: Program<unknown> | ReturnType<typeof withHandler> = P(function* () {
        return yield* new Num(7);
      });
      for (let i = 0; i < 10_000; i++) p = withHandler(passer, p);
      return {
        value: () =>
          run(
            withHandler(
              H(Num)((e, k) => resume(k, e.v)),
              p,
            ),
          ).value,
      };
    },
  },
  {
    name: "100,000 non-tail resumes",
    expected: 100_000,
    make: () => ({
      value: () =>
        run(
          withHandler(
            H(Num)(function* (_e, k) {
              return yield* resume(k, 1);
            }),
            P(function* () {
              let s = 0;
              for (let i = 0; i < 100_000; i++) s += yield* new Num(0);
              return s;
            }),
          ),
        ).value,
    }),
  },
];

let failures = 0;
for (const c of cases) {
  const t0 = performance.now();
  let line: string;
  try {
    const { value, check } = c.make();
    const v = value();
    const ms = performance.now() - t0;
    const problem = !Object.is(v, c.expected)
      ? `got ${String(v)}, expected ${String(c.expected)}`
      : (check?.() ?? null);
    if (problem === null) line = `ok    ${c.name}: ${String(v)} in ${ms.toFixed(0)} ms`;
    else {
      failures++;
      line = `FAIL  ${c.name}: ${problem} (${ms.toFixed(0)} ms)`;
    }
  } catch (e) {
    failures++;
    const ms = performance.now() - t0;
    line = `FAIL  ${c.name}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (${ms.toFixed(0)} ms)`;
  }
  console.log(line);
}
if (failures > 0) {
  console.log(`${failures} of ${cases.length} stack-safety checks failed`);
  process.exit(1);
}
console.log(`all ${cases.length} stack-safety checks passed`);

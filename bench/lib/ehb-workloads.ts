/**
 * The effect-handlers-bench programs as workloads (`ehb_*`): doeff (bench/lib/ehb.ts) next to a
 * hand-written JS baseline (impl `floor`, so ×floor is doeff ÷ baseline). One op is one run of the program at the
 * size given in `op`, except where the op is a loop step. Every sample's answer is checked against
 * the baseline's; test/ehb.test.ts checks both against the suite's published answers.
 * nqueens, triples and tree_explore are multi-shot: doeff replays the choices (see ehb.ts).
 */
import * as b from "./ehb.js";
import type { Workload } from "./harness.js";

interface Def {
  name: string;
  op: string;
  ops: { full: number; quick: number };
  /** run the program once per op (size fixed) or once with the op count as its size */
  perOp: boolean;
  doeff: (n: number) => number;
  js: (n: number) => number;
  note?: string;
}

const DEFS: Def[] = [
  {
    name: "countdown",
    op: "1 step (get + set)",
    ops: { full: 1_000_000, quick: 100_000 },
    perOp: false,
    doeff: b.countdown,
    js: b.countdownJs,
  },
  {
    name: "fibonacci_recursive",
    op: "1 run of fib(20) (21,891 program calls)",
    ops: { full: 20, quick: 3 },
    perOp: true,
    doeff: () => b.fibonacci(20),
    js: () => b.fibonacciJs(20),
  },
  {
    name: "generator",
    op: "1 run, tree height 14 (16,383 yields)",
    ops: { full: 20, quick: 3 },
    perOp: true,
    doeff: () => b.generator(14),
    js: () => b.generatorJs(14),
  },
  {
    name: "handler_sieve",
    op: "1 run, n = 1,000 (168 nested handlers, 77,210 handler invocations)",
    ops: { full: 5, quick: 1 },
    perOp: true,
    doeff: () => b.handlerSieve(1000),
    js: () => b.handlerSieveJs(1000),
  },
  {
    name: "iterator",
    op: "1 emit",
    ops: { full: 1_000_000, quick: 100_000 },
    perOp: false,
    doeff: (n) => b.iterator(n - 1),
    js: (n) => b.iteratorJs(n - 1),
  },
  {
    name: "nqueens",
    op: "1 run, N = 6 (replayed choices)",
    ops: { full: 10, quick: 2 },
    perOp: true,
    doeff: () => b.nqueens(6),
    js: () => b.nqueensJs(6),
  },
  {
    name: "parsing_dollars",
    op: "1 run, n = 300 (45,451 reads)",
    ops: { full: 20, quick: 3 },
    perOp: true,
    doeff: () => b.parsingDollars(300),
    js: () => b.parsingDollarsJs(300),
  },
  {
    name: "product_early",
    op: "1 product of the 1,001-element list (aborted at its end)",
    ops: { full: 500, quick: 50 },
    perOp: false,
    doeff: b.productEarly,
    js: b.productEarlyJs,
  },
  {
    name: "resume_nontail",
    op: "1 run, n = 100 (1,000 × 100 non-tail resumes)",
    ops: { full: 5, quick: 1 },
    perOp: true,
    doeff: () => b.resumeNontail(100),
    js: () => b.resumeNontailJs(100),
  },
  {
    name: "tree_explore",
    op: "1 run, height 6 (10 × 64 paths, replayed choices)",
    ops: { full: 10, quick: 2 },
    perOp: true,
    doeff: () => b.treeExplore(6),
    js: () => b.treeExploreJs(6),
  },
  {
    name: "triples",
    op: "1 run, n = s = 20 (replayed choices)",
    ops: { full: 5, quick: 1 },
    perOp: true,
    doeff: () => b.triples(20),
    js: () => b.triplesJs(20),
  },
];

function workload(d: Def): Workload {
  const thunk = (f: (n: number) => number, n: number) =>
    d.perOp
      ? () => {
          let last = 0;
          for (let i = 0; i < n; i++) last = f(n);
          return last;
        }
      : () => f(n);
  const expected = new Map<number, number>();
  const want = (n: number) => {
    let v = expected.get(n);
    if (v === undefined) expected.set(n, (v = d.js(n)));
    return v;
  };
  return {
    name: `ehb_${d.name}`,
    op: d.op,
    ops: d.ops,
    note: `effect-handlers-bench ${d.name}${d.note ? `; ${d.note}` : ""}`,
    impls: {
      doeff: { prepare: (n) => thunk(d.doeff, n), check: (r, n) => r === want(n) },
      floor: {
        prepare: (n) => thunk(d.js, n),
        check: (r, n) => r === want(n),
        note: "hand-written JS baseline",
      },
    },
  };
}

export function ehbWorkloads(): Workload[] {
  return DEFS.map(workload);
}

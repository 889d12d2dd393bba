/**
 * The effect-handlers-bench programs (github.com/effect-handlers/effect-handlers-bench, the suite's
 * descriptions/ and its Koka versions), written with doeff handlers, each next to a hand-written JS
 * baseline. Koka `fun` clauses are `answer` handlers; `ctl` clauses are `handle` handlers.
 *
 * doeff continuations are one-shot. The three multi-shot programs (nqueens, triples, tree_explore)
 * run on `explore` below, which simulates resuming a continuation several times by *replaying*: each
 * branch re-runs the program from the start, answering every effect before the branch point from a
 * log of the answers it got the first time (so effects such as tree_explore's state updates run once
 * per path, as each resumption runs them once in Koka), then answering the branch point with the next
 * option. Replay costs O(path length) per branch, so those three measure replay, not multi-shot resume.
 */
import {
  answer,
  delegate,
  detach,
  Effect,
  fn,
  handle,
  type Handler,
  type Program,
  pass,
  resume,
  run,
  transfer,
  withHandler,
} from "../../src/index.js";

function ok<T>(r: { ok: boolean; error: unknown; value: T }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// countdown: get/set on a user state handler (Koka `fun` clauses) until 0

class CGet extends Effect<number> {
  declare readonly _tag: "CGet";
}
class CSet extends Effect<void> {
  constructor(readonly i: number) {
    super();
  }
}
const countdownLoop = fn(function* countdown() {
  for (;;) {
    const i = yield* new CGet();
    if (i === 0) return i;
    yield* new CSet(i - 1);
  }
});
export function countdown(n: number): number {
  let s = n;
  const hs = [answer(CGet, () => s), answer(CSet, (e) => void (s = e.i))];
  return ok(run(countdownLoop(), { handlers: hs }));
}
export function countdownJs(n: number): number {
  let s = n;
  for (;;) {
    const i = s;
    if (i === 0) return i;
    s = i - 1;
  }
}

// ---------------------------------------------------------------------------------------------
// fibonacci_recursive: no effects, doubly recursive program calls (VM frames)

const fibP: (n: number) => Program<number> = fn(function* fibGen(n: number): Generator<unknown, number, any> {
  if (n === 0) return 0;
  if (n === 1) return 1;
  return (yield* fibP(n - 1)) + (yield* fibP(n - 2));
});
export const fibonacci = (n: number): number => ok(run(fibP(n)));
export function fibonacciJs(n: number): number {
  return n === 0 ? 0 : n === 1 ? 1 : fibonacciJs(n - 1) + fibonacciJs(n - 2);
}

// ---------------------------------------------------------------------------------------------
// generator: sum a complete binary tree (DAG) through a generator whose continuation escapes

interface Tree {
  readonly l: Tree | null;
  readonly v: number;
  readonly r: Tree | null;
}
function makeTree(n: number): Tree | null {
  if (n === 0) return null;
  const t = makeTree(n - 1);
  return { l: t, v: n, r: t };
}
class Yield extends Effect<void> {
  constructor(readonly x: number) {
    super();
  }
}
interface Thunk {
  readonly v: number;
  readonly k: import("../../src/index.js").Continuation;
}
const iterateTree: (t: Tree | null) => Program<void> = fn(function* iterateGen(t: Tree | null) {
  if (t === null) return;
  yield* iterateTree(t.l);
  yield* new Yield(t.v);
  yield* iterateTree(t.r);
});
// `ctl yield(x) Thunk(x, fn() resume(()))`: the handler returns the thunk, k escapes the handler
const genHandler = handle(Yield, function* (e, k) {
  yield* detach(k); // k outlives this invocation (else its end would finalize k)
  return { v: e.x, k } as Thunk;
});
const generate = fn(function* generate(t: Tree | null) {
  yield* iterateTree(t);
  return null; // return(_) Empty
});
const sumGen = fn(function* sumGen(n: number) {
  let a = 0;
  let g = (yield* withHandler(genHandler, generate(makeTree(n)))) as Thunk | null;
  while (g !== null) {
    a += g.v;
    g = (yield* resume(g.k, undefined)) as Thunk | null;
  }
  return a;
});
export const generator = (n: number): number => ok(run(sumGen(n)));
export function generatorJs(n: number): number {
  function* iterate(t: Tree | null): Generator<number, void, unknown> {
    if (t === null) return;
    yield* iterate(t.l);
    yield t.v;
    yield* iterate(t.r);
  }
  let a = 0;
  for (const v of iterate(makeTree(n))) a += v;
  return a;
}

// ---------------------------------------------------------------------------------------------
// handler_sieve: one nested handler per prime found; a Prime(e) goes out until one divides e

class Prime extends Effect<boolean> {
  constructor(readonly e: number) {
    super();
  }
}
/** Counts handler invocations (for the per-effect cost analysis in bench/README.md). */
export const sieveStats = { visits: 0 };
const sieveLayer = (i: number): Handler<Prime> =>
  handle(Prime, function* (p, k) {
    sieveStats.visits++;
    if (p.e % i === 0) return yield* transfer(k, false);
    return yield* pass(); // `else prime(e)`: the next handler out answers
  });
// the same layer with one shared generator function: its generator objects share one hidden class
function* layerGen(i: number, p: Prime, k: import("../../src/index.js").Continuation) {
  sieveStats.visits++;
  if (p.e % i === 0) return yield* transfer(k, false);
  return yield* pass();
}
export const sieveShared = { on: false };
const sieveLayerShared = (i: number): Handler<Prime> => handle(Prime, (p, k) => layerGen(i, p, k));
const primes: (i: number, n: number, a: number) => Program<number> = fn(function* primesGen(
  i: number,
  n: number,
  a: number,
): Generator<unknown, number, any> {
  for (; i < n; i++) {
    if (yield* new Prime(i)) {
      const layer = sieveShared.on ? sieveLayerShared(i) : sieveLayer(i);
      return yield* withHandler(layer, primes(i + 1, n, a + i));
    }
  }
  return a;
});
const sieveBase = answer(Prime, () => true);
export const handlerSieve = (n: number): number => ok(run(withHandler(sieveBase, primes(2, n, 0))));
export function handlerSieveJs(n: number): number {
  const found: number[] = []; // innermost handler = the largest prime: checked first
  let a = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let j = found.length - 1; j >= 0; j--) {
      if (i % found[j]! === 0) {
        prime = false;
        break;
      }
    }
    if (prime) {
      found.push(i);
      a += i;
    }
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// iterator: emit 0..n to a `fun` handler that sums

class Emit extends Effect<void> {
  constructor(readonly e: number) {
    super();
  }
}
const range = fn(function* range(l: number, u: number) {
  for (; l <= u; l++) yield* new Emit(l);
});
export function iterator(n: number): number {
  let s = 0;
  ok(
    run(
      withHandler(
        answer(Emit, (e) => void (s += e.e)),
        range(0, n),
      ),
    ),
  );
  return s;
}
export function iteratorJs(n: number): number {
  let s = 0;
  const emit = (e: number) => {
    s += e;
  };
  for (let l = 0; l <= n; l++) emit(l);
  return s;
}

// ---------------------------------------------------------------------------------------------
// parsing_dollars: read (fun, may stop), emit (fun), stop (ctl: abort)

class Read extends Effect<number> {
  declare readonly _tag: "Read";
}
class Stop extends Effect<never> {
  declare readonly _tag: "Stop";
}
const parse = fn(function* parse() {
  let a = 0;
  for (;;) {
    const c = yield* new Read();
    if (c === 36) a++;
    else if (c === 10) {
      yield* new Emit(a);
      a = 0;
    } else return yield* new Stop();
  }
});
const catchStop = handle(Stop, function* () {
  return undefined; // `ctl stop() ()`: abandon the computation
});
export function parsingDollars(n: number): number {
  let s = 0;
  let i = 0;
  let j = 0;
  const feed = handle(Read, function* (_e, k) {
    if (i > n) return yield* new Stop(); // performed by the handler: reaches catchStop outside feed
    if (j === 0) {
      i++;
      j = i;
      return yield* transfer(k, 10);
    }
    j--;
    return yield* transfer(k, 36);
  });
  const sum = answer(Emit, (e) => void (s += e.e));
  ok(run(withHandler(sum, withHandler(catchStop, withHandler(feed, parse())))));
  return s;
}
export function parsingDollarsJs(n: number): number {
  let s = 0;
  let i = 0;
  let j = 0;
  const STOP = {};
  const read = (): number => {
    if (i > n) throw STOP;
    if (j === 0) {
      i++;
      j = i;
      return 10;
    }
    j--;
    return 36;
  };
  try {
    let a = 0;
    for (;;) {
      const c = read();
      if (c === 36) a++;
      else if (c === 10) {
        s += a;
        a = 0;
      } else throw STOP;
    }
  } catch (e) {
    if (e !== STOP) throw e;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// product_early: a 1,000-deep non-tail recursion aborted by `done(0)`, n times

class Done extends Effect<never> {
  constructor(readonly r: number) {
    super();
  }
}
interface Cons {
  readonly h: number;
  readonly t: Cons | null;
}
function enumerate(i: number): Cons | null {
  let xs: Cons | null = null;
  for (let j = 0; j <= i; j++) xs = { h: j, t: xs };
  return xs; // i, i-1, …, 0
}
const LIST = enumerate(1000);
const product: (xs: Cons | null) => Program<number> = fn(function* productGen(
  xs: Cons | null,
): Generator<unknown, number, any> {
  if (xs === null) return 0;
  if (xs.h === 0) return yield* new Done(0);
  return xs.h * (yield* product(xs.t));
});
const doneH = handle(Done, function* (e) {
  return e.r; // `ctl done(r) r`
});
const productLoop = fn(function* productLoop(n: number) {
  let a = 0;
  for (let i = n; i > 0; i--) a += (yield* withHandler(doneH, product(LIST))) as number;
  return a;
});
export const productEarly = (n: number): number => ok(run(productLoop(n)));
export function productEarlyJs(n: number): number {
  const DONE = { r: 0 };
  const prod = (xs: Cons | null): number => {
    if (xs === null) return 0;
    if (xs.h === 0) {
      DONE.r = 0;
      throw DONE;
    }
    return xs.h * prod(xs.t);
  };
  let a = 0;
  for (let i = n; i > 0; i--) {
    try {
      a += prod(LIST);
    } catch (e) {
      if (e !== DONE) throw e;
      a += DONE.r;
    }
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// resume_nontail: `let y = resume(()) in abs(x - 503y + 37) mod 1009`, 1,000 times

class Operator extends Effect<void> {
  constructor(readonly x: number) {
    super();
  }
}
const operatorH = handle(Operator, function* (e, k) {
  const y = (yield* resume(k, undefined)) as number;
  return Math.abs(e.x - 503 * y + 37) % 1009;
});
const opLoop = fn(function* opLoop(n: number, s: number) {
  for (let i = n; i > 0; i--) yield* new Operator(i);
  return s;
});
const repeatNontail = fn(function* repeatNontail(n: number) {
  let s = 0;
  for (let l = 1000; l > 0; l--) s = (yield* withHandler(operatorH, opLoop(n, s))) as number;
  return s;
});
export const resumeNontail = (n: number): number => ok(run(repeatNontail(n)));
export function resumeNontailJs(n: number): number {
  // the handler wraps the rest of the loop: the innermost (i = 1) result is computed first
  let s = 0;
  for (let l = 1000; l > 0; l--) {
    let y = s;
    for (let i = 1; i <= n; i++) y = Math.abs(i - 503 * y + 37) % 1009;
    s = y;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// multi-shot by replay (see the header)

class Pick extends Effect<number> {
  constructor(readonly size: number) {
    super();
  }
}
class Fail extends Effect<never> {
  declare readonly _tag: "Fail";
}
class Flip extends Effect<boolean> {
  declare readonly _tag: "Flip";
}
class Choose extends Effect<boolean> {
  declare readonly _tag: "Choose";
}

const FAIL = Symbol("fail");
interface Branch {
  readonly options: readonly unknown[];
  readonly log: unknown[];
}

/**
 * Explore every branch of `body()`: effects in `choices` (class → its options) branch, Fail ends a
 * branch; every other effect is answered by the handlers outside, once per path (logged, replayed).
 * `leaf(v)` scores a returned value, `combine(scores)` folds one branch point's children.
 */
function explore<T>(
  body: () => Program<unknown>,
  choices: Map<Function, (e: Effect<unknown>) => readonly unknown[]>,
  leaf: (v: unknown) => T,
  failed: T,
  combine: (xs: T[]) => T,
): Program<T> {
  const once = (prefix: readonly unknown[]) => {
    const log: unknown[] = [];
    let pos = 0;
    const h: Handler = function* replay(e: unknown, k) {
      if (pos < prefix.length) {
        const v = prefix[pos++];
        log.push(v);
        return yield* transfer(k, v);
      }
      if (e instanceof Fail) return FAIL;
      const opts = choices.get((e as object).constructor);
      if (opts !== undefined) return { options: opts(e as Effect<unknown>), log } as Branch;
      const v = yield* delegate(); // a real effect: answered outside, logged for the replays
      log.push(v);
      pos++;
      return yield* transfer(k, v);
    };
    return withHandler(h, body());
  };
  const go: (prefix: readonly unknown[]) => Program<T> = fn(function* goGen(
    prefix: readonly unknown[],
  ): Generator<unknown, T, any> {
    const r = yield* once(prefix);
    if (r === FAIL) return failed;
    if (r !== null && typeof r === "object" && "options" in (r as object)) {
      const b = r as Branch;
      const scores: T[] = [];
      for (const o of b.options) scores.push(yield* go([...b.log, o]));
      return combine(scores);
    }
    return leaf(r);
  }) as never;
  return go([]);
}
export { explore as _explore };

// nqueens
function safe(queen: number, diag: number, xs: Cons | null): boolean {
  for (; xs !== null; xs = xs.t, diag++) {
    const q = xs.h;
    if (queen === q || queen === q + diag || queen === q - diag) return false;
  }
  return true;
}
const place: (size: number, column: number) => Program<Cons | null> = fn(function* placeGen(
  size: number,
  column: number,
): Generator<unknown, Cons | null, any> {
  if (column === 0) return null;
  const rest = yield* place(size, column - 1);
  const next = yield* new Pick(size);
  if (safe(next, 1, rest)) return { h: next, t: rest };
  return yield* new Fail();
});
const pickOptions = (e: Effect<unknown>) => {
  const out: number[] = [];
  for (let i = 1; i <= (e as Pick).size; i++) out.push(i);
  return out;
};
export const nqueens = (n: number): number =>
  ok(
    run(
      explore(
        () => place(n, n),
        new Map([[Pick, pickOptions]]),
        () => 1,
        0,
        (xs) => xs.reduce((a, b) => a + b, 0),
      ),
    ),
  );
export function nqueensJs(n: number): number {
  // the same search, multi-shot by recursion: pick(size) tries every i for the rest of the placement
  const go = (column: number, rest: Cons | null): number => {
    if (column > n) return 1;
    let a = 0;
    for (let i = 1; i <= n; i++) if (safe(i, 1, rest)) a += go(column + 1, { h: i, t: rest });
    return a;
  };
  return go(1, null);
}

// triples
const MOD = 1000000007;
const choice: (n: number) => Program<number> = fn(function* choiceGen(
  n: number,
): Generator<unknown, number, any> {
  for (; n >= 1; n--) if (yield* new Flip()) return n;
  return yield* new Fail();
});
const triple = fn(function* triple(n: number, s: number) {
  const i = yield* choice(n);
  const j = yield* choice(i - 1);
  const k = yield* choice(j - 1);
  if (i + j + k === s) return (53 * i + 2809 * j + 148877 * k) % MOD;
  return yield* new Fail();
});
const BOOLS = [true, false] as const;
export const triples = (n: number, s = n): number =>
  ok(
    run(
      explore(
        () => triple(n, s),
        new Map([[Flip, () => BOOLS]]),
        (v) => v as number,
        0,
        (xs) => xs.reduce((a, b) => (a + b) % MOD, 0),
      ),
    ),
  );
export function triplesJs(n: number, s = n): number {
  let a = 0;
  for (let i = n; i >= 1; i--)
    for (let j = i - 1; j >= 1; j--)
      for (let k = j - 1; k >= 1; k--)
        if (i + j + k === s) a = (a + ((53 * i + 2809 * j + 148877 * k) % MOD)) % MOD;
  return a;
}

// tree_explore: state lives in a handler outside the choice handler (Koka: a `var` outside paths())
class SGet extends Effect<number> {
  declare readonly _tag: "SGet";
}
class SSet extends Effect<void> {
  constructor(readonly v: number) {
    super();
  }
}
const op = (x: number, y: number) => Math.abs(x - 503 * y + 37) % 1009;
const exploreTree: (t: Tree | null) => Program<number> = fn(function* exploreTreeGen(
  t: Tree | null,
): Generator<unknown, number, any> {
  if (t === null) return yield* new SGet();
  const next = (yield* new Choose()) ? t.l : t.r;
  yield* new SSet(op(yield* new SGet(), t.v));
  return op(t.v, yield* exploreTree(next));
});
export function treeExplore(n: number): number {
  const tree = makeTree(n);
  let state = 0;
  const hs = [answer(SGet, () => state), answer(SSet, (e) => void (state = e.v))];
  const paths = explore(
    () => exploreTree(tree),
    new Map([[Choose, () => BOOLS]]),
    (v) => v as number,
    Number.NEGATIVE_INFINITY,
    (xs) => Math.max(...xs),
  );
  for (let i = 10; i > 0; i--) state = ok(run(paths, { handlers: hs }));
  return state;
}
export function treeExploreJs(n: number): number {
  const tree = makeTree(n);
  let state = 0;
  // `choose()` resumed with True, then False: each resumption runs the rest of the path once; the
  // handler collects every path's final value (`return(x) [x]`, `++`) and the maximum is taken
  const paths = (t: Tree | null, out: number[], k: (x: number) => number): void => {
    if (t === null) {
      out.push(k(state));
      return;
    }
    for (const c of BOOLS) {
      const next = c ? t.l : t.r;
      state = op(state, t.v);
      paths(next, out, (x) => k(op(t.v, x)));
    }
  };
  for (let i = 10; i > 0; i--) {
    const out: number[] = [];
    paths(tree, out, (x) => x);
    state = Math.max(...out);
  }
  return state;
}

/**
 * The interpreter floor: the cheapest possible effect system. A plain loop drives a generator and
 * answers effect objects directly — Get/Put from a Map, Ask from a Map, and "user" effects by calling
 * a plain function. No handler search, no continuation, no frames: every effect system pays at least
 * this (one generator resume plus one allocation per effect), so `×floor` is the overhead ratio.
 */

export class FGet {
  constructor(readonly key: string) {}
}
export class FPut {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {}
}
export class FAsk {
  constructor(readonly key: string) {}
}
export class FTick {}

export type FloorGen<T = unknown> = Generator<unknown, T, any>;

/** Drive `g`, answering FGet/FPut from `store`, FAsk from `env`, FTick with `tick(effect)`. */
export function drive<T>(
  g: FloorGen<T>,
  store: Map<string, unknown>,
  env?: Map<string, unknown>,
  tick?: (e: FTick) => unknown,
): T {
  let r = g.next();
  while (r.done !== true) {
    const e = r.value;
    if (e instanceof FGet) r = g.next(store.get(e.key));
    else if (e instanceof FPut) {
      store.set(e.key, e.value);
      r = g.next(undefined);
    } else if (e instanceof FAsk) r = g.next(env!.get(e.key));
    else if (e instanceof FTick) r = g.next(tick!(e));
    else r = g.throw(new TypeError("floor: unknown effect"));
  }
  return r.value;
}

/** The floor's state loop: n iterations of get + put. */
export function* floorStateLoop(n: number): FloorGen<number> {
  for (let i = 0; i < n; i++) {
    const c = (yield new FGet("c")) as number;
    yield new FPut("c", c + 1);
  }
  return (yield new FGet("c")) as number;
}

export function* floorReaderLoop(n: number): FloorGen<number> {
  let s = 0;
  for (let i = 0; i < n; i++) s += (yield new FAsk("k")) as number;
  return s;
}

export function* floorTicks(n: number): FloorGen<number> {
  let s = 0;
  for (let i = 0; i < n; i++) s += (yield new FTick()) as number;
  return s;
}

/** n gets performed `depth` native `yield*` levels down (depth 1 = the driven generator itself). */
export function* floorNest(depth: number, n: number): FloorGen<number> {
  if (depth <= 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (yield new FGet("c")) as number;
    return s;
  }
  return yield* floorNest(depth - 1, n);
}

/**
 * The floor's state loop written the way doeff programs are (`yield*` over each effect, which
 * delegates to a one-shot iterator), to separate the cost of the typed `yield*` API from the
 * interpreter's: the effect objects are iterables whose iterator yields the effect once.
 */
class OnceIter {
  private item: unknown;
  private done = false;
  constructor(item: unknown) {
    this.item = item;
  }
  next(v?: unknown): IteratorResult<unknown, any> {
    if (this.done) return { value: v, done: true };
    this.done = true;
    const item = this.item;
    this.item = undefined;
    return { value: item, done: false };
  }
  throw(e?: unknown): IteratorResult<unknown, any> {
    this.done = true;
    throw e;
  }
  return(v?: unknown): IteratorResult<unknown, any> {
    this.done = true;
    return { value: v, done: true };
  }
  [Symbol.iterator](): this {
    return this;
  }
}
export class YGet extends FGet {
  [Symbol.iterator](): Iterator<unknown, any, any> {
    return new OnceIter(this);
  }
}
export class YPut extends FPut {
  [Symbol.iterator](): Iterator<unknown, any, any> {
    return new OnceIter(this);
  }
}
export function* floorStateLoopYieldStar(n: number): FloorGen<number> {
  for (let i = 0; i < n; i++) {
    const c: number = yield* new YGet("c");
    yield* new YPut("c", c + 1);
  }
  return yield* new YGet("c");
}

export function* floorTrivial(): FloorGen<number> {
  return 1;
}

/**
 * The generator-handler protocol with no interpreter (diagnostic for `user_handler_transfer`): a
 * `yield*` program of YTick effects, and for each one what any VM must do for a
 * `function* (e, k) { return yield* transfer(k, 1) }` handler — make k, call the handler, take its
 * first step (a `yield*` over the transfer's one-shot iterator), close it with `return()` — and feed
 * the answer back. No handler search, no segments, no frames: what is left is V8's generator and
 * iterator protocol, the lower bound of that handler form.
 */
export class YTick extends FTick {
  [Symbol.iterator](): Iterator<unknown, any, any> {
    return new OnceIter(this);
  }
}
class FTransfer {
  constructor(
    readonly k: FK,
    readonly v: unknown,
  ) {}
  [Symbol.iterator](): Iterator<unknown, any, any> {
    return new OnceIter(this);
  }
}
class FK {
  used = false;
}
export function* floorTicksYieldStar(n: number): FloorGen<number> {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* new YTick();
  return s;
}
function* floorTransferHandler(_e: unknown, k: FK): Generator<unknown, unknown, unknown> {
  return yield* new FTransfer(k, 1);
}
export function driveGenHandler(g: FloorGen<number>): number {
  let r = g.next();
  while (r.done !== true) {
    const k = new FK();
    const h = floorTransferHandler(r.value, k);
    const t = h.next().value as FTransfer;
    if (t.k !== k) throw new TypeError("floor: not a transfer of k");
    h.return(undefined);
    k.used = true;
    r = g.next(t.v);
  }
  return r.value;
}

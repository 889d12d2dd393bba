/**
 * Memory workloads. Heap is read after two forced GCs (node --expose-gc), so figures are live
 * (retained) bytes, not garbage.
 */
import { Effect, fn, get, handle, put, resume, run, state, withHandler } from "../../src/index.js";
import { drive, FGet, FPut, type FloorGen } from "./floor.js";
import { collect } from "./harness.js";

export function liveHeap(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

export interface HeapGrowth {
  /** live heap at the end of the loop (measured inside the still-running program) minus before the run */
  heapGrowthBytes: number;
  /** live heap after the run returned minus before it */
  afterRunBytes: number;
  effects: number;
}

/** state_loop with `effects` effects (effects/2 iterations of get + put), probed from inside the run. */
const probedLoop = fn(function* probedStateLoop(iterations: number, probe: () => void) {
  for (let i = 0; i < iterations; i++) {
    const c = yield* get<number>("c");
    yield* put("c", c + 1);
  }
  probe();
  return yield* get<number>("c");
});

export function heapGrowthDoeff(effects: number): HeapGrowth {
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error("run node with --expose-gc");
  const iterations = Math.floor(effects / 2);
  let atEnd = 0;
  const p = probedLoop(iterations, () => {
    atEnd = liveHeap();
  });
  const before = liveHeap();
  const r = run(p, { handlers: [state], store: { c: 0 } });
  if (!r.ok || r.value !== iterations) throw new Error("memory state_loop: wrong result");
  const after = liveHeap();
  return { heapGrowthBytes: atEnd - before, afterRunBytes: after - before, effects: iterations * 2 };
}

function* floorProbed(iterations: number, probe: () => void): FloorGen<number> {
  for (let i = 0; i < iterations; i++) {
    const c = (yield new FGet("c")) as number;
    yield new FPut("c", c + 1);
  }
  probe();
  return (yield new FGet("c")) as number;
}

export function heapGrowthFloor(effects: number): HeapGrowth {
  const iterations = Math.floor(effects / 2);
  let atEnd = 0;
  const before = liveHeap();
  drive(
    floorProbed(iterations, () => {
      atEnd = liveHeap();
    }),
    new Map([["c", 0]]),
  );
  const after = liveHeap();
  return { heapGrowthBytes: atEnd - before, afterRunBytes: after - before, effects: iterations * 2 };
}

// ---------------------------------------------------------------------------------------------
// memory_pending_resume: live bytes per suspended non-tail `return yield* resume(k, v)`

class Hold extends Effect<number> {
  readonly n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
}
const holdResume = handle(Hold, function* holdResume(_e, k) {
  return yield* resume(k, 1);
});
const probedHolds = fn(function* probedHolds(n: number, probe: () => void) {
  let s = 0;
  for (let i = 0; i < n; i++) s += yield* new Hold(i);
  probe();
  return s;
});

/**
 * Live heap per pending invocation: `n` effects answered by the README's first handler
 * (`return yield* resume(k, 1)`), each invocation suspended until the loop ends; measured inside the
 * run at the end of the loop (after GC), minus the same probe with no effects. Includes the effect object
 * itself (its one field), as a user's effect would.
 */
export function pendingResumeBytes(n: number): number {
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error("run node with --expose-gc");
  const at = (count: number): number => {
    let atEnd = 0;
    const before = liveHeap();
    const r = run(
      withHandler(
        holdResume,
        probedHolds(count, () => {
          atEnd = liveHeap();
        }),
      ),
    );
    if (!r.ok || r.value !== count) throw new Error("memory_pending_resume: wrong result");
    return atEnd - before;
  };
  at(1000); // warm up
  const base = at(0);
  return (at(n) - base) / n;
}

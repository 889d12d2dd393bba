/**
 * Memory workloads. Heap is read after two forced GCs (node --expose-gc), so figures are live
 * (retained) bytes, not garbage.
 */
import { fn, get, put, run, state } from "../../src/index.js";
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

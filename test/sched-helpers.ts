/**
 * Scheduler test vocabulary (SCENARIOS.md notation): SCH = [rec, scheduler, simulatedTime(), state,
 * reader, writer], plus small assertion helpers. Reuses test/helpers.ts (P, note, notes, rec, …).
 */
import assert from "node:assert/strict";
import {
  type Handler,
  reader,
  type RunResult,
  scheduler,
  simulatedTime,
  state,
  writer,
} from "../src/index.js";
import { rec } from "./helpers.js";

export * from "./helpers.js";

/** A fresh SCH list (a new simulatedTime handler each time; its clock is per run anyway). */
export function sch(): Handler[] {
  return [rec, scheduler, simulatedTime(), state, reader, writer];
}
export const SCH: Handler[] = sch();

/** Run options with SCH and extra options. */
export function withSCH(opts: { env?: Record<string, unknown>; store?: Record<string, unknown> } = {}) {
  return { handlers: SCH, ...opts };
}

/** Assert Ok(v) (deep equality) and return the value. */
export function assertOk<T>(r: RunResult<T>, ...expected: [] | [unknown]): T {
  if (!r.ok)
    assert.fail(
      `expected Ok, got Err(${r.error instanceof Error ? `${r.error.name}: ${r.error.message}` : String(r.error)})`,
    );
  if (expected.length === 1) assert.deepEqual(r.value, expected[0]);
  return r.value;
}

/** Assert Err whose error is exactly of class `cls` (not a subclass), and return the error. */
export function assertErr(r: RunResult<unknown>, cls: abstract new (...a: any[]) => unknown): unknown {
  assert.equal(r.ok, false, `expected Err(${cls.name}), got Ok(${r.ok ? String(r.value) : ""})`);
  assert.ok(r.error instanceof cls, `expected ${cls.name}, got ${String(r.error)}`);
  assert.equal((r.error as object).constructor, cls);
  return r.error;
}

/** A promise resolving to `v` after `ms` real milliseconds. */
export function sleep<T>(ms: number, v: T): Promise<T> {
  return new Promise((r) => setTimeout(() => r(v), ms));
}

/**
 * Scheduler test vocabulary (SCENARIOS.md notation): SCH = [rec, scheduler, simulatedTime(), state,
 * reader, writer], plus small assertion helpers. Reuses test/helpers.ts (P, note, notes, rec, …).
 */
import assert from "node:assert/strict";
import {
  gather,
  type Handler,
  reader,
  type RunResult,
  scheduler,
  simulatedTime,
  spawn,
  state,
  wait,
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

/**
 * The task steps the random-program differential tests share (scheduler-await-alone,
 * scheduler-wait-alone): `spawn` a child running `child(name, ops)`, wait for the last child, gather
 * all children; each outcome is pushed to `events`.
 */
export function* taskStep(
  op: { t: "spawn"; ops: unknown } | { t: "waitLast" } | { t: "gatherAll" },
  name: string,
  mine: unknown[],
  events: string[],
  child: (name: string, ops: any) => any,
): Generator<any, void, any> {
  if (op.t === "spawn") mine.push(yield* spawn(child(`${name}.${mine.length}`, op.ops)));
  else if (op.t === "waitLast") {
    if (mine.length > 0) events.push(`${name} waited ${yield* wait(mine[mine.length - 1] as never)}`);
  } else events.push(`${name} gathered ${(yield* gather(...(mine as never[]))).join(",")}`);
}

/** What a differential test compares between two paths: events, outcome, log, warnings, report. */
export function observed(events: string[], r: RunResult<unknown>) {
  return {
    events,
    ok: r.ok,
    value: r.ok ? r.value : String(r.error),
    log: r.log,
    warnings: r.warnings.map(String),
    format: r.format(),
  };
}

/**
 * Run `f` with a fast-path switch (`{ [key]: boolean }`) set to `on`, then turn it back on: the
 * differential tests run each program with the fast path and without it.
 */
export function withSwitch<K extends string, T>(
  sw: { [P in K]: boolean },
  key: K,
  on: boolean,
  f: () => T,
): T {
  sw[key] = on;
  try {
    return f();
  } finally {
    sw[key] = true;
  }
}

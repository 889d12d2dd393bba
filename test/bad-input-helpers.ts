/** Shared by test/bad-input.test.ts and test/bad-input-audit.test.ts: the rows and how they are checked. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as d from "../src/index.js";

export class A extends d.Effect<number> {
  declare readonly _tag: "A";
}
export const body = d.program(function* () {
  return yield* new A();
});
/** untyped, as a JavaScript caller passes it */
export const any = (x: unknown): any => x;
/** `items` with a hole at `at` (a sparse array, `[, x]`: not `undefined` there, nothing) */
export function holeAt<T>(at: number, items: readonly T[]): T[] {
  const a = items.slice();
  delete a[at];
  return a;
}
export const SCH = () => [d.scheduler, d.simulatedTime()];

export type Where = "throws" | "err" | "rejects";
export interface Row {
  readonly label: string;
  readonly call: () => unknown;
  readonly where: Where;
  readonly cls: new (...args: any[]) => Error;
  readonly msg: RegExp;
}

/** Where `call` failed, and with what (a RunResult's error, a rejection, or a throw). */
export async function outcome(call: () => unknown): Promise<{ where: Where | "ok"; error: unknown }> {
  let r: unknown;
  try {
    r = call();
  } catch (error) {
    return { where: "throws", error };
  }
  if (r instanceof Promise) {
    try {
      r = await r;
    } catch (error) {
      return { where: "rejects", error };
    }
  }
  if (r instanceof d.RunResult && !r.ok) return { where: "err", error: r.error };
  return { where: "ok", error: r };
}

export function table(title: string, rows: readonly Row[]): void {
  for (const row of rows) {
    test(`${title}: ${row.label}`, async () => {
      const o = await outcome(row.call);
      assert.equal(
        o.where,
        row.where,
        `${row.label}: ${o.where} ${String((o.error as Error)?.message ?? o.error)}`,
      );
      assert.ok(o.error instanceof row.cls, `${row.label}: ${String(o.error)}`);
      assert.equal((o.error as Error).constructor, row.cls, `${row.label}: exactly ${row.cls.name}`);
      assert.match((o.error as Error).message, row.msg);
      assert.doesNotMatch(
        (o.error as Error).message,
        /Cannot read properties|is not a function|is not iterable|\[object /,
      );
    });
  }
}

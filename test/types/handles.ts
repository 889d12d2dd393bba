/**
 * Type tests: the VM's handles and results are not constructible by a consumer. Their constructors
 * are `@hidden` (left out of the API reference) but kept in the .d.ts, so `new Task()` does not
 * type-check against the published types (a stripped constructor would read as a public one with no
 * parameters). Checked in this repository and on the packed tarball (test/types-matrix.test.ts).
 * Never executed. Each `// @ts-expect-error` line must fail.
 */
import { Future, Program, PromiseHandle, RunResult, Task } from "../../src/index.js";

export function handles(): unknown[] {
  return [
    // @ts-expect-error -- tasks are made by spawn
    new Task(),
    // @ts-expect-error -- futures are made by createPromise / createExternalPromise
    new Future(),
    // @ts-expect-error -- promise handles are made by createPromise
    new PromiseHandle(),
    // @ts-expect-error -- programs are made by fn / program / pure
    new Program(),
    // @ts-expect-error -- results are made by run / runAsync
    new RunResult(),
  ];
}

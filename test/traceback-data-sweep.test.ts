/**
 * tracebackOf's data agrees with the text, over every report the trace tests make: while the test
 * files below run (their own assertions unchanged), each `RunResult.format()` and `Err.format()`
 * they call is checked against the same report rebuilt from `tracebackOf` (test/traceback-render.ts)
 * — hundreds of failing programs: handlers and their markers, tasks, timeouts, aborted runs, nested
 * handlers, causes, folds, hostile values.
 */
import assert from "node:assert/strict";
import { Err, RunResult, tracebackOf } from "../src/index.js";
import { bothWays } from "./traceback-render.js";

let checking = false;
let checked = 0;
function agree(of: RunResult | Err): void {
  if (checking) return;
  checking = true;
  try {
    const [text, data] = bothWays(of);
    assert.equal(data, text, "tracebackOf's data disagrees with the text report");
    json(of);
    checked++;
    // the errors given a doeffTrace: the run's, and its warnings'
    const errors = of instanceof RunResult ? [of.error, ...of.warnings] : [];
    for (const e of errors)
      if (typeof (e as { doeffTrace?: unknown } | null)?.doeffTrace === "string") {
        const [t, d] = bothWays(e);
        assert.equal(d, t, "tracebackOf(error) disagrees with its doeffTrace");
        json(e);
        checked++;
      }
  } finally {
    checking = false;
  }
}
/**
 * JSON writes the data as is: a round trip gives it back (no field or array element undefined, no
 * function, NaN or cycle: JSON would drop, change or refuse them).
 */
function json(of: unknown): void {
  const t = tracebackOf(of);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t, "tracebackOf's data is not JSON as is");
}
for (const C of [RunResult, Err] as const) {
  const format = C.prototype.format as (this: RunResult | Err) => string;
  C.prototype.format = function (this: RunResult | Err) {
    const text = format.call(this);
    agree(this);
    return text;
  };
}

await import("./trace.test.js");
await import("./trace-abort.test.js");
await import("./trace-causes.test.js");
await import("./trace-markers.test.js");
await import("./reported.test.js");
await import("./safe.test.js");
await import("./security.test.js");
await import("./scheduler-cancel-warnings.test.js");
await import("./toolkit-warnings.test.js");
await import("./toolkit-timeout.test.js");
await import("./stack-formats.test.js");
await import("./errors.test.js");
process.on("exit", () => {
  if (checked < 100) {
    console.error(`traceback-data-sweep: only ${checked} reports checked`);
    process.exitCode = 1;
  }
  console.log(`# traceback-data-sweep: ${checked} reports checked`);
});

import { delay, fn, program, run, safe, scheduler, simulatedTime, timeout } from "../../src/index.js";

const fetchReport = fn(function* fetchReport(ms: number) {
  try {
    yield* delay(ms); // stands in for slow I/O
    return `report after ${ms} ms`;
  } finally {
    console.log(`fetchReport(${ms}) finished or cancelled`);
  }
});

const main = program(function* () {
  const quick = yield* timeout(fetchReport(50), 100);
  const slow = yield* safe(timeout(fetchReport(500), 100)); // TimeoutError, as a value
  return { quick, slow: slow.ok ? slow.value : String(slow.error) };
});

// simulatedTime: instant and deterministic; use runAsync + realTime for real I/O
const { quick, slow } = run(main, { handlers: [scheduler, simulatedTime()] }).value;
console.log(quick);
console.log(slow);

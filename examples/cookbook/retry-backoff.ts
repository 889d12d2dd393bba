import { fn, now, program, retry, run, scheduler, simulatedTime } from "../../src/index.js";

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

let calls = 0;
const callApi = fn(function* callApi() {
  calls++;
  console.log(`attempt ${calls} at ${yield* now()} ms`);
  if (calls < 4) throw new HttpError(503); // unavailable: worth retrying
  return "ok";
});

const main = program(function* () {
  return yield* retry(callApi(), {
    times: 5,
    delay: (attempt) => 100 * 2 ** (attempt - 1), // 100, 200, 400, … ms
    while: (e) => e instanceof HttpError && e.status >= 500, // a 4xx is not retried
  });
});

console.log(run(main, { handlers: [scheduler, simulatedTime()] }).value);

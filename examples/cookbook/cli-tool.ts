import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import {
  awaitPromise,
  fn,
  forEachAsync,
  program,
  realTime,
  retry,
  runAsync,
  scheduler,
  TimeoutError,
  timeout,
} from "../../src/index.js";

// usage: cli-tool [file] — reads stdin without a file; one line out per line in
const input = process.argv[2] === undefined ? process.stdin : createReadStream(process.argv[2]);
const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });

class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
const attempts = new Map<string, number>();
/** A fake slow API: "slow…" takes a minute, "bad…" is refused, "flaky…" fails its first call. */
function fakeApi(line: string, signal: AbortSignal): Promise<string> {
  const n = (attempts.get(line) ?? 0) + 1;
  attempts.set(line, n);
  return new Promise((resolve, reject) => {
    const ms = line.startsWith("slow") ? 60_000 : Number(process.env.API_MS ?? 20);
    const timer = setTimeout(() => {
      if (line.startsWith("bad")) reject(new ApiError(400, `the API refused ${JSON.stringify(line)}`));
      else if (line.startsWith("flaky") && n === 1) reject(new ApiError(503, "the API is busy"));
      else resolve(line.toUpperCase());
    }, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer); // cancelled (Ctrl-C, a timeout): stop the request
      process.stderr.write(`cancelled ${line}\n`);
      reject(signal.reason);
    });
  });
}

// a named program: a TimeoutError's message and the traceback say `callApi`, not `awaitPromise(…)`
const callApi = fn(function* callApi(line: string) {
  return yield* awaitPromise((signal) => fakeApi(line, signal));
});

const out: string[] = [];
const flush = () => process.stdout.write(out.splice(0).join(""));
let done = 0;

const processLine = fn(function* processLine(line: string) {
  const answer = yield* retry(timeout(callApi(line), 1000), {
    times: 2,
    delay: (attempt) => 100 * attempt,
    while: (e) => e instanceof TimeoutError || (e instanceof ApiError && e.status >= 500),
  });
  out.push(`${line}\t${answer}\n`);
  if (out.length >= 100) flush();
  process.stderr.write(`${++done} done\n`); // progress
});

const main = program(function* main() {
  try {
    // at most 4 calls at once; the next line is read only when one of them is done
    yield* forEachAsync(lines, (line) => processLine(line), { concurrency: 4 });
  } finally {
    flush(); // whatever ended the run: what was done reaches stdout
  }
});

// Ctrl-C aborts the run: the calls in flight are cancelled, every finally block runs
const controller = new AbortController();
const interrupt = () => controller.abort(new Error("interrupted (Ctrl-C)"));
process.once("SIGINT", interrupt);
const result = await runAsync(main, { handlers: [scheduler, realTime], signal: controller.signal });
process.off("SIGINT", interrupt); // (a second Ctrl-C during what follows kills the process)
lines.close(); // stop reading stdin: else a run that stopped early leaves the process waiting on it

if (result.isOk()) {
  process.stderr.write(`${done} line(s)\n`);
} else if (result.error === controller.signal.reason) {
  process.stderr.write(`interrupted after ${done} line(s)\n`);
  process.exitCode = 130; // 128 + SIGINT, as shells report it
} else {
  process.stderr.write(`${result.format()}\n`);
  process.exitCode = 1;
}

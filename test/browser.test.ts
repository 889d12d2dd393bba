/**
 * Browser: a program bundled by esbuild for the browser (iife, from the package's entry) runs in
 * headless Chromium. `run` gives its value synchronously; `runAsync` yields to the macrotask queue
 * through the setTimeout fallback (browsers have no setImmediate), so a timer set before the run
 * fires while a long run is in progress; realTime's delay and the scheduler work on browser timers;
 * a failure report formats. Skipped, with the reason printed, only where no Chromium is installed
 * (`.ci/run` installs Debian's `chromium`; set CHROMIUM_PATH to use another build).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import * as esbuild from "esbuild";

const root = new URL("..", import.meta.url).pathname;

function findChromium(): string | null {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  for (const c of candidates) if (c !== undefined && c !== "" && existsSync(c)) return c;
  return null;
}

const APP = `
import {
  Effect, handle, program, fn, get, put, state, writer, tell, reader, ask, transfer,
  run, runAsync, scheduler, realTime, spawn, wait, delay, now,
} from "./src/index.ts";

class TimerFired extends Effect {
  constructor() { super(); }
}
class One extends Effect {
  constructor() { super(); }
}
const one = handle(One, function* (_e, k) { return yield* transfer(k, 1); });
let fired = false;
const timerFired = handle(TimerFired, function* (_e, k) { return yield* transfer(k, fired); });

const count = program(function* () {
  yield* put("n", 0);
  // a custom handler's effect costs a few machine steps (state's fast path answers dozens per step)
  for (let i = 0; i < 30000; i++) yield* put("n", (yield* get("n")) + (yield* new One()));
  yield* tell("counted");
  return { n: yield* get("n"), timerFired: yield* new TimerFired() };
});

const sleepy = fn(function* sleepy(ms) {
  const t0 = yield* now();
  yield* delay(ms);
  return (yield* now()) - t0 >= ms;
});
const timed = program(function* () {
  const a = yield* spawn(sleepy(5));
  const b = yield* spawn(sleepy(1));
  return [yield* wait(a), yield* wait(b)];
});

const failing = program(function* startup() { return yield* ask("db.url"); });

const results = {};
results.hasSetImmediate = typeof setImmediate === "function";
const s = run(count, { handlers: [state, writer, timerFired, one] });
results.sync = { ok: s.ok, value: s.value, log: s.log };
results.failure = run(failing, { handlers: [state, reader] }).format();
setTimeout(() => { fired = true; }, 0);
runAsync(count, { handlers: [state, writer, timerFired, one] })
  .then((r) => {
    results.async = { ok: r.ok, value: r.value, log: r.log };
    return runAsync(timed, { handlers: [scheduler, realTime] });
  })
  .then((r) => {
    results.timed = { ok: r.ok, value: r.ok ? r.value : String(r.error) };
    window.__results = results;
  })
  .catch((e) => { window.__results = { crash: String(e && e.stack || e) }; });
`;

test("browser: run and runAsync (setTimeout fallback) in headless Chromium", async (t) => {
  const chromium = findChromium();
  if (chromium === null) {
    const reason = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)";
    console.log(`# browser test skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const bundle = await esbuild.build({
    keepNames: true, // handler and program names in reports (docs/guide.md: bundling)
    stdin: { contents: APP, resolveDir: root, loader: "js", sourcefile: "app.js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]!.text;
  assert.doesNotMatch(code, /\bfrom "node:|require\("node:/, "no Node module in the browser bundle");
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ content: code });
    await page.waitForFunction("window.__results !== undefined", { timeout: 60_000 });
    const results = (await page.evaluate("window.__results")) as Record<string, unknown>;
    assert.deepEqual(errors, []);
    assert.deepEqual(results, {
      hasSetImmediate: false,
      // under run nothing else runs: the timer has not fired
      sync: { ok: true, value: { n: 30000, timerFired: false }, log: ["counted"] },
      failure: [
        "doeff traceback (outermost first):",
        "  startup",
        '  effect Ask("db.url"): reader ✗, state ·',
        'MissingEnvKeyError: environment has no key "db.url"; pass it with run(p, { env: { "db.url": ... } }) or local({ "db.url": ... }, program)',
      ].join("\n"),
      // runAsync yielded to the macrotask queue (setTimeout) during the long run: the timer fired
      async: { ok: true, value: { n: 30000, timerFired: true }, log: ["counted"] },
      timed: { ok: true, value: [true, true] },
    });
  } finally {
    await browser.close();
  }
});

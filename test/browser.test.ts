/**
 * Browser: a program bundled by esbuild for the browser (iife, from the package's entry) runs in
 * headless Chromium. `run` gives its value synchronously; `runAsync` yields to the macrotask queue
 * through a MessageChannel (browsers have no setImmediate, and setTimeout(0) nested five deep waits
 * 4 ms), so a timer set before the run fires while a long run is in progress; realTime's delay and
 * the scheduler work on browser timers; a failure report formats, its sites naming the script's URL
 * with line and column. A minified bundle without keepNames keeps doeff's handler and combinator
 * names. The same pages run in headless Firefox (SpiderMonkey writes stacks as `name@url:line:col`,
 * with no message line: the sites must read the same). Each browser's run is skipped, with the reason
 * printed, only where it is not installed (`.ci/run` installs Debian's `chromium` and `firefox-esr`;
 * set CHROMIUM_PATH or FIREFOX_PATH to use another build).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as esbuild from "esbuild";
import type { Browser } from "puppeteer-core";
import { find, launchChromium } from "./browser-helpers.js";

const root = new URL("..", import.meta.url).pathname;

const APP = `
import {
  Effect, handle, program, fn, get, put, state, writer, tell, reader, ask, transfer,
  run, runAsync, scheduler, realTime, simulatedTime, spawn, wait, delay, now, timeout,
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

// (a margin of 2 ms: Firefox's clocks have jitter — reduced timer precision — so a setTimeout(5)
// measured 4 ms by performance.now(), and a run read [false, false] here with 5 and 1 ms)
const sleepy = fn(function* sleepy(ms) {
  const t0 = yield* now();
  yield* delay(ms);
  return (yield* now()) - t0 >= ms - 2;
});
const timed = program(function* () {
  const a = yield* spawn(sleepy(20));
  const b = yield* spawn(sleepy(10));
  return [yield* wait(a), yield* wait(b)];
});

const failing = program(function* startup() { return yield* ask("db.url"); });
const slow = program(function* slow() { yield* delay(50); });
const late = program(function* late() { return yield* timeout(slow, 5); });

const results = {};
results.hasSetImmediate = typeof setImmediate === "function";
const s = run(count, { handlers: [state, writer, timerFired, one] });
results.sync = { ok: s.ok, value: s.value, log: s.log };
results.failure = run(failing, { handlers: [state, reader] }).format();
results.sites = run(failing, { handlers: [state, reader], trace: { sites: true } }).format().split("\\n")[1];
results.timeoutSites = run(late, { handlers: [scheduler, simulatedTime()], trace: { sites: true } })
  .format().split("\\n").slice(1, 3);
setTimeout(() => { fired = true; }, 0);
// what runAsync yields through while the long run goes on: a MessageChannel of its own, not setTimeout
const counts = { channels: 0, timeouts: 0 };
const RealChannel = globalThis.MessageChannel;
const realSetTimeout = globalThis.setTimeout;
globalThis.MessageChannel = class extends RealChannel { constructor() { super(); counts.channels++; } };
globalThis.setTimeout = (f, ms, ...a) => { counts.timeouts++; return realSetTimeout(f, ms, ...a); };
runAsync(count, { handlers: [state, writer, timerFired, one] })
  .then((r) => {
    results.async = { ok: r.ok, value: r.value, log: r.log };
    globalThis.MessageChannel = RealChannel;
    globalThis.setTimeout = realSetTimeout;
    results.yields = { throughChannels: counts.channels > 0, timeouts: counts.timeouts };
    return runAsync(timed, { handlers: [scheduler, realTime] });
  })
  .then((r) => {
    results.timed = { ok: r.ok, value: r.ok ? r.value : String(r.error) };
    window.__results = results;
  })
  .catch((e) => { window.__results = { crash: String(e && e.stack || e) }; });
`;

/** A minified bundle without keepNames: doeff's handler and combinator names must survive it. */
const MIN_APP = `
import {
  Effect, answer, program, ask, run, state, reader, scheduler, simulatedTime, timeout, delay,
} from "./src/index.ts";
class Roll extends Effect { static displayName = "Roll"; }
const failing = program(function* () { return yield* ask("db.url"); });
const slow = program(function* () { yield* delay(50); });
const late = program(function* () { return yield* timeout(slow, 5); });
const dice = answer(Roll, () => { throw new RangeError("no dice"); });
window.__results = {
  failure: run(failing, { handlers: [state, reader], trace: { sites: true } }).format().split("\\n"),
  late: run(late, { handlers: [scheduler, simulatedTime()], trace: { sites: true } }).format().split("\\n"),
  dice: run(program(function* () { return yield* new Roll(); }), { handlers: [state, dice] }).format().split("\\n"),
};
`;

/** `line:column` (1-based) of the start of the first match of `re` in `code`, as V8's stack reads it. */
function position(code: string, re: RegExp): string {
  const m = re.exec(code);
  assert.ok(m !== null, `${re} not in the bundle`);
  const before = code.slice(0, m.index).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

async function bundle(contents: string, minify: boolean, url: string): Promise<string> {
  const r = await esbuild.build({
    keepNames: !minify, // handler and program names in reports (docs/guide.md: bundling)
    minify,
    stdin: { contents, resolveDir: root, loader: "js", sourcefile: "app.js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  // the URL stack traces name, as for a script the page loads from a server
  return `${r.outputFiles[0]!.text}\n//# sourceURL=${url}\n`;
}

async function results(browser: Browser, code: string): Promise<Record<string, unknown>> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ content: code });
  await page.waitForFunction("window.__results !== undefined", { timeout: 60_000 });
  const r = (await page.evaluate("window.__results")) as Record<string, unknown>;
  assert.deepEqual(errors, []);
  return r;
}

/** The app and the minified app, bundled once for both browsers. */
let bundles: Promise<{ code: string; min: string }> | undefined;
const url = "http://doeff.test/app.js";
const minUrl = "http://doeff.test/app.min.js";

/**
 * Both pages' results in `browser`: the same in each engine, sites included (V8 and SpiderMonkey
 * agree on these columns; test/fixtures/stacks.ts has a call where they do not).
 */
async function checkPages(browser: Browser): Promise<void> {
  const { code, min } = await (bundles ??= Promise.all([
    bundle(APP, false, url),
    bundle(MIN_APP, true, minUrl),
  ]).then(([code, min]) => ({ code, min })));
  assert.doesNotMatch(code, /\bfrom "node:|require\("node:/, "no Node module in the browser bundle");
  assert.deepEqual(await results(browser, code), {
    hasSetImmediate: false,
    // under run nothing else runs: the timer has not fired
    sync: { ok: true, value: { n: 30000, timerFired: false }, log: ["counted"] },
    failure: [
      "doeff traceback (outermost first):",
      "  startup",
      '  effect Ask("db.url"): reader ✗, state ·',
      'MissingEnvKeyError: environment has no key "db.url"; pass it with run(p, { env: { "db.url": ... } }) or local({ "db.url": ... }, program)',
    ].join("\n"),
    // a site of a script loaded by URL keeps its column (a minified bundle is one line)
    sites: `  startup at ${url}:${position(code, /[\w$]+(?=\("db\.url"\))/)}`,
    // timeout's frame is where the user called it, not inside the library's code in the bundle
    timeoutSites: [
      `  late at ${url}:${position(code, /[\w$]+(?=\([\w$]+, 5\))/)}`,
      `  timeout at ${url}:${position(code, /[\w$]+(?=\([\w$]+, 5\))/)}`,
    ],
    // runAsync yielded to the macrotask queue (setTimeout) during the long run: the timer fired
    async: { ok: true, value: { n: 30000, timerFired: true }, log: ["counted"] },
    // it yielded through MessageChannels: setTimeout(0) is clamped to 4 ms once nested five deep
    // (a long runAsync took ~3x as long as run); only the timer the app set used setTimeout
    yields: { throughChannels: true, timeouts: 0 },
    timed: { ok: true, value: [true, true] },
  });
  // minified, without keepNames: the user's programs are anonymous, doeff's names are kept
  const missing =
    'MissingEnvKeyError: environment has no key "db.url"; pass it with run(p, { env: { "db.url": ... } }) or local({ "db.url": ... }, program)';
  assert.deepEqual(await results(browser, min), {
    failure: [
      "doeff traceback (outermost first):",
      `  (anonymous) at ${minUrl}:${position(min, /[\w$]+(?=\("db\.url"\))/)}`,
      '  effect Ask("db.url"): reader ✗, state ·', // (the minifier had named them `Bt`, `St`)
      missing,
    ],
    late: [
      "doeff traceback (outermost first):",
      `  (anonymous) at ${minUrl}:${position(min, /[\w$]+(?=\([\w$]+,5\))/)}`,
      `  timeout at ${minUrl}:${position(min, /[\w$]+(?=\([\w$]+,5\))/)}`,
      "TimeoutError: the program timed out after 5 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
    ],
    dice: [
      "doeff traceback (outermost first):",
      "  (anonymous)",
      "  effect Roll(): answer(Roll) ✗, state ·", // the class's displayName
      `  thrown at ${minUrl}:${position(min, /new RangeError\("no dice"\)/)}`,
      "RangeError: no dice",
    ],
  });
}

test("browser (Chromium): run and runAsync (MessageChannel yields), reports of a plain and a minified bundle", async (t) => {
  const browser = await launchChromium(t);
  if (browser === null) return;
  try {
    await checkPages(browser);
  } finally {
    await browser.close();
  }
});

test("browser (Firefox): the same pages, their sites read from SpiderMonkey's `name@url:line:col` stacks", async (t) => {
  const firefox = find([process.env.FIREFOX_PATH, "/usr/bin/firefox-esr", "/usr/bin/firefox"]);
  if (firefox === null) {
    const reason = "no Firefox found (apt-get install firefox-esr, or set FIREFOX_PATH)";
    console.log(`# Firefox browser test skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const { default: puppeteer } = await import("puppeteer-core");
  // (WebDriver BiDi: puppeteer-core needs no download for it)
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: firefox, headless: true });
  try {
    await checkPages(browser);
  } finally {
    await browser.close();
  }
});

/**
 * Browser app: examples/browser/search.ts (search-as-you-type: eventChannel + forEachLatest with a
 * debounce, awaitPromise(fetch) with its signal, the component's lifetime one runAsync with an
 * AbortSignal) bundled by esbuild with a source map and run in headless Chromium against a stubbed
 * `fetch` that the page script answers when it chooses (no race with real latency). The page counts
 * its live event listeners (AbortSignals' aside: they go with their signal) and timers, so that
 * after the unmount nothing the component added is left; a bug in the component prints its report
 * with `console.error`, whose sites map back through the source map to the example's lines. The
 * same page runs in headless Firefox. Each browser's run is skipped, with the reason printed, only
 * where it is not installed (as test/browser.test.ts).
 */
import assert from "node:assert/strict";
import { SourceMap } from "node:module";
import { test } from "node:test";
import * as esbuild from "esbuild";
import type { Browser } from "puppeteer-core";
import { find, launchChromium } from "./browser-helpers.js";

const root = new URL("..", import.meta.url).pathname;
const url = "http://doeff.test/assets/app.js";

const PAGE = `
import { mountSearch, searchApi } from "./examples/browser/search.ts";

// live listeners and timers of the page (AbortSignal listeners aside: they go with their signal)
const live = new Set();
const key = (t, type, l) => [t, type, l];
const entries = [];
const add = EventTarget.prototype.addEventListener;
const remove = EventTarget.prototype.removeEventListener;
EventTarget.prototype.addEventListener = function (type, l, o) {
  if (!(this instanceof AbortSignal)) entries.push({ t: this, type, l });
  return add.call(this, type, l, o);
};
EventTarget.prototype.removeEventListener = function (type, l, o) {
  const i = entries.findIndex((e) => e.t === this && e.type === type && e.l === l);
  if (i !== -1) entries.splice(i, 1);
  return remove.call(this, type, l, o);
};
const timers = new Set();
const realSet = window.setTimeout, realClear = window.clearTimeout;
window.setTimeout = (f, ms, ...a) => {
  const id = realSet(() => { timers.delete(id); f(...a); }, ms);
  timers.add(id);
  return id;
};
window.clearTimeout = (id) => { timers.delete(id); realClear(id); };

// the server: each request waits until the script answers it
const log = [];
const pending = new Map();
window.fetch = (input, init) => new Promise((resolve, reject) => {
  const q = new URL(input, "http://doeff.test/").searchParams.get("q");
  log.push("fetch " + q);
  pending.set(q, { resolve, reject });
  init.signal.addEventListener("abort", () => { log.push("abort " + q); reject(init.signal.reason); });
});
const answer = (q, status, body) => {
  const p = pending.get(q);
  pending.delete(q);
  p.resolve(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
};

const sleep = (ms) => new Promise((r) => realSet(r, ms));
const until = async (what, f) => {
  for (let i = 0; i < 1000; i++) { if (f()) return; await sleep(5); }
  throw new Error("timed out waiting for " + what);
};
const type = (input, value) => {
  input.value = value;
  input.dispatchEvent(new InputEvent("input", { bubbles: true }));
};
const view = (el) => ({
  status: el.querySelector("p").textContent,
  items: [...el.querySelectorAll("li")].map((li) => li.textContent),
  busy: el.querySelector("input").getAttribute("aria-busy"),
});
const counts = () => ({ listeners: entries.length, timers: timers.size });

async function main() {
  const results = {};
  const api = searchApi("/api/search");
  const el = document.getElementById("app");
  results.before = counts();
  const m = mountSearch(el, api, 300);
  const input = el.querySelector("input");
  await until("the subscription", () => entries.length > results.before.listeners);
  results.mounted = counts();

  // a burst of keystrokes (10 ms apart: well within the 300 ms debounce, also on a loaded machine): one request, for the last
  type(input, "d"); await sleep(10); type(input, "do"); await sleep(10); type(input, "doe");
  await until("fetch doe", () => pending.has("doe"));
  answer("doe", 200, [{ title: "doeff" }, { title: "doe, a deer" }]);
  await until("results for doe", () => view(el).status.startsWith("2 results"));
  results.first = view(el);

  // a keystroke while a request is in flight aborts it (its answer is stale), without waiting for the debounce
  type(input, "doef");
  await until("fetch doef", () => pending.has("doef"));
  type(input, "doeff");
  await until("abort doef", () => log.includes("abort doef"));
  results.abortedBeforeDebounce = !pending.has("doeff"); // at the keystroke, not the next request
  await until("fetch doeff", () => pending.has("doeff"));
  answer("doeff", 200, [{ title: "doeff" }]);
  await until("results for doeff", () => view(el).status.startsWith("1 results"));
  results.second = view(el);

  // a failed request is shown; the box goes on
  type(input, "down");
  await until("fetch down", () => pending.has("down"));
  answer("down", 503, null);
  await until("the error", () => view(el).status.includes("503"));
  results.failed = view(el);

  // unmount with a request in flight: it is aborted, its finally runs, nothing is left
  type(input, "x");
  await until("fetch x", () => pending.has("x"));
  m.unmount();
  const r = await m.done;
  results.unmounted = { ok: r.ok, error: r.ok ? null : r.error.name, busy: view(el).busy, ...counts() };
  results.log = log.slice();

  // unmount while a keystroke waits for its quiet spell: the debounce timer is cleared
  const m3 = mountSearch(document.getElementById("app3"), api, 300);
  type(document.getElementById("app3").querySelector("input"), "z");
  await until("the debounce timer", () => timers.size > results.before.timers);
  results.debouncing = counts().timers - results.before.timers;
  m3.unmount();
  const r3 = await m3.done;
  results.unmountedDebouncing = { ok: r3.ok, fetched: log.includes("fetch z"), ...counts() };

  // a bug (a malformed answer): the run fails, its report goes to console.error, nothing is left
  const el2 = document.getElementById("app2");
  const m2 = mountSearch(el2, api, 0);
  const input2 = el2.querySelector("input");
  await until("the second subscription", () => entries.length > results.before.listeners);
  type(input2, "broken");
  await until("fetch broken", () => pending.has("broken"));
  answer("broken", 200, null);
  const r2 = await m2.done;
  results.bug = { ok: r2.ok, error: String(r2.error), ...counts() };
  window.__results = results;
}
main().catch((e) => { window.__results = { crash: String(e && e.stack || e) }; });
`;

/** The original `file:line` of a bundle position `line:column` (1-based, as in a stack). */
function original(map: SourceMap, line: number, column: number): string {
  const e = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number };
  return `${e.originalSource?.replace(/^.*\/examples\//, "examples/")}:${(e.originalLine ?? -2) + 1}`;
}

/** The page, bundled once for both browsers. */
let built: Promise<{ outputFiles: esbuild.OutputFile[] }> | undefined;

/**
 * The app's run in `browser`; `nullMap` is its engine's message for `null.map(…)` (the bug). V8 and
 * SpiderMonkey agree on the sites' columns here, so both map back to the same lines.
 */
async function checkApp(browser: Browser, nullMap: string): Promise<void> {
  const out = await (built ??= esbuild.build({
    stdin: { contents: PAGE, resolveDir: root, loader: "js", sourcefile: "page.js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    keepNames: true,
    sourcemap: "external",
    outfile: "app.js",
    write: false,
    logLevel: "silent",
  }));
  const js = out.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
  const map = new SourceMap(JSON.parse(out.outputFiles.find((f) => f.path.endsWith(".map"))!.text));
  assert.doesNotMatch(js, /\bfrom "node:|require\("node:/, "no Node module in the browser bundle");

  const page = await browser.newPage();
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  await page.setContent(
    '<!doctype html><html><body><div id="app"></div><div id="app2"></div><div id="app3"></div></body></html>',
  );
  await page.addScriptTag({ content: `${js}\n//# sourceURL=${url}\n` });
  await page.waitForFunction("window.__results !== undefined", { timeout: 15_000 });
  const r = (await page.evaluate("window.__results")) as Record<string, any>;
  await page.close();
  assert.deepEqual(errors, []);
  assert.equal(r.crash, undefined, r.crash);

  const base = r.before as { listeners: number; timers: number };
  // the input's listener (eventChannel) is the one the component added; no timer while idle
  assert.deepEqual(r.mounted, { listeners: base.listeners + 1, timers: 0 });
  assert.deepEqual(r.first, {
    status: '2 results for "doe"',
    items: ["doeff", "doe, a deer"],
    busy: "false",
  });
  assert.equal(r.abortedBeforeDebounce, true);
  assert.deepEqual(r.second, { status: '1 results for "doeff"', items: ["doeff"], busy: "false" });
  assert.deepEqual(r.failed, {
    status: 'search for "down" failed: HTTP 503',
    items: ["doeff"],
    busy: "false",
  });
  // the run's result after unmount is Err(signal.reason): an AbortError DOMException (docs/guide.md)
  assert.deepEqual(r.unmounted, { ok: false, error: "AbortError", busy: "false", ...base });
  assert.deepEqual(r.log, [
    "fetch doe",
    "fetch doef",
    "abort doef",
    "fetch doeff",
    "fetch down",
    "fetch x",
    "abort x",
  ]);
  assert.equal(r.debouncing, 1);
  assert.deepEqual(r.unmountedDebouncing, { ok: false, fetched: false, ...base });
  assert.deepEqual(r.bug, {
    ok: false,
    error: nullMap,
    ...base,
  });

  // the bug's report, as devtools shows it: each site a position in the bundle …
  assert.equal(consoleErrors.length, 1);
  const lines = consoleErrors[0]!.split("\n");
  const sites = lines.flatMap((l) => {
    const m = /^\s*(\S+) at (http:\/\/\S+):(\d+):(\d+)$/.exec(l);
    return m === null ? [] : [[m[1]!, m[2]!, Number(m[3]), Number(m[4])] as const];
  });
  assert.equal(lines[0], "doeff traceback (outermost first):");
  assert.match(
    lines[3]!,
    /^ {2}── in task \d+ \(spawned at http:\/\/doeff\.test\/assets\/app\.js:\d+:\d+\) ──$/,
  );
  for (const [, file] of sites) assert.equal(file, url);
  // … that the bundle's source map takes back to the example's lines
  const example = (await import("node:fs"))
    .readFileSync(`${root}examples/browser/search.ts`, "utf8")
    .split("\n");
  const lineOf = (re: RegExp) => `examples/browser/search.ts:${example.findIndex((l) => re.test(l)) + 1}`;
  assert.deepEqual(
    sites.map(([name, , line, column]) => `${name} → ${original(map, line, column)}`),
    [
      `searchBox → ${lineOf(/yield\* forEachLatest\(/)}`,
      `forEachLatest → ${lineOf(/yield\* forEachLatest\(/)}`,
      `search → ${lineOf(/hits = yield\* awaitPromise\(/)}`, // where it last yielded
      `thrown → ${lineOf(/\.\.\.hits\.map\(/)}`,
    ],
    consoleErrors[0],
  );
  assert.equal(lines.at(-1), nullMap);
}

test("browser app (Chromium): search-as-you-type with forEachLatest; unmount leaves no listener, timer or request; a bug's report maps back through the source map", async (t) => {
  const browser = await launchChromium(t);
  if (browser === null) return;
  try {
    await checkApp(browser, "TypeError: Cannot read properties of null (reading 'map')");
  } finally {
    await browser.close();
  }
});

test("browser app (Firefox): the same page, its report read from SpiderMonkey's stacks", async (t) => {
  const firefox = find([process.env.FIREFOX_PATH, "/usr/bin/firefox-esr", "/usr/bin/firefox"]);
  if (firefox === null) {
    const reason = "no Firefox found (apt-get install firefox-esr, or set FIREFOX_PATH)";
    console.log(`# Firefox browser test skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: firefox, headless: true });
  try {
    await checkApp(browser, 'TypeError: can\'t access property "map", hits is null');
  } finally {
    await browser.close();
  }
});

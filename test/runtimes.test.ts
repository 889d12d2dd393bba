/**
 * The package on the runtimes its users run, beyond the Node.js that runs `npm test`: Node.js 22, 24
 * and 26 (the maintained majors and the latest), Bun and Deno. The README says doeff runs on all of
 * them; this is where that is checked, on the packed tarball installed into a scratch project.
 *
 * Each runtime is installed from the npm registry (the `node`, `bun` and `deno` packages, pinned
 * below) into node_modules/.cache/doeff-runtimes and reused by later runs. Where one cannot be
 * installed (no network), its test is skipped with the reason printed, as the browser test is.
 *
 * On each: test/fixtures/runtimes/smoke.mjs (run, runAsync with real timers, spawn/gather, timeout,
 * doeff/testing, reader, retry and timeout on simulated and real time, tracebacks with call sites of
 * a run and of a spawned task — the site parser reads this engine's stack format, in a project whose
 * path holds a space),
 * workers.mjs (doeff/workers on a piscina pool of the runtime's worker threads, a job's error
 * rebuilt), and the README's quickstart as TypeScript run directly (Node's type stripping, Bun,
 * Deno); on Node, require.cjs (`require("doeff")` and `require("doeff/testing")`).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { createContext, runInContext } from "node:vm";
import * as esbuild from "esbuild";
import { packed } from "./scratch-package.js";

const root = new URL("..", import.meta.url).pathname;
const FIXTURES = join(root, "test/fixtures/runtimes");
const CACHE = join(root, "node_modules/.cache/doeff-runtimes");
const run = promisify(execFile);

const work = mkdtempSync(join(tmpdir(), "doeff-runtimes-"));
// a space in the project's path, as in "My Drive" or "OneDrive - Company": Node's and Deno's stacks
// write the module's URL encoded (`my%20app`), Bun's the path as it is; each site is read as smoke.mjs
const consumer = join(work, "my app");

before(() => {
  const { tgz } = packed();
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const piscina = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies
    .piscina as string;
  // the tarball and piscina (doeff/workers' optional peer) from npm's cache, as `npm ci` left it:
  // --prefer-offline, not --offline — a spec like piscina@5.3.2 needs the package's full metadata,
  // which `npm ci` does not always cache (an npmrc with omit-lockfile-registry-resolved fetches only
  // the abbreviated one), so npm may fetch it once
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tgz, `piscina@${piscina}`], {
    cwd: consumer,
    stdio: "pipe",
  });
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(consumer, f));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Quickstart")));
  assert.ok(block, "README has a quickstart code block");
  writeFileSync(join(consumer, "quickstart.ts"), block[1]!);
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Why an earlier install failed, if one did. */
let unreachable: string | null = null;

/** The runtime's executable, installed on first use; or why it could not be. */
function install(pkg: string, version: string, bin: string): { path: string } | { skip: string } {
  const dir = join(CACHE, `${pkg}@${version}`);
  const path = join(dir, "node_modules/.bin", bin);
  if (!existsSync(path)) {
    // one failed download means the registry is out of reach: the others are not tried (offline,
    // each would wait out npm's retries). --prefer-offline: what npm's cache holds is not fetched again.
    if (unreachable !== null)
      return { skip: `not installed, the npm registry was out of reach (${unreachable})` };
    try {
      mkdirSync(dir, { recursive: true });
      execFileSync(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefer-offline",
          "--fetch-retries=1",
          "--prefix",
          dir,
          `${pkg}@${version}`,
        ],
        { stdio: "pipe", timeout: 300_000 },
      );
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      const why = String((e as { stderr?: unknown }).stderr ?? e)
        .trim()
        .split("\n")
        .slice(-2)
        .join(" ");
      unreachable = why;
      return { skip: `could not install ${pkg}@${version} from the npm registry: ${why}` };
    }
  }
  if (!existsSync(path)) return { skip: `${pkg}@${version} installed no ${bin} executable` };
  return { path };
}

/** stdout of `exe ...args file` in the consumer project (stderr shown on failure). */
async function output(exe: string, args: readonly string[], file: string): Promise<string> {
  try {
    const { stdout } = await run(exe, [...args, file], {
      cwd: consumer,
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return stdout;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    assert.fail(`${exe} ${file} failed:\n${stdout ?? ""}\n${stderr ?? String(e)}`);
  }
}

/** The line of smoke.mjs holding `text` (a traceback names where each frame was). */
function lineOf(text: string): number {
  const i = readFileSync(join(FIXTURES, "smoke.mjs"), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text));
  assert.ok(i >= 0, text);
  return i + 1;
}
const SMOKE = [
  'run 8 {"last":4} ["rolled 4"]',
  "runAsync [0,2,4]",
  "timeout true TimeoutError",
  "testing 12 [6]",
  "reader us/eu",
  "simulatedTime 1300 3 true",
  "realTime retry true 3",
  "doeff traceback (outermost first):",
  `  outer at smoke.mjs:${lineOf("return yield* leaf();")}`,
  `  leaf at smoke.mjs:${lineOf('return yield* get("missing");')}`,
  '  effect Get("missing"): state ✗',
  'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
  "doeff traceback (outermost first):",
  `  parent at smoke.mjs:${lineOf("return yield* wait(t);")}`,
  `  ── in task 1 (spawned at smoke.mjs:${lineOf("const t = yield* spawn(task());")}) ──`,
  `  task at smoke.mjs:${lineOf('return yield* get("nope");')}`,
  '  effect Get("nope"): state ✗, realTime ·, scheduler ·',
  'MissingStateKeyError: state has no key "nope"; put() it first or seed it with run(p, { store: { nope: ... } })',
  "",
].join("\n");
const WORKERS =
  'workers [1,4,9] ["squared 1","squared 2","squared 3"]\nworker error true no square root of -1\n';

interface Runtime {
  readonly name: string;
  readonly pkg: string;
  readonly version: string;
  readonly bin: string;
  /** arguments before the script: Deno's grant no permission — the core asks for none */
  readonly args: readonly string[];
  /** before workers.mjs: piscina reads the environment and starts threads (Deno: -A) */
  readonly workerArgs: readonly string[];
  readonly node: boolean;
}
const RUNTIMES: readonly Runtime[] = [
  { name: "Node.js 22", pkg: "node", version: "22.23.3", bin: "node", args: [], workerArgs: [], node: true },
  { name: "Node.js 24", pkg: "node", version: "24.21.0", bin: "node", args: [], workerArgs: [], node: true },
  { name: "Node.js 26", pkg: "node", version: "26.10.0", bin: "node", args: [], workerArgs: [], node: true },
  { name: "Bun", pkg: "bun", version: "1.4.5", bin: "bun", args: [], workerArgs: [], node: false },
  {
    name: "Deno",
    pkg: "deno",
    version: "2.9.6",
    bin: "deno",
    args: ["run"],
    workerArgs: ["run", "-A"],
    node: false,
  },
];

for (const rt of RUNTIMES) {
  // the Node.js running this suite is the one every other test file checks
  const same = rt.node && process.versions.node.split(".")[0] === rt.version.split(".")[0];
  test(`runtimes: ${rt.name} (${rt.pkg}@${rt.version}) runs the package: run, runAsync, reader, timeout and retry on simulated and real time, testing, tracebacks, workers, the README quickstart${rt.node ? ", require()" : ""}`, {
    skip: same && "the Node.js running the tests",
  }, async (t) => {
    const got = install(rt.pkg, rt.version, rt.bin);
    if ("skip" in got) {
      console.log(`# ${rt.name} skipped: ${got.skip}`);
      t.skip(got.skip);
      return;
    }
    assert.equal(await output(got.path, rt.args, "smoke.mjs"), SMOKE);
    assert.equal(await output(got.path, rt.workerArgs, "workers.mjs"), WORKERS);
    assert.equal(await output(got.path, rt.args, "quickstart.ts"), QUICKSTART[rt.pkg]);
    if (rt.node) assert.equal(await output(got.path, [], "require.cjs"), "require 42 1\n");
  });
}

/** The README quickstart's last line, console.log of a number, an object and an array, as each runtime formats it. */
const QUICKSTART: Readonly<Record<string, string>> = {
  node: "12 { last: 4 } [ 'rolled 4' ]\n",
  deno: '12 { last: 4 } [ "rolled 4" ]\n',
  bun: '12 {\n  last: 4,\n} [ "rolled 4" ]\n',
};

/** `line:column` (1-based) of the first match of `re` in `code`, as V8's stack reads it. */
function position(code: string, re: RegExp): string {
  const m = re.exec(code);
  assert.ok(m !== null, `${re} not in the bundle`);
  const before = code.slice(0, m.index).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const EDGE_URL = "https://edge.test/worker.js";

/**
 * test/fixtures/runtimes/edge.mjs bundled as a Workers-style deployment would be (esbuild, platform
 * neutral, the `workerd`/`worker`/`browser` conditions: a `node:` import would fail the build) and
 * run in a node:vm context holding web globals only, as an edge runtime (Cloudflare Workers) gives
 * them: no process, setImmediate, MessageChannel or Buffer — runAsync's turns fall back to
 * setTimeout — timers that throw while the module's top level runs (workerd refuses them at global
 * scope), and a Date.now() that moves only when a timer fires (workerd's clock stands still while
 * code runs). The module's `fetch` is called once its top level has run.
 */
async function runEdge(): Promise<{ text: string; code: string; turns: number }> {
  const built = await esbuild.build({
    entryPoints: [join(consumer, "edge.mjs")],
    bundle: true,
    format: "iife",
    globalName: "worker",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    keepNames: true,
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = built.outputFiles[0]!.text;
  let moduleScope = true;
  let clock = Date.now();
  let turns = 0; // setTimeout(f, 0): runAsync's and the scheduler's turns of the event loop
  const refuse = (what: string): void => {
    if (moduleScope) throw new Error(`Disallowed operation called within global scope: ${what}`);
  };
  const ctx = createContext({
    console,
    URL,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    Event,
    EventTarget,
    DOMException,
    Response,
    structuredClone,
    queueMicrotask,
    setTimeout: (f: (...a: unknown[]) => void, ms?: number, ...a: unknown[]) => {
      refuse("setTimeout");
      if (ms === 0) turns++;
      return setTimeout(() => {
        clock = Date.now();
        f(...a);
      }, ms);
    },
    clearTimeout: (id: ReturnType<typeof setTimeout>) => {
      refuse("clearTimeout");
      clearTimeout(id);
    },
  });
  (runInContext("Date", ctx) as DateConstructor).now = () => clock;
  const node = '["process", "setImmediate", "MessageChannel", "Buffer", "require", "global"]';
  assert.equal(runInContext(`${node}.filter((n) => typeof globalThis[n] !== "undefined").join()`, ctx), "");
  runInContext(code, ctx, { filename: EDGE_URL });
  moduleScope = false;
  const w = runInContext("worker.default", ctx) as { fetch(): Promise<Response> };
  return { text: await (await w.fetch()).text(), code, turns };
}

test("runtimes: an edge-style sandbox (web globals only, no timers at module scope, a clock that stands still while code runs) runs the bundled package: run, reader, writer, runAsync taking its turns with setTimeout, timeout, retry, simulatedTime, testing, a traceback naming the script's URL", async () => {
  const { text, code, turns } = await runEdge();
  assert.ok(turns > 0, "runAsync took its turns with setTimeout(0)");
  assert.equal(
    text,
    [
      'run 2 edge ["hello ada"]',
      "runAsync [0,2,4]",
      "long runAsync 30000",
      "timeout true",
      "retry true 3",
      "simulatedTime 300",
      "testing NAME CITY name,city",
      "doeff traceback (outermost first):",
      `  outer at ${EDGE_URL}:${position(code, /leaf\d*(?=\(\);)/)}`,
      `  leaf at ${EDGE_URL}:${position(code, /[\w$]+(?=\("missing"\))/)}`,
      '  effect Get("missing"): state ✗',
      'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
    ].join("\n"),
  );
});

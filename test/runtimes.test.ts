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
 * doeff/testing, a traceback with call sites — the site parser reads this engine's stack format),
 * workers.mjs (doeff/workers on a piscina pool of the runtime's worker threads, a job's error
 * rebuilt), and the README's quickstart as TypeScript run directly (Node's type stripping, Bun,
 * Deno); on Node, require.cjs (`require("doeff")`).
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
import { packScratch } from "./scratch-package.js";

const root = new URL("..", import.meta.url).pathname;
const FIXTURES = join(root, "test/fixtures/runtimes");
const CACHE = join(root, "node_modules/.cache/doeff-runtimes");
const run = promisify(execFile);

const work = mkdtempSync(join(tmpdir(), "doeff-runtimes-"));
const consumer = join(work, "consumer");

before(() => {
  const tgz = packScratch(work);
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
  "doeff traceback (outermost first):",
  `  outer at smoke.mjs:${lineOf("return yield* leaf();")}`,
  `  leaf at smoke.mjs:${lineOf('return yield* get("missing");')}`,
  '  effect Get("missing"): state ✗',
  'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
  "",
].join("\n");
const WORKERS =
  'workers [1,4,9] ["squared 1","squared 2","squared 3"]\nworker error true no square root of -1\n';

interface Runtime {
  readonly name: string;
  readonly pkg: string;
  readonly version: string;
  readonly bin: string;
  /** arguments before the script */
  readonly args: readonly string[];
  readonly node: boolean;
}
const RUNTIMES: readonly Runtime[] = [
  { name: "Node.js 22", pkg: "node", version: "22.23.3", bin: "node", args: [], node: true },
  { name: "Node.js 24", pkg: "node", version: "24.21.0", bin: "node", args: [], node: true },
  { name: "Node.js 26", pkg: "node", version: "26.10.0", bin: "node", args: [], node: true },
  { name: "Bun", pkg: "bun", version: "1.4.5", bin: "bun", args: [], node: false },
  { name: "Deno", pkg: "deno", version: "2.9.6", bin: "deno", args: ["run", "-A"], node: false },
];

for (const rt of RUNTIMES) {
  // the Node.js running this suite is the one every other test file checks
  const same = rt.node && process.versions.node.split(".")[0] === rt.version.split(".")[0];
  test(`runtimes: ${rt.name} (${rt.pkg}@${rt.version}) runs the package: run, runAsync, timeout, testing, tracebacks, workers, the README quickstart${rt.node ? ", require()" : ""}`, {
    skip: same && "the Node.js running the tests",
  }, async (t) => {
    const got = install(rt.pkg, rt.version, rt.bin);
    if ("skip" in got) {
      console.log(`# ${rt.name} skipped: ${got.skip}`);
      t.skip(got.skip);
      return;
    }
    assert.equal(await output(got.path, rt.args, "smoke.mjs"), SMOKE);
    assert.equal(await output(got.path, rt.args, "workers.mjs"), WORKERS);
    assert.equal(await output(got.path, rt.args, "quickstart.ts"), QUICKSTART[rt.pkg]);
    if (rt.node) assert.equal(await output(got.path, [], "require.cjs"), "require 42\n");
  });
}

/** The README quickstart's last line, console.log of a number, an object and an array, as each runtime formats it. */
const QUICKSTART: Readonly<Record<string, string>> = {
  node: "12 { last: 4 } [ 'rolled 4' ]\n",
  deno: '12 { last: 4 } [ "rolled 4" ]\n',
  bun: '12 {\n  last: 4,\n} [ "rolled 4" ]\n',
};

/**
 * The package as npm would ship it: `npm run build` (the package's own script) and `npm pack`, in a
 * scratch copy of what goes into it — not in ./dist, which other test files may read while this
 * builds. Shared by the tests that install the tarball (package, types-matrix, runtimes, subpaths)
 * and those that read the declarations its build wrote (public-any, types-cost).
 *
 * Built once per content: kept in node_modules/.cache/doeff-pack/<hash>, the hash taken over every
 * file the build reads or the tarball ships (src/, docs/*.md, package.json, README, CHANGELOG,
 * LICENSE, the build's tsconfigs and script, this file) and the compilers' versions. A later test
 * file, or a later `npm test` of unchanged sources, installs the same tarball instead of building
 * it again (each build is two full `tsc` runs with declarations); a change to any of those files is
 * a new hash, so a new build. Two test files asking at once: one builds (a lock folder), the other
 * waits for it; the entry appears by one rename, so a reader never sees half of one.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const CACHE = join(root, "node_modules/.cache/doeff-pack");

/** The packed tarball and the folder it was packed from (its dist/ is what `npm run build` wrote). */
export interface Packed {
  readonly tgz: string;
  readonly pkg: string;
}

const SHIPPED = ["package.json", "README.md", "CHANGELOG.md", "LICENSE"];
const BUILD = [
  "tsconfig.json",
  "tsconfig.build.json",
  "tsconfig.build-scale.json",
  "scripts/types-too-old.mjs",
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** What the build reads and the tarball ships, relative to the root. */
function inputs(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  const src = filesUnder(join(root, "src")).map((f) => relative(root, f));
  return [...SHIPPED, ...BUILD, ...docs, ...src];
}

function contentHash(files: readonly string[]): string {
  const h = createHash("sha256");
  // the recipe (this file) and the toolchain: another compiler may emit other declarations
  h.update(readFileSync(new URL(import.meta.url)));
  for (const dep of ["typescript", "@types/node"])
    h.update(readFileSync(join(root, "node_modules", dep, "package.json")));
  for (const f of files) h.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  return h.digest("hex").slice(0, 16);
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function found(entry: string): Packed | null {
  if (!existsSync(entry)) return null;
  const now = new Date();
  utimesSync(entry, now, now); // in use: not pruned (below)
  const tgz = readdirSync(entry).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, `${entry} holds the packed tarball`);
  return { tgz: join(entry, tgz), pkg: join(entry, "pkg") };
}

/** The package built and packed from the current sources (built here if no earlier run did). */
export function packed(): Packed {
  const files = inputs();
  const entry = join(CACHE, contentHash(files));
  const lock = `${entry}.lock`;
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    const done = found(entry);
    if (done) return done;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // another test file is building it, unless its process is gone (a run stopped mid-build)
      if (abandoned(lock)) rmSync(lock, { recursive: true, force: true });
      else sleep(250);
    }
  }
  try {
    const done = found(entry); // finished between our check and our lock
    if (done) return done;
    prune(entry);
    const tmp = join(CACHE, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    build(tmp, files);
    renameSync(tmp, entry);
    return found(entry)!;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Copy the inputs to `work`/pkg, run the package's `npm run build` there and pack it into `work`. */
function build(work: string, files: readonly string[]): void {
  const pkg = join(work, "pkg");
  for (const f of files) {
    mkdirSync(join(pkg, f, ".."), { recursive: true });
    copyFileSync(join(root, f), join(pkg, f));
  }
  // the build's tsc, @types/node; npm pack never takes node_modules
  symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"));
  execFileSync("npm", ["run", "build"], { cwd: pkg, stdio: "pipe" });
  unlinkSync(join(pkg, "node_modules")); // (the link, not what it points at)
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: pkg, stdio: "pipe" });
  assert.ok(
    readdirSync(work).some((f) => f.endsWith(".tgz")),
    "npm pack produced a tarball",
  );
}

/** A lock whose builder has exited, or older than any build takes. */
export function abandoned(lock: string): boolean {
  const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
  if (since === undefined) return false; // just released: look for the entry again
  if (Date.now() - since > 10 * 60_000) return true;
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    return false; // its pid not written yet, or just released
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Entries of other sources (other branches, older runs) not used for a day go, and what a build
 * stopped midway left (its scratch folder, an abandoned lock).
 */
function prune(keep: string): void {
  const day = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(CACHE)) {
    const p = join(CACHE, name);
    if (p === keep || p === `${keep}.lock`) continue;
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    const left = name.endsWith(".lock")
      ? abandoned(p)
      : name.startsWith(".tmp-") && st.mtimeMs < Date.now() - 3600_000;
    if (left || st.mtimeMs < day) rmSync(p, { recursive: true, force: true });
  }
}

/**
 * examples/cli-tool.ts (docs/cookbook.md, "A command-line tool over files"): the walker and the
 * processor tested as a user would, with an in-memory file system on a virtual clock (exact times,
 * exact order); then the tool as a real child process on a tree in a temp directory: every file
 * gzipped (exit 0), `--dry-run` writing nothing, failures (exit 1) and Ctrl-C (exit 130) leaving no
 * partial output file behind, each run ending on its own (a hang fails by the guard's SIGKILL).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
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
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { answer, delay, handle, transfer } from "../src/index.js";
import { mock, virtualClock } from "../src/testing/index.js";
import {
  busyOnce,
  type Entry,
  FileDone,
  Gzip,
  gzipTree,
  ListDir,
  type Options,
  processFile,
  tally,
  walk,
} from "../examples/cli-tool.js";

// ── The walker and the processor, on an in-memory file system ─────────────────────────────────────
const file = (name: string, size = 5): Entry => ({ name, dir: false, size });
const dir = (name: string): Entry => ({ name, dir: true, size: 0 });
const tree: Record<string, Entry[]> = {
  "/r": [dir("b"), file("a.txt"), file("z.gz")],
  "/r/b": [file("busy.txt"), dir("c"), file("empty", 0)],
  "/r/b/c": [file("slow.txt"), file("bad.txt")],
};
const memoryDirs = answer(ListDir, (e) => {
  const entries = tree[e.dir];
  if (entries === undefined) throw Object.assign(new Error(`ENOENT: ${e.dir}`), { code: "ENOENT" });
  return entries.map((x) => ({ ...x }));
});
/** A gzip takes 10 ms of clock time; "slow" a minute, "bad" fails with EACCES. */
const memoryGzip = mock(
  Gzip,
  (e) => {
    if (e.src.includes("bad"))
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    return 42;
  },
  { latency: (e) => (e.src.includes("slow") ? 60_000 : 10) },
);
const o: Options = { root: "/r", out: "/o", perFileMs: 1000, retries: 2, concurrency: 4 };

test("cli-tool walk: every file under the root, in name order, one ListDir per directory", () => {
  const dirs = mock(ListDir, (e) => tree[e.dir] ?? []);
  const r = virtualClock().run(walk("/r"), { handlers: [dirs] });
  assert.deepEqual(
    r.value?.map((f) => f.name),
    ["a.txt", "b/busy.txt", "b/c/bad.txt", "b/c/slow.txt", "b/empty", "z.gz"],
  );
  assert.deepEqual(
    dirs.calls.map((e) => e.dir),
    ["/r", "/r/b", "/r/b/c"],
  );
});

test("cli-tool processFile: EBUSY is retried 50 ms later; EACCES is not; a slow file times out", () => {
  const clock = virtualClock();
  const busy = clock.run(processFile(o, file("b/busy.txt")), { handlers: [memoryGzip, busyOnce("busy")] });
  assert.equal(busy.value, "ok");
  assert.equal(clock.now, 0 + 50 + 10); // the first attempt refused at once, the retry took 10 ms

  const bad = clock.run(processFile(o, file("b/c/bad.txt")), { handlers: [memoryGzip, busyOnce("busy")] });
  assert.equal((bad.error as Error).message, "EACCES: permission denied");
  assert.equal(clock.now, 10);

  const slow = clock.run(processFile(o, file("b/c/slow.txt")), { handlers: [memoryGzip, busyOnce("busy")] });
  assert.equal((slow.error as Error).name, "TimeoutError");
  assert.equal(clock.now, 1000); // one attempt: a timeout is not EBUSY

  const skipped = clock.run(processFile(o, file("b/empty", 0)), { handlers: [memoryGzip] });
  assert.equal(skipped.value, "skipped");
});

test("cli-tool gzipTree: a failed file is counted, not thrown; the tally has every file", () => {
  const clock = virtualClock();
  const t = tally();
  const r = clock.run(gzipTree(o), { handlers: [memoryDirs, memoryGzip, busyOnce("busy"), t.handler] });
  assert.equal(r.value, 6);
  assert.deepEqual(
    { ok: t.counts.ok, failed: t.counts.failed, skipped: t.counts.skipped },
    { ok: 2, failed: 2, skipped: 2 },
  );
  assert.deepEqual(
    t.counts.failures.map((f) => `${f.file}: ${(f.error as Error).name}`),
    ["b/c/bad.txt: Error", "b/c/slow.txt: TimeoutError"],
  );
  assert.equal(clock.now, 1000); // the slow file's deadline: the others ran beside it
});

test("cli-tool gzipTree: at most 4 at once — 10 files of 10 ms take 30 ms", () => {
  const clock = virtualClock();
  const files = Array.from({ length: 10 }, (_, i) => file(`f${i}`));
  let inFlight = 0;
  let most = 0;
  const counting = handle(Gzip, function* (_e, k) {
    most = Math.max(most, ++inFlight);
    yield* delay(10);
    inFlight--;
    return yield* transfer(k, 1);
  });
  const r = clock.run(gzipTree({ ...o, root: "/flat" }), {
    handlers: [answer(ListDir, () => files), counting, mock(FileDone, undefined)],
  });
  assert.equal(r.value, 10);
  assert.equal(most, 4);
  assert.equal(clock.now, 30);
});

// ── The tool as a child process ───────────────────────────────────────────────────────────────────
const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "doeff-cli-tool-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A tree of `n` small files in 4 directories: file 7 is "busy" once, file 3 is already a .gz. */
function makeTree(name: string, n: number): string {
  const src = join(work, name);
  for (let i = 0; i < n; i++) {
    const d = join(src, `d${i % 4}`);
    mkdirSync(d, { recursive: true });
    const base = i === 7 ? `busy${i}.txt` : i === 3 ? `old${i}.gz` : `f${i}.txt`;
    writeFileSync(join(d, base), `line ${i}\n`.repeat(20 + i));
  }
  return src;
}
function filesUnder(d: string): string[] {
  if (!existsSync(d)) return [];
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

interface Exit {
  code: number | null;
  stderr: string;
  ms: number;
}
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/cli-tool.ts", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => (stderr += d));
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // fail rather than hang
  let signalledAt = 0;
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, ms: signalledAt === 0 ? 0 : performance.now() - signalledAt });
    }),
  );
  const interrupt = () => {
    signalledAt = performance.now();
    child.kill("SIGINT");
  };
  return { exited, interrupt };
}

test("cli-tool run: every file gzipped into the out dir (a busy one retried), the .gz skipped, exit 0", async () => {
  const src = makeTree("all", 12);
  const out = join(work, "all.out");
  const r = await start([src, out]).exited;
  assert.deepEqual(
    { code: r.code, stderr: r.stderr },
    { code: 0, stderr: "ok 11 failed 0 skipped 1 of 12 files\n" },
  );
  const written = filesUnder(out);
  assert.equal(written.length, 11);
  for (const f of written) {
    const original = f.slice(out.length).replace(/\.gz$/, "");
    assert.deepEqual(gunzipSync(readFileSync(f)), readFileSync(src + original));
  }
});

test("cli-tool --dry-run: the same summary, nothing written", async () => {
  const src = makeTree("dry", 12);
  const out = join(work, "dry.out");
  const r = await start([src, out, "--dry-run"]).exited;
  assert.deepEqual(
    { code: r.code, stderr: r.stderr },
    { code: 0, stderr: "ok 11 failed 0 skipped 1 (dry run) of 12 files\n" },
  );
  assert.equal(existsSync(out), false);
});

test("cli-tool: files past their deadline fail (exit 1) and leave no partial output", async () => {
  const src = makeTree("late", 6);
  const out = join(work, "late.out");
  const r = await start([src, out], { CLI_TOOL_SLOW_MS: "300", CLI_TOOL_TIMEOUT_MS: "100" }).exited;
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.at(-1), "ok 0 failed 5 skipped 1 of 6 files");
  assert.match(lines[0] ?? "", /^failed d\d\/f\d\.txt: Gzip timed out after 100 ms/);
  assert.deepEqual(filesUnder(out), []); // each output file was open when its deadline passed
});

test("cli-tool: Ctrl-C mid-run exits 130 promptly with its counts; the gzips in flight remove their output", async () => {
  const src = makeTree("int", 40);
  const out = join(work, "int.out");
  const c = start([src, out], { CLI_TOOL_SLOW_MS: "200" });
  // the first wave's output files are open (each gzip waits 200 ms): interrupt then
  while (filesUnder(out).length === 0) await new Promise((r) => setTimeout(r, 10));
  c.interrupt();
  const r = await c.exited;
  assert.equal(r.code, 130);
  const m = /^interrupted: ok (\d+) failed 0 skipped (\d+)\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const written = filesUnder(out);
  assert.equal(written.length, Number(m[1])); // the files counted ok, and no other
  for (const f of written) assert.ok(gunzipSync(readFileSync(f)).length > 0, f);
  assert.ok(r.ms < 2000, `exited ${r.ms} ms after SIGINT`);
});

/**
 * docs/cookbook.md, "A command-line tool": examples/cookbook/cli-tool.ts run as a real
 * child process — lines piped to its stdin (or a file), its stdout, stderr and exit code checked
 * exactly: 0 when every line went through, 1 with the doeff traceback when one failed, 130 on Ctrl-C
 * with the calls in flight cancelled and the output flushed by main's finally block. Each run must
 * end on its own (nothing left keeping the process alive): a hang fails by the guard's SIGKILL.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const FILE = "examples/cookbook/cli-tool.ts";

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The tool as a child process; `exited` resolves when it exits (SIGKILL after 30 s: a hang). */
function start(args: string[] = []): {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<Exit>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ["--import", "tsx", FILE, ...args], { cwd: root });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (stdout += d));
  child.stderr.on("data", (d: string) => (stderr += d));
  child.stdin.on("error", () => {}); // (EPIPE: the tool stopped reading before all was written)
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // fail rather than hang
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, exited, stderr: () => stderr };
}

/** Resolves once the child's stderr so far includes `text`. */
function stderrShows(c: ReturnType<typeof start>, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!c.stderr().includes(text)) return;
      c.child.stderr.off("data", check);
      resolve();
    };
    c.child.stderr.on("data", check);
    check();
  });
}

test("cli-tool: every line piped in goes through (a 503 retried): the answers on stdout, progress on stderr, exit 0", async () => {
  const c = start();
  c.child.stdin.end("a\nflaky1\nb\nc\n");
  // a, b and c answer after 20 ms; flaky1's first call fails with 503 and is retried 100 ms later
  assert.deepEqual(await c.exited, {
    code: 0,
    signal: null,
    stdout: "a\tA\nb\tB\nc\tC\nflaky1\tFLAKY1\n",
    stderr: "1 done\n2 done\n3 done\n4 done\n4 line(s)\n",
  });
});

test("cli-tool: reads a file given as its argument; one that does not exist is exit 1 with the error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "doeff-cli-"));
  try {
    writeFileSync(join(dir, "in.txt"), "x\r\ny\n");
    const c = start([join(dir, "in.txt")]);
    assert.deepEqual(await c.exited, {
      code: 0,
      signal: null,
      stdout: "x\tX\ny\tY\n",
      stderr: "1 done\n2 done\n2 line(s)\n",
    });
    const missing = await start([join(dir, "missing.txt")]).exited;
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, "");
    assert.equal(
      missing.stderr,
      [
        "doeff traceback (outermost first):",
        "  main",
        "  forEachAsync",
        `Error: ENOENT: no such file or directory, open '${join(dir, "missing.txt")}'`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("cli-tool: a line the API refuses (400: not retried) fails the run: exit 1 with the traceback, what was done flushed, and it exits though stdin is still open", async () => {
  const c = start();
  c.child.stdin.write("a\nbad1\n"); // (stdin stays open: the tool stops reading it itself)
  const r = await c.exited;
  const lines = r.stderr.split("\n");
  assert.match(lines[11]!, /^ {2}thrown at examples\/cookbook\/cli-tool\.ts:\d+$/);
  assert.deepEqual(
    { ...r, stderr: lines },
    {
      code: 1,
      signal: null,
      stdout: "a\tA\n",
      stderr: [
        "1 done",
        "doeff traceback (outermost first):",
        "  main",
        "  forEachAsync",
        "  ── in task 4 ──",
        "  processLine",
        "  retry",
        "  timeout",
        "  ── in task 6 (spawned by task 4) ──",
        "  callApi",
        // the effect its promise failed at (shown since other tasks' promises were pending too)
        "  effect AwaitPromise(signal=>fakeApi(line,signal)): realTime ↗, scheduler ✗",
        lines[11],
        'ApiError: the API refused "bad1"',
        "",
      ],
    },
  );
});

test("cli-tool: a call that times out three times (the first attempt and 2 retries) fails the run with the TimeoutError", async () => {
  const c = start();
  c.child.stdin.end("slow1\n");
  assert.deepEqual(await c.exited, {
    code: 1,
    signal: null,
    stdout: "",
    stderr: [
      "cancelled slow1",
      "cancelled slow1",
      "cancelled slow1",
      "doeff traceback (outermost first):",
      "  main",
      "  forEachAsync",
      "  ── in task 1 ──",
      "  processLine",
      "  retry",
      "  timeout",
      "TimeoutError: callApi timed out after 1000 ms (it was cancelled and its finally blocks ran); raise the deadline (timeout's ms), or catch TimeoutError (safe(timeout(p, ms))) to handle it",
      "",
    ].join("\n"),
  });
});

test("cli-tool: Ctrl-C aborts the run: the calls in flight are cancelled, main's finally flushes what was done, exit 130", async () => {
  const c = start();
  c.child.stdin.write("a\nb\nslow1\nslow2\n"); // slow1 and slow2 take a minute each
  await stderrShows(c, "2 done\n");
  c.child.kill("SIGINT");
  assert.deepEqual(await c.exited, {
    code: 130,
    signal: null,
    stdout: "a\tA\nb\tB\n",
    stderr: "1 done\n2 done\ncancelled slow1\ncancelled slow2\ninterrupted after 2 line(s)\n",
  });
});

test("cli-tool: Ctrl-C while it waits for stdin's next line: exit 130 at once", async () => {
  const c = start();
  c.child.stdin.write("a\n");
  await stderrShows(c, "1 done\n");
  c.child.kill("SIGINT");
  assert.deepEqual(await c.exited, {
    code: 130,
    signal: null,
    stdout: "a\tA\n",
    stderr: "1 done\ninterrupted after 1 line(s)\n",
  });
});

test("cli-tool: backpressure: while the 4 calls in flight wait, stdin is not read on (the pipe stays full)", async () => {
  const c = start();
  c.child.stdin.write("a\n");
  const chunk = `${Array.from({ length: 1000 }, (_, i) => `slow${i}`).join("\n")}\n`;
  const total = 5_000_000;
  for (let n = 0; n < total; n += chunk.length) c.child.stdin.write(chunk); // (queued here)
  const written = Math.ceil(total / chunk.length) * chunk.length + 2;
  await stderrShows(c, "1 done\n");
  // (well before the calls' 1 s timeout: a timed-out call is cancelled and retried)
  await new Promise((r) => setTimeout(r, 300));
  // what the tool took from the pipe: a few chunks that node and readline buffer, not 5 MB
  const taken = written - c.child.stdin.writableLength;
  assert.ok(taken < 1_000_000, `the tool read ${taken} bytes while 4 calls were in flight`);
  c.child.kill("SIGINT");
  assert.deepEqual(await c.exited, {
    code: 130,
    signal: null,
    stdout: "a\tA\n",
    stderr:
      "1 done\ncancelled slow0\ncancelled slow1\ncancelled slow2\ncancelled slow3\ninterrupted after 1 line(s)\n",
  });
});

test("cookbook cli-tool.ts: docs/cookbook.md shows exactly this file", () => {
  const doc = readFileSync(`${root}docs/cookbook.md`, "utf8");
  const src = readFileSync(`${root}${FILE}`, "utf8").replaceAll('"../../src/index.js"', '"doeff"');
  const marker = `<!-- example: ${FILE} -->\n\`\`\`ts\n`;
  const at = doc.indexOf(marker);
  assert.ok(at >= 0, "docs/cookbook.md has a block for cli-tool.ts");
  assert.equal(doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length)), src);
});

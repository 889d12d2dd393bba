/**
 * test/redis-server.ts, the queue tests' redis-server: where it is missing the tests are skipped with
 * the reason printed; a server that does not start (its port taken, say) or a worker that does not
 * start leaves no process and no temporary folder behind; a port another server took first is
 * given up for a fresh one. Each case runs in a child process with its own TMPDIR (what it left
 * there is read after) and, where redis-server is to be missing or fake, its own PATH.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { inTempDir } from "./bundle.js";
import { redisMissing } from "./redis-server.js";

const FILE = new URL("./fixtures/queue/redis-file.ts", import.meta.url).pathname;
const MISSING = "redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)";

/** `node --import tsx` on `args` with `env` added; its exit code and stdout. */
function node(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  // (without this runner's NODE_TEST_CONTEXT: else the child's tests report to it, not as text)
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", ...args],
      { env: { ...inherited, ...env }, timeout: 30_000 },
      (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), out: stdout }),
    );
  });
}

/** the redis-servers' folders left in `tmp` (tsx keeps its cache there too) */
const left = (tmp: string): string[] => readdirSync(tmp).filter((f) => f.startsWith("doeff-redis-"));

/** whether something accepts connections on 127.0.0.1:`port` */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

test("redis-server missing: the file's tests are skipped, with the reason printed, and nothing is started", async () => {
  await inTempDir("doeff-redis-test-", async (dir) => {
    // a PATH with node and sh only (no redis-server)
    const bin = join(dir, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    symlinkSync("/bin/sh", join(bin, "sh"));
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const r = await node([FILE, "runs"], { PATH: bin, TMPDIR: tmp });
    assert.equal(r.code, 0, r.out);
    assert.ok(r.out.startsWith(`# queue tests skipped: ${MISSING}\n`), r.out);
    assert.match(r.out, /^# skipped 1$/m);
    assert.doesNotMatch(r.out, /^port /m);
    assert.deepEqual(left(tmp), []);
  });
});

/**
 * redis-file.ts in `mode` on the real redis-server, in a TMPDIR of its own: its exit code and
 * stdout, the port its server had, and, once it has exited, whether that port still answers and
 * which redis-server folders it left.
 */
async function fileRun(mode: "runs" | "worker-fails") {
  return inTempDir("doeff-redis-test-", async (tmp) => {
    const r = await node([FILE, mode], { TMPDIR: tmp });
    const port = Number(/^port (\d+)$/m.exec(r.out)?.[1]);
    assert.ok(port > 0, r.out);
    return { ...r, port, listening: await listening(port), left: left(tmp) };
  });
}

/** a test that runs redis-server: skipped where it is missing */
const ON_REDIS = { skip: redisMissing, timeout: 60_000 };

test(
  "a worker that does not start: the file fails, its server is stopped and its folder removed",
  ON_REDIS,
  async () => {
    const r = await fileRun("worker-fails");
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /the worker did not start/);
    assert.doesNotMatch(r.out, /test sees port|worker closed/);
    assert.deepEqual([r.listening, r.left], [false, []]);
  },
);

test(
  "a file's server and worker: the test uses the server; the worker is closed, then the server stopped and its folder removed",
  ON_REDIS,
  async () => {
    const r = await fileRun("runs");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`^test sees port ${r.port}\n[^]*^worker closed$`, "m"));
    assert.deepEqual([r.listening, r.left], [false, []]);
  },
);

test("a server that does not start: tried on 3 fresh ports while its port is taken, then the error, and no folder left", {
  timeout: 60_000,
}, async () => {
  await inTempDir("doeff-redis-test-", async (dir) => {
    // a redis-server that finds every port taken, as the real one words it
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const tries = join(dir, "tries");
    writeFileSync(
      join(bin, "redis-server"),
      `#!/bin/sh\necho "$2" >> "${tries}"\necho "# Warning: Could not create server TCP listening socket 127.0.0.1:$2: bind: Address already in use"\nexit 1\n`,
    );
    chmodSync(join(bin, "redis-server"), 0o755);
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const script = join(dir, "start.mts");
    writeFileSync(
      script,
      `import { startRedis } from ${JSON.stringify(join(dirname(FILE), "../../redis-server.ts"))};\n` +
        "try { await startRedis(); console.log('started'); } catch (e) { console.log(String(e)); }\n",
    );
    const r = await node([script], { PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp });
    assert.equal(r.code, 0, r.out);
    const ports = readFileSync(tries, "utf8").trim().split("\n");
    assert.equal(ports.length, 3, r.out);
    assert.match(
      r.out,
      /^Error: redis-server exited \(1\): # Warning: Could not create server TCP listening socket 127\.0\.0\.1:\d+: bind: Address already in use\n/,
    );
    assert.deepEqual(left(tmp), []);
  });
});

/**
 * A real redis-server for the queue tests: on 127.0.0.1, a free port, a temporary directory (append-
 * only file, so a restart keeps the data), stopped after. `redisMissing` is the reason (false when
 * redis-server is installed); the tests are then skipped with that reason printed. `redisForFile` and
 * `redisWorkerForFile` are a test file's server (and worker), started before its tests and stopped
 * after, so that each queue test file does not write that setup again.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type QueueOptions, type QueueHandler, type QueueWorker, queue } from "../src/queue/index.js";

function which(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export const redisBinary = which();
export const redisMissing =
  redisBinary === null
    ? "redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)"
    : false;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Redis {
  readonly port: number;
  readonly connection: { host: string; port: number };
  /** SIGTERM (redis saves and exits), then start again on the same port and directory */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<Redis> {
  if (redisBinary === null) throw new Error(String(redisMissing));
  const dir = mkdtempSync(join(tmpdir(), "doeff-redis-"));
  let port = 0;
  let proc: ChildProcess | null = null;
  const boot = async (): Promise<void> => {
    const p = spawn(
      redisBinary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc = p;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) {
          p.stdout!.off("data", onData);
          resolve();
        }
      };
      p.stdout!.on("data", onData);
      p.once("error", reject); // (not started at all: no "exit" follows)
      p.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    p.stdout!.resume();
    p.stderr!.resume();
  };
  const halt = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (p === null || p.exitCode !== null || p.pid === undefined) return;
    await new Promise<void>((resolve) => {
      p.removeAllListeners("exit");
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
  };
  try {
    // freePort's port is free when asked, not reserved: another test file's server may take it
    // before this one binds it (the files run two at a time), so a port taken is tried again
    for (let tries = 1; ; tries++) {
      port = await freePort();
      try {
        await boot();
        break;
      } catch (e) {
        await halt();
        if (tries === 3 || !String(e).includes("Address already in use")) throw e;
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    connection: { host: "127.0.0.1", port },
    async restart(downMs = 300) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await boot();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test file's redis-server: the Redis the tests use, and why they are skipped (false: they run). */
export interface RedisForFile extends Redis {
  /** the tests' `skip` option: redisMissing */
  readonly skip: string | false;
}

/** What runs on a file's server: started once it is up, ended before it stops. */
interface OnServer {
  up(redis: Redis): Promise<void>;
  down(): Promise<void>;
}

/**
 * Registers the file's before and after hooks: redis-server started before its tests (then `on.up`),
 * stopped after them (`on.down` first), its directory removed. Where redis-server is missing, prints
 * `# <tests> skipped: <reason>` (no line when `tests` is null) and starts nothing; a test that is
 * not skipped then fails at its first use of the server, with that reason.
 */
export function redisForFile(tests: string | null, on?: OnServer): RedisForFile {
  if (redisMissing && tests !== null) console.log(`# ${tests} skipped: ${redisMissing}`);
  let server: Redis | null = null;
  const running = (): Redis => {
    if (server === null)
      throw new Error(
        redisMissing
          ? `this test needs redis-server; give it the file's skip option (${redisMissing})`
          : "redis-server is not started: use it inside a test, not while the file loads",
      );
    return server;
  };
  // (one before and one after hook for both: node:test runs a file's after hooks in the order they
  // were registered, and what runs on the server must end before the server stops)
  before(async () => {
    if (redisMissing) return;
    const s = await startRedis();
    try {
      await on?.up(s);
    } catch (e) {
      await s.stop(); // (else a worker that failed to start left the server and its folder behind)
      throw e;
    }
    server = s;
  });
  after(async () => {
    const s = server;
    server = null;
    if (s === null) return;
    try {
      await on?.down();
    } finally {
      await s.stop();
    }
  });
  return {
    skip: redisMissing,
    get port() {
      return running().port;
    },
    get connection() {
      return running().connection;
    },
    restart: (downMs) => running().restart(downMs),
    stop: () => running().stop(),
  };
}

type ProducerOptions = Omit<QueueOptions, "connection" | "name">;

/** A test file's redis-server and the worker on its queue `name`, with producers for that queue. */
export interface RedisWorkerForFile extends RedisForFile {
  readonly name: string;
  /** a producer of the queue `name` on this server (close it after) */
  queue(options?: ProducerOptions): QueueHandler;
  /** `body` given a producer of the queue `name` (`options` its own), closed after, whatever happens */
  withQueue<T>(body: (q: QueueHandler) => Promise<T>): Promise<T>;
  withQueue<T>(options: ProducerOptions, body: (q: QueueHandler) => Promise<T>): Promise<T>;
}

/**
 * redisForFile, with a worker on the queue `name` started once the server is up and closed before
 * it stops. `start` is given the connection and the name and calls startWorker, so that the
 * worker's programs and handlers are type-checked there as any startWorker call's are.
 */
export function redisWorkerForFile(
  tests: string | null,
  name: string,
  start: (connection: Redis["connection"], name: string) => Promise<QueueWorker>,
): RedisWorkerForFile {
  let worker: QueueWorker | null = null;
  const redis = redisForFile(tests, {
    async up(s) {
      worker = await start(s.connection, name);
    },
    async down() {
      const w = worker;
      worker = null;
      await w?.close();
    },
  });
  return {
    skip: redis.skip,
    name,
    get port() {
      return redis.port;
    },
    get connection() {
      return redis.connection;
    },
    restart: redis.restart,
    stop: redis.stop,
    queue: (options = {}) => queue({ ...options, connection: redis.connection, name }),
    async withQueue<T>(
      ...args: [(q: QueueHandler) => Promise<T>] | [ProducerOptions, (q: QueueHandler) => Promise<T>]
    ): Promise<T> {
      const [options, body] = args.length === 1 ? [{}, args[0]] : args;
      const q = queue({ ...options, connection: redis.connection, name });
      try {
        return await body(q);
      } finally {
        await q.close();
      }
    },
  };
}

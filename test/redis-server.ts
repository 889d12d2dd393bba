/**
 * A real redis-server for the queue tests: on 127.0.0.1, a free port, a temporary directory (append-
 * only file, so a restart keeps the data), stopped after. `available` is false (with the reason) when
 * redis-server is not installed; the tests are then skipped with that reason printed.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
  const port = await freePort();
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
      p.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    p.stdout!.resume();
    p.stderr!.resume();
  };
  const halt = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.removeAllListeners("exit");
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
  };
  await boot();
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

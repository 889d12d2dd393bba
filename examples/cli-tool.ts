/**
 * A command-line tool over files: `cli-tool <dir> <outdir> [--dry-run]` gzips every file under
 * `dir` into `outdir`, what docs/cookbook.md's "A command-line tool over files" describes:
 *  - the file system as effects (`ListDir`, `Gzip`), so the walker and the processor are tested
 *    with an in-memory file system on a virtual clock (test/example-cli-tool.test.ts), and
 *    `--dry-run` is one handler swapped for another;
 *  - at most 4 files at once (`forEach` with `{ concurrency }`), each attempt cut at a deadline
 *    (`timeout`) and retried after a transient error (`retry` while the code is `EBUSY`), a failure
 *    recorded (`safe`) rather than ending the run;
 *  - a progress line on stderr and the summary kept by a handler outside the run, so an
 *    interrupted run still says how far it got;
 *  - Ctrl-C aborts the run (exit 130): the gzips in flight are aborted and remove their partial
 *    output, a second Ctrl-C exits at once; failures exit 1.
 * The partial output is removed by the operation that wrote it, once its streams are closed, not
 * by a `finally` block of the program: an aborted run's `finally` cannot wait for a promise, and a
 * synchronous `rmSync` there can run before the write stream has even created the file.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import {
  answer,
  awaitPromise,
  discontinue,
  Effect,
  fn,
  forEach,
  handle,
  pass,
  realTime,
  retry,
  runAsync,
  safe,
  scheduler,
  timeout,
  transferWith,
} from "../src/index.js";

// ── The file system, as effects ──────────────────────────────────────────────────────────────────
export interface Entry {
  name: string;
  dir: boolean;
  size: number;
}
/** The entries of one directory. */
export class ListDir extends Effect<Entry[]> {
  declare readonly _tag: "ListDir";
  readonly dir: string;
  constructor(dir: string) {
    super();
    this.dir = dir;
  }
}
/** Gzip `src` into `dest`; answers the bytes written. Leaves no `dest` behind when it fails. */
export class Gzip extends Effect<number> {
  declare readonly _tag: "Gzip";
  readonly src: string;
  readonly dest: string;
  constructor(src: string, dest: string) {
    super();
    this.src = src;
    this.dest = dest;
  }
}
export type Outcome = "ok" | "failed" | "skipped";
/** One file is done: the progress line, the summary. */
export class FileDone extends Effect<void> {
  declare readonly _tag: "FileDone";
  readonly file: string;
  readonly outcome: Outcome;
  readonly total: number;
  readonly error: unknown;
  constructor(file: string, outcome: Outcome, total: number, error?: unknown) {
    super();
    this.file = file;
    this.outcome = outcome;
    this.total = total;
    this.error = error;
  }
}

// ── The walker and the processor ─────────────────────────────────────────────────────────────────
/** Every file under `root` (paths relative to it), in name order. A loop over a stack of
 * directories rather than a recursive `walk`: a recursive generator needs its return type written
 * out, which opens its effect row (docs/types.md). */
export const walk = fn(function* walk(root: string) {
  const files: Entry[] = [];
  const dirs = [""];
  for (let rel = dirs.pop(); rel !== undefined; rel = dirs.pop()) {
    const entries = yield* new ListDir(rel === "" ? root : `${root}/${rel}`);
    for (const e of entries) {
      const name = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.dir) dirs.push(name);
      else files.push({ ...e, name });
    }
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
});

export interface Options {
  root: string;
  out: string;
  /** Each attempt's deadline. */
  perFileMs: number;
  /** Retries after a transient error (`EBUSY`). */
  retries: number;
  concurrency: number;
}
const isBusy = (e: unknown) => (e as { code?: unknown } | null)?.code === "EBUSY";

/** One file: skipped (already gzipped, or empty), or gzipped, retried while it is busy. */
export const processFile = fn(function* processFile(o: Options, file: Entry) {
  if (file.name.endsWith(".gz") || file.size === 0) return "skipped" as Outcome;
  yield* retry(timeout(new Gzip(`${o.root}/${file.name}`, `${o.out}/${file.name}.gz`), o.perFileMs), {
    times: o.retries,
    while: isBusy,
    delay: (attempt) => 50 * attempt,
  });
  return "ok" as Outcome;
});

/** Every file under `o.root`, `o.concurrency` at once; a failed file is told, not thrown. */
export const gzipTree = fn(function* gzipTree(o: Options) {
  const files = yield* walk(o.root);
  // (fn: a bare function* here would make generator objects, not programs — a TypeError)
  const one = fn(function* one(file: Entry) {
    const r = yield* safe(processFile(o, file));
    if (r.ok) yield* new FileDone(file.name, r.value, files.length);
    else yield* new FileDone(file.name, "failed", files.length, r.error);
  });
  yield* forEach(files, one, { concurrency: o.concurrency });
  return files.length;
});

// ── Handlers: the real file system, a dry run, the progress line ────────────────────────────────
// (named functions: a traceback's handler lines say nodeListDir, not handle(ListDir))
export const nodeListDir = handle(ListDir, function nodeListDir(e, k) {
  return transferWith(
    k,
    awaitPromise(async () => {
      const entries = await readdir(e.dir, { withFileTypes: true });
      return Promise.all(
        entries.map(async (d) => {
          const dir = d.isDirectory();
          return { name: d.name, dir, size: dir ? 0 : (await stat(`${e.dir}/${d.name}`)).size };
        }),
      );
    }),
  );
});

/** For the tests of Ctrl-C: each gzip waits this long (ms) with its output file open. */
const slowMs = Number(process.env.CLI_TOOL_SLOW_MS ?? 0);

export const nodeGzip = handle(Gzip, function nodeGzip(e, k) {
  return transferWith(
    k,
    // the signal aborts when the task is cancelled: a timeout, Ctrl-C
    awaitPromise(async (signal) => {
      await mkdir(dirname(e.dest), { recursive: true });
      const gzip = createGzip();
      let bytes = 0;
      gzip.on("data", (chunk: Buffer) => (bytes += chunk.length));
      const out = createWriteStream(e.dest);
      try {
        if (slowMs > 0) await abortableSleep(slowMs, signal);
        await pipeline(createReadStream(e.src), gzip, out, { signal });
        return bytes;
      } catch (error) {
        // the streams are closed now: nothing can create `dest` after this. The run may be over
        // (Ctrl-C): the process stays alive until this is done, unless it is killed
        out.destroy();
        await rm(e.dest, { force: true });
        throw error;
      }
    }),
  );
});

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** `--dry-run`: the same walk, the same skips, nothing written. */
export const dryRunGzip = answer(Gzip, () => 0);

/** Files whose path includes `marker` fail their first attempt with EBUSY, as a locked file does. */
export function busyOnce(marker: string) {
  const seen = new Set<string>();
  return handle(Gzip, function busyOnce(e, k) {
    if (!e.src.includes(marker) || seen.has(e.src)) return pass();
    seen.add(e.src);
    const error = Object.assign(new Error(`EBUSY: resource busy or locked, open '${e.src}'`), {
      code: "EBUSY",
    });
    return discontinue(k, error);
  });
}

export interface Tally {
  ok: number;
  failed: number;
  skipped: number;
  failures: { file: string; error: unknown }[];
}
/** Counts the files as they finish, outside the run: an interrupted run keeps its counts. */
export function tally(write: (line: string) => void = () => {}) {
  const counts: Tally = { ok: 0, failed: 0, skipped: 0, failures: [] };
  const handler = answer(FileDone, (e) => {
    counts[e.outcome]++;
    if (e.outcome === "failed") counts.failures.push({ file: e.file, error: e.error });
    write(
      `${counts.ok + counts.failed + counts.skipped}/${e.total} ok ${counts.ok} failed ${counts.failed} skipped ${counts.skipped}`,
    );
  });
  return { counts, handler };
}

// ── The command ─────────────────────────────────────────────────────────────────────────────────
export async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes("--dry-run");
  const [root, out] = argv.filter((a) => !a.startsWith("--"));
  if (root === undefined || out === undefined) {
    process.stderr.write("usage: cli-tool <dir> <outdir> [--dry-run]\n");
    return 2;
  }
  // the progress line: rewritten in place on a terminal, at most every 100 ms, and at the end
  let shown = 0;
  const progress = tally((line) => {
    const t = Date.now();
    if (!process.stderr.isTTY || t - shown < 100) return;
    shown = t;
    process.stderr.write(`\r${line}`);
  });
  // Ctrl-C aborts the run; a second one, while its cleanup runs, exits at once
  const controller = new AbortController();
  process.once("SIGINT", () => {
    controller.abort(new Error("interrupted (Ctrl-C)"));
    process.once("SIGINT", () => process.exit(130));
  });
  const options = {
    root,
    out,
    perFileMs: Number(process.env.CLI_TOOL_TIMEOUT_MS ?? 10_000),
    retries: 2,
    concurrency: 4,
  };
  const result = await runAsync(gzipTree(options), {
    handlers: [
      scheduler,
      realTime,
      nodeListDir,
      dryRun ? dryRunGzip : nodeGzip,
      busyOnce("busy"),
      progress.handler,
    ],
    signal: controller.signal,
  });
  const c = progress.counts;
  if (process.stderr.isTTY) process.stderr.write("\n");
  for (const f of c.failures) process.stderr.write(`failed ${f.file}: ${(f.error as Error).message}\n`);
  const summary = `ok ${c.ok} failed ${c.failed} skipped ${c.skipped}${dryRun ? " (dry run)" : ""}`;
  if (result.isOk()) {
    process.stderr.write(`${summary} of ${result.value} files\n`);
    return c.failed > 0 ? 1 : 0;
  }
  if (result.error === controller.signal.reason) {
    process.stderr.write(`interrupted: ${summary}\n`);
    return 130; // 128 + SIGINT, as shells report it
  }
  process.stderr.write(`${result.format()}\n`); // the walk failed: no such directory, …
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2)); // (exitCode: the pending cleanup finishes)
}

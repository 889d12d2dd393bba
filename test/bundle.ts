/**
 * esbuild for the tests that bundle doeff's sources and run or read the bundle (small-bundle,
 * lazy-chunk, minified, stack-formats): the options they share written once, so that each test
 * says only what its bundle does differently (minified, split into chunks, for another platform).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

/** the repository's root: an entry's "./src/…" imports resolve from here */
export const root = new URL("..", import.meta.url).pathname;

/** A build's result with its output in memory (`outputFiles`) and its metafile. */
export type Built = esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile };

/**
 * Bundles with esbuild: everything reachable, ESM for Node, kept in memory (`outputFiles`), with a
 * metafile (what went into each output), silent (a failed build throws with esbuild's messages).
 * `options` add to these or replace them. Give an entry's source as `entry` (TypeScript, resolved
 * from the repository's root, named entry.ts), or entry points in `options`.
 */
export async function bundle(entry: string | null, options: esbuild.BuildOptions = {}): Promise<Built> {
  return (await esbuild.build({
    ...(entry === null
      ? {}
      : { stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "entry.ts" } }),
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...options,
  })) as Built;
}

/** The modules that went into a one-output build, as its metafile names them (src/trace/format.ts). */
export function inputsOf(built: Built): string[] {
  return Object.keys(Object.values(built.metafile.outputs)[0]!.inputs);
}

/** Runs `body` with a fresh temporary folder (named `prefix`…), removed after, whatever happens. */
export async function inTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Imports a one-output build's module, written into `dir` as `name`. */
export async function importBuilt<M = any>(built: Built, dir: string, name = "bundle.mjs"): Promise<M> {
  const file = join(dir, name);
  writeFileSync(file, built.outputFiles[0]!.contents);
  return import(pathToFileURL(file).href);
}

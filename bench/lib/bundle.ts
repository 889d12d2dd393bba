/**
 * An esbuild bundle of a bench entry point (src, bench and their relative imports; packages stay
 * external) for the worker processes, instead of tsx. Why: tsx transpiles with esbuild's `keepNames`,
 * which wraps every class in `static { __name(this, "X") }`; on V8 11 that makes `new X()` of such a
 * class several times slower (an empty `class Tick extends Effect<number> {}` costs ~250 ns instead of
 * ~30 ns to construct and yield), and it turns imported constants into getter calls. No published
 * build of doeff has either (tsc emits neither), and the peers, loaded as plain JS from node_modules,
 * never pay them. Written under node_modules/.cache so the bundle's package imports resolve to this
 * checkout's node_modules.
 */
import { join } from "node:path";

export async function bundle(entry: string): Promise<string> {
  const { build } = await import("esbuild");
  const base = entry.replace(/^.*\//, "").replace(/\.ts$/, "");
  const out = join("node_modules", ".cache", "doeff-bench", `${base}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    keepNames: false,
    outfile: out,
    logLevel: "error",
  });
  return out;
}

/**
 * Differential fuzzing: `npm run fuzz -- --runs N [--seed S]`.
 *
 * Generates N programs (test/reference/generate.ts), runs each on the VM and on the reference
 * interpreter (test/reference/interpreter.ts) and compares value / error / store / log. On the first
 * disagreement fast-check shrinks the program and minimize.ts reduces it further; the result is printed
 * as TypeScript with the expected (reference) and actual (VM) outcomes, and the process exits with 1.
 * Without --seed a random seed is used (and printed, so the run can be replayed).
 * `--exclude handlers,stash` leaves those statement kinds (ast.ts `t`) out, e.g. to fuzz past a
 * reported bug.
 *
 * `npm run fuzz -- --malformed [--runs N] [--seed S]` runs the malformed-input fuzzer instead
 * (test/malformed.test.ts: hostile values yielded, returned by handlers, passed to every primitive, and
 * hostile options / env / store objects) with N cases (default 20,000).
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import type { Program } from "../test/reference/ast.js";
import { formatCase, runCase } from "../test/reference/compare.js";
import { programArbWithout } from "../test/reference/generate.js";
import { minimize } from "../test/reference/minimize.js";

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: npm run fuzz -- --runs N [--seed S] [--exclude kind,kind]\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { runs: number; seed: number; exclude: Set<string> } {
  let runs = 10_000;
  const exclude = new Set<string>();
  let seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--runs" || a === "--seed") {
      if (v === undefined || !/^-?\d+$/.test(v)) usage(`${a} needs an integer`);
      if (a === "--runs") runs = Number(v);
      else seed = Number(v);
      i++;
    } else if (a === "--exclude") {
      if (v === undefined) usage("--exclude needs a list of statement kinds");
      for (const k of v.split(",")) if (k) exclude.add(k);
      i++;
    } else if (a?.startsWith("--runs=")) runs = Number(a.slice(7));
    else if (a?.startsWith("--seed=")) seed = Number(a.slice(7));
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(runs) || runs < 1) usage("--runs must be a positive integer");
  return { runs, seed, exclude };
}

if (process.argv.includes("--malformed")) {
  const { runs, seed } = parseArgs(process.argv.slice(2).filter((a) => a !== "--malformed"));
  const cases = process.argv.some((a) => a.startsWith("--runs")) ? runs : 20_000;
  process.stdout.write(`malformed-input fuzz: ${cases} cases, seed ${seed}\n`);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=spec", "test/malformed.test.ts"],
    {
      stdio: "inherit",
      env: { ...process.env, DOEFF_MALFORMED_CASES: String(cases), DOEFF_MALFORMED_SEED: String(seed) },
    },
  );
  process.exit(r.status ?? 1);
}

const { runs, seed, exclude } = parseArgs(process.argv.slice(2));
process.stdout.write(
  `fuzz: ${runs} programs, seed ${seed}${exclude.size ? `, without ${[...exclude].join(", ")}` : ""}\n`,
);

const t0 = Date.now();
let compared = 0;
let skipped = 0;
let lastReport = t0;

const details = fc.check(
  fc.property(programArbWithout(exclude), (p: Program) => {
    const r = runCase(p);
    if (r === null) {
      skipped++;
      fc.pre(false); // over the reference's step budget
      return;
    }
    compared++;
    const now = Date.now();
    if (now - lastReport > 5000) {
      lastReport = now;
      process.stdout.write(`  … ${compared} compared (${((now - t0) / 1000).toFixed(0)} s)\n`);
    }
    if (!r.equal) throw new Error(`VM and reference disagree:\n${formatCase(p, r)}`);
  }),
  { numRuns: runs, seed, maxSkipsPerRun: 100 },
);

const secs = ((Date.now() - t0) / 1000).toFixed(1);
if (details.failed) {
  const shrunk = details.counterexample?.[0] as Program | undefined;
  process.stdout.write(
    `\nFAIL after ${details.numRuns} programs (${details.numShrinks} shrinks, ${secs} s); seed ${seed}, path "${details.counterexamplePath}"\n\n`,
  );
  if (shrunk !== undefined) {
    const small = minimize(shrunk, (q) => {
      const r = runCase(q);
      return r !== null && !r.equal;
    });
    const r = runCase(small);
    process.stdout.write(
      r === null ? "(shrunk case exceeds the step budget)\n" : `${formatCase(small, r)}\n`,
    );
  } else process.stdout.write(`${String(details.errorInstance)}\n`);
  process.exit(1);
}
process.stdout.write(`ok: ${compared} programs agree (${skipped} skipped over budget) in ${secs} s\n`);

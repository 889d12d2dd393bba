/**
 * The node flags of a pool's threads (`workers({ execArgv })` unset): the parent's loaders and
 * preloads, so that job modules load there as in the parent.
 */
/**
 * The threads' node flags. By default a thread gets the parent's; when the parent runs under tsx,
 * tsx's ESM loader is also registered in each thread (node 20 does not do it for worker threads),
 * so TypeScript job modules load there as they do in the parent.
 */
export function threadExecArgv(): string[] | undefined {
  const proc = (globalThis as { process?: { execArgv?: string[] } }).process;
  const argv = proc?.execArgv ?? [];
  if (!argv.some((a) => /(^|[/\\])tsx([/\\]|$)/.test(a) || a === "tsx")) return undefined;
  let api: string;
  try {
    api = import.meta.resolve("tsx/esm/api");
  } catch {
    return undefined;
  }
  const boot = `import { register } from ${JSON.stringify(api)}; register();`;
  return [...loaderFlags(argv), "--import", `data:text/javascript,${encodeURIComponent(boot)}`];
}

/** Flags that take their value as the next argument (when not written `--flag=value`). */
const WITH_VALUE = new Set([
  "--import",
  "--require",
  "-r",
  "--loader",
  "--experimental-loader",
  "--conditions",
  "-C",
]);

/**
 * The parent's flags a thread needs to load the same modules: loaders, preloads, conditions and
 * `--experimental-*` / warning switches. Node refuses per-process flags in a Worker's explicit
 * execArgv (`--max-old-space-size`, `--expose-gc`, … → ERR_WORKER_INVALID_EXEC_ARGV: every job
 * failed and pool.close() threw); those stay the parent's (a thread's heap: `resourceLimits`).
 */
function loaderFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    if (WITH_VALUE.has(flag)) {
      out.push(a);
      if (flag === a && i + 1 < argv.length) out.push(argv[++i]!);
    } else if (
      /^--(experimental-|no-experimental-|enable-source-maps$|no-warnings$|no-deprecation$)/.test(flag)
    ) {
      out.push(a);
    }
  }
  return out;
}

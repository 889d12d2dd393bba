/**
 * How an aborted run's report groups its chains (format.ts formatAborted, and trace/data.ts's
 * tracebackOf as data): tasks whose chains read alike as one entry, with its task and blocked-in
 * lines. A module of its own, reached by the report only once a task or a wait can be on it
 * (blocked-in.ts grouping): a bundle that cannot spawn (the small import) has main's chains alone,
 * which it prints without it.
 */
import type { Entry, TaskLineFields } from "./entries.js";

/** The fields of a task's line when `e` is one (a boundary made by a task, not one named like it). */
export const taskFields = (e: Entry | undefined): TaskLineFields | undefined =>
  e?.kind === "boundary" && (e.effect as Partial<TaskLineFields> | undefined)?.id !== undefined
    ? (e.effect as TaskLineFields)
    : undefined;

/** Ids as a report lists them: all of up to four, else the first three and `…`. */
const ids = (l: number[]): string => (l.length > 4 ? [...l.slice(0, 3), "…"] : l).join(", ");
const s = (n: number[]): string => (n.length > 1 ? "s" : "");

/**
 * Tasks whose chains an aborted run's report shows as one entry: their ids (none: main), the tasks
 * that spawned them, ` at <site>` where they were spawned (or ""), the tasks they wait on (of the
 * whole group), what they were blocked in, and the chain's rendering. (A tuple: every bundle that
 * can spawn holds this code, and minified property names stay.)
 */
export type AbortGroup<B> = [
  ids: number[],
  by: number[],
  at: string,
  on: number[],
  wait: Entry | null,
  body: B,
];

/**
 * An aborted run's chains as its report groups them (formatAborted; trace/data.ts gives the same
 * as data): main's chain first, then the tasks' in the order they were spawned (a task's chain
 * starts at its boundary line; a task with nothing but that line tells nothing: left out). Tasks
 * whose chains read alike (`body` gives each chain's rendering and its key), spawned at the same
 * site, all by main or all by tasks (a request's timeout task is spawned by that request's task)
 * are one group, `── in tasks 1, 6, 19, … (52 tasks) ──` (a server aborted with 70 requests in
 * flight printed 760 lines, one chain per request), the tasks they wait on merged into one list.
 */
export function abortGroups<B>(
  chains: Entry[][],
  body: (chain: Entry[], wait: Entry | null) => readonly [B, string],
): AbortGroup<B>[] {
  // A chain that ends with a task's kept chain (from its line on) was walked into that task through
  // the handler invocation holding its k — the scheduler's, waiting on the driver, with main's
  // frames above it when the scheduler is installed inside main (its part before the task's line):
  // cut there, or main's next chain printed on under the task's line (`── in task 3 ── / worker /
  // spawner / blocked in wait(task 2)`). (Here, not where the chains are kept: a bundle that cannot
  // spawn has no task line, and does not carry it.)
  const shown = chains
    .filter((c) => c.some((x) => x.kind !== "boundary"))
    .map((c) => {
      const b = c.findIndex((e) => e.kind === "boundary");
      const own = c.slice(b);
      return b > 0 && chains.some((t) => own.every((e, i) => t[i]?.name === e.name)) ? c.slice(0, b) : c;
    })
    .map((c) => [c, taskFields(c[0])] as const)
    .sort((a, b) => order(a[0], a[1]) - order(b[0], b[1]));
  const groups = new Map<string, AbortGroup<B>>();
  for (const [c, m] of shown) {
    const wait = c.at(-1)!.kind === "wait" ? c.at(-1)! : null;
    const [b, k] = body(c.slice(m ? 1 : 0, wait ? -1 : c.length), wait);
    const at = m?.at ? ` at ${m.at}` : "";
    // (main's key has no newline, a task's always has one)
    const key = m ? `${!m.by}${at}\n${k}` : `${groups.size}`;
    const g = groups.get(key) ?? [[], [], at, [], wait, b];
    groups.set(key, g);
    if (m) g[0].push(m.id);
    if (m?.by && !g[1].includes(m.by)) g[1].push(m.by);
    for (const id of (wait?.effect as number[] | undefined) ?? []) if (!g[3].includes(id)) g[3].push(id);
  }
  return [...groups.values()];
}

/**
 * Where a chain goes in the report: main's first (-1), a task's at its id (`m`, its line's fields). A
 * stand-in's (Spawn.standIn: `in task 1 (forwarded Fetch from worker job …)`, `in main (…)`) has
 * the id of the task it stands in for, from its line's fields (LineFields `task`; none in a nested
 * scheduler, whose lines sort as main's): right after that task's chain (its line kept, grouped
 * with none). It was sorted as main's, first, above main's own chain.
 */
function order(c: Entry[], m: TaskLineFields | undefined): number {
  if (m) return m.id;
  const e = c[0]!;
  const id = e.kind === "boundary" ? (e.effect as { task?: number } | undefined)?.task : undefined;
  return id === undefined ? -1 : (id || -1) + 0.5;
}

/** A group's task line, `in tasks 1, 6, 19, … (52 tasks, spawned by task 2 at …)` (no tasks: main). */
export function groupLine([l, by, at]: AbortGroup<unknown>): string {
  const notes = [
    l.length > 4 ? `${l.length} tasks` : "",
    by[0] || at ? `spawned${by[0] ? ` by task${s(by)} ${ids(by)}` : ""}${at}` : "",
  ]
    .filter((x) => x)
    .join(", ");
  return `in task${s(l)} ${ids(l)}${notes && ` (${notes})`}`;
}

/** A group's wait line, the `#` in its blocked-in text replaced with the ids it waits on. */
export const groupWait = ([, , , on]: AbortGroup<unknown>, text: string): string =>
  on[0] === undefined ? text : text.replace("#", `task${s(on)} ${ids(on)}`);

/**
 * The lines of an aborted run's chains, grouped (format.ts formatAborted, through blocked-in.ts
 * grouping): a group's task line, its chain (`chainLines`), and what it was blocked in (`waitLine`,
 * the `#` in it replaced with the ids of the tasks the whole group waits on).
 */
export function groupedLines(
  chains: Entry[][],
  out: string[],
  chainLines: (c: Entry[]) => string[],
  waitLine: (e: Entry) => string,
): void {
  const groups = abortGroups(chains, (c, wait) => {
    const lines = chainLines(c);
    if (wait) lines.push(waitLine(wait));
    return [lines, lines.join("\n")] as const;
  });
  for (const g of groups) {
    const lines = g[5];
    if (g[0][0]) out.push(`  ── ${groupLine(g)} ──`);
    if (g[4] !== null) lines.push(groupWait(g, lines.pop()!));
    out.push(...lines);
  }
}

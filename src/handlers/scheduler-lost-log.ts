/**
 * The warning for tasks' logs nothing collected (World.uncollected, World.finished): when a world
 * closes, the `tell`s of its finished tasks that no `wait` / `gather` / `race` merged are gone with
 * it (§9.3's merge rules stay as they are). Said on the run's warnings, as "task N failed and nothing
 * waited for it" is: an error no program can receive, naming the tasks, with how to keep the entries.
 */
import { DoeffError } from "../errors.js";

/** What a world counts of them: tasks and entries, and the first NAMED task ids, not the tasks. */
export interface LostLogs {
  tasks: number;
  entries: number;
  ids: number[];
}

/** Task ids a lost-log warning names; the others are counted. */
export const NAMED = 8;

/** The warning's error and its `where` line ("the log of task 3 was never collected"). */
export function lostLogWarning(u: LostLogs, prefix = "", main = "main"): [error: DoeffError, where: string] {
  // (a nested world's tasks as its messages name them: `task 2.3`, World.prefix)
  const ids = u.ids.sort((a, b) => a - b).map((id) => `${prefix}${id}`);
  const more = u.tasks - ids.length;
  const named =
    ids.length === 0
      ? `${u.tasks} task${u.tasks === 1 ? "" : "s"}` // (the ones it named were collected)
      : `task${u.tasks === 1 ? "" : "s"} ${ids.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  const entries = `${u.entries} log entr${u.entries === 1 ? "y" : "ies"}`;
  return [
    new DoeffError(
      `${entries} that ${named} wrote with tell ${u.entries === 1 ? "is" : "are"} not in RunResult.log: a task's log joins the log of the task that collects its outcome (wait, gather, race), and nothing collected ${u.tasks === 1 ? "it" : "them"}; to keep the entries, wait for the task (\`yield* wait(task)\` before ${main} returns)`,
    ),
    `the log of ${named} was never collected`,
  ];
}

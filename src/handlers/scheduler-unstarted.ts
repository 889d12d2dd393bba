/**
 * The warning for tasks that never ran (R9): main returned a value while tasks it (or a task)
 * spawned were still waiting in the ready queue, and ending the run cancelled them before they ran
 * any code — an audit write, a notification, spawned and forgotten just before main returned. A
 * cancel of an unstarted task is silent by §9.4, so without this nothing said the work was not done
 * (a test asserting "the audit failure is a warning" found no warning, and no call either).
 *
 * Not warned: a task that started (a loop blocked on a timer, cancelled at the end: the normal
 * structured shutdown — it ran, and its finally blocks run); a task a program or a combinator
 * cancelled (that was decided, and is not R9); a combinator's own child (OwnedCtx: the combinator
 * owns its fate); and a run that did not end by main returning — main threw, or the run's signal
 * aborted it, or the scheduler's scope was abandoned: the run's Err already says why it stopped.
 *
 * One warning per scheduler scope for all of them, not one per task: it is one mistake (main did not
 * wait) with one fix, and a fan-out of 1,000 forgotten tasks made 1,000 errors, each with its stack,
 * burying every other warning and calling an `onWarning` hook that reports to a tracker 1,000 times.
 * It names the first NAMED tasks (id, program name, where spawned) and counts the rest, as the
 * lost-log warning does (scheduler-lost-log.ts). A plain DoeffError, as that one: no program can
 * catch it, and the tasks are named in the message.
 */
import { DoeffError } from "../errors.js";
import { Program, siteOf, underHandlers } from "../protocol.js";
import { NAMED } from "./scheduler-lost-log.js";
import { type TaskRec, Wrapped } from "./scheduler-task.js";

/** What a shutdown counts of the tasks it cancelled unstarted: how many, and the first NAMED named. */
export interface NeverRan {
  tasks: number;
  named: string[];
  /** how many of them were spawned after main returned (by a finally block R9 ran) */
  late: number;
}

/**
 * `task 3 (audit, spawned by task 1 at app.ts:12)`: its id, its program's name (an anonymous
 * program has none) and, as its traceback line says it (TaskRec.frameLabel), who spawned it and
 * where (trace sites on). Read before it is cancelled: a cancelled task lets go of its body.
 * `spawn(withHandler(h, audit()))`, the form the docs give a task its own handler in, is named by
 * the program inside (`audit`), not left anonymous. `late`: spawned as the run ended.
 */
function taskName(t: TaskRec, late: boolean): string {
  let body = t.body;
  if (body instanceof Wrapped) body = body.body;
  body = underHandlers(body);
  const parts: string[] = [];
  if (body instanceof Program && body.name !== "") parts.push(body.name);
  const at = siteOf(t.spawnSite);
  const p = t.parentLabel();
  const by = p === "" ? "" : ` by ${p}`;
  const ended = t.world.prefix === "" ? "the run" : "its scheduler";
  if (at !== null || by !== "" || late)
    parts.push(`spawned${by}${at === null ? "" : ` at ${at}`}${late ? ` as ${ended} ended` : ""}`);
  return `${t.label}${parts.length === 0 ? "" : ` (${parts.join(", ")})`}`;
}

/**
 * Count `t`, about to be cancelled unstarted by R9 after main returned (named while NAMED allow).
 * `late`: spawned after main returned — by a finally block of a task R9 cancelled before it.
 */
export function noteNeverRan(u: NeverRan | null, t: TaskRec, late: boolean): NeverRan {
  u ??= { tasks: 0, named: [], late: 0 };
  u.tasks++;
  if (late) u.late++;
  if (u.named.length < NAMED) u.named.push(taskName(t, late));
  return u;
}

/**
 * The warning's error and its `where` line: `task 1 (audit) never ran: main returned before it
 * started`, or for several `3 tasks never ran: …`, the message naming them (the line stays short).
 * A task spawned as the run ended (a finally block of a task R9 cancelled spawned it: a flush, an
 * audit of the shutdown) could not have been waited for by main, which had returned: for it the
 * fix is to do the work in the finally block itself — said instead of (all late) or after (some).
 */
export function neverRanWarning(
  u: NeverRan,
  main = "main",
  nested = false,
): [error: DoeffError, where: string] {
  // (a nested world, World.prefix: its main is not the run's, and its end is not the run's)
  const end = nested ? "its scheduler" : "the run";
  const one = u.tasks === 1;
  const more = u.tasks - u.named.length;
  const who = `${u.named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  const it = one ? "it" : "them";
  const they = one ? "it" : "they";
  const inFinally =
    "do that work in the finally block itself (its effects that do not block still run there)";
  const message =
    u.late === u.tasks
      ? `${who} ${one ? "was" : "were"} spawned after ${main} returned, by a finally block that ending ${end} ran, and ${one ? "a task" : "tasks"} spawned then ${one ? "is" : "are"} cancelled before ${one ? "it runs" : "they run"} any code: ${inFinally}`
      : `${main} returned before ${who} started, so ending ${end} cancelled ${it} before ${they} ran any code: wait for ${it} before ${main} returns (\`yield* wait(task)\`, or gather ${it}), in a test end main with \`yield* quiescent()\`, or spawn a task that should not outlive its block in \`scoped(…)\`${u.late > 0 ? `; for a task spawned as ${end} ended, by a finally block, ${inFinally}` : ""}`;
  return [
    new DoeffError(message),
    `${one ? who : `${u.tasks} tasks`} never ran: ${u.late === u.tasks ? `spawned as ${end} ended` : `${main} returned before ${they} started`}`,
  ];
}

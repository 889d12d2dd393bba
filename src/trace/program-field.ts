/**
 * How a program shows as a field of an effect — in `record`'s and `expectEffects`' lists and in a
 * traceback's handler line: `Spawn(charge(), "shared")`. A toolkit combinator's task runs a body of
 * its own, a hidden program without a name (timeout's `hidden(work, r, p)`, all's `hidden(child,
 * pool, i, p)`), which showed as `program()` for every task timeout, retry and all started: it shows
 * as the program it runs instead. Worked out here, when printed: nothing is made per spawn, and the
 * toolkit's step loop is not touched. Loaded with the toolkit (concurrency/site.ts) and doeff/testing,
 * which it serves, it takes over format.ts's `fields.program`: the small import carries none of it.
 */
import { brandOf, isProgramLike } from "../vm/brand.js";
import { B_EFFECT, B_PROGRAM, P_GEN1, P_INTERNAL } from "../vm/codes.js";
import { waitName } from "./blocked-in.js";
import { argsOf, fieldOf, fields, showEffect } from "./format.js";

/**
 * The toolkit programs that run a program given to them (`scoped`, `retry`, `withPermit`): their
 * generator function → that program's index in their arguments. `timeout` reads it to name the
 * program inside (`scoped(job) timed out`, not `scoped timed out`), and a field shows it,
 * `retry(charge())`: wrapping a job in `scoped` is what makes a timeout end the tasks it spawned,
 * and the message should still say which job.
 */
export const wrappers = new Map<unknown, number>();

/**
 * A toolkit program shown with its arguments (`timeout(charge(), 50 ms)`), or a task body that runs
 * no program of the user's (timeout's timer, `timeout's timer(100 ms)`): its generator function →
 * what it is, made from its arguments when printed; `show` prints one of them as a field.
 */
export const shownAs = new Map<unknown, (args: readonly unknown[], show: (x: unknown) => string) => string>();

/**
 * A program as a field shows it: `name(args)` (argsOf: `inc(3)`, an argument shown by `other`, a
 * program among them as a field); a wrapper's, `retry(charge())`; a nameless hidden one as what it
 * runs — `shownAs`'s answer, a wrapper's program, a blocking call as a report names it
 * (`receive(…)`), else its first argument that is a program or effect. What it runs is shown by
 * `other` when it is no program (an effect: the printers differ). Programs nest finitely (each is
 * made from ones made before it); a deep nest is cut (`…`), so a printer never overflows the stack.
 */
export function programField(p: unknown, other: (x: unknown) => string, depth = 0): string {
  const { tag, name, a, b } = p as { tag: number; name: string; a: unknown; b: unknown };
  const args: readonly unknown[] = tag === P_GEN1 ? [b] : Array.isArray(b) ? b : [];
  const show = (x: unknown): string =>
    depth > 8 ? "…" : brandOf(x) === B_PROGRAM ? programField(x, other, depth + 1) : other(x);
  const shown = shownAs.get(a);
  if (shown !== undefined) return shown(args, show);
  const i = wrappers.get(a);
  const hidden = tag === P_INTERNAL && name === "";
  const blocks = hidden ? waitName(a) : undefined;
  if (blocks !== undefined) return blocks;
  const inner = i !== undefined ? args[i] : hidden ? args.find(isProgramLike) : undefined;
  if (inner === undefined) return `${name || "program"}(${argsOf(p, show)})`;
  return name === "" ? show(inner) : `${name}(${show(inner)})`;
}

// (a traceback's field: what a program runs shows as its effect line does, `FetchUser()`)
const effectOr = (x: unknown): string => (brandOf(x) === B_EFFECT ? showEffect(x) : fieldOf(x, 60));
fields.program = (p) => programField(p, effectOr);

/**
 * What a job's worker says of an export named as the job that is no job: a class, the module's
 * `handlers` / `forward` / `errors` list, a bare generator function's generator object (worker-entry.ts
 * getProgram; these run on its error paths only).
 */
import { isProgramLike } from "../protocol.js";
import { shortUrl } from "./short-url.js";

/** the exports a module gives doeff itself, never a job */
export const RESERVED: ReadonlySet<string> = new Set(["handlers", "forward", "errors"]);

export const isGenerator = (x: unknown): boolean =>
  Object.prototype.toString.call(x) === "[object Generator]";

export const isClass = (x: unknown): boolean =>
  typeof x === "function" && /^class\b/.test(Function.prototype.toString.call(x));

/** `url#name` is `what`, not a job: the message, naming the module's exports that could be jobs */
export function notAJob(ns: Record<string, unknown>, url: string, name: string, what: string): string {
  const jobs = Object.keys(ns).filter(
    (n) => !RESERVED.has(n) && ((typeof ns[n] === "function" && !isClass(ns[n])) || isProgramLike(ns[n])),
  );
  return `${shortUrl(url)}#${name} is ${what}, not a job; name one of the module's jobs (${jobs.join(", ") || "it exports none"}): a function returning a Program (fn(function* …)), or a Program`;
}

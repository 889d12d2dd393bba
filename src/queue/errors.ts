/** Errors of `doeff/queue`. */
import type { ConnectionOptions } from "bullmq";
import { DoeffError } from "../index.js";
import { registerDoeffErrorClasses } from "../workers/wire.js";

/** A job names a program the worker does not have (it fails at once, without retries). */
export class UnknownProgramError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "UnknownProgramError";
  readonly programName: string;
  constructor(programName: string, known: readonly string[]) {
    super(
      `this worker has no program named ${JSON.stringify(programName)} (it has: ${known.join(", ") || "none"}); add it to startWorker({ programs: { ${programName}: … } })`,
    );
    this.programName = programName;
  }
}

// rebuilt only from an error that was the queue's, never from a user's class of the same name
registerDoeffErrorClasses([UnknownProgramError]);

/**
 * Where `connection` points, for a message: "host:port", or what is known of it. A `url` (BullMQ
 * connects to it rather than to host and port) is read for its host and port, its credentials never
 * shown; one that does not parse is shown without them. The defaults are BullMQ's (127.0.0.1:6379).
 */
export function where(connection: ConnectionOptions): string {
  const c = connection as {
    host?: unknown;
    port?: unknown;
    path?: unknown;
    url?: unknown;
    options?: { host?: unknown; port?: unknown };
  };
  if (typeof c.path === "string") return c.path;
  if (typeof c.url === "string") {
    try {
      const u = new URL(c.url);
      return `${u.hostname || "127.0.0.1"}:${u.port || 6379}`;
    } catch {
      return JSON.stringify(c.url.replace(/\/\/[^/@]*@/, "//"));
    }
  }
  const o = typeof c.options === "object" && c.options !== null ? c.options : c;
  return `${typeof o.host === "string" ? o.host : "127.0.0.1"}:${typeof o.port === "number" ? o.port : 6379}`;
}

/** A Redis error that says the credentials were refused (a wrong password, none where one is needed). */
export function refusedCredentials(e: unknown): boolean {
  return e instanceof Error && /^(?:WRONGPASS|NOAUTH|ERR invalid password)/.test(e.message);
}

/**
 * What keeps BullMQ from using `connection` for a blocking reader (a worker, a producer's event
 * reader), or null: an ioredis client made with `maxRetriesPerRequest` set (ioredis's default, 20).
 * BullMQ refuses it only after it has duplicated the client, whose connection is then left open and
 * keeps the process alive: said here first, before anything connects. `who` names the caller.
 */
export function blockingClientProblem(who: string, connection: unknown): string | null {
  const c = connection as {
    connect?: unknown;
    disconnect?: unknown;
    duplicate?: unknown;
    isCluster?: unknown;
    options?: { maxRetriesPerRequest?: unknown; redisOptions?: { maxRetriesPerRequest?: unknown } };
  } | null;
  if (
    c === null ||
    typeof c !== "object" ||
    typeof c.connect !== "function" ||
    typeof c.disconnect !== "function" ||
    typeof c.duplicate !== "function"
  )
    return null; // options, not a client: BullMQ sets maxRetriesPerRequest itself
  const n = c.isCluster ? c.options?.redisOptions?.maxRetriesPerRequest : c.options?.maxRetriesPerRequest;
  if (!n) return null; // (0 too: BullMQ refuses only a number of retries)
  return `${who}: the connection is an ioredis client made with maxRetriesPerRequest ${String(n)} (ioredis's default is 20); BullMQ blocks on it waiting for ${who === "queue" ? "the jobs' events" : "jobs"} and needs maxRetriesPerRequest: null — make it with new Redis({ …, maxRetriesPerRequest: null }), or pass the options ({ host, port }) and let BullMQ connect`;
}

/**
 * `queue()`'s options: their type, and the check that refuses a bad one when the handler is made
 * (before any Redis connection), with a message saying what is expected. Separate from the
 * connection (connection.ts), which only reads options that passed.
 */
import type { ConnectionOptions } from "bullmq";
import { describe } from "../protocol.js";
import { blockingClientProblem } from "./errors.js";

/**
 * The options of `queue(options)`, the producer handler for one queue: where Redis is, the queue's
 * name, and how progress and trimmed job events are followed. An unknown key is a TypeError.
 *
 * @example
 * ```ts
 * const jobs = queue({ connection: { host: "127.0.0.1", port: 6379 }, name: "primes" });
 * ```
 */
export interface QueueOptions {
  /** ioredis options (`{ host, port }`) or an ioredis instance */
  readonly connection: ConnectionOptions;
  /** the BullMQ queue name */
  readonly name: string;
  /** BullMQ key prefix (default "bull") */
  readonly prefix?: string;
  /** called with a job's progress when its program performs reportProgress */
  readonly onProgress?: (jobId: string, progress: unknown) => void;
  /**
   * ms between checks, while jobs are waited for, that Redis has not trimmed job events from the
   * queue's event stream before this producer read them (default 5000). When it has, the waiting
   * jobs' outcomes are read from the jobs themselves.
   */
  readonly eventsCheckMs?: number;
}

const OPTION_KEYS = ["connection", "name", "prefix", "onProgress", "eventsCheckMs"];

/** Refuse options `queue()` cannot run with (a TypeError naming the option and what it takes). */
export function checkQueueOptions(options: QueueOptions): void {
  if (options === null || typeof options !== "object" || options.connection === undefined)
    throw new TypeError(
      "queue({ connection, name }) needs connection options for Redis, e.g. { host: '127.0.0.1', port: 6379 }",
    );
  const blocking = blockingClientProblem("queue", options.connection);
  if (blocking !== null) throw new TypeError(blocking);
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key))
      throw new TypeError(
        `queue: unknown option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.join(", ")}`,
      );
  if (options.onProgress !== undefined && typeof options.onProgress !== "function")
    throw new TypeError(
      `queue({ onProgress }) must be a function (jobId, progress) => void, got ${describe(options.onProgress)}`,
    );
  if (typeof options.name !== "string" || options.name === "")
    throw new TypeError(`queue({ connection, name }) needs a queue name, got ${String(options.name)}`);
  const ms = options.eventsCheckMs;
  if (ms !== undefined && !(typeof ms === "number" && ms > 0 && ms <= 2 ** 31 - 1))
    throw new TypeError(`queue({ eventsCheckMs }) must be a number of ms > 0, got ${String(ms)}`);
}

/**
 * What the producer needs from BullMQ and ioredis beyond their documented use: loading BullMQ (an
 * optional peer), reading the queue's event stream's bounds (XINFO) to tell whether events were
 * trimmed unread (or the queue deleted), and ending a QueueEvents' Redis client so that close() does not wait for Redis.
 * Separate because these reach into the libraries' internals (BullMQ 5 and 6 differ there), and
 * are kept apart from the producer's own logic so that a new BullMQ major is fixed in one place.
 */
import type { Queue, QueueEvents } from "bullmq";

export async function loadBullmq(): Promise<typeof import("bullmq")> {
  try {
    return await import("bullmq");
  } catch (e) {
    throw new Error(
      `doeff/queue runs on BullMQ, which is not installed here; add it with: npm install bullmq ioredis (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    );
  }
}

/** Compare two stream ids ("ms-seq"). */
export function cmpId(a: string, b: string): number {
  const i = a.indexOf("-");
  const j = b.indexOf("-");
  return Number(a.slice(0, i)) - Number(b.slice(0, j)) || Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}

/** The queue's event stream, as a check for lost events sees it (streamState). */
export interface EventStream {
  readonly state: "read" | "trimmed" | "deleted";
  /** its oldest entry's id; null when it has none (every entry trimmed, or the stream deleted) */
  readonly first: string | null;
  /** the last id Redis generated for it ("0-0" when deleted) */
  readonly last: string;
}

/**
 * Where the queue's event stream stands for a reader that read up to `lastSeen` (`state`):
 * - `"read"`: nothing after `lastSeen` was trimmed unread;
 * - `"trimmed"`: events after it were trimmed before they were read. Trimming removes the oldest
 *   entries only, so they were when the oldest entry left is newer than `lastSeen` — or, with every
 *   entry gone, when the last id Redis generated is. (At worst a false alarm: the entry right after
 *   `lastSeen` was kept and the one read was trimmed; the jobs are read.)
 * - `"deleted"`: the queue itself was deleted (`Queue.obliterate()`, its keys deleted, FLUSHDB):
 *   the stream is gone (trimming leaves it, empty), or it was trimmed and the queue's meta key
 *   (which only deleting the queue removes, and the next add writes again) is gone.
 */
export async function streamState(queue: Queue, lastSeen: string): Promise<EventStream> {
  // ioredis's own call (BullMQ 6's client passes a call written this way through to it); the
  // client is the backend's on BullMQ 6, the queue's on 5
  type Client = { xinfo(...args: string[]): Promise<unknown[]>; exists(key: string): Promise<number> };
  const q = queue as unknown as { client?: Promise<Client>; getBackend?(): { client: Promise<Client> } };
  const client = await (q.getBackend?.().client ?? q.client!);
  let info: unknown[];
  try {
    info = await client.xinfo("STREAM", queue.toKey("events"));
  } catch (e) {
    if (e instanceof Error && /no such key/i.test(e.message))
      return { state: "deleted", first: null, last: "0-0" };
    throw e;
  }
  const field = (name: string): unknown => {
    const i = info.indexOf(name);
    return i >= 0 ? info[i + 1] : undefined;
  };
  const entry = field("first-entry") as [string, unknown] | null | undefined;
  const first = entry != null ? entry[0] : null;
  const generated = field("last-generated-id");
  const last = typeof generated === "string" ? generated : "0-0";
  const trimmed = first !== null ? cmpId(first, lastSeen) > 0 : cmpId(last, lastSeen) > 0;
  if (!trimmed) return { state: "read", first, last };
  const deleted = (await client.exists(queue.toKey("meta"))) === 0;
  return { state: deleted ? "deleted" : "trimmed", first, last };
}

/** The part of BullMQ's connection wrapper close() reaches for (not public API: optional). */
interface RawConn {
  _client?: { disconnect(): void; status?: string; setStatus?(status: string): void };
}

/**
 * End a QueueEvents' Redis client directly, so that its close() does not wait for a connection that
 * never comes (Redis down, credentials refused). BullMQ 6: `backend.connection`, 5: `connection`;
 * best effort — not public API.
 */
export function endClients(events: QueueEvents | undefined): void {
  const ev = events as unknown as { backend?: { connection?: RawConn }; connection?: RawConn } | undefined;
  try {
    const client = (ev?.backend?.connection ?? ev?.connection)?._client;
    client?.disconnect();
    // Between two connect attempts ioredis has no socket to end: disconnect() then emits no
    // "end", and BullMQ 5's close waits for one (its connection's ready-wait listens for it)
    if (client?.status === "reconnecting") client.setStatus?.("end");
  } catch {}
}

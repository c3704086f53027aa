/**
 * What the transports send for an event in the job's encoding (servers/contract/wire-options.ts), each
 * encoded once per event whatever the number of clients, as the entry's JSON is made once upstream:
 * the binary record is cached by entry (a WeakMap, so it goes with the entry when the ring drops it).
 */
import type { ServerResponse } from 'node:http';
import { encodeEventList } from './contract/protocol.ts';
import { encodeBinaryEvent, encodeBinaryEventList } from './contract/binary-event.ts';
import type { EventEncoding } from './contract/wire-options.ts';
import type { FeedEntry } from './feed.ts';
import { sendJson } from './http-host.ts';

const records = new WeakMap<FeedEntry, Buffer>();

/** The entry's binary record (servers/contract/binary-event.ts), made on first use. */
export function recordOf(entry: FeedEntry): Buffer {
  let record = records.get(entry);
  if (record === undefined) records.set(entry, (record = encodeBinaryEvent(entry.event)));
  return record;
}

/**
 * A poll answer's body. `gzip` is filled in by whoever first sends it compressed, so waiters that
 * share a body (a long-poll flush) share its compression too.
 */
export interface PollBody {
  contentType: 'application/json' | 'application/octet-stream';
  body: string | Buffer;
  gzip?: Buffer;
}

export function pollBody(entries: readonly FeedEntry[], encoding: EventEncoding | undefined): PollBody {
  return encoding === 'binary'
    ? { contentType: 'application/octet-stream', body: encodeBinaryEventList(entries.map(recordOf)) }
    : { contentType: 'application/json', body: encodeEventList(entries.map((e) => e.json)) };
}

/** Sends an uncompressed poll body: JSON exactly as before (sendJson), binary with its own type. */
export function sendPollBody(res: ServerResponse, body: PollBody): void {
  if (typeof body.body === 'string') return sendJson(res, 200, body.body);
  res.writeHead(200, { 'content-type': body.contentType, 'content-length': body.body.length });
  res.end(body.body);
}

/**
 * One SSE frame, as bytes: `id:` and `data:` with the event JSON, or with the binary record in
 * base64 (SSE is text only). Every subscriber gets the same entry in a row, so a one-slot cache
 * builds each frame once per event rather than once per client.
 */
export function sseFrameCache(encoding: EventEncoding | undefined): (entry: FeedEntry) => Buffer {
  let last: FeedEntry | undefined;
  let bytes = Buffer.alloc(0);
  return (entry) => {
    if (entry !== last) {
      last = entry;
      const data = encoding === 'binary' ? recordOf(entry).toString('base64') : entry.json;
      bytes = Buffer.from(`id: ${entry.event.seq}\ndata: ${data}\n\n`);
    }
    return bytes;
  };
}

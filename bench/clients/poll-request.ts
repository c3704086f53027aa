/** One poll over an undici Client: GET, read the whole body, decode the event list, count bytes. */
import { isCompressed } from '../../servers/contract/compressed.ts';
import { gunzipSync } from 'node:zlib';
import type { Client } from 'undici';
import { ProtocolError, decodeEventList, type FeedEvent } from '../../servers/contract/protocol.ts';
import { decodeBinaryEventList } from '../../servers/contract/binary-event.ts';
import type { Compression, EventEncoding } from '../../servers/contract/wire-options.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { MORE_EVENTS_HEADER } from '../../servers/contract/catch-up.ts';

export interface PollAnswer {
  events: FeedEvent[];
  bodyBytes: number;
  /**
   * The events' own bytes in the body: the body is `[` + the encoded events joined by `,` + `]`
   * (servers/contract/protocol.ts encodeEventList, no white space), so they are the body less 2 + (k - 1)
   * bytes; `[]` carries none. In the binary encoding: the records, less their 4-byte length prefixes.
   * Compressed or not, the bytes of the body as decompressed (the socket counts what travelled).
   */
  eventBytes: number;
  receivedNs: bigint;
  /** A capped catch-up page (servers/contract/catch-up.ts): newer events are waiting, ask again at once. */
  more: boolean;
}

/**
 * The job's encoding and compression (absent: JSON, uncompressed) and the request header profile's
 * headers as undici takes them (request-headers.ts undiciHeaders; absent: minimal, undici's own only).
 */
export interface PollWire {
  encoding?: EventEncoding;
  compression?: Compression;
  headers?: string[];
}

export async function poll(client: Client, path: string, wire: PollWire = {}): Promise<PollAnswer> {
  const gzip = isCompressed(wire.compression);
  if (gzip || wire.encoding === 'binary') return pollBytes(client, path, gzip, wire.headers);
  const headers = wire.headers;
  const answer = await client.request({ method: 'GET', path, ...(headers && { headers }) });
  const { statusCode, body } = answer;
  const text = await body.text();
  // Stamped when the body is complete: that is when the events are usable.
  const receivedNs = nowNs();
  if (statusCode !== 200) throw new Error(`GET ${path} answered ${statusCode}: ${text.slice(0, 200)}`);
  const events = decodeEventList(text);
  const bodyBytes = Buffer.byteLength(text);
  const eventBytes = events.length === 0 ? 0 : bodyBytes - 2 - (events.length - 1);
  return { events, bodyBytes, eventBytes, receivedNs, more: capped(answer.headers) };
}

/**
 * A poll asking for gzip (undici's Client.request does not decompress: we do, as a browser would)
 * and reading either encoding, told apart by the answer's content-type.
 */
async function pollBytes(
  client: Client,
  path: string,
  gzip: boolean,
  profile: string[] | undefined,
): Promise<PollAnswer> {
  const { statusCode, headers, body } = await client.request({
    method: 'GET',
    path,
    ...((gzip || profile) && { headers: withGzip(profile, gzip) }),
  });
  const raw = Buffer.from(await body.arrayBuffer());
  // Stamped when the body is complete, before decompressing and decoding, like the plain poll.
  const receivedNs = nowNs();
  const bytes = headers['content-encoding'] === 'gzip' ? gunzipBody(raw) : raw;
  if (statusCode !== 200)
    throw new Error(`GET ${path} answered ${statusCode}: ${bytes.toString('utf8').slice(0, 200)}`);
  if (headers['content-type'] === 'application/octet-stream') {
    const { events, recordBytes } = decodeBinaryEventList(bytes);
    return { events, bodyBytes: bytes.length, eventBytes: recordBytes, receivedNs, more: capped(headers) };
  }
  const events = decodeEventList(bytes.toString('utf8'));
  const eventBytes = events.length === 0 ? 0 : bytes.length - 2 - (events.length - 1);
  return { events, bodyBytes: bytes.length, eventBytes, receivedNs, more: capped(headers) };
}

function capped(headers: Record<string, string | string[] | undefined>): boolean {
  return headers[MORE_EVENTS_HEADER] === '1';
}

/**
 * The profile's headers, plus `accept-encoding: gzip` when compression is asked for and the profile
 * says nothing of encodings (minimal); a browser's or the 2010 profile's own Accept-Encoding (which
 * includes gzip) is sent as captured, never twice.
 */
function withGzip(profile: string[] | undefined, gzip: boolean): string[] {
  const list = profile ?? [];
  const names = list.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
  return gzip && !names.includes('accept-encoding') ? [...list, 'accept-encoding', 'gzip'] : list;
}

function gunzipBody(raw: Buffer): Buffer {
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new ProtocolError(`poll body is not valid gzip: ${(err as Error).message}`);
  }
}

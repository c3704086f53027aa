/** One poll over an undici Client: GET, read the whole body, decode the event list, count bytes. */
import type { Client } from 'undici';
import { decodeEventList, type FeedEvent } from '../../servers/contract/protocol.ts';
import { nowNs } from '../../servers/contract/clock.ts';

export interface PollAnswer {
  events: FeedEvent[];
  bodyBytes: number;
  /**
   * The events' own bytes in the body: the body is `[` + the encoded events joined by `,` + `]`
   * (servers/contract/protocol.ts encodeEventList, no white space), so they are the body less 2 + (k - 1)
   * bytes; `[]` carries none.
   */
  eventBytes: number;
  receivedNs: bigint;
}

/** `headers`: the request header profile's, as undici takes them (request-headers.ts undiciHeaders); none = minimal. */
export async function poll(client: Client, path: string, headers?: string[]): Promise<PollAnswer> {
  const { statusCode, body } = await client.request({ method: 'GET', path, ...(headers && { headers }) });
  const text = await body.text();
  // Stamped when the body is complete: that is when the events are usable.
  const receivedNs = nowNs();
  if (statusCode !== 200) throw new Error(`GET ${path} answered ${statusCode}: ${text.slice(0, 200)}`);
  const events = decodeEventList(text);
  const bodyBytes = Buffer.byteLength(text);
  return { events, bodyBytes, eventBytes: events.length === 0 ? 0 : bodyBytes - 2 - (events.length - 1), receivedNs };
}

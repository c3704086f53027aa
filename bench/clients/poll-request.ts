/** One poll over an undici Client: GET, read the whole body, decode the event list, count bytes. */
import type { Client } from 'undici';
import { decodeEventList, type FeedEvent } from '../../servers/protocol.ts';

export interface PollAnswer {
  events: FeedEvent[];
  bodyBytes: number;
  receivedNs: bigint;
}

export async function poll(client: Client, path: string): Promise<PollAnswer> {
  const { statusCode, body } = await client.request({ method: 'GET', path });
  const text = await body.text();
  // Stamped when the body is complete: that is when the events are usable.
  const receivedNs = process.hrtime.bigint();
  if (statusCode !== 200) throw new Error(`GET ${path} answered ${statusCode}: ${text.slice(0, 200)}`);
  return { events: decodeEventList(text), bodyBytes: Buffer.byteLength(text), receivedNs };
}

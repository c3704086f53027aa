/**
 * Contract (servers/contract/). Imported by the servers (servers/messages.ts, the WebSocket transport)
 * and the clients (bench/clients/upstream-sender.ts and its channels).
 *
 * Upstream messages: what a chat-like client sends to the server (the WebSocket API's `send()`), and
 * the echo the server answers with. Over WebSocket a message is one text frame from the client and
 * its echo one text frame back on the same connection; over HTTP a message is the body of
 * `POST MESSAGES_PATH` (routes.ts) and its echo the answer's body.
 *
 * A message is `{"id":<n>,"sentNs":"<decimal>","body":"<ASCII>"}`, exactly `messageBytes` UTF-8 bytes:
 * the body (realistic text, messageBody) is cut so the whole has the stated size, whatever the digits
 * of id and sentNs. So
 * a k-byte message is a k-byte frame payload or a k-byte POST body, and byte arithmetic is exact.
 * The echo is the message with the server's receive stamp inserted after sentNs:
 * `{"id":<n>,"sentNs":"<decimal>","serverReceivedNs":"<decimal>","body":"<same body>"}`.
 * Stamps are decimal strings of nowNs() (clock.ts): CLOCK_MONOTONIC, shared by every process, and a
 * nanosecond uptime does not fit a double exactly.
 */
import type { ParseResult } from './protocol.ts';
import { makeTextPayload } from './payload.ts';

/**
 * The largest message the server accepts, in bytes (the whole JSON text): 4 KiB. A chat message is
 * small (a 280-character post is at most 1,120 UTF-8 bytes), and the bound is what one connection can
 * make the server buffer per message: ws's default maxPayload of 100 MiB let three clients pin the
 * server at 402 MiB RSS (issue 12 item 3). Over it: HTTP 413, WebSocket close 1009 (RFC 6455 7.4.1).
 */
export const MAX_MESSAGE_BYTES = 4096;

/** One message as sent. */
export interface UpstreamMessage {
  /** Per client, from 1, one more per message sent. */
  id: number;
  /** nowNs() when the client sent it. */
  sentNs: bigint;
  body: string;
}

/** One echo as received: the message and the server's nowNs() when it had read the whole message. */
export interface UpstreamEcho extends UpstreamMessage {
  serverReceivedNs: bigint;
}

const envelope = (id: number, sentNs: bigint) => `{"id":${id},"sentNs":"${sentNs}","body":""}`;

/** The smallest message that can carry this id and stamp (an empty body). */
function minMessageBytes(id: number, sentNs: bigint): number {
  return envelope(id, sentNs).length;
}

/**
 * The smallest size a client may ask for: room for any id up to 999,999,999 and a 20-digit stamp
 * (2^64 ns), so every message of a run has the stated size (58 bytes).
 */
export const MIN_MESSAGE_BYTES = minMessageBytes(999_999_999, 2n ** 64n - 1n);

/**
 * The body text of message `id` for a `bytes`-byte message, long enough for the shortest stamp: the
 * feed's realistic text (payload.ts makeTextPayload, seeded by the id), so a compressed message is
 * as compressible as a real one (a repeated alphabet would flatter permessage-deflate). Made before
 * the send is stamped (it costs microseconds); encodeMessage cuts it to the exact size.
 */
export function messageBody(id: number, bytes: number): string {
  return makeTextPayload(Math.max(0, bytes - minMessageBytes(id, 0n)), id);
}

/**
 * Encodes a message of exactly `bytes` bytes, its body a prefix of `body` (messageBody's, by default);
 * throws when the envelope alone is longer.
 */
export function encodeMessage(id: number, sentNs: bigint, bytes: number, body = messageBody(id, bytes)): string {
  const bodyBytes = bytes - minMessageBytes(id, sentNs);
  if (bodyBytes < 0) throw new RangeError(`a message of id ${id} needs at least ${bytes - bodyBytes} bytes`);
  return `{"id":${id},"sentNs":"${sentNs}","body":"${body.slice(0, bodyBytes)}"}`;
}

export function encodeEcho(message: UpstreamMessage, serverReceivedNs: bigint): string {
  const { id, sentNs, body } = message;
  return `{"id":${id},"sentNs":"${sentNs}","serverReceivedNs":"${serverReceivedNs}","body":${JSON.stringify(body)}}`;
}

const DECIMAL = /^\d{1,30}$/;

function fields(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const { id, sentNs, body } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'has no non-negative integer id';
  if (typeof sentNs !== 'string' || !DECIMAL.test(sentNs)) return 'has no decimal sentNs';
  if (typeof body !== 'string') return 'has no string body';
  return value as Record<string, unknown>;
}

/** Parses a message as the server receives it (its size is checked before, against MAX_MESSAGE_BYTES). */
export function parseMessage(text: string): ParseResult<UpstreamMessage> {
  const f = fields(text);
  if (typeof f === 'string') return { ok: false, message: `the message ${f}` };
  return {
    ok: true,
    value: { id: f['id'] as number, sentNs: BigInt(f['sentNs'] as string), body: f['body'] as string },
  };
}

/** Parses an echo as the client receives it; throws on anything else. */
export function decodeEcho(text: string): UpstreamEcho {
  const f = fields(text);
  const received = typeof f === 'string' ? undefined : f['serverReceivedNs'];
  if (typeof f === 'string' || typeof received !== 'string' || !DECIMAL.test(received))
    throw new Error(`not an echo: ${text.slice(0, 80)}`);
  return {
    id: f['id'] as number,
    sentNs: BigInt(f['sentNs'] as string),
    serverReceivedNs: BigInt(received),
    body: f['body'] as string,
  };
}

/**
 * Whether a text frame on a WebSocket carrying both is an echo rather than a feed event: an echo's
 * text begins with its id, an event's with its seq (protocol.ts encodeEvent).
 */
export function isEchoText(text: string): boolean {
  return text.startsWith('{"id":');
}

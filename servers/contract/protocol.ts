/**
 * Contract (servers/contract/: what crosses a process boundary; imports nothing outside this folder).
 * Imported by the servers (transports, feed, upstream), the clients and load generator (bench/clients/,
 * bench/load/), the publisher (bench/publisher/), the scenarios, the CLI and the result schema.
 *
 * The wire contract every transport speaks. Clients (bench/) import this file for types and the
 * codec only, so one change here changes every transport alike: the whole point of the comparison
 * is that the only difference between two results is the transport.
 */

// Every transport is named once, by its traits record (transport-traits.ts): the servers' attachers,
// the clients, every schema's enum, the CLI and the reports derive their lists from it.
export { TRANSPORT_NAMES, type TransportName } from './transport-traits.ts';

/** One feed event. `emittedAtNs` is the *scheduled* publish time on CLOCK_MONOTONIC (process.hrtime). */
export interface FeedEvent {
  seq: number;
  emittedAtNs: bigint;
  payload: string;
}

export { EVENTS_PATH, MESSAGES_PATH, STREAM_PATH, WS_PATH } from './routes.ts';

/** The close code a WebSocket client dropped as a slow consumer gets: RFC 6455 7.4.1 "Try Again Later" (servers/slow-consumer.ts). */
export const WS_CLOSE_SLOW_CONSUMER = 1013;

/**
 * The largest event payload, in bytes: what a scenario and the publisher's feed spec accept, and what
 * the upstream wire's line limit (feed-wire.ts) is sized for.
 */
export const MAX_PAYLOAD_BYTES = 1_048_576;

/** Long-poll holds are bounded: a client cannot park a request for longer than this. */
export const MAX_WAIT_MS = 60_000;

/**
 * Encodes one event as the JSON text every transport sends: the poll endpoints wrap a list of these
 * in `[...]`, SSE puts one in a `data:` line and WebSocket one per text frame. `emittedAtNs` is a
 * decimal string because a nanosecond uptime does not fit a double exactly after ~104 days.
 */
export function encodeEvent(event: FeedEvent): string {
  return `{"seq":${event.seq},"emittedAtNs":"${event.emittedAtNs}","payload":${JSON.stringify(event.payload)}}`;
}

/** The body of a poll response: a JSON array of already-encoded events (`[]` when nothing is new). */
export function encodeEventList(encoded: readonly string[]): string {
  return `[${encoded.join(',')}]`;
}

export class ProtocolError extends Error {}

function toEvent(value: unknown): FeedEvent {
  if (typeof value !== 'object' || value === null) throw new ProtocolError('event is not an object');
  const { seq, emittedAtNs, payload } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new ProtocolError('bad seq');
  if (typeof emittedAtNs !== 'string' || !/^\d+$/.test(emittedAtNs)) throw new ProtocolError('bad emittedAtNs');
  if (typeof payload !== 'string') throw new ProtocolError('bad payload');
  return { seq, emittedAtNs: BigInt(emittedAtNs), payload };
}

export function decodeEvent(text: string): FeedEvent {
  return toEvent(JSON.parse(text));
}

export function decodeEventList(text: string): FeedEvent[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new ProtocolError('poll body is not a JSON array');
  return parsed.map(toEvent);
}

/**
 * A deterministic ASCII payload of exactly `bytes` bytes (one byte per character, no characters that
 * JSON escapes), so payload size is the same on every transport and byte counts are comparable.
 */
export function makePayload(bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let out = '';
  for (let i = 0; i < bytes; i++) out += alphabet[i % alphabet.length];
  return out;
}

/** The JSON body of every 4xx answer (servers/routing.ts and servers/access-policy.ts add 403, 405, 421). */
export interface ErrorBody {
  error: 'bad_request' | 'not_found' | 'payload_too_large' | 'method_not_allowed' | 'forbidden' | 'misdirected_request';
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** `since`: the last seq the client has (0 = nothing yet). A non-negative safe integer. */
export function parseSince(raw: string | null): ParseResult<number> {
  if (raw === null || raw === '') return { ok: true, value: 0 };
  if (!/^\d{1,16}$/.test(raw))
    return { ok: false, message: `since must be a non-negative integer, got ${JSON.stringify(raw.slice(0, 40))}` };
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) return { ok: false, message: 'since is too large' };
  return { ok: true, value };
}

/** `wait`: how long a long-poll may be held, in ms, 0..MAX_WAIT_MS. */
export function parseWait(raw: string | null): ParseResult<number> {
  if (raw === null || raw === '') return { ok: false, message: 'wait is required for a long poll' };
  if (!/^\d{1,9}$/.test(raw))
    return { ok: false, message: `wait must be a non-negative integer of ms, got ${JSON.stringify(raw.slice(0, 40))}` };
  const value = Number(raw);
  if (value > MAX_WAIT_MS) return { ok: false, message: `wait must be at most ${MAX_WAIT_MS} ms` };
  return { ok: true, value };
}

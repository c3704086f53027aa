/**
 * Contract (servers/contract/). Imported by the servers (servers/event-body.ts, the transports) that
 * encode events and by the clients (bench/clients/) that decode them, and the tests.
 *
 * The binary event encoding (wire-options.ts `binary`): one record per event,
 *
 *   seq           8 bytes, unsigned big-endian
 *   emittedAtNs   8 bytes, unsigned big-endian (the same CLOCK_MONOTONIC ns as the JSON's string)
 *   payload       the rest: the payload string's characters as bytes (latin1; every payload the
 *                 publisher makes is characters 0-255, payload.ts)
 *
 * so a record is 16 bytes plus the payload, against JSON's `{"seq":…,"emittedAtNs":"…","payload":"…"}`
 * (about 52 + digits). A record carries no length of its own: a WebSocket binary message is one
 * record; a poll body (application/octet-stream) is a list of records, each after its length as a
 * 4-byte unsigned big-endian integer (an empty answer is an empty body); an SSE `data:` field is the
 * record in base64 (SSE is text only: 4 characters per 3 bytes, ceil(n/3)*4).
 */
import { ProtocolError, type FeedEvent } from './protocol.ts';

export const RECORD_HEADER_BYTES = 16;
/** The length prefix of each record in a poll body. */
export const RECORD_PREFIX_BYTES = 4;

/** The record of one event; a payload character above 0xFF is refused (latin1 would silently cut it). */
export function encodeBinaryEvent(event: FeedEvent): Buffer {
  if (/[\u0100-\uffff]/.test(event.payload))
    throw new RangeError('a binary event payload must be characters 0-255 (one byte each)');
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + event.payload.length);
  record.writeBigUInt64BE(BigInt(event.seq), 0);
  record.writeBigUInt64BE(event.emittedAtNs, 8);
  record.write(event.payload, RECORD_HEADER_BYTES, 'latin1');
  return record;
}

export function decodeBinaryEvent(record: Uint8Array): FeedEvent {
  if (record.length < RECORD_HEADER_BYTES)
    throw new ProtocolError(`binary event is ${record.length} bytes, shorter than its 16-byte header`);
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const seq = bytes.readBigUInt64BE(0);
  if (seq < 1n || seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError('bad seq');
  return {
    seq: Number(seq),
    emittedAtNs: bytes.readBigUInt64BE(8),
    payload: bytes.toString('latin1', RECORD_HEADER_BYTES),
  };
}

/** A poll body: each record after its 4-byte big-endian length. */
export function encodeBinaryEventList(records: readonly Buffer[]): Buffer {
  const body = Buffer.allocUnsafe(records.reduce((sum, r) => sum + RECORD_PREFIX_BYTES + r.length, 0));
  let at = 0;
  for (const record of records) {
    at = body.writeUInt32BE(record.length, at);
    at += record.copy(body, at);
  }
  return body;
}

/** The events of a poll body, and the bytes of their records (the body less its length prefixes). */
export function decodeBinaryEventList(body: Uint8Array): { events: FeedEvent[]; recordBytes: number } {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const events: FeedEvent[] = [];
  let recordBytes = 0;
  for (let at = 0; at < bytes.length;) {
    if (bytes.length - at < RECORD_PREFIX_BYTES) throw new ProtocolError('poll body ends inside a record length');
    const length = bytes.readUInt32BE(at);
    at += RECORD_PREFIX_BYTES;
    if (bytes.length - at < length) throw new ProtocolError('poll body ends inside a record');
    events.push(decodeBinaryEvent(bytes.subarray(at, at + length)));
    recordBytes += length;
    at += length;
  }
  return { events, recordBytes };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An SSE data field: the record in base64 (Node's decoder skips bad characters, so check first). */
export function decodeBase64Event(text: string): FeedEvent {
  if (!BASE64.test(text)) throw new ProtocolError('SSE data is not base64');
  return decodeBinaryEvent(Buffer.from(text, 'base64'));
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, type FeedEvent } from '../../servers/contract/protocol.ts';
import {
  decodeBase64Event,
  decodeBinaryEvent,
  decodeBinaryEventList,
  encodeBinaryEvent,
  encodeBinaryEventList,
} from '../../servers/contract/binary-event.ts';
import { makeRandomPayload } from '../../servers/contract/payload.ts';
import { perMessageDeflateFor } from '../../servers/contract/ws-deflate.ts';
import { acceptsGzip } from '../../servers/http-compression.ts';

const event: FeedEvent = {
  seq: 7,
  emittedAtNs: 123_456_789_012_345_678n,
  payload: makeRandomPayload(300, 1, 'binary'),
};

describe('binary record', () => {
  test('is seq and emittedAtNs as u64 big-endian, then the payload bytes', () => {
    const record = encodeBinaryEvent({ seq: 258, emittedAtNs: 0x0102030405060708n, payload: 'AB\u00ff' });
    assert.deepEqual([...record], [0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0x41, 0x42, 0xff]);
  });

  test('round-trips every byte value and a nanosecond time past 2^53', () => {
    const record = encodeBinaryEvent(event);
    assert.equal(record.length, 16 + 300);
    assert.deepEqual(decodeBinaryEvent(record), event);
    const late = { ...event, emittedAtNs: 2n ** 63n + 5n };
    assert.deepEqual(decodeBinaryEvent(encodeBinaryEvent(late)), late);
  });

  test('refuses a payload character above 0xFF and malformed records', () => {
    assert.throws(() => encodeBinaryEvent({ ...event, payload: 'é€' }), RangeError);
    assert.throws(() => decodeBinaryEvent(Buffer.alloc(15)), ProtocolError);
    assert.throws(() => decodeBinaryEvent(Buffer.alloc(16)), ProtocolError, 'seq 0');
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64BE(2n ** 53n, 0);
    assert.throws(() => decodeBinaryEvent(huge), ProtocolError, 'seq past a safe integer');
  });

  test('a poll body is each record after its 4-byte length; an empty answer is empty', () => {
    const events = [event, { ...event, seq: 8, payload: '' }, { ...event, seq: 9, payload: 'x' }];
    const records = events.map(encodeBinaryEvent);
    const body = encodeBinaryEventList(records);
    assert.equal(body.length, 4 * 3 + 316 + 16 + 17);
    assert.equal(body.readUInt32BE(0), 316);
    assert.deepEqual(decodeBinaryEventList(body), { events, recordBytes: 316 + 16 + 17 });
    assert.deepEqual(decodeBinaryEventList(encodeBinaryEventList([])), { events: [], recordBytes: 0 });
    assert.throws(() => decodeBinaryEventList(body.subarray(0, body.length - 1)), ProtocolError);
    assert.throws(() => decodeBinaryEventList(body.subarray(0, 2)), ProtocolError);
  });

  test('SSE data is the record in base64, ceil(n/3)*4 characters, strictly checked', () => {
    for (const n of [0, 1, 2, 3, 254, 255, 256]) {
      const e = { ...event, payload: makeRandomPayload(n, n, 'binary') };
      const text = encodeBinaryEvent(e).toString('base64');
      assert.equal(text.length, Math.ceil((16 + n) / 3) * 4);
      assert.deepEqual(decodeBase64Event(text), e);
    }
    assert.throws(() => decodeBase64Event('{"seq":1}'), ProtocolError);
    assert.throws(() => decodeBase64Event('AAAA AAA'), ProtocolError);
  });
});

test('Accept-Encoding: gzip unless refused with q=0', () => {
  assert.equal(acceptsGzip(undefined), false);
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('gzip, deflate, br, zstd'), true);
  assert.equal(acceptsGzip('br;q=1.0, GZIP;q=0.5'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('identity'), false);
  assert.equal(acceptsGzip('*'), true);
});

test('permessage-deflate options: explicit per compression, the legacy boolean when absent', () => {
  assert.equal(perMessageDeflateFor(undefined, undefined), false);
  assert.equal(perMessageDeflateFor(undefined, true), true);
  // A job's compression is 'off' by default, never absent: off keeps the legacy boolean (a 'ws+deflate' job deflates).
  assert.equal(perMessageDeflateFor('off', true), true);
  assert.equal(perMessageDeflateFor('off', false), false);
  assert.deepEqual(perMessageDeflateFor('on', false), {
    threshold: 0,
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
  });
  assert.deepEqual(perMessageDeflateFor('on-no-takeover', false), {
    threshold: 0,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
  });
});

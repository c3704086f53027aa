import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_WAIT_MS,
  ProtocolError,
  decodeEvent,
  decodeEventList,
  encodeEvent,
  encodeEventList,
  makePayload,
  parseSince,
  parseWait,
  type FeedEvent,
} from '../../servers/contract/protocol.ts';

const sample: FeedEvent = { seq: 42, emittedAtNs: 123_456_789_012n, payload: 'hello "world"\n\\ é' };

describe('event codec', () => {
  test('encodeEvent / decodeEvent round trip', () => {
    assert.deepEqual(decodeEvent(encodeEvent(sample)), sample);
  });

  test('the encoding is plain JSON with emittedAtNs as a decimal string', () => {
    assert.deepEqual(JSON.parse(encodeEvent(sample)), {
      seq: 42,
      emittedAtNs: '123456789012',
      payload: sample.payload,
    });
  });

  test('emittedAtNs beyond 2^53 survives exactly', () => {
    // A double would round this; the codec must carry every nanosecond.
    const big = 2n ** 53n + 12_345n;
    const event: FeedEvent = { seq: 1, emittedAtNs: big, payload: '' };
    const back = decodeEvent(encodeEvent(event));
    assert.equal(back.emittedAtNs, big);
    assert.equal(typeof back.emittedAtNs, 'bigint');
    const huge = 18_446_744_073_709_551_615n; // 2^64 - 1
    assert.equal(decodeEvent(encodeEvent({ ...event, emittedAtNs: huge })).emittedAtNs, huge);
  });

  test('encodeEventList / decodeEventList round trip, in order', () => {
    const events: FeedEvent[] = [1, 2, 3].map((seq) => ({
      seq,
      emittedAtNs: BigInt(seq) * 1_000_000n,
      payload: `p${seq}`,
    }));
    const body = encodeEventList(events.map(encodeEvent));
    assert.deepEqual(decodeEventList(body), events);
  });

  test('the empty list is [] and decodes to []', () => {
    assert.equal(encodeEventList([]), '[]');
    assert.deepEqual(decodeEventList('[]'), []);
  });

  test('decode rejects malformed events with ProtocolError', () => {
    const bad: unknown[] = [
      null,
      42,
      'text',
      {},
      { seq: 0, emittedAtNs: '1', payload: '' },
      { seq: -1, emittedAtNs: '1', payload: '' },
      { seq: 1.5, emittedAtNs: '1', payload: '' },
      { seq: '1', emittedAtNs: '1', payload: '' },
      { seq: 2 ** 53, emittedAtNs: '1', payload: '' },
      { seq: 1, emittedAtNs: 1, payload: '' },
      { seq: 1, emittedAtNs: '-1', payload: '' },
      { seq: 1, emittedAtNs: '1.5', payload: '' },
      { seq: 1, emittedAtNs: '', payload: '' },
      { seq: 1, emittedAtNs: '1', payload: 5 },
      { seq: 1, emittedAtNs: '1' },
    ];
    for (const value of bad) {
      const text = JSON.stringify(value);
      assert.throws(() => decodeEvent(text), ProtocolError, `decodeEvent(${text})`);
      assert.throws(() => decodeEventList(`[${text}]`), ProtocolError, `decodeEventList([${text}])`);
    }
  });

  test('decodeEventList rejects a body that is not an array', () => {
    for (const text of ['{}', '"[]"', '1', 'null', encodeEvent(sample)]) {
      assert.throws(() => decodeEventList(text), ProtocolError, text);
    }
  });

  test('text that is not JSON at all is rejected (SyntaxError from JSON.parse)', () => {
    assert.throws(() => decodeEvent('{"seq":1,'), SyntaxError);
    assert.throws(() => decodeEventList('[{'), SyntaxError);
  });
});

describe('makePayload', () => {
  test('is exactly N bytes and needs no JSON escaping', () => {
    for (const n of [0, 1, 61, 62, 63, 100, 1024, 65_536]) {
      const payload = makePayload(n);
      assert.equal(Buffer.byteLength(payload), n, `bytes for ${n}`);
      // JSON.stringify adds only the two quotes: nothing inside is escaped.
      assert.equal(JSON.stringify(payload), `"${payload}"`);
      assert.match(payload, /^[A-Za-z0-9]*$/);
    }
  });

  test('is deterministic', () => {
    assert.equal(makePayload(500), makePayload(500));
  });
});

describe('parseSince', () => {
  test('accepts non-negative integers; missing or empty means 0', () => {
    assert.deepEqual(parseSince(null), { ok: true, value: 0 });
    assert.deepEqual(parseSince(''), { ok: true, value: 0 });
    assert.deepEqual(parseSince('0'), { ok: true, value: 0 });
    assert.deepEqual(parseSince('17'), { ok: true, value: 17 });
    assert.deepEqual(parseSince(String(Number.MAX_SAFE_INTEGER)), { ok: true, value: Number.MAX_SAFE_INTEGER });
  });

  test('rejects anything else', () => {
    for (const raw of [
      'abc',
      '-1',
      '1.5',
      '1e3',
      ' 1',
      '1 ',
      '+1',
      '0x10',
      '9007199254740992',
      '99999999999999999999',
    ]) {
      const result = parseSince(raw);
      assert.equal(result.ok, false, `since=${raw}`);
      if (!result.ok) assert.ok(result.message.length > 0);
    }
  });
});

describe('parseWait', () => {
  test('accepts 0..MAX_WAIT_MS', () => {
    assert.deepEqual(parseWait('0'), { ok: true, value: 0 });
    assert.deepEqual(parseWait('250'), { ok: true, value: 250 });
    assert.deepEqual(parseWait(String(MAX_WAIT_MS)), { ok: true, value: MAX_WAIT_MS });
  });

  test('is required: missing or empty is rejected', () => {
    assert.equal(parseWait(null).ok, false);
    assert.equal(parseWait('').ok, false);
  });

  test('rejects non-integers, negatives, huge values and values over MAX_WAIT_MS', () => {
    for (const raw of ['abc', '-1', '1.5', '1e3', ' 5', String(MAX_WAIT_MS + 1), '999999999', '99999999999999999999']) {
      const result = parseWait(raw);
      assert.equal(result.ok, false, `wait=${raw}`);
      if (!result.ok) assert.ok(result.message.length > 0);
    }
  });
});

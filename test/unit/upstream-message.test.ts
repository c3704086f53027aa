/** The upstream message contract (servers/contract/upstream-message.ts): exact sizes, echo, parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_MESSAGE_BYTES,
  MIN_MESSAGE_BYTES,
  decodeEcho,
  encodeEcho,
  encodeMessage,
  isEchoText,
  messageBody,
  parseMessage,
} from '../../servers/contract/upstream-message.ts';
import { encodeEvent } from '../../servers/contract/protocol.ts';

test('a message has exactly the stated size, whatever the digits of its id and stamp', () => {
  for (const [id, sentNs] of [
    [1, 5n],
    [42, 123_456_789_012_345n],
    [999_999_999, 2n ** 64n - 1n],
  ] as const) {
    for (const bytes of [MIN_MESSAGE_BYTES, 100, MAX_MESSAGE_BYTES]) {
      const text = encodeMessage(id, sentNs, bytes);
      assert.equal(Buffer.byteLength(text), bytes);
      assert.deepEqual(parseMessage(text), { ok: true, value: { id, sentNs, body: JSON.parse(text).body } });
    }
  }
  assert.equal(MIN_MESSAGE_BYTES, 58);
  // The body is realistic text (payload.ts), a prefix of the one made before the stamp.
  const body = messageBody(3, 300);
  const text = encodeMessage(3, 123_456_789_012_345n, 300, body);
  const sent = (JSON.parse(text) as { body: string }).body;
  assert.ok(body.startsWith(sent) && sent.length === 300 - `{"id":3,"sentNs":"123456789012345","body":""}`.length);
  assert.match(sent, /^sym=[A-Z]+;px=/);
  assert.throws(() => encodeMessage(999_999_999, 2n ** 64n - 1n, MIN_MESSAGE_BYTES - 1), RangeError);
});

test('the echo is the message with the server stamp after sentNs; only it reads as an echo', () => {
  const text = encodeMessage(7, 1000n, 80);
  const parsed = parseMessage(text);
  assert.ok(parsed.ok);
  const echo = encodeEcho(parsed.value, 2000n);
  assert.equal(echo, text.replace('"sentNs":"1000"', '"sentNs":"1000","serverReceivedNs":"2000"'));
  assert.deepEqual(decodeEcho(echo), { ...parsed.value, serverReceivedNs: 2000n });
  assert.ok(isEchoText(echo));
  assert.ok(!isEchoText(encodeEvent({ seq: 1, emittedAtNs: 1n, payload: 'x' })));
  assert.throws(() => decodeEcho(text), /not an echo/);
});

test('anything but a message is refused with one clear sentence', () => {
  for (const [text, why] of [
    ['hello', 'is not JSON'],
    ['[1]', 'is not a JSON object'],
    ['{"id":1.5,"sentNs":"1","body":""}', 'has no non-negative integer id'],
    ['{"id":1,"sentNs":1,"body":""}', 'has no decimal sentNs'],
    ['{"id":1,"sentNs":"1","body":null}', 'has no string body'],
  ]) {
    assert.deepEqual(parseMessage(text!), { ok: false, message: `the message ${why}` });
  }
});

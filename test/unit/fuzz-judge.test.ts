/**
 * The fuzz test's judge (test/helpers/fuzz-probe.ts judgeAnswer) on hand-written answers: it must
 * flag what it exists to flag, and not what a request merely echoed back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeAnswer } from '../helpers/fuzz-probe.ts';

const json = (status: string, body: string) =>
  `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;

/** A server's close frame (unmasked): code, then reason. */
const closeFrame = (code: number) => String.fromCharCode(0x88, 2, code >> 8, code & 0xff);
const UPGRADED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

test('fuzz judge: ordinary refusals and streams pass', () => {
  assert.equal(
    judgeAnswer(json('404 Not Found', '{"error":"not_found","message":"no route for GET /x"}'), 'GET /x'),
    undefined,
  );
  assert.equal(judgeAnswer('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', 'G\0T'), undefined);
  assert.equal(judgeAnswer(UPGRADED + closeFrame(1002), 'GET /ws'), undefined);
  assert.equal(judgeAnswer(UPGRADED + closeFrame(1009), 'GET /ws'), undefined);
});

test('fuzz judge: a 5xx, a stack, an error name, a source path, a close 1011 fail', () => {
  assert.equal(judgeAnswer(json('500 Internal Server Error', '{}'), 'GET /'), 'a 5xx answer');
  assert.equal(judgeAnswer(json('404 Not Found', '{}') + json('503 Busy', '{}'), 'GET /'), 'a 5xx answer');
  assert.equal(judgeAnswer(json('400 Bad Request', 'oops\n    at refuse (x)'), 'GET /'), 'a stack frame in the answer');
  assert.equal(judgeAnswer(json('400 Bad Request', '"TypeError: x"'), 'GET /'), 'an error name in the answer');
  assert.equal(
    judgeAnswer(json('400 Bad Request', '"/work/pollbench/servers/feed.ts"'), 'GET /'),
    'a source path in the answer',
  );
  assert.equal(judgeAnswer(json('400 Bad Request', 'node:internal/x'), 'GET /'), 'node internals in the answer');
  assert.equal(judgeAnswer(UPGRADED + closeFrame(1011), 'GET /ws'), 'WebSocket close 1011 (internal error)');
  // After events in the 16-bit and 64-bit length forms.
  const text = (n: number) =>
    n < 65_536
      ? String.fromCharCode(0x81, 126, n >> 8, n & 0xff) + 'e'.repeat(n)
      : String.fromCharCode(0x81, 127, 0, 0, 0, 0, 0, n >> 16, (n >> 8) & 0xff, n & 0xff) + 'e'.repeat(n);
  assert.equal(
    judgeAnswer(UPGRADED + text(200) + text(70_000) + closeFrame(1011), 'GET /ws'),
    'WebSocket close 1011 (internal error)',
  );
});

test('fuzz judge: what the request itself held may come back (a refusal quoting its path)', () => {
  const path = '/a/b/c.ts?q=Error:';
  assert.equal(judgeAnswer(json('404 Not Found', `{"message":"no route for GET ${path}"}`), `GET ${path}`), undefined);
});

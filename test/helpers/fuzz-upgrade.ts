/**
 * fast-check generators of WebSocket upgrade attempts for the fuzz test: wrong paths and `since`
 * values, missing or malformed Sec-WebSocket-Key, unsupported versions, odd Upgrade and Connection
 * values, extension offers a server must parse; and a valid handshake, which the frames follow.
 */
import fc from 'fast-check';
import { WS_PATH } from '../../servers/contract/protocol.ts';
import { bytes, maybe, method, sinceValue, target, utf8, type GeneratedRequest } from './fuzz-http.ts';

/** A key of 16 bytes, base64: what RFC 6455 4.1 asks for. */
const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constant(GOOD_KEY) },
  fc.constantFrom('', 'short', 'dGhlIHNhbXBsZQ==', `${GOOD_KEY}x`, '!!!!!!!!!!!!!!!!!!!!!!==', 'a'.repeat(5000)),
  bytes(30),
);
const versionHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constant('13') },
  fc.constantFrom('8', '0', '-13', '13, 8', 'abc', '', '99999999999999999999'),
  bytes(6),
);
const upgradeValue = fc.oneof(
  { weight: 6, arbitrary: fc.constant('websocket') },
  fc.constantFrom('WebSocket', 'h2c', 'websocket, h2c', '', 'foo', 'websocket\x00'),
);
const connectionValue = fc.oneof(
  { weight: 6, arbitrary: fc.constant('Upgrade') },
  fc.constantFrom('upgrade', 'keep-alive, Upgrade', 'close', '', 'Upgrade\x01'),
);
const extensions = fc.oneof(
  fc.constantFrom(
    'permessage-deflate',
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; client_max_window_bits=99',
    'permessage-deflate; server_max_window_bits=0',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate;;;',
    'x-unknown, permessage-deflate; a="b',
  ),
  fc.tuple(utf8(10), bytes(20)).map(([a, b]) => `${a}; ${b}`),
);

/** Each header present or not: an upgrade attempt misses some of what a handshake needs. */
const optional = <T>(arb: fc.Arbitrary<T>) => maybe(arb, 85);

export const upgradeAttempt: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method: fc.oneof({ weight: 4, arbitrary: fc.constant('GET') }, method),
    target: fc.oneof(
      { weight: 3, arbitrary: sinceValue.map((v) => ({ text: `${WS_PATH}?since=${v}`, mayHold: false })) },
      target,
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0'),
    host: optional(fc.constantFrom('127.0.0.1', 'x', '')),
    upgrade: optional(upgradeValue),
    connection: optional(connectionValue),
    key: optional(key),
    secondKey: maybe(key, 10),
    versionHeader: optional(versionHeader),
    extensions: maybe(extensions, 25),
    protocol: maybe(fc.oneof(fc.constantFrom('chat', 'a, b', ',', ''), bytes(12)), 20),
    cut: maybe(fc.nat(), 15),
  })
  .map((a) => {
    const lines = [
      `${a.method} ${a.target.text} ${a.version}`,
      a.host !== null && `Host: ${a.host}`,
      a.upgrade !== null && `Upgrade: ${a.upgrade}`,
      a.connection !== null && `Connection: ${a.connection}`,
      a.key !== null && `Sec-WebSocket-Key: ${a.key}`,
      a.secondKey !== null && `Sec-WebSocket-Key: ${a.secondKey}`,
      a.versionHeader !== null && `Sec-WebSocket-Version: ${a.versionHeader}`,
      a.extensions !== null && `Sec-WebSocket-Extensions: ${a.extensions}`,
      a.protocol !== null && `Sec-WebSocket-Protocol: ${a.protocol}`,
    ].filter((line) => line !== false);
    const whole = `${lines.join('\r\n')}\r\n\r\n`;
    const text = a.cut === null ? whole : whole.slice(0, a.cut % whole.length);
    return { text, complete: a.cut === null && !a.target.mayHold };
  });

/** The handshake a conforming client sends, on WS_PATH with a `since` the server accepts. */
export const validHandshake = fc
  .oneof(fc.constant(''), fc.nat({ max: 1000 }).map(String))
  .map(
    (since) =>
      `GET ${WS_PATH}?since=${since} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${GOOD_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );

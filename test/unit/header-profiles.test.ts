/**
 * The request header profiles (bench/clients/request-headers.ts) and the 2010 response headers
 * (servers/response-headers.ts) as pure data: the 2010 article's 871 bytes, the browser profile against
 * the captured fixture, the cookie's exact size, minimal adding nothing, HTTP/2's rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARTICLE_2010,
  CHROMIUM_CAPTURE,
  DEFAULT_COOKIE_BYTES,
  cookieValue,
  headerLineBytes,
  profileHeaders,
  undiciHeaders,
  wsHeaders,
  type CaptureKind,
  type HeaderList,
  type RequestKind,
  type RequestTarget,
} from '../../bench/clients/request-headers.ts';
import { RESPONSE_2010 } from '../../servers/response-headers.ts';

const target = (over: Partial<RequestTarget> = {}): RequestTarget => ({
  host: '127.0.0.1',
  port: 40123,
  secure: false,
  http: '1.1',
  cookieBytes: DEFAULT_COOKIE_BYTES,
  ...over,
});
const KINDS: RequestKind[] = ['fetch', 'eventsource', 'websocket'];
const names = (list: HeaderList) => list.map(([name]) => name);
/** The article's way of counting: the characters of each line, no line terminators. */
const chars = (lines: string[]) => lines.reduce((sum, line) => sum + line.length, 0);
const lines = (list: HeaderList) => list.map(([name, value]) => `${name}: ${value}`);

test('2010: the article counted the characters of its lines, request and status lines included, no CRLFs: 692 + 179 = 871', () => {
  // The profile rendered for the article's own request: its host, its path.
  const request = profileHeaders('2010', 'fetch', target({ host: 'localhost', port: 8080, cookieBytes: 0 }));
  const requestChars = chars([ARTICLE_2010.requestLine, ...lines(request)]);
  // Its response: the profile's fields, then Content-Length (a 21-byte body) and Date as shown.
  const responseLines = [
    'HTTP/1.x 200 OK',
    ...lines([...RESPONSE_2010]),
    'Content-Length: 21',
    'Date: Sat, 07 Nov 2009 00:32:46 GMT',
  ];
  assert.equal(requestChars, 692);
  assert.equal(chars(responseLines), 179);
  assert.equal(requestChars + chars(responseLines), 871);
  // On the wire: CRLF after each of the 11 + 6 lines and a blank line ending each head.
  assert.equal(1 + request.length, 11);
  assert.equal(responseLines.length, 6);
  assert.equal(requestChars + 11 * 2 + 2 + chars(responseLines) + 6 * 2 + 2, 909);
  // Keep-Alive travels as a same-length stand-in (undici refuses the name), everything else verbatim.
  assert.deepEqual(names(request), [
    'Host',
    'User-Agent',
    'Accept',
    'Accept-Language',
    'Accept-Encoding',
    'Accept-Charset',
    'Keep_Alive',
    'Connection',
    'Referer',
    'Cookie',
  ]);
  assert.equal(
    headerLineBytes(request),
    headerLineBytes([['Host', 'localhost:8080'], ...ARTICLE_2010.headers]),
    'the stand-in is byte for byte as long',
  );
});

test('2010 ignores cookieBytes (the article has its own cookie); the handshake trades keep-alive for Upgrade', () => {
  assert.deepEqual(
    profileHeaders('2010', 'fetch', target({ cookieBytes: 0 })),
    profileHeaders('2010', 'fetch', target()),
  );
  const ws = profileHeaders('2010', 'websocket', target());
  assert.ok(!names(ws).includes('Keep-Alive') && !names(ws).includes('Keep_Alive'));
  assert.deepEqual(
    ws.find(([name]) => name === 'Connection'),
    ['Connection', 'Upgrade'],
  );
  assert.deepEqual(profileHeaders('2010', 'eventsource', target({ lastEventId: 42 })).at(-1), ['Last-Event-ID', '42']);
});

test('minimal adds nothing, for every kind and HTTP version', () => {
  for (const kind of KINDS)
    for (const http of ['1.1', '2'] as const) assert.deepEqual(profileHeaders('minimal', kind, target({ http })), []);
});

test('browser: the captured names in the captured order, placeholders filled, nothing left in braces', () => {
  const expected: Record<RequestKind, CaptureKind> = {
    fetch: 'fetch',
    eventsource: 'eventsource-reconnect',
    websocket: 'websocket',
  };
  for (const kind of KINDS) {
    const list = profileHeaders('browser', kind, target({ perMessageDeflate: true, lastEventId: 7 }));
    assert.deepEqual(names(list), names(CHROMIUM_CAPTURE.requests[expected[kind]].headers), kind);
    for (const [name, value] of list) assert.doesNotMatch(value, /\{[a-zA-Z]+\}/, `${kind} ${name}`);
    const get = (name: string) => list.find(([n]) => n === name)?.[1];
    assert.equal(get('Host'), '127.0.0.1:40123');
    if (kind === 'websocket') assert.equal(get('Origin'), 'http://127.0.0.1:40123');
    else assert.equal(get('Referer'), 'http://127.0.0.1:40123/');
    assert.match(get('User-Agent') ?? '', new RegExp(`Chrome/${CHROMIUM_CAPTURE.chromium.split('.')[0]}\\.0\\.0\\.0 `));
  }
  assert.equal(
    profileHeaders('browser', 'eventsource', target({ lastEventId: 7 })).find(([n]) => n === 'Last-Event-ID')?.[1],
    '7',
  );
  // Default ports drop out of Host and Origin, as in a browser; https shows in Referer.
  const secure = profileHeaders('browser', 'fetch', target({ secure: true, port: 443 }));
  assert.deepEqual(secure[0], ['Host', '127.0.0.1']);
  assert.deepEqual(
    secure.find(([n]) => n === 'Referer'),
    ['Referer', 'https://127.0.0.1/'],
  );
});

test('browser: a Cookie of exactly cookieBytes bytes, deterministic, none at 0; the offer of deflate only when asked', () => {
  // 7 first-party cookies x 39 bytes + 6 separators (Web Almanac 2024 medians).
  assert.equal(DEFAULT_COOKIE_BYTES, 285);
  for (const bytes of [4, 5, 39, 40, 41, 42, 43, 44, 45, 100, DEFAULT_COOKIE_BYTES, 1000, 4096]) {
    const cookie = profileHeaders('browser', 'fetch', target({ cookieBytes: bytes })).find(([n]) => n === 'Cookie');
    assert.equal(Buffer.byteLength(cookie?.[1] ?? ''), bytes, `cookieBytes ${bytes}`);
    assert.match(
      cookie?.[1] ?? '',
      /^c0=[A-Za-z0-9]+(; c\d+=[A-Za-z0-9]+)*$/,
      `a well-formed cookie-string at ${bytes}`,
    );
    assert.equal(cookieValue(bytes), cookieValue(bytes), 'the same bytes every time');
  }
  const pairs = cookieValue(DEFAULT_COOKIE_BYTES).split('; ');
  assert.deepEqual(
    pairs.map((p) => p.length),
    [39, 39, 39, 39, 39, 39, 39],
  );
  assert.ok(!names(profileHeaders('browser', 'fetch', target({ cookieBytes: 0 }))).includes('Cookie'));
  // Adding n cookie bytes adds exactly n bytes.
  const base = headerLineBytes(profileHeaders('browser', 'fetch', target({ cookieBytes: 100 })));
  assert.equal(headerLineBytes(profileHeaders('browser', 'fetch', target({ cookieBytes: 1100 }))) - base, 1000);
  assert.ok(!names(profileHeaders('browser', 'websocket', target())).includes('Sec-WebSocket-Extensions'));
  for (const bad of [1, 3, -1, 2.5, 20_000])
    assert.throws(() => cookieValue(bad), /^Error: cookieBytes must be 0 \(no Cookie header\) or an integer from 4 to/);
});

test('HTTP/2: lower-case names, no connection-specific fields and no Host (the :authority pseudo-header replaces it)', () => {
  const forbidden = [
    'connection',
    'keep-alive',
    'keep_alive',
    'proxy-connection',
    'transfer-encoding',
    'upgrade',
    'host',
  ];
  for (const profile of ['browser', '2010'] as const)
    for (const kind of ['fetch', 'eventsource'] as const) {
      const h1 = profileHeaders(profile, kind, target());
      const h2 = profileHeaders(profile, kind, target({ http: '2' }));
      for (const [name] of h2) {
        assert.equal(name, name.toLowerCase(), `${profile} ${kind} ${name}`);
        assert.ok(!forbidden.includes(name), `${profile} ${kind} sends ${name} on h2`);
      }
      // Everything else is kept, in order.
      assert.deepEqual(
        h2,
        h1
          .filter(([name]) => !forbidden.includes(name.toLowerCase()))
          .map(([name, value]) => [name.toLowerCase(), value]),
      );
    }
});

test('undici gets the list without host and connection (it writes both itself, right after the request line)', () => {
  const list = profileHeaders('browser', 'fetch', target());
  const flat = undiciHeaders(list);
  assert.equal(flat.length, (list.length - 2) * 2);
  assert.deepEqual(flat.slice(0, 2), ['sec-ch-ua-platform', '"Linux"']);
  // ws keeps the order of the keys it is given (its own fields overwrite theirs in place).
  assert.deepEqual(
    Object.keys(wsHeaders(profileHeaders('browser', 'websocket', target()))),
    names(profileHeaders('browser', 'websocket', target())),
  );
});

/**
 * fast-check generators of malformed HTTP/1.x requests (test/integration/fuzz.test.ts): odd methods,
 * targets and versions, header names and values with control characters, huge or negative
 * Content-Length, chunked garbage, truncated heads, pipelined requests. A request is a latin1 string
 * (one character per byte), so any byte can be sent and a counterexample prints readably.
 */
import fc from 'fast-check';
import { EVENTS_PATH, MESSAGES_PATH, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';

/** One generated request: its bytes, and whether a server can answer it without waiting for more. */
export interface GeneratedRequest {
  text: string;
  /**
   * A whole head with no body announced and nothing the server may rightly hold (a long poll with a
   * long `wait`): the server must answer or close without the client sending more.
   */
  complete: boolean;
}

/** Any byte, the controls and high half over-represented. */
const byte = fc
  .oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 9, 10, 13, 32, 0x7f, 0x80, 0xff, 0x3a, 0x25))
  .map((b) => String.fromCharCode(b));

export const bytes = (maxLength: number) => fc.string({ unit: byte, maxLength });

/** UTF-8 text as its bytes (a client sending raw non-ASCII in a path or a header). */
export const utf8 = (maxLength: number) =>
  fc.string({ unit: 'grapheme', maxLength }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));

/** `arb`'s value `percent`% of the time, null otherwise. */
export const maybe = <T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary: arb });

/** Values for `since` (and Last-Event-ID): good, bad, huge, negative, encoded. */
export const sinceValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', 'abc', '1e3', '0x10', ' 1', '1.5', '%31', '+1', '00000000000000001'),
  fc.constantFrom('9007199254740991', '9007199254740993', '99999999999999999', '1'.repeat(400)),
  fc.nat().map(String),
  bytes(20),
);

/** Values for `wait`; valid ones over this may park a long poll for up to a minute, on purpose. */
const HOLD_FREE_WAIT_MS = 3000;
const waitValue = fc.oneof(
  fc.constantFrom('', '-1', 'abc', '60001', '99999999999', ' 5', '1e3'),
  fc.integer({ min: 0, max: 60_000 }).map(String),
  bytes(12),
);

const route = fc.constantFrom(EVENTS_PATH, STREAM_PATH, WS_PATH, MESSAGES_PATH, '/', '/nope');

interface Target {
  text: string;
  /** A valid long `wait`: a long poll may hold it past the fuzz test's bound. */
  mayHold: boolean;
}

const query = fc
  .array(
    fc.oneof(
      sinceValue.map((v) => ({ text: `since=${v}`, mayHold: false })),
      waitValue.map((v) => ({ text: `wait=${v}`, mayHold: /^\d{1,9}$/.test(v) && Number(v) > HOLD_FREE_WAIT_MS })),
      fc.tuple(bytes(8), bytes(8)).map(([k, v]) => ({ text: `${k}=${v}`, mayHold: false })),
    ),
    { maxLength: 4 },
  )
  .map((parts) => ({ text: parts.map((p) => p.text).join('&'), mayHold: parts.some((p) => p.mayHold) }));

/** Request targets: routes with queries, and every odd form a parser meets. */
export const target: fc.Arbitrary<Target> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(route, query)
      .map(([path, q]) => ({ text: q.text ? `${path}?${q.text}` : path, mayHold: q.mayHold })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        route,
        fc.constantFrom(
          (p: string) => `${p}/`,
          (p: string) => p.toUpperCase(),
          (p: string) => `/${p}`,
          (p: string) => `${p}/../${p}`,
          (p: string) => `http://127.0.0.1${p}?since=0`,
          (p: string) => `http://x:99999${p}`,
          (p: string) => encodeURIComponent(p),
          (p: string) => p.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
          (p: string) => `${p}%`,
          (p: string) => `${p}%zz`,
          (p: string) => `${p}%00`,
          (p: string) => `${p}#frag`,
          (p: string) => `${p}?`,
          (p: string) => `${p}??since=1`,
          (p: string) => `${p};since=1`,
        ),
      )
      .map(([path, form]) => ({ text: form(path), mayHold: false })),
  },
  fc
    .constantFrom('*', 'x:80', '', ' ', '//', '/%2e%2e/%2e%2e/etc/passwd', '/..', 'http://', '\\events')
    .map((text) => ({
      text,
      mayHold: false,
    })),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => ({ text: `/${'a'.repeat(n)}`, mayHold: false })),
  utf8(20).map((s) => ({ text: `/${s}`, mayHold: false })),
  bytes(30).map((s) => ({ text: `/${s}`, mayHold: false })),
);

export const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD') },
  { weight: 3, arbitrary: fc.constantFrom('OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'M-SEARCH') },
  fc.constantFrom('PRI', 'get', 'G ET', 'GET\x00'),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ-_!'), minLength: 1, maxLength: 12 }),
  bytes(8),
);

const version = fc.oneof(
  { weight: 10, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 2, arbitrary: fc.constant('HTTP/1.0') },
  fc.constantFrom('HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'http/1.1', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTP/', ''),
  bytes(10),
);

/** A header line: the name, and whether it announces a body (then the head alone is not a request). */
interface Header {
  line: string;
  announcesBody: boolean;
}

const plain = (line: string): Header => ({ line, announcesBody: false });

/** Headers a parser accepts: the request reaches the server's handlers with them. */
const goodHeader: fc.Arbitrary<Header> = fc.oneof(
  fc.constantFrom('Connection: close', 'Connection: keep-alive', 'Accept: */*', 'Accept: text/event-stream').map(plain),
  fc
    .constantFrom(
      'Accept-Encoding: gzip, br, zstd, *;q=0',
      'Accept-Encoding: x;q=2',
      'Origin: null',
      'Origin: http://evil.example',
    )
    .map(plain),
  fc.constantFrom('Expect: 100-continue', 'Expect: nonsense', 'Cookie: a=b', 'Upgrade: websocket').map(plain),
  sinceValue.filter((v) => /^[ -~]*$/.test(v)).map((v) => plain(`Last-Event-ID: ${v}`)),
  fc.tuple(utf8(8), utf8(16)).map(([n, v]) => plain(`X-${n.replace(/[^!-~]/g, 'x')}: ${v}`)),
);

/** Headers that announce a body, which may never come (a server must not wait forever for it). */
const bodyHeader: fc.Arbitrary<Header> = fc
  .oneof(
    fc
      .oneof(
        fc.constantFrom(
          '-1',
          '99999999999999999999',
          '1e3',
          'abc',
          '0x10',
          ' 5',
          '5, 6',
          '',
          '4097',
          '18446744073709551616',
        ),
        fc.nat().map(String),
      )
      .map((v) => `Content-Length: ${v}`),
    fc
      .constantFrom('chunked', 'chunked, gzip', 'gzip, chunked', 'xchunked', 'identity', 'chunked\x00')
      .map((v) => `Transfer-Encoding: ${v}`),
  )
  .map((line) => ({ line, announcesBody: true }));

/** Headers a parser should refuse: control characters, obs-fold, no colon, past the 16 KiB limit. */
const badHeader: fc.Arbitrary<Header> = fc.oneof(
  fc.constantFrom('Host:', 'Host: a\x00b', 'Accept-Encoding: \x01', ' folded continuation', '\tfolded').map(plain),
  fc.constantFrom('NoColonHere', 'Name : value', ': no name', 'X-A:\r').map(plain),
  fc.tuple(bytes(12), bytes(24)).map(([n, v]) => ({ line: `${n}: ${v}`, announcesBody: /content|transfer/i.test(n) })),
  fc.integer({ min: 1000, max: 40_000 }).map((n) => plain(`X-Big: ${'b'.repeat(n)}`)),
);

const header = fc.oneof({ weight: 6, arbitrary: goodHeader }, bodyHeader, { weight: 2, arbitrary: badHeader });

const host = maybe(fc.constantFrom('Host: 127.0.0.1', 'Host: x', 'Host: 127.0.0.1:1').map(plain), 90);

const body = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  bytes(64),
  fc.constantFrom(
    '5\r\nhello\r\n0\r\n\r\n',
    'zz\r\nxx\r\n',
    'ffffffffffffffff\r\nx\r\n',
    '-1\r\n\r\n',
    '5;ext=\x00\r\nhello\r\n0\r\n\r\n',
    '0\r\nTrailer: \x01\r\n\r\n',
    '3\r\nabcdef\r\n',
    '{"id":1,"sentNs":"1","body":"x"}',
  ),
);

/** One request, whole or cut anywhere; `eol` is CRLF, or a bare LF, which strict parsers refuse. */
const oneRequest: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method,
    target,
    version,
    host,
    headers: fc.array(header, { maxLength: 5 }),
    body,
    eol: fc.oneof({ weight: 9, arbitrary: fc.constant('\r\n') }, fc.constant('\n')),
    cut: maybe(fc.nat(), 20),
  })
  .map(({ method, target, version, host, headers, body, eol, cut }) => {
    const lines = [`${method} ${target.text} ${version}`, ...(host ? [host.line] : []), ...headers.map((h) => h.line)];
    const head = lines.join(eol) + eol + eol;
    const whole = head + body;
    const text = cut === null ? whole : whole.slice(0, cut % Math.max(1, whole.length));
    const announcesBody = headers.some((h) => h.announcesBody) || body !== '';
    return { text, complete: cut === null && !announcesBody && !target.mayHold && eol === '\r\n' };
  });

/** One to three requests back to back (pipelining): the server must not mix them up or stall. */
export const httpRequest: fc.Arbitrary<GeneratedRequest> = fc
  .array(oneRequest, { minLength: 1, maxLength: 3 })
  .map((requests) => ({
    text: requests.map((r) => r.text).join(''),
    // An answer to the first is enough to tell the server is not stuck.
    complete: requests[0]!.complete,
  }));

/**
 * The request header profiles (servers/contract/wire-options.ts RequestHeaderProfile), as the header
 * lines a client puts on the wire after its request line, in order:
 * - `minimal`: nothing added; undici's own `host` and `connection` (and the SSE client's accept and
 *   last-event-id), ws's own handshake headers, exactly the bytes pollbench always sent.
 * - `browser`: what Debian's Chromium sent to a pollbench server for fetch(), EventSource and new
 *   WebSocket(), captured in chromium-headers.json (test/browser/chromium-headers.ts, re-checked by
 *   test/browser/headers.test.ts), its per-run values filled in, and a Cookie of `cookieBytes` bytes.
 * - `2010`: the request headers of the 2010 article whose request and response headers sum to 871 bytes
 *   (ARTICLE_2010 below; the response half is servers/response-headers.ts).
 *
 * HTTP/2 (`http: '2'`): names lower-cased and the connection-specific fields dropped (RFC 9113 §8.2.2:
 * Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade; Host gives way to :authority,
 * §8.3.1), as Chromium does on h2. The pseudo-header fields are the h2 client's own.
 */
import type { HttpVersion, RequestHeaderProfile } from '../../servers/contract/wire-options.ts';
import captured from './chromium-headers.json' with { type: 'json' };

export type RequestKind = 'fetch' | 'eventsource' | 'websocket';
export type HeaderList = [name: string, value: string][];

/** The fixture's shape (written by test/browser/chromium-headers.ts). */
export type CaptureKind = 'fetch' | 'eventsource' | 'eventsource-reconnect' | 'websocket';
export interface CapturedRequest {
  requestLine: string;
  /** [name, value] as Chromium sent them, per-run values replaced by the placeholders listed in the fixture. */
  headers: [string, string][];
}
export interface ChromiumCapture {
  chromium: string;
  userAgent: string;
  captured: string;
  placeholders: Record<string, string>;
  requests: Record<CaptureKind, CapturedRequest>;
}

/** The fixture, checked once: every header a [name, value] pair of strings. */
function checked(fixture: typeof captured): ChromiumCapture {
  for (const [kind, request] of Object.entries(fixture.requests))
    for (const pair of request.headers)
      if (pair.length !== 2 || pair.some((part) => typeof part !== 'string'))
        throw new Error(`chromium-headers.json: ${kind} has a header that is not a [name, value] pair of strings`);
  return fixture as unknown as ChromiumCapture;
}

export const CHROMIUM_CAPTURE = checked(captured);

export interface RequestTarget {
  host: string;
  port: number;
  /** https / wss (the origin's scheme, in Origin and Referer). */
  secure: boolean;
  http: HttpVersion;
  /** Length of the Cookie header's value in the browser profile; 0 = no Cookie header. */
  cookieBytes: number;
  /** EventSource: the id of the last event held, sent as Last-Event-ID. */
  lastEventId?: number;
  /** WebSocket: whether permessage-deflate is offered (ws writes the offer, as Chromium words it). */
  perMessageDeflate?: boolean;
}

/**
 * The default cookie: 7 first-party cookies of 39 bytes each, joined by "; " = 7 x 39 + 6 x 2 = 285 bytes.
 * Web Almanac 2024, Cookies chapter (https://almanac.httparchive.org/en/2024/cookies, HTTP Archive crawl
 * of June 2024, desktop top one million): "Websites set a median of ... seven first-party cookies"
 * (median 7 first-party cookies per website) and a median first-party cookie size of 39 bytes (its table
 * "Size of cookies (desktop top one million) in bytes": first-party median 39). First-party cookies are
 * the ones a same-origin request carries. A product of two medians, not a measured median header.
 */
export const DEFAULT_COOKIE_BYTES = 7 * 39 + 6 * 2;
const COOKIE_PAIR_BYTES = 39;
/** Node's server refuses request heads over 16 KiB (--max-http-header-size); leave room for the rest. */
const MAX_COOKIE_BYTES = 12_000;

/**
 * A Cookie header value of exactly `bytes` bytes: pairs `c0=…; c1=…` of 39 bytes (the median above), the
 * last one taking the remainder. Values are deterministic pseudo-random letters and digits, like the
 * identifiers real cookies hold (repeated letters would flatter HPACK's Huffman code).
 */
export function cookieValue(bytes: number): string {
  if (bytes === 0) return '';
  if (!Number.isInteger(bytes) || bytes < 4 || bytes > MAX_COOKIE_BYTES)
    throw new Error(
      `cookieBytes must be 0 (no Cookie header) or an integer from 4 to ${MAX_COOKIE_BYTES}, got ${bytes}`,
    );
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let seed = 0x2545f491;
  const filler = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      s += alphabet[(seed >>> 16) % alphabet.length];
    }
    return s;
  };
  const pairs: string[] = [];
  let left = bytes;
  for (let i = 0; left > 0; i++) {
    const name = `c${i}=`;
    if (i > 0) left -= 2;
    // The next pair needs "; " + its name + one byte: if that no longer fits, this pair takes the rest.
    const nextMin = 2 + `c${i + 1}=`.length + 1;
    const size = left - COOKIE_PAIR_BYTES >= nextMin ? COOKIE_PAIR_BYTES : left;
    pairs.push(name + filler(size - name.length));
    left -= size;
  }
  return pairs.join('; ');
}

/**
 * The 2010 article: Peter Lubbers and Frank Greco (Kaazing), "HTML5 Web Sockets: A Quantum Leap in
 * Scalability for the Web", http://www.websocket.org/quantum.html, Example 2 (request) and Example 3
 * (response), captured with Firefox 3.5's Live HTTP Headers. "Just for fun, I counted all the
 * characters. The total HTTP request and response header information overhead contains 871 bytes".
 * What it counted: the characters of every line shown, the request line and the status line included,
 * no line terminators (no CRLF, no final blank line): request 692 + response 179 = 871. On the wire
 * (CRLF after each line and a blank line to end each head) the same messages, of 11 and 6 lines, are
 * 11 x 2 + 2 = 24 and 6 x 2 + 2 = 14 bytes longer: 909 bytes.
 */
export const ARTICLE_2010 = {
  requestLine: 'GET /PollingStock//PollingStock HTTP/1.1',
  host: 'localhost:8080',
  /** After Host, in the article's order. */
  headers: [
    ['User-Agent', 'Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5'],
    ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['Accept-Language', 'en-us'],
    ['Accept-Encoding', 'gzip,deflate'],
    ['Accept-Charset', 'ISO-8859-1,utf-8;q=0.7,*;q=0.7'],
    ['Keep-Alive', '300'],
    ['Connection', 'keep-alive'],
    ['Referer', 'http://www.example.com/PollingStock/'],
    [
      'Cookie',
      'showInheritedConstant=false; showInheritedProtectedConstant=false; showInheritedProperty=false; ' +
        'showInheritedProtectedProperty=false; showInheritedMethod=false; showInheritedProtectedMethod=false; ' +
        'showInheritedEvent=false; showInheritedStyle=false; showInheritedEffect=false',
    ],
  ] as HeaderList,
} as const;

/**
 * undici refuses a Keep-Alive request header (it manages the connection itself: "invalid keep-alive
 * header"), so the 2010 profile sends the article's `Keep-Alive: 300` as `Keep_Alive: 300`: the same 15
 * bytes in the same place, a name no server acts on (nginx drops names with underscores by default).
 */
const KEEP_ALIVE_STAND_IN = 'Keep_Alive';

/** Connection-specific fields, never sent on HTTP/2 (RFC 9113 §8.2.2), plus Host (:authority replaces it). */
const NOT_ON_H2 = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/** A stand-in Sec-WebSocket-Key of the real length (base64 of 16 bytes): ws writes its own random one. */
const WS_KEY_STAND_IN = 'AAAAAAAAAAAAAAAAAAAAAA==';

function authorityOf(target: RequestTarget): string {
  const defaultPort = target.secure ? 443 : 80;
  return target.port === defaultPort ? target.host : `${target.host}:${target.port}`;
}

function browserHeaders(kind: RequestKind, target: RequestTarget): HeaderList {
  // EventSource sends Last-Event-ID only when it reconnects; pollbench's SSE client always resumes from
  // its last id, so it replays the reconnect (the first request lacks that one line).
  const request = CHROMIUM_CAPTURE.requests[kind === 'eventsource' ? 'eventsource-reconnect' : kind];
  const authority = authorityOf(target);
  const origin = `${target.secure ? 'https' : 'http'}://${authority}`;
  const major = CHROMIUM_CAPTURE.chromium.split('.')[0]!;
  const cookie = cookieValue(target.cookieBytes);
  const out: HeaderList = [];
  for (const [name, template] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie' && cookie === '') continue;
    if (lower === 'sec-websocket-extensions' && !target.perMessageDeflate) continue;
    const value = template
      .split('{origin}')
      .join(origin)
      .split('{authority}')
      .join(authority)
      .split('{major}')
      .join(major)
      .split('{cookie}')
      .join(cookie)
      .split('{key}')
      .join(WS_KEY_STAND_IN)
      .split('{lastEventId}')
      .join(String(target.lastEventId ?? 0));
    out.push([name, value]);
  }
  return out;
}

function headers2010(kind: RequestKind, target: RequestTarget): HeaderList {
  const article: HeaderList = [['Host', authorityOf(target)], ...ARTICLE_2010.headers];
  if (kind === 'websocket') {
    // The handshake carries Connection: Upgrade instead of the article's keep-alive pair, and the fields
    // ws adds after the ones it is given, in ws's order (ws writes their values, the key its own).
    return [
      ...article
        .filter(([name]) => name !== 'Keep-Alive')
        .map(([name, value]): [string, string] => (name === 'Connection' ? [name, 'Upgrade'] : [name, value])),
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', WS_KEY_STAND_IN],
      ['Upgrade', 'websocket'],
    ];
  }
  const out = article.map(([name, value]): [string, string] => [
    name === 'Keep-Alive' ? KEEP_ALIVE_STAND_IN : name,
    value,
  ]);
  // Resuming needs the last id (the article's Comet had its own); the one line 2010 did not send.
  if (kind === 'eventsource') out.push(['Last-Event-ID', String(target.lastEventId ?? 0)]);
  return out;
}

/**
 * The header lines of a request under `profile`, in wire order, Host and Connection included (empty
 * for `minimal`: the client adds nothing to what its library sends).
 */
export function profileHeaders(profile: RequestHeaderProfile, kind: RequestKind, target: RequestTarget): HeaderList {
  if (profile === 'minimal') return [];
  const list = profile === 'browser' ? browserHeaders(kind, target) : headers2010(kind, target);
  if (target.http === '1.1') return list;
  return list
    .filter(([name]) => !NOT_ON_H2.has(name.toLowerCase()) && name !== KEEP_ALIVE_STAND_IN)
    .map(([name, value]) => [name.toLowerCase(), value]);
}

/**
 * What an HTTP client passes to undici, as its flat [name, value, …] array. undici writes `host` and
 * `connection: keep-alive` itself right after the request line (lower-case names, the same bytes) and
 * refuses them as request headers, so they are left out; the rest keeps the profile's order, so on
 * HTTP/1.1 the wire order is the captured one.
 */
export function undiciHeaders(list: HeaderList): string[] {
  return list.filter(([name]) => !['host', 'connection'].includes(name.toLowerCase())).flat();
}

/**
 * The `headers` option for ws. ws builds its handshake as {...headers, Sec-WebSocket-Version,
 * Sec-WebSocket-Key, Connection, Upgrade} (then Sec-WebSocket-Extensions when deflate is on), so a key
 * already present keeps its place and takes ws's value: passing the profile's full list in order puts
 * ws's own fields where Chromium puts them. Node's http writes the Host given here instead of its own.
 */
export function wsHeaders(list: HeaderList): Record<string, string> {
  return Object.fromEntries(list);
}

/** Bytes of the header lines on HTTP/1.1: "name: value\r\n" each (the request line and final CRLF excluded). */
export function headerLineBytes(list: HeaderList): number {
  return list.reduce((sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${value}\r\n`), 0);
}

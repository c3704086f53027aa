/**
 * Captures the request headers Debian's Chromium sends for `fetch()`, `EventSource` (its first request and
 * its reconnect, which adds Last-Event-ID) and `new WebSocket()`, as a pollbench server receives them over
 * HTTP/1.1: names with their case and order as sent (req.rawHeaders), and values.
 *
 * The page is same-origin with every request, as in a real app. A feed server (servers/start.ts) serves
 * one transport, so no page could be same-origin with all three; this builds the same host
 * (servers/http-host.ts createHost, node:http) with the real short-poll, SSE and WebSocket attachers on
 * one port and adds a test-only page route at `/` (nothing in servers/ serves pages). Chromium is driven
 * by playwright-core without request interception (interception disables the cache, which makes Chromium
 * add Pragma/Cache-Control), so the headers are Chromium's own.
 *
 * Values that change per run or per machine are replaced by placeholders (PLACEHOLDERS); the replay
 * (bench/clients/request-headers.ts) fills them in and the re-capture test (headers.test.ts) compares
 * everything else. `npm run capture-headers` rewrites the committed fixture.
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { format } from 'prettier';
import { EVENTS_PATH, STREAM_PATH, WS_PATH, makePayload } from '../../servers/contract/protocol.ts';
import { Feed } from '../../servers/feed.ts';
import { createHost } from '../../servers/http-host.ts';
import { attachers } from '../../servers/transports/index.ts';
import { DEFAULT_SERVER_LIMITS } from '../../servers/contract/server-limits.ts';
import type { ChromiumCapture, CapturedRequest, CaptureKind } from '../../bench/clients/request-headers.ts';

export const CHROMIUM = process.env['POLLBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
export const FIXTURE = fileURLToPath(new URL('../../bench/clients/chromium-headers.json', import.meta.url));

/** The cookie the page sets, so the capture shows where Chromium puts the Cookie header. */
const PAGE_COOKIE = 'pollbench=1';

const PAGE = `<!doctype html><meta charset="utf-8"><title>pollbench header capture</title>`;

/** Runs in the page: the three APIs one after the other, each as an app would use it. */
async function inPage(paths: { events: string; stream: string; ws: string; cookie: string }): Promise<string> {
  document.cookie = `${paths.cookie}; path=/`;
  await (await fetch(`${paths.events}?since=0`)).text();
  // The server ends the stream after its first event; EventSource reconnects with Last-Event-ID.
  await new Promise<void>((resolve, reject) => {
    const es = new EventSource(paths.stream);
    let opened = 0;
    es.onopen = () => {
      if (++opened === 2) {
        es.close();
        resolve();
      }
    };
    setTimeout(() => reject(new Error(`EventSource opened ${opened} times in 15 s`)), 15_000);
  });
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}${paths.ws}`);
    ws.onopen = () => {
      ws.close();
      resolve();
    };
    ws.onerror = () => reject(new Error('WebSocket failed'));
  });
  return navigator.userAgent;
}

/** Replaces the values that change per run by placeholders; everything else is kept verbatim. */
function withPlaceholders(raw: string[], authority: string, major: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    let value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'sec-websocket-key') value = '{key}';
    else if (lower === 'cookie') value = '{cookie}';
    else if (lower === 'last-event-id') value = '{lastEventId}';
    else {
      value = value.split(`http://${authority}`).join('{origin}').split(authority).join('{authority}');
      // The major version is in the fixture's `chromium` field; a routine upgrade changes only it.
      if (lower === 'user-agent' || lower.startsWith('sec-ch-ua'))
        value = value.replace(new RegExp(`\\b${major}(?=\\.0\\.0\\.0|")`, 'g'), '{major}');
    }
    pairs.push([name, value]);
  }
  return pairs;
}

/** Opens the page in Chromium and returns what the server received, with placeholders. */
export async function captureChromiumHeaders(now = new Date()): Promise<ChromiumCapture> {
  const host = createHost('node');
  const feed = new Feed({ ringCapacity: 100 });
  const options = { perMessageDeflate: false, limits: DEFAULT_SERVER_LIMITS };
  // One host, three transports: the fetch goes to short polling (long polling's request is the same fetch).
  attachers['short-poll'](host, feed, options);
  attachers.sse(host, feed, options);
  attachers.ws(host, feed, options);
  host.get('/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  const seen: { url: string; httpVersion: string; raw: string[] }[] = [];
  const record = (req: IncomingMessage) =>
    seen.push({ url: req.url ?? '', httpVersion: req.httpVersion, raw: req.rawHeaders });
  host.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    record(req);
    // End the first stream once the handler (which runs next, in this same tick) has written the held
    // event, so that EventSource reconnects with its id as Last-Event-ID.
    if (req.url === STREAM_PATH && seen.filter((s) => s.url === STREAM_PATH).length === 1)
      setImmediate(() => res.end());
  });
  host.server.prependListener('upgrade', record);
  feed.publish(0n, makePayload(8));
  await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', () => resolve()));
  const authority = `127.0.0.1:${(host.server.address() as AddressInfo).port}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60_000,
  });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://${authority}/`, { waitUntil: 'load', timeout: 30_000 });
    const userAgent = await page.evaluate(inPage, {
      events: EVENTS_PATH,
      stream: STREAM_PATH,
      ws: WS_PATH,
      cookie: PAGE_COOKIE,
    });
    const version = browser.version();
    const major = version.split('.')[0]!;
    const pick = (kind: CaptureKind, url: string, nth = 0): CapturedRequest => {
      const found = seen.filter((s) => s.url === url)[nth];
      if (!found)
        throw new Error(
          `Chromium sent no request ${nth + 1} for ${url} (${kind}); saw ${seen.map((s) => s.url).join(', ')}`,
        );
      return {
        requestLine: `GET ${url} HTTP/${found.httpVersion}`,
        headers: withPlaceholders(found.raw, authority, major),
      };
    };
    return {
      chromium: version,
      userAgent: userAgent.replace(major, '{major}'),
      captured: now.toISOString().slice(0, 10),
      placeholders: {
        '{authority}': 'host:port of the server',
        '{origin}': 'http://host:port, the page origin (same-origin requests)',
        '{major}': "Chromium's major version (in `chromium`)",
        '{key}': 'Sec-WebSocket-Key, random per handshake (ws writes its own)',
        '{cookie}': `the cookie: ${PAGE_COOKIE} in the capture, cookieBytes bytes in the replay`,
        '{lastEventId}': 'the id of the last event received',
      },
      requests: {
        fetch: pick('fetch', `${EVENTS_PATH}?since=0`),
        eventsource: pick('eventsource', STREAM_PATH),
        'eventsource-reconnect': pick('eventsource-reconnect', STREAM_PATH, 1),
        websocket: pick('websocket', WS_PATH),
      },
    };
  } finally {
    await browser.close();
    host.counters.destroyAll();
    await new Promise<void>((resolve) => host.server.close(() => resolve()));
  }
}

// `npm run capture-headers`: capture and rewrite the committed fixture.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const capture = await captureChromiumHeaders();
  // Formatted as `npm run lint` (prettier --check) wants it.
  writeFileSync(FIXTURE, await format(JSON.stringify(capture), { filepath: FIXTURE }));
  console.log(`wrote ${FIXTURE} (Chromium ${capture.chromium}, ${capture.captured})`);
}

/**
 * The Host check (DNS rebinding) and the Origin allowlist with CORS (OWASP ASVS 4.4.2, cross-site
 * WebSocket hijacking) on real servers: servers/access-policy.ts and servers/routing.ts. Requests go
 * over raw sockets, so Host, Origin and absolute-form targets are exactly what the test writes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { Framework, ServerConfig } from '../../servers/contract/server-config.ts';
import { EVENTS_PATH, MESSAGES_PATH, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { feedConfig, withTimeout } from '../helpers/harness.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-http.ts';

const FRAMEWORKS: readonly Framework[] = ['express', 'node'];

type FeedServerConfig = Extract<ServerConfig, { role: 'feed' }>;

/** The harness's feed config with some fields of a feed server's set. */
function configOf(transport: TransportName, framework: Framework, extra: Partial<FeedServerConfig>): ServerConfig {
  return { ...(feedConfig(transport, framework) as FeedServerConfig), ...extra };
}

async function withServer(
  config: ServerConfig,
  fn: (server: RunningServer, authority: string) => Promise<void>,
): Promise<void> {
  const server = await startServer(config);
  try {
    await fn(server, `127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

function get(port: number, target: string, headers: string[], method = 'GET'): Promise<RawAnswer> {
  return rawExchange(port, `${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
}

const header = (a: RawAnswer, name: string) => a.headers.find(([n]) => n === name)?.[1];
/** The answer without Date's value (the only field that changes between two identical requests). */
const undated = (a: RawAnswer) => ({
  status: a.status,
  headers: a.headers.filter(([n]) => n !== 'date'),
  dateLength: header(a, 'date')?.length,
  body: a.body,
});

function assertRefused(a: RawAnswer, status: number, error: string): void {
  assert.equal(a.status, status, JSON.stringify(a));
  assert.equal((JSON.parse(a.body) as { error: string }).error, error);
  assert.equal(header(a, 'content-type'), 'application/json');
  assert.equal(header(a, 'x-content-type-options'), 'nosniff');
}

const POLLED: [TransportName, string][] = [
  ['short-poll', `${EVENTS_PATH}?since=0`],
  ['long-poll', `${EVENTS_PATH}?since=0&wait=0`],
  ['sse', `${STREAM_PATH}?since=0`],
];

describe('Host check', () => {
  for (const framework of FRAMEWORKS)
    for (const [transport, target] of POLLED)
      test(`${transport} on ${framework}: loopback names and the bound address are served, any port; others 421`, () =>
        withServer(feedConfig(transport, framework), async (server, authority) => {
          for (const host of [authority, '127.0.0.1', 'localhost:1', 'LOCALHOST.:8080', '[::1]:9', '127.0.0.1:65535'])
            assert.equal((await get(server.port, target, [`Host: ${host}`])).status, 200, host);
          for (const host of ['evil.example', `evil.example:${server.port}`, '10.0.0.1', '127.0.0.2', '[::2]'])
            assertRefused(await get(server.port, target, [`Host: ${host}`]), 421, 'misdirected_request');
          // Absolute-form: the target's authority is the host asked for (RFC 9112 §3.3), whatever Host says.
          assertRefused(
            await get(server.port, `http://evil.example${target}`, [`Host: ${authority}`]),
            421,
            'misdirected_request',
          );
          assert.equal((await get(server.port, `http://${authority}${target}`, ['Host: evil.example'])).status, 200);
          assert.equal(server.stats().counters.hostRefused, 6);
          assert.equal(server.stats().counters.originRefused, 0);
        }));

  test('the configured host is served too', () =>
    withServer(configOf('short-poll', 'node', { host: 'localhost' }), async (server) => {
      assert.equal((await get(server.port, `${EVENTS_PATH}?since=0`, ['Host: localhost'])).status, 200);
    }));

  test('ws: an upgrade for another host is refused 421 before the handshake', () =>
    withServer(feedConfig('ws', 'node'), async (server) => {
      const a = await get(server.port, WS_PATH, upgradeHeaders('evil.example'));
      assertRefused(a, 421, 'misdirected_request');
      assert.equal(server.stats().counters.wsHandshakes, 0);
      assert.equal(server.stats().counters.hostRefused, 1);
    }));

  test('HTTP/2: :authority is checked like Host', () =>
    withServer(configOf('short-poll', 'node', { http: '2' }), async (server) => {
      const session = http2.connect(`http://127.0.0.1:${server.port}`);
      try {
        const ask = (authority: string) =>
          withTimeout(
            new Promise<number>((resolve, reject) => {
              const stream = session.request({ ':path': `${EVENTS_PATH}?since=0`, ':authority': authority });
              stream.on('response', (headers) => resolve(Number(headers[':status'])));
              stream.on('error', reject);
              stream.resume();
            }),
            5000,
            `h2 request for ${authority}`,
          );
        assert.equal(await ask(`127.0.0.1:${server.port}`), 200);
        assert.equal(await ask('localhost'), 200);
        assert.equal(await ask('evil.example'), 421);
        assert.equal(server.stats().counters.hostRefused, 1);
      } finally {
        session.destroy();
      }
    }));
});

function upgradeHeaders(host: string, origin?: string): string[] {
  return [
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
  ];
}

describe('Origin allowlist and CORS', () => {
  for (const framework of FRAMEWORKS)
    for (const [transport, target] of POLLED)
      test(`${transport} on ${framework}: same-origin and Origin-less answers are the same bytes; others 403`, () =>
        withServer(feedConfig(transport, framework), async (server, authority) => {
          const bare = await get(server.port, target, [`Host: ${authority}`]);
          for (const origin of [`http://${authority}`, `https://${authority}`, `HTTP://${authority.toUpperCase()}/`]) {
            const same = await get(server.port, target, [`Host: ${authority}`, `Origin: ${origin}`]);
            assert.deepEqual(undated(same), undated(bare), origin);
          }
          for (const origin of [
            'http://evil.example',
            'null',
            `http://${authority}.evil.example`,
            'http://127.0.0.1:1',
          ])
            assertRefused(
              await get(server.port, target, [`Host: ${authority}`, `Origin: ${origin}`]),
              403,
              'forbidden',
            );
          assert.equal(server.stats().counters.originRefused, 4);
        }));

  for (const framework of FRAMEWORKS)
    test(`an allowed cross-origin page gets Access-Control-Allow-Origin and Vary (${framework})`, () =>
      withServer(
        configOf('short-poll', framework, { allowOrigins: ['https://app.example/'] }),
        async (server, authority) => {
          const target = `${EVENTS_PATH}?since=0`;
          const a = await get(server.port, target, [`Host: ${authority}`, 'Origin: https://app.example']);
          assert.equal(a.status, 200);
          assert.equal(a.body, '[]');
          assert.equal(header(a, 'access-control-allow-origin'), 'https://app.example');
          assert.equal(header(a, 'vary'), 'Origin');
          assertRefused(
            await get(server.port, target, [`Host: ${authority}`, 'Origin: https://other.example']),
            403,
            'forbidden',
          );
          // The preflight of a POST of a message, and of an SSE-style GET with Last-Event-ID.
          for (const [path, methods] of [
            [MESSAGES_PATH, 'POST, OPTIONS'],
            [EVENTS_PATH, 'GET, HEAD, OPTIONS'],
          ] as const) {
            const pre = await get(
              server.port,
              path,
              [
                `Host: ${authority}`,
                'Origin: https://app.example',
                'Access-Control-Request-Method: POST',
                'Access-Control-Request-Headers: content-type',
              ],
              'OPTIONS',
            );
            assert.equal(pre.status, 204, path);
            assert.equal(header(pre, 'access-control-allow-origin'), 'https://app.example');
            assert.equal(header(pre, 'access-control-allow-methods'), methods);
            assert.equal(header(pre, 'access-control-allow-headers'), 'Last-Event-ID, Content-Type');
            assert.equal(header(pre, 'access-control-max-age'), '600');
            assert.equal(header(pre, 'allow'), methods);
            assert.equal(header(pre, 'vary'), 'Origin');
          }
        },
      ));

  test("'*' serves any Origin, with CORS fields", () =>
    withServer(configOf('sse', 'node', { allowOrigins: ['*'] }), async (server, authority) => {
      const a = await get(server.port, `${STREAM_PATH}?since=0`, [`Host: ${authority}`, 'Origin: http://any.example']);
      assert.equal(a.status, 200);
      assert.equal(header(a, 'access-control-allow-origin'), 'http://any.example');
      assert.equal(server.stats().counters.originRefused, 0);
    }));

  test('ws: a handshake from a disallowed Origin is refused 403 before the upgrade; its own origin is served', () =>
    withServer(feedConfig('ws', 'node'), async (server, authority) => {
      const refused = await get(server.port, WS_PATH, upgradeHeaders(authority, 'http://evil.example'));
      assertRefused(refused, 403, 'forbidden');
      assert.equal(header(refused, 'connection'), 'close');
      const own = await get(server.port, `${WS_PATH}?since=0`, upgradeHeaders(authority, `http://${authority}`));
      assert.equal(own.status, 101);
      const none = await get(server.port, `${WS_PATH}?since=0`, upgradeHeaders(authority));
      assert.equal(none.status, 101);
      const counters = server.stats().counters;
      assert.equal(counters.originRefused, 1);
      assert.equal(counters.wsHandshakes, 2);
    }));

  test('ws: an allowlisted Origin is served', () =>
    withServer(configOf('ws', 'node', { allowOrigins: ['http://app.example'] }), async (server, authority) => {
      const a = await get(server.port, `${WS_PATH}?since=0`, upgradeHeaders(authority, 'http://app.example'));
      assert.equal(a.status, 101);
    }));
});

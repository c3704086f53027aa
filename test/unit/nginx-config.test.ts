/**
 * The generated nginx configuration (bench/proxy/nginx-config.ts), read as text: the directives a
 * careful operator sets for polling, SSE and WebSocket behind a proxy, the timeouts above the long-poll
 * hold and the server's keep-alive, TLS on and off. That nginx accepts it is the integration test's job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SERVER_KEEP_ALIVE_S,
  pollReadTimeoutS,
  renderNginxConfig,
  workerConnections,
  type NginxConfigParams,
} from '../../bench/proxy/nginx-config.ts';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../servers/http-host.ts';
import { EVENTS_PATH, MAX_WAIT_MS, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';

const BASE: NginxConfigParams = {
  dir: '/tmp/pollbench-nginx-test',
  listenPort: 41234,
  upstream: { host: '127.0.0.1', port: 40000 },
  longPollWaitMs: 25_000,
  maxClients: 500,
};

/** The config without comments, one directive per entry ("name args"), for exact lookups. */
function directives(config: string): string[] {
  return config
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.endsWith(';'))
    .map((line) => line.slice(0, -1).replace(/\s+/g, ' '));
}

/** The argument of every `name` directive, in order. */
function values(config: string, name: string): string[] {
  return directives(config)
    .filter((d) => d.startsWith(`${name} `))
    .map((d) => d.slice(name.length + 1));
}

/** The body of the block that starts with `header {` (nested braces counted). */
function block(config: string, header: string): string {
  const start = config.indexOf(`${header} {`);
  assert.ok(start !== -1, `no block '${header}'`);
  let depth = 0;
  for (let i = config.indexOf('{', start); i < config.length; i++) {
    if (config[i] === '{') depth++;
    if (config[i] === '}' && --depth === 0) return config.slice(config.indexOf('{', start) + 1, i);
  }
  assert.fail(`block '${header}' not closed`);
}

const seconds = (v: string): number => {
  const m = /^(\d+)s$/.exec(v);
  assert.ok(m, `${v} is a number of seconds`);
  return Number(m[1]);
};

test('process: no daemon, a master and one worker, every path in the run directory', () => {
  const config = renderNginxConfig(BASE);
  const d = directives(config);
  for (const expected of ['daemon off', 'master_process on', 'worker_processes 1'])
    assert.ok(d.includes(expected), expected);
  assert.deepEqual(values(config, 'pid'), [`${BASE.dir}/nginx.pid`]);
  assert.deepEqual(values(config, 'error_log'), [`${BASE.dir}/error.log warn`]);
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    assert.deepEqual(values(config, `${temp}_temp_path`), [`${BASE.dir}/${temp}`], temp);
  assert.doesNotMatch(config.replace(/#.*$/gm, ''), /\/etc\/|\/var\//, 'nothing from /etc or /var');
  assert.deepEqual(values(config, 'access_log'), ['off']);
  assert.deepEqual(values(config, 'tcp_nodelay'), ['on']);
});

test('connections: two per client, and the descriptor limit above them', () => {
  for (const maxClients of [1, 500, 10_000]) {
    const config = renderNginxConfig({ ...BASE, maxClients });
    const connections = Number(values(config, 'worker_connections')[0]);
    assert.equal(connections, workerConnections(maxClients));
    assert.ok(connections >= 2 * maxClients, `${connections} >= 2 x ${maxClients}`);
    assert.ok(Number(values(config, 'worker_rlimit_nofile')[0]) > connections);
    assert.deepEqual(
      values(block(config, 'upstream feed'), 'keepalive'),
      [String(maxClients)],
      'an idle slot per client',
    );
  }
  assert.throws(() => renderNginxConfig({ ...BASE, maxClients: 0 }), /maxClients/);
});

test('upstream: HTTP/1.1 keep-alive, Connection cleared except for a WebSocket upgrade', () => {
  const config = renderNginxConfig(BASE);
  const upstream = block(config, 'upstream feed');
  assert.deepEqual(values(upstream, 'server'), ['127.0.0.1:40000']);
  assert.ok(Number(values(upstream, 'keepalive_requests')[0]) >= 1e9);
  // nginx must drop an idle upstream connection before the server does.
  assert.ok(seconds(values(upstream, 'keepalive_timeout')[0]!) * 1000 < KEEP_ALIVE_TIMEOUT_MS);
  const server = block(config, 'server');
  assert.deepEqual(values(server, 'proxy_http_version'), ['1.1']);
  assert.ok(directives(server).includes('proxy_set_header Connection $connection_upgrade'));
  assert.ok(directives(server).includes('proxy_set_header Upgrade $http_upgrade'));
  // The map sends an empty Connection (keep-alive) unless the client asked to upgrade.
  const map = block(config, 'map $http_upgrade $connection_upgrade');
  assert.deepEqual(directives(map), ['default upgrade', "'' ''"]);
});

test('no buffering or caching anywhere: SSE and long-poll answers flow as they come', () => {
  const server = block(renderNginxConfig(BASE), 'server');
  assert.deepEqual(values(server, 'proxy_buffering'), ['off']);
  assert.deepEqual(values(server, 'proxy_request_buffering'), ['off']);
  assert.deepEqual(values(server, 'proxy_cache'), ['off']);
  // Every location proxies to the pool and none turns buffering back on.
  for (const path of [`= ${EVENTS_PATH}`, `= ${STREAM_PATH}`, `= ${WS_PATH}`, '/']) {
    const location = block(server, `location ${path}`);
    assert.deepEqual(values(location, 'proxy_pass'), ['http://feed'], path);
    assert.deepEqual(values(location, 'proxy_buffering'), [], path);
  }
});

test('timeouts: polls above the long-poll hold, streams idle for a day, clients kept as long as the server keeps them', () => {
  for (const longPollWaitMs of [100, 25_000, MAX_WAIT_MS, null]) {
    const config = renderNginxConfig({ ...BASE, longPollWaitMs });
    const hold = longPollWaitMs ?? MAX_WAIT_MS;
    const poll = block(config, `location = ${EVENTS_PATH}`);
    for (const name of ['proxy_read_timeout', 'proxy_send_timeout', 'send_timeout']) {
      const s = seconds(values(poll, name)[0]!);
      assert.equal(s, pollReadTimeoutS(longPollWaitMs));
      assert.ok(s * 1000 >= hold + 10_000, `${name} ${s} s above the ${hold} ms hold with a margin`);
    }
    for (const stream of [STREAM_PATH, WS_PATH])
      assert.ok(seconds(values(block(config, `location = ${stream}`), 'proxy_read_timeout')[0]!) >= 3600, stream);
  }
  const http = block(renderNginxConfig(BASE), 'http');
  const clientKeepAlive = values(http, 'keepalive_timeout');
  assert.equal(clientKeepAlive.length, 2, 'one for clients (http), one for the upstream pool');
  assert.equal(seconds(clientKeepAlive[0]!), SERVER_KEEP_ALIVE_S);
  assert.equal(
    SERVER_KEEP_ALIVE_S * 1000,
    KEEP_ALIVE_TIMEOUT_MS,
    "clients idle as long as the server's own keep-alive",
  );
  // nginx's default of 1000 requests per connection would close a short poller's connection mid-run.
  assert.ok(Number(values(http, 'keepalive_requests')[0]) >= 1e9);
  assert.throws(() => renderNginxConfig({ ...BASE, longPollWaitMs: -1 }), /longPollWaitMs/);
});

test('TLS: listen ssl with the given PEM files, never http2; cleartext without it', () => {
  const plain = renderNginxConfig(BASE);
  assert.deepEqual(values(plain, 'listen'), ['127.0.0.1:41234']);
  assert.deepEqual(values(plain, 'ssl_certificate'), []);
  const tls = renderNginxConfig({ ...BASE, tls: { cert: '/tmp/c.pem', key: '/tmp/k.pem' } });
  assert.deepEqual(values(tls, 'listen'), ['127.0.0.1:41234 ssl']);
  assert.deepEqual(values(tls, 'ssl_certificate'), ['/tmp/c.pem']);
  assert.deepEqual(values(tls, 'ssl_certificate_key'), ['/tmp/k.pem']);
  assert.doesNotMatch(tls.replace(/#.*$/gm, ''), /http2/);
  // The upstream leg stays cleartext.
  for (const config of [plain, tls]) assert.match(config, /proxy_pass http:\/\/feed;/);
});

test('HTTP/2: http2 on the listen line, h2 with TLS and h2c without; the upstream leg stays HTTP/1.1', () => {
  const h2 = renderNginxConfig({ ...BASE, http: '2', tls: { cert: '/tmp/c.pem', key: '/tmp/k.pem' } });
  assert.deepEqual(values(h2, 'listen'), ['127.0.0.1:41234 ssl http2']);
  const h2c = renderNginxConfig({ ...BASE, http: '2' });
  assert.deepEqual(values(h2c, 'listen'), ['127.0.0.1:41234 http2']);
  for (const config of [h2, h2c]) {
    assert.deepEqual(values(config, 'proxy_http_version'), ['1.1']);
    assert.match(config, /proxy_pass http:\/\/feed;/);
  }
  // '1.1' is the original configuration, byte for byte.
  assert.equal(renderNginxConfig({ ...BASE, http: '1.1' }), renderNginxConfig(BASE));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WIRE, wireLabel } from '../../bench/wire-params.ts';
import { expandScenario, jobId } from '../../bench/matrix.ts';
import { defaultScenario } from '../../bench/scenarios/default.ts';
import { jobParamsSchema } from '../../bench/result-schema.ts';
import { parseCli, UsageError } from '../../bench/args.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

test('every default adds nothing to ids, so results from before the wire axes still join', () => {
  assert.equal(wireLabel(DEFAULT_WIRE), '');
  const old = expandScenario(defaultScenario)[0]!;
  const { http: _h, requestHeaders: _r, cookieBytes: _c, responseHeaders: _rh, ...rest } = old.params;
  const { encoding: _e, payloadContent: _p, compression: _co, upstream: _u, ...older } = rest;
  const parsed = jobParamsSchema.parse(older);
  assert.deepEqual(parsed, old.params);
  assert.equal(jobId(parsed), old.id);
});

test('a non-default wire names every axis that differs, in ids and parameter sets', () => {
  const label = wireLabel({
    http: '2',
    requestHeaders: 'browser',
    cookieBytes: 600,
    responseHeaders: 'lean',
    encoding: 'binary',
    payloadContent: 'random',
    compression: 'on-no-takeover',
    upstream: { intervalMs: 1000, messageBytes: 64 },
  });
  assert.equal(
    label,
    ' http=2 headers=browser(cookie=600B) response=lean encoding=binary content=random compression=on-no-takeover upstream=64B/1000ms',
  );
});

test('the 2010 request headers bring the 2010 response headers; the browser profile its cookie', () => {
  const base = structuredClone(defaultScenario);
  const s: Scenario = {
    ...base,
    cookieBytes: 700,
    matrix: { ...base.matrix, headers: ['minimal', 'browser', '2010'] },
  };
  const jobs = expandScenario(s);
  for (const j of jobs) {
    // ws writes its own 101 answer: response profiles are the HTTP servers'.
    const http = TRANSPORT_TRAITS[j.params.transport].httpStack === 'framework';
    if (j.params.requestHeaders === '2010' && http) assert.equal(j.params.responseHeaders, '2010', j.id);
    else assert.equal(j.params.responseHeaders, 'default', j.id);
    assert.equal(j.params.cookieBytes, j.params.requestHeaders === 'browser' ? 700 : 0, j.id);
  }
  assert.equal(new Set(jobs.map((j) => j.id)).size, jobs.length);
});

test('the wire options replace the scenario axes; a bad value is one sentence', () => {
  const cli = parseCli(['--http', '1.1,2', '--headers', 'browser', '--compression', 'off,on', '--encoding', 'binary'])!;
  assert.deepEqual(cli.scenario.matrix.http, ['1.1', '2']);
  assert.deepEqual(cli.scenario.matrix.headers, ['browser']);
  assert.deepEqual(cli.scenario.matrix.compression, ['off', 'on']);
  assert.deepEqual(cli.scenario.matrix.encodings, ['binary']);
  assert.deepEqual(parseCli(['--upstream', '500:64'])!.scenario.matrix.upstream, [
    { intervalMs: 500, messageBytes: 64 },
  ]);
  // HTTP clients send messages over HTTP/1.1 with minimal headers only: anything else is refused, not mislabelled.
  assert.throws(() => parseCli(['--upstream', '500', '--http', '2']), /HTTP\/1\.1 with minimal headers only/);
  assert.ok(parseCli(['--upstream', '500', '--http', '2', '--transports', 'ws']));
  assert.throws(
    () => parseCli(['--http', '3']),
    (e: Error) => e instanceof UsageError && /choose from 1\.1, 2/.test(e.message),
  );
  assert.throws(() => parseCli(['--compression', 'max']), UsageError);
  assert.throws(() => parseCli(['--upstream', 'soon']), UsageError);
  assert.throws(() => parseCli(['--cookie-bytes', '-1']), UsageError);
  assert.throws(() => parseCli(['--response-headers', '2010']), UsageError);
  // A response profile is the server's: behind nginx the clients read nginx's headers instead.
  assert.throws(() => parseCli(['--response-headers', 'lean', '--proxy', 'nginx']), /behind a proxy/);
  assert.throws(() => parseCli(['--headers', '2010', '--proxy', 'none,nginx']), /behind a proxy/);
  assert.ok(parseCli(['--headers', 'browser', '--proxy', 'nginx']));
});

test("the default's Chromium headers stay in its classic cell: chosen cells and the other scenarios run one wire", () => {
  // bench:ci's A/B passes --rate/--clients to both checkouts: an older one knows no wire axes.
  const chosen = parseCli(['--rate', '5', '--clients', '50'])!.scenario;
  assert.ok(expandScenario(chosen).every((j) => j.params.requestHeaders === 'minimal'));
  for (const name of ['bursty', 'capacity']) {
    const jobs = expandScenario(parseCli(['--scenario', name])!.scenario);
    assert.ok(
      jobs.every((j) => j.params.requestHeaders === 'minimal' && j.params.network.name === 'loopback'),
      name,
    );
  }
});

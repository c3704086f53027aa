import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError } from '../../bench/args.ts';
import { expandScenario, jobId } from '../../bench/matrix.ts';
import { DIRECT_PATH, networkLabel, pathLabel } from '../../bench/network-path.ts';
import { jobParamsSchema } from '../../bench/result-schema.ts';

const quick = (extra: string[]) => parseCli(['--quick', '--network', 'loopback', ...extra])!;

test('the direct loopback path adds nothing to ids, so results from before paths existed still join', () => {
  assert.equal(pathLabel(DIRECT_PATH), '');
  const jobs = expandScenario(quick([]).scenario);
  for (const job of jobs) {
    assert.deepEqual({ network: job.params.network, tls: job.params.tls, proxy: job.params.proxy }, DIRECT_PATH);
    assert.doesNotMatch(job.id, /network=|tls|proxy=/);
  }
});

test('network, TLS and proxy are matrix axes: every transport on every path, each path its own parameter set', () => {
  const { scenario } = quick(['--tls', 'both', '--proxy', 'none,nginx', '--transports', 'ws']);
  const jobs = expandScenario(scenario);
  assert.equal(jobs.length, 4);
  assert.deepEqual(
    jobs.map((j) => [j.params.tls, j.params.proxy]),
    [
      [false, 'none'],
      [false, 'nginx'],
      [true, 'none'],
      [true, 'nginx'],
    ],
  );
  assert.equal(new Set(jobs.map((j) => j.id)).size, 4);
  assert.equal(new Set(jobs.map((j) => j.parameterSet)).size, 4);
  const last = jobs[3]!;
  assert.ok(last.id.endsWith(' tls proxy=nginx'), last.id);
  assert.ok(last.parameterSet.endsWith(' tls proxy=nginx'), last.parameterSet);
  assert.equal(jobId(last.params), last.id);
});

test('--tls alone means on, before another option or last', () => {
  assert.deepEqual(parseCli(['--tls', '--quick'])!.scenario.matrix.tls, [true]);
  assert.deepEqual(parseCli(['--quick', '--tls'])!.scenario.matrix.tls, [true]);
  assert.deepEqual(parseCli(['--quick', '--tls', 'off'])!.scenario.matrix.tls, [false]);
});

test('bad path options are one clear sentence', () => {
  assert.throws(
    () => quick(['--tls', 'maybe']),
    (e: Error) => e instanceof UsageError && /--tls must be on, off or both/.test(e.message),
  );
  assert.throws(
    () => quick(['--proxy', 'haproxy']),
    (e: Error) => e instanceof UsageError && /unknown proxy "haproxy"/.test(e.message),
  );
  assert.throws(
    () => quick(['--network', 'moon']),
    (e: Error) => e instanceof UsageError && /moon/.test(e.message),
  );
});

test('a custom network carries its values in its label; a preset only its name', () => {
  assert.equal(networkLabel(DIRECT_PATH.network), 'loopback');
  const custom = { ...DIRECT_PATH.network, name: 'custom', rttMs: 80, downKbps: 20_000 };
  assert.equal(networkLabel(custom), 'custom(rtt=80ms,jitter=0ms,down=20000kbit,up=unlimited,loss=0%)');
});

test('job params written before paths existed read as the direct path', () => {
  const old = {
    transport: jobParamsSchema.shape.transport.options[0],
    framework: 'express',
    clients: 1,
    shape: { kind: 'steady', ratePerSec: 1 },
    payloadBytes: 0,
    pollIntervalMs: null,
    longPollWaitMs: null,
    perMessageDeflate: false,
  };
  const parsed = jobParamsSchema.parse(old);
  assert.deepEqual({ network: parsed.network, tls: parsed.tls, proxy: parsed.proxy }, DIRECT_PATH);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError } from '../../bench/args.ts';
import { expandScenario, jobId } from '../../bench/matrix.ts';
import { DIRECT_PATH, networkLabel, pathAllowancesMs, pathLabel } from '../../bench/network-path.ts';
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

test('connect, warm-up and drain allowances scale with the round trip; the direct path gets none', () => {
  assert.deepEqual(pathAllowancesMs(DIRECT_PATH, 500), { connectMs: 0, warmupMs: 0, drainMs: 0 });
  const fourG = { ...DIRECT_PATH, network: { ...DIRECT_PATH.network, name: '4g', rttMs: 60 } };
  // 500 clients connect in 3 batches of at most 200, each ~3 round trips (TCP, TLS, HTTP/upgrade), doubled.
  assert.deepEqual(pathAllowancesMs(fourG, 500), { connectMs: 3 * 6 * 60, warmupMs: 4 * 60, drainMs: 10 * 60 });
  assert.ok(pathAllowancesMs(fourG, 500).connectMs > pathAllowancesMs(fourG, 50).connectMs);
  // Jitter counts as round trip; loss adds three retransmission timeouts (at least 200 ms each) to connect and drain.
  const lossy = { ...DIRECT_PATH, network: { ...DIRECT_PATH.network, rttMs: 100, jitterMs: 20, lossPct: 1 } };
  assert.deepEqual(pathAllowancesMs(lossy, 100), {
    connectMs: 6 * 120 + 3 * 240,
    warmupMs: 4 * 120,
    drainMs: 10 * 120 + 3 * 240,
  });
});

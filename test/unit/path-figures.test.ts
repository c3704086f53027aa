import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathWarnings } from '../../bench/path-figures.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';
import { DEFAULT_WORKLOAD } from '../../bench/workload-params.ts';
import { DEFAULT_DEPLOYMENT } from '../../bench/deployment-params.ts';
import type { CompletedRun, JobParams, RunMetrics } from '../../bench/result-schema.ts';

const params = (network: Partial<JobParams['network']>): JobParams => ({
  transport: 'ws',
  framework: 'node',
  clients: 10,
  shape: { kind: 'steady', ratePerSec: 1 },
  payloadBytes: 256,
  pollIntervalMs: null,
  longPollWaitMs: null,
  perMessageDeflate: false,
  ...DEFAULT_WIRE,
  ...DEFAULT_WORKLOAD,
  ...DEFAULT_DEPLOYMENT,
  ...DIRECT_PATH,
  network: { ...DIRECT_PATH.network, name: 'custom', rttMs: 60, ...network },
});

const emulator = (e: Partial<NonNullable<NonNullable<CompletedRun['path']>['emulator']>>): CompletedRun['path'] => ({
  emulator: {
    cpus: '1',
    cpuFraction: 0.01,
    latenessP50Us: 300,
    latenessP99Us: 900,
    latenessMaxUs: 1500,
    appliedOneWayUpMs: 30.2,
    appliedOneWayDownMs: 30.3,
    configuredOneWayMs: 30,
    segmentsLost: 0,
    maxQueuedBytes: 400,
    connections: 0,
    ...e,
  },
});

const metrics = (down: number, up: number): RunMetrics => ({
  bytes_down_per_client_per_s: { value: down, unit: 'bytes/client/s', better: 'lower', kind: 'exact' },
  bytes_up_per_client_per_s: { value: up, unit: 'bytes/client/s', better: 'lower', kind: 'exact' },
});

const codes = (p: JobParams, e: CompletedRun['path'], m = metrics(0, 0)) => pathWarnings(p, e, m).map((w) => w.code);

test('no jitter: the applied one-way delay may be off its profile by 5% of it (1.5 ms at 30 ms) or 1 ms, no more', () => {
  assert.deepEqual(codes(params({}), emulator({ appliedOneWayDownMs: 31.4 })), []);
  const [w] = pathWarnings(params({}), emulator({ appliedOneWayDownMs: 31.6 }), metrics(0, 0));
  assert.equal(w?.code, 'network-inaccurate');
  assert.ok(Math.abs(w!.value! - 1.6) < 1e-9 && w!.limit === 1.5, JSON.stringify(w));
  // Early counts as much as late; a short delay still has 1 ms.
  assert.deepEqual(codes(params({}), emulator({ appliedOneWayUpMs: 28.4 })), ['network-inaccurate']);
  assert.deepEqual(
    codes(params({ rttMs: 2 }), emulator({ configuredOneWayMs: 1, appliedOneWayUpMs: 1.9, appliedOneWayDownMs: 1.9 })),
    [],
  );
});

test('with jitter, in-order waits are the model: only the timing error counts', () => {
  const jittery = params({ jitterMs: 20 });
  assert.deepEqual(codes(jittery, emulator({ appliedOneWayDownMs: 34 })), []);
  assert.deepEqual(codes(jittery, emulator({ latenessP50Us: 1600 })), ['network-inaccurate']);
});

test('an access link over 90% busy is flagged, per direction', () => {
  // 10 kbit/s down = 1,250 B/s: 1,150 B/s is 92% of it, 1,000 B/s 80%.
  const narrow = params({ downKbps: 10, upKbps: 10 });
  assert.deepEqual(codes(narrow, emulator({}), metrics(1150, 0)), ['link-saturated']);
  assert.deepEqual(codes(narrow, emulator({}), metrics(1000, 1000)), []);
  const [w] = pathWarnings(narrow, emulator({}), metrics(0, 1200));
  assert.ok(
    w?.code === 'link-saturated' && w.message.includes('uplink') && Math.abs(w.value! - 0.96) < 1e-9,
    JSON.stringify(w),
  );
  // An unlimited link is never saturated.
  assert.deepEqual(codes(params({}), emulator({}), metrics(1e9, 1e9)), []);
});

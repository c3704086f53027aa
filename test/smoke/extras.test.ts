/** The side measurements run for real, briefly, and report sane numbers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMicro } from '../../bench/side/micro.ts';
import { runThroughput } from '../../bench/side/throughput.ts';
import { detectPinning, liveChildPids } from '../../bench/child.ts';

test('micro: every task reports a positive mean and tail, and ops/s is the mean read as a rate', async () => {
  const rows = await runMicro({ timeMs: 30, payloadBytes: 256 });
  assert.equal(rows.length, 8);
  for (const r of rows) {
    assert.ok(r.meanNs > 0 && Number.isFinite(r.meanNs), r.task);
    assert.ok(r.p99Ns > 0, r.task);
    assert.ok(r.samples > 0, r.task);
    assert.ok(Math.abs(r.opsPerSec * r.meanNs - 1e9) < 1, r.task);
  }
  // Decoding 10 events costs more than decoding one: the figures measure the work they name.
  const mean = (task: string) => rows.find((r) => r.task.startsWith(task))!.meanNs;
  assert.ok(mean('client: decode poll body with 10 events') > mean('client: decode one event'));
});

test('throughput: both frameworks answer, no errors, and the server processes are gone', async () => {
  const { rows } = await runThroughput({
    pinning: detectPinning(),
    durationS: 1,
    connections: 4,
    repetitions: 1,
    signal: new AbortController().signal,
  });
  assert.deepEqual(
    rows.map((r) => r.framework),
    ['express', 'node'],
  );
  for (const r of rows) {
    assert.ok(r.requestsTotal > 0, r.framework);
    assert.equal(r.non2xx, 0);
    assert.equal(r.errors, 0);
  }
  assert.deepEqual(liveChildPids(), []);
});

/** The load group's window edge check (bench/start-lag.ts), worked by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLagWarnings } from '../../bench/start-lag.ts';

const part = (name: string, startLagUs?: number) => ({
  name,
  firstClient: 0,
  clients: 1,
  cpuFraction: 0,
  loopDelayP99Us: 0,
  ...(startLagUs !== undefined && { startLagUs }),
});

test('a load process that opened the window later than half an event period is named in a warning', () => {
  // 10 events/s: 100 ms apart, limit 50 ms.
  const warnings = startLagWarnings({ kind: 'steady', ratePerSec: 10 }, [
    part('load process 1 of 3', 10_000),
    part('load process 2 of 3', 60_000),
    part('load process 3 of 3'),
  ]);
  assert.deepEqual(
    warnings.map((w) => [w.code, w.severity, w.value, w.limit]),
    [['load-start-late', 'warning', 60_000, 50_000]],
  );
  assert.match(warnings[0]!.message, /^load process 2 of 3 opened the shared window 60\.0 ms late/);
});

test('a burst feed: half the time between bursts; within it, no warning', () => {
  assert.deepEqual(
    startLagWarnings({ kind: 'burst', size: 100, everyMs: 1000 }, [part('load process 1 of 2', 499_000)]),
    [],
  );
  assert.equal(startLagWarnings({ kind: 'burst', size: 100, everyMs: 1000 }, [part('p', 500_001)]).length, 1);
});

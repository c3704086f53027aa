import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError, USAGE } from '../../bench/args.ts';
import { expandScenario } from '../../bench/matrix.ts';

const workloads = (argv: string[]) => parseCli(['--quick', ...argv])!.scenario.matrix.workloads;

test('--drops <every>[:<share>[:<offline>]]: durations in s or ms, share in % or as a fraction, defaults 10% and 2 s', () => {
  assert.deepEqual(workloads(['--drops', '5s:10%:2s']), [
    { kind: 'drops', everyMs: 5000, share: 0.1, offlineMs: 2000 },
  ]);
  assert.deepEqual(workloads(['--drops', '1500ms:0.25:3']), [
    { kind: 'drops', everyMs: 1500, share: 0.25, offlineMs: 3000 },
  ]);
  assert.deepEqual(workloads(['--drops', '5s']), [{ kind: 'drops', everyMs: 5000, share: 0.1, offlineMs: 2000 }]);
});

test('--restart [<down>]: alone (last or before another option) the default 2 s down', () => {
  assert.deepEqual(workloads(['--restart']), [{ kind: 'restart', downMs: 2000 }]);
  assert.deepEqual(workloads(['--restart', '--runs', '1']), [{ kind: 'restart', downMs: 2000 }]);
  assert.deepEqual(workloads(['--restart', '500ms']), [{ kind: 'restart', downMs: 500 }]);
  // Both: every job runs with each, and the workload is in its id.
  const both = parseCli(['--quick', '--transports', 'ws', '--drops', '5s', '--restart', '1s'])!;
  const ids = expandScenario(both.scenario).map((j) => j.id);
  const steady = expandScenario(parseCli(['--quick', '--transports', 'ws'])!.scenario);
  assert.equal(ids.length, 2 * steady.length);
  assert.ok(
    ids.some((id) => id.includes('drops=10%/5s(off 2s)')),
    ids.join(' | '),
  );
  assert.ok(
    ids.some((id) => id.includes('restart(down 1s)')),
    ids.join(' | '),
  );
});

test('bad workload values are one sentence (a UsageError: exit 2)', () => {
  for (const argv of [
    ['--drops', 'often'],
    ['--drops', '5s:lots'],
    ['--drops', '5s:10%:2s:9'],
    ['--drops', ''],
    ['--restart', 'soon'],
    // Ranges are the workload schema's: at least 2 s offline, every at least 500 ms, a share up to 100%.
    ['--drops', '5s:10%:1s'],
    ['--drops', '100ms'],
    ['--drops', '5s:150%'],
  ]) {
    assert.throws(
      () => parseCli(['--quick', ...argv]),
      (err: unknown) => err instanceof UsageError && !err.message.includes('\n') && err.message.length > 0,
      argv.join(' '),
    );
  }
});

test('the usage documents the workload options', () => {
  assert.ok(USAGE.includes('--drops <every>'));
  assert.ok(USAGE.includes('--restart [<down>]'));
});

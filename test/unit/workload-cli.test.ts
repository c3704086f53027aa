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
  // A window long enough for the restart (bench/restart-window.ts): 2 x (2 s down + 1 s + 2 s storm).
  assert.deepEqual(workloads(['--duration', '10', '--restart']), [{ kind: 'restart', downMs: 2000 }]);
  assert.deepEqual(workloads(['--duration', '10', '--restart', '--runs', '1']), [{ kind: 'restart', downMs: 2000 }]);
  assert.deepEqual(workloads(['--duration', '10', '--restart', '500ms']), [{ kind: 'restart', downMs: 500 }]);
  // Both: every job runs with each, and the workload is in its id.
  const both = parseCli(['--quick', '--duration', '8', '--transports', 'ws', '--drops', '5s', '--restart', '1s'])!;
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

test('a restart job whose window cannot hold the kill at its middle, the down time, a start-up and the storm is refused, naming the --duration', () => {
  for (const [argv, duration] of [
    [['--restart'], 10], // the default 3 s window, 2 s down
    [['--quick', '--restart', '1s'], 8], // the quick 1 s window
    [['--restart', '500ms', '--duration', '6'], 7],
    // A group of 2 server processes gets 2 s to start: 2 x (1 s down + 2 s + 2 s storm).
    [['--restart', '1s', '--duration', '8', '--broker', 'redis', '--server-processes', '2'], 10],
  ] as const) {
    assert.throws(
      () => parseCli([...argv]),
      (err: unknown) =>
        err instanceof UsageError &&
        !err.message.includes('\n') &&
        err.message.includes(`--duration ${duration} or more`),
      argv.join(' '),
    );
  }
  assert.ok(parseCli(['--restart', '1s', '--duration', '8']));
});

test('the resilience scenario and its quick preview keep windows long enough for their restart jobs', () => {
  for (const argv of [
    ['--scenario', 'resilience'],
    ['--scenario', 'resilience', '--quick'],
  ]) {
    const { scenario } = parseCli(argv)!;
    assert.ok(
      expandScenario(scenario).some((j) => j.params.workload.kind === 'restart'),
      argv.join(' '),
    );
    assert.ok(scenario.timing.measureMs >= 8000, `${argv.join(' ')}: ${scenario.timing.measureMs} ms`);
  }
});

test('the usage documents the workload options', () => {
  assert.ok(USAGE.includes('--drops <every>'));
  assert.ok(USAGE.includes('--restart [<down>]'));
});

/** `--idle`, `--keep-alive` and `--soak` (bench/idle-cli.ts) through the CLI's parser: jobs, ids, one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseCli } from '../../bench/args.ts';
import { expandScenario } from '../../bench/matrix.ts';

const ONE_JOB = ['--transports', 'ws', '--clients', '1000', '--rate', '1', '--payload', '256', '--network', 'loopback'];

test('--idle and --keep-alive set every job explicitly and name themselves in the job id', () => {
  const { scenario } = parseCli(['--idle', '--keep-alive', 'ws-ping=30s,sse-comment=15000ms', ...ONE_JOB])!;
  const [job, ...rest] = expandScenario(scenario);
  assert.equal(rest.length, 0);
  assert.deepEqual(job!.params.workload, { kind: 'idle' });
  // A WebSocket job records the ping only: the SSE comment is another transport's keep-alive.
  assert.deepEqual(job!.params.keepAlive, { wsPingMs: 30_000, sseCommentMs: null });
  assert.match(job!.id, / idle ws-ping=30s$/);
  assert.match(job!.parameterSet, / idle ws-ping=30s sse-comment=15s$/);
});

test('without them, nothing changes: steady, no keep-alive, the same ids', () => {
  const plain = expandScenario(parseCli(ONE_JOB)!.scenario);
  assert.deepEqual(plain[0]!.params.keepAlive, { wsPingMs: null, sseCommentMs: null });
  assert.equal(plain[0]!.id, 'ws rate=1/s clients=1000 payload=256B ws');
  const none = expandScenario(parseCli([...ONE_JOB, '--keep-alive', 'ws-ping=none'])!.scenario);
  assert.equal(none[0]!.id, plain[0]!.id);
});

test('--soak: one job, one run, a window of that many minutes, sampled every 5 s', () => {
  const { scenario } = parseCli([...ONE_JOB, '--soak', '0.25'])!;
  assert.equal(scenario.timing.measureMs, 15_000);
  assert.equal(scenario.timing.soakSampleMs, 5_000);
  assert.equal(scenario.repetitions, 1);
});

test('bad values are one sentence each', () => {
  for (const [argv, message] of [
    [['--keep-alive', 'ws-ping=5'], /ws-ping=5 must be a time from 100ms to 3600s/],
    [['--keep-alive', 'ping=30s'], /"ping=30s" is not ws-ping=<time> or sse-comment=<time>/],
    [['--keep-alive', 'ws-ping=30s=1'], /is not ws-ping/],
    [['--soak', 'x', ...ONE_JOB], /--soak must be a number of minutes/],
    [['--soak', '61', ...ONE_JOB], /at most 60/],
    [['--soak', '5'], /--soak runs one parameter set, and this selection has \d+ jobs/],
  ] as const) {
    assert.throws(
      () => parseCli([...argv]),
      (err: Error) => err instanceof UsageError && message.test(err.message) && !err.message.includes('\n'),
      argv.join(' '),
    );
  }
});

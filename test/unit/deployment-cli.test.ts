import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError, USAGE } from '../../bench/args.ts';
import { expandScenario } from '../../bench/matrix.ts';
import { jobParamsSchema } from '../../bench/result-schema.ts';

const parsed = (argv: string[]) => parseCli(['--quick', '--transports', 'ws', ...argv])!;

test('no deployment option: one process on the memory feed, and job ids as before the axis', () => {
  const jobs = expandScenario(parsed([]).scenario);
  assert.ok(jobs.length > 0);
  for (const job of jobs) {
    assert.equal(job.params.broker, 'memory');
    assert.equal(job.params.serverProcesses, 1);
    assert.ok(!/broker=|servers=/.test(job.id), job.id);
  }
});

test('--broker and --server-processes: their product less what cannot run, in the job id', () => {
  const plain = expandScenario(parsed([]).scenario).length;
  const jobs = expandScenario(parsed(['--broker', 'memory,redis', '--server-processes', '1,2']).scenario);
  // memory x1, redis x1, redis x2: memory x2 cannot run and is left out.
  assert.equal(jobs.length, 3 * plain);
  const ids = jobs.map((j) => j.id);
  assert.ok(
    ids.some((id) => id.endsWith(' broker=redis servers=2')),
    ids.join(' | '),
  );
  assert.ok(
    ids.some((id) => id.endsWith(' broker=redis')),
    ids.join(' | '),
  );
  assert.ok(!ids.some((id) => /servers=2/.test(id) && !/broker=redis/.test(id)));
  assert.ok(jobs.every((j) => j.parameterSet.includes(j.id.includes('broker=redis') ? 'broker=redis' : '')));
});

test('more server processes than one without a broker is one sentence (exit 2)', () => {
  assert.throws(
    () => parsed(['--server-processes', '2']),
    (err: Error) => err instanceof UsageError && /2 server processes need --broker redis/.test(err.message),
  );
  for (const argv of [
    ['--broker', 'kafka'],
    ['--server-processes', '0'],
    ['--server-processes', 'two'],
    ['--server-processes', '65'],
    ['--load-processes', '0'],
    ['--load-processes', 'many'],
  ]) {
    assert.throws(
      () => parsed(argv),
      (err: Error) => err instanceof UsageError && !err.message.includes('\n'),
      argv.join(' '),
    );
  }
});

test('--load-processes: a count, or auto (absent from the options, chosen at plan time)', () => {
  assert.equal(parsed(['--load-processes', '3']).loadProcesses, 3);
  assert.equal(parsed(['--load-processes', 'auto']).loadProcesses, undefined);
  assert.equal(parsed([]).loadProcesses, undefined);
  assert.match(USAGE, /--load-processes/);
  assert.match(USAGE, /--broker/);
});

test('a result written before the axis reads as one process on the memory feed', () => {
  const job = expandScenario(parsed([]).scenario)[0]!;
  const { broker: _b, serverProcesses: _s, ...older } = job.params;
  const read = jobParamsSchema.parse(older);
  assert.equal(read.broker, 'memory');
  assert.equal(read.serverProcesses, 1);
});

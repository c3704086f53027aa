import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { judgeStep } from '../../bench/capacity/step.ts';
import { parseListenCounters, parsePortRange } from '../../bench/capacity/machine.ts';
import { parseResult, type CompletedRun, type Job } from '../../bench/result-schema.ts';
import { parseCli, UsageError } from '../../bench/args.ts';

const fixture = parseResult(
  JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
);
const base = fixture.jobs[0]!;
const completed = base.runs[0] as CompletedRun;

/** A job of `clients` whose one run has these metric values and totals. */
function job(metrics: Record<string, number>, extra: Partial<CompletedRun> = {}): Job {
  const run: CompletedRun = structuredClone(completed);
  for (const [k, v] of Object.entries(metrics))
    (run.metrics as Record<string, { value: number }>)[k] = { ...run.metrics.latency_p99_us!, value: v };
  return { ...base, params: { ...base.params, clients: 20 }, runs: [{ ...run, ...extra }] };
}

test('a step passes with p99 at the limit, nothing lost, no error, everyone connected', () => {
  const { step } = judgeStep(job({ latency_p99_us: 1_000_000, events_lost: 0 }), 1000, undefined);
  assert.equal(step.pass, true);
  assert.deepEqual(step.reasons, []);
  assert.equal(step.figures['p99Ms'], 1000);
});

test('each broken condition is a reason of its own', () => {
  const { step } = judgeStep(
    job(
      { latency_p99_us: 1_500_000, events_lost: 3 },
      {
        totals: { ...completed.totals, clientErrors: 2 },
        connect: {
          requested: 20,
          connected: 18,
          deadlineMs: 14_000,
          elapsedMs: 14_000,
          failures: { timeout: 2, descriptors: 0, refused: 0, other: 0 },
        },
      },
    ),
    1000,
    { listenOverflows: 4, listenDrops: 4 },
  );
  assert.equal(step.pass, false);
  assert.deepEqual(step.reasons, [
    'p99 latency 1500 ms above 1000 ms',
    '3 events lost',
    '2 client errors',
    '2 of 20 clients not connected',
    '2 failed connects',
  ]);
  assert.equal(step.figures['unconnected'], 2);
  assert.equal(step.figures['listenOverflows'], 4);
});

test('an errored run fails the step; an interrupted one leaves it without a verdict', () => {
  const errored = judgeStep(
    { ...base, runs: [{ status: 'errored', repetition: 1, startedAt: 'x', phase: 'connect', error: 'boom' }] },
    1000,
    undefined,
  ).step;
  assert.equal(errored.pass, false);
  assert.deepEqual(errored.reasons, ['run failed (connect): boom']);
  const aborted = judgeStep(
    { ...base, runs: [{ status: 'aborted', repetition: 1, reason: 'interrupted' }] },
    1000,
    undefined,
  );
  assert.equal(aborted.step.pass, null);
});

test('/proc/net/netstat and the port range parse', () => {
  const text =
    'TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\nTcpExt: 0 12 15 99\nIpExt: InNoRoutes\nIpExt: 0\n';
  assert.deepEqual(parseListenCounters(text), { listenOverflows: 12, listenDrops: 15 });
  assert.equal(parseListenCounters('IpExt: a\nIpExt: 1\n'), null);
  assert.equal(parsePortRange('32768\t60999\n'), 28_232);
  assert.equal(parsePortRange('nonsense'), null);
});

test('the CLI: --capacity with defaults, the capacity scenario implies it, flags stated', () => {
  const o = parseCli(['--capacity', '--transports', 'ws'])!;
  assert.equal(o.scenario.name, 'capacity');
  assert.deepEqual(o.capacity, {
    p99Ms: 1000,
    start: undefined,
    max: 100_000,
    factor: 2,
    resolution: 0.1,
    maxSteps: 10,
  });
  assert.ok(parseCli(['--scenario', 'capacity'])!.capacity);
  assert.equal(parseCli(['--transports', 'ws'])!.capacity, undefined);
  const custom = parseCli([
    '--capacity',
    '--slo-p99',
    '250ms',
    '--capacity-start',
    '100',
    '--capacity-max',
    '5000',
    '--capacity-factor',
    '1.5',
    '--capacity-resolution',
    '5',
    '--capacity-steps',
    '7',
  ])!;
  assert.deepEqual(custom.capacity, { p99Ms: 250, start: 100, max: 5000, factor: 1.5, resolution: 0.05, maxSteps: 7 });
  assert.equal(parseCli(['--capacity', '--slo-p99', '2'])!.capacity!.p99Ms, 2000);
});

test('the CLI: bad capacity values are one sentence', () => {
  const bad = (argv: string[], message: RegExp) =>
    assert.throws(
      () => parseCli(argv),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  bad(
    ['--capacity', '--slo-p99', 'soon'],
    /^--slo-p99 must be a duration from 1ms to 600s, like 1s or 500ms, got "soon"$/,
  );
  bad(['--capacity', '--capacity-max', '0'], /^--capacity-max must be a whole number from 1 to 1000000, got "0"$/);
  bad(['--capacity', '--capacity-factor', '1'], /^--capacity-factor must be a number from 1.1 to 10/);
  bad(['--capacity', '--capacity-steps', '2.5'], /^--capacity-steps must be a whole number/);
  bad(
    ['--capacity', '--capacity-start', '500', '--capacity-max', '100'],
    /^--capacity-start \(500\) must not be above --capacity-max \(100\)$/,
  );
  bad(['--slo-p99', '1s'], /^--slo-p99 sets the capacity search: add --capacity$/);
});

test("the step's load CPU: the busiest process and all of them summed (the clients' cost)", () => {
  const processes = [0.5, 0.75].map((cpuFraction, i) => ({
    name: `load process ${i + 1} of 2`,
    firstClient: i * 10,
    clients: 10,
    cpuFraction,
    loopDelayP99Us: 100,
  }));
  const { step } = judgeStep(
    job({ latency_p99_us: 1000, load_cpu_fraction: 0.75, load_cpu_total_fraction: 1.25 }),
    1000,
    undefined,
  );
  assert.equal(step.figures['loadCpuFraction'], 0.75);
  assert.equal(step.figures['loadCpuTotal'], 1.25);
  // A run recorded before the summed metric: its processes' figures, summed.
  const older = job({ latency_p99_us: 1000, load_cpu_fraction: 0.75 }, { load: { processes } });
  delete (older.runs[0] as CompletedRun).metrics.load_cpu_total_fraction;
  assert.equal(judgeStep(older, 1000, undefined).step.figures['loadCpuTotal'], 1.25);
});

test('a duplicated or out-of-order event breaks the level like a lost one: extra messages fail the run too', () => {
  const dup = judgeStep(job({ latency_p99_us: 1000, events_duplicated: 1, events_out_of_order: 0 }), 1000, undefined);
  assert.equal(dup.step.pass, false);
  assert.deepEqual(dup.step.reasons, ['1 events duplicated']);
  assert.equal(dup.step.figures['eventsDuplicated'], 1);
  const ooo = judgeStep(job({ latency_p99_us: 1000, events_duplicated: 0, events_out_of_order: 2 }), 1000, undefined);
  assert.equal(ooo.step.pass, false);
  assert.deepEqual(ooo.step.reasons, ['2 events out of order']);
  // Neither: the level holds.
  const clean = judgeStep(job({ latency_p99_us: 1000, events_duplicated: 0, events_out_of_order: 0 }), 1000, undefined);
  assert.equal(clean.step.pass, true);
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError, USAGE } from '../../bench/args.ts';

describe('parseCli', () => {
  test('no options: the default scenario and profile', () => {
    const o = parseCli([])!;
    assert.equal(o.scenario.name, 'default');
    assert.equal(o.profile, 'default');
    assert.equal(o.outDir, 'results');
    assert.equal(o.json, false);
    assert.ok(o.scenario.repetitions >= 3, 'the default run repeats at least 3 times');
  });

  test('--help and -h return null (print usage)', () => {
    assert.equal(parseCli(['--help']), null);
    assert.equal(parseCli(['-h']), null);
  });

  test('the usage documents every option', () => {
    for (const option of [
      '--scenario',
      '--transports',
      '--clients',
      '--rate',
      '--payload',
      '--interval',
      '--duration',
      '--runs',
      '--quick',
      '--out',
      '--json',
      '--framework',
      '--warmup',
    ]) {
      assert.ok(USAGE.includes(option), option);
    }
  });

  test('overrides land in the scenario', () => {
    const o = parseCli([
      '--transports',
      'ws,sse',
      '--clients',
      '10,20',
      '--rate',
      '2.5',
      '--payload',
      '64',
      '--interval',
      '500',
      '--duration',
      '1.5',
      '--warmup',
      '0.2',
      '--runs',
      '2',
      '--framework',
      'node',
      '--out',
      '/tmp/x',
      '--json',
    ])!;
    assert.deepEqual(o.scenario.transports, ['ws', 'sse']);
    assert.deepEqual(o.scenario.matrix.clients, [10, 20]);
    assert.deepEqual(o.scenario.matrix.shapes, [{ kind: 'steady', ratePerSec: 2.5 }]);
    assert.deepEqual(o.scenario.matrix.payloadBytes, [64]);
    assert.deepEqual(o.scenario.matrix.pollIntervalMs, [500]);
    assert.equal(o.scenario.timing.measureMs, 1500);
    assert.equal(o.scenario.timing.warmupMs, 200);
    assert.equal(o.scenario.repetitions, 2);
    assert.equal(o.scenario.framework, 'node');
    assert.equal(o.outDir, '/tmp/x');
    assert.equal(o.json, true);
  });

  test("choosing the audience, rate or payload drops the scenario's excluded cells; other options keep them", () => {
    assert.ok(parseCli([])!.scenario.matrix.exclude?.length, 'the default scenario excludes a cell');
    assert.deepEqual(
      parseCli(['--runs', '1', '--transports', 'ws'])!.scenario.matrix.exclude,
      parseCli([])!.scenario.matrix.exclude,
    );
    for (const argv of [
      ['--clients', '50'],
      ['--rate', '1'],
      ['--payload', '64'],
    ])
      assert.equal(parseCli(argv)!.scenario.matrix.exclude, undefined, argv.join(' '));
    assert.equal(
      parseCli(['--rate', '1', '--clients', '50'])!.scenario.matrix.clients[0],
      50,
      'the excluded cell can still be asked for',
    );
  });

  test('--quick gives the quick profile, and later options still apply', () => {
    const o = parseCli(['--quick', '--runs', '2'])!;
    assert.equal(o.profile, 'quick');
    assert.equal(o.scenario.repetitions, 2);
  });

  test('does not modify the built-in scenario', () => {
    parseCli(['--clients', '7']);
    assert.deepEqual(parseCli([])!.scenario.matrix.clients, [50, 500]);
  });

  const bad: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['positional'], /positional/i],
    [['--clients', 'abc'], /--clients: "abc" is not a number/],
    [['--clients', '10,'], /--clients needs a comma-separated list/],
    [['--clients', '0'], /clients/],
    [['--clients', '-5'], /--clients' argument is ambiguous/],
    [['--rate', '0'], /shapes/],
    [['--interval', '1.5'], /--interval: "1.5" is not a number/],
    [['--runs', '0'], /repetitions/],
    [['--duration', 'soon'], /--duration: "soon" is not a number/],
    [['--transports', 'ws,smoke-signals'], /unknown transport "smoke-signals"/],
    [['--framework', 'koa'], /--framework must be express or node/],
    [['--scenario', 'nope'], /unknown scenario "nope"/],
    [['--clients'], /argument missing/i],
  ];
  for (const [argv, message] of bad) {
    test(`rejects ${argv.join(' ')}`, () => {
      assert.throws(
        () => parseCli(argv),
        (err: unknown) => err instanceof UsageError && message.test(err.message) && !err.message.includes('\n'),
      );
    });
  }
});

/**
 * The server limits from the command line to the result: the flags (bench/limit-flags.ts through
 * bench/args.ts), what a run records when a limit was reached (bench/limit-figures.ts), and the
 * Methods line of the report (reports/methods.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError, USAGE } from '../../bench/args.ts';
import { limitFigures } from '../../bench/limit-figures.ts';
import { methodsEntries } from '../../reports/methods.ts';
import { resultSchema } from '../../bench/result-schema.ts';
import { DEFAULT_SERVER_LIMITS } from '../../servers/contract/server-limits.ts';
import type { CounterSnapshot } from '../../servers/contract/server-ipc.ts';
import { tinyResult } from '../helpers/tiny-result.ts';

describe('limit flags', () => {
  test('absent: no limits asked for (every server runs the defaults)', () => {
    assert.equal(parseCli([])!.limits, undefined);
  });

  test('each flag sets its limit alone', () => {
    const o = parseCli([
      '--max-connections',
      '500',
      '--catch-up-max-events',
      '50',
      '--slow-consumer-max-bytes',
      '65536',
      '--headers-timeout-ms',
      '2000',
      '--request-timeout-ms',
      '5000',
    ])!;
    assert.deepEqual(o.limits, {
      maxConnections: 500,
      catchUpMaxEvents: 50,
      slowConsumerMaxBytes: 65536,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
    });
    assert.deepEqual(parseCli(['--catch-up-max-events', '7'])!.limits, { catchUpMaxEvents: 7 });
  });

  for (const [flag, value, said] of [
    ['--max-connections', '0', /--max-connections must be a whole number from 1 to 10000000, got "0"/],
    ['--catch-up-max-events', '1.5', /--catch-up-max-events must be a whole number/],
    ['--slow-consumer-max-bytes', '100', /from 1024 to 1073741824/],
    ['--headers-timeout-ms', 'soon', /--headers-timeout-ms must be a whole number from 100 to 600000, got "soon"/],
    ['--request-timeout-ms', '-5', /--request-timeout-ms/],
    ['--headers-timeout-ms', '40000', /must not exceed --request-timeout-ms \(30000\)/],
  ] as const)
    test(`${flag} ${value}: one sentence`, () => {
      assert.throws(
        () => parseCli([flag, value]),
        (err: Error) => err instanceof UsageError && said.test(err.message) && !err.message.includes('\n'),
      );
    });

  test('the usage lists every flag', () => {
    for (const flag of [
      'max-connections',
      'catch-up-max-events',
      'slow-consumer-max-bytes',
      'headers-timeout-ms',
      'request-timeout-ms',
    ])
      assert.ok(USAGE.includes(`--${flag}`), flag);
  });
});

describe('limit figures of a run', () => {
  const counters = (extra: Partial<CounterSnapshot>): CounterSnapshot => ({
    tcpAccepted: 10,
    openSockets: 10,
    httpRequests: 100,
    wsHandshakes: 0,
    messagesReceived: 0,
    echoesSent: 0,
    messagesRefused: 0,
    slowConsumersDropped: 0,
    bytesIn: 1,
    bytesOut: 1,
    ...extra,
  });

  test('no limit reached: nothing added', () => {
    assert.deepEqual(limitFigures(counters({}), 0), { totals: {}, warnings: [] });
    assert.deepEqual(limitFigures(counters({ connectionsRefused: 0, catchUpCapped: 0 }), 0), {
      totals: {},
      warnings: [],
    });
  });

  test('limits reached: totals and one warning per limit', () => {
    const { totals, warnings } = limitFigures(counters({ connectionsRefused: 3, catchUpCapped: 12 }), 12);
    assert.deepEqual(totals, { serverConnectionsRefused: 3, serverCatchUpCapped: 12, clientCatchUpPages: 12 });
    assert.deepEqual(
      warnings.map((w) => [w.code, w.severity, w.value]),
      [
        ['connections-refused', 'warning', 3],
        ['catch-up-capped', 'warning', 12],
      ],
    );
  });
});

describe('limits in the result', () => {
  test('recorded in the context and listed in one Methods line; older results have neither', () => {
    const old = tinyResult([{ transport: 'ws', runs: [{}] }]);
    assert.equal(
      methodsEntries(old).some((e) => e.term === 'Server limits'),
      false,
    );
    const recorded = resultSchema.parse({ ...old, context: { ...old.context, serverLimits: DEFAULT_SERVER_LIMITS } });
    const line = methodsEntries(recorded).find((e) => e.term === 'Server limits');
    assert.ok(line);
    assert.match(line.detail, /at most 100000 connections per server; at most 2000 events per poll answer/);
    assert.match(line.detail, /request head due within 10000 ms, whole request within 30000 ms/);
  });
});

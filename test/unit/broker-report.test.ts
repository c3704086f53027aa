import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerMarkdown, brokerRows, brokerSection } from '../../reports/broker.ts';
import type { JobSummary } from '../../reports/aggregate.ts';

/** A job summary with only what the broker table reads: its params and a few medians. */
function job(transport: string, broker: 'memory' | 'redis', medians: Record<string, number>): JobSummary {
  const label = broker === 'redis' ? ' broker=redis' : '';
  return {
    job: {
      id: `${transport} rate=10/s${label}`,
      parameterSet: `rate=10/s${label}`,
      params: { transport, broker, serverProcesses: 1, clients: 10 },
      runs: [],
    },
    completed: [],
    planned: 1,
    errors: [],
    warnings: [],
    metrics: Object.fromEntries(
      Object.entries(medians).map(([k, v]) => [k, { median: v, min: v, max: v, n: 1, unit: 'us', better: 'lower' }]),
    ),
  } as unknown as JobSummary;
}

test('no broker table without a redis job', () => {
  assert.equal(brokerRows([job('ws', 'memory', {})]), null);
  assert.deepEqual(
    brokerMarkdown([job('ws', 'memory', {})], (t) => t),
    [],
  );
  assert.equal(brokerSection([job('ws', 'memory', {})]), '');
});

test('each redis job follows its memory twin; broker figures only on the redis row', () => {
  const jobs = [
    job('ws', 'memory', { latency_p50_us: 2000, feed_arrival_lag_p50_us: 500 }),
    job('sse', 'memory', { latency_p50_us: 2500 }),
    job('ws', 'redis', { latency_p50_us: 3000, feed_arrival_lag_p50_us: 1500, broker_cpu_fraction: 0.02 }),
  ];
  const table = brokerRows(jobs)!;
  assert.deepEqual(
    table.rows.map((r) => [r.transport, r.broker]),
    [
      ['ws', 'memory'],
      ['ws', 'redis'],
    ],
    'the sse job has no redis twin: not in the table',
  );
  const col = (head: string) => table.heads.indexOf(head) - 3;
  assert.equal(table.rows[0]!.cells[col('latency p50 (ms)')], '2.00');
  assert.equal(table.rows[1]!.cells[col('latency p50 (ms)')], '3.00');
  assert.equal(table.rows[1]!.cells[col('feed arrival lag p50 (ms)')], '1.50');
  assert.equal(table.rows[0]!.cells[col('broker CPU (% of a core)')], '–');
  assert.equal(table.rows[1]!.cells[col('broker CPU (% of a core)')], '2.0');
  assert.match(brokerMarkdown(jobs, (t) => t).join('\n'), /### Behind a broker/);
  assert.match(brokerSection(jobs), /<section id="broker">/);
});

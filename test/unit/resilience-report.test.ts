import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tinyResult } from '../helpers/tiny-result.ts';
import { summarizeAll } from '../../reports/aggregate.ts';
import { resilienceMarkdown, resilienceTables } from '../../reports/resilience.ts';
import { renderHtml } from '../../reports/html.ts';
import { renderMarkdown } from '../../reports/markdown.ts';

const drops = { kind: 'drops', everyMs: 5000, share: 0.1, offlineMs: 2000 };

const result = tinyResult([
  { transport: 'ws', runs: [{ latency_p99_us: 4000 }] },
  {
    transport: 'ws',
    runs: [
      { latency_p99_us: 9000, catch_up_delivered_fraction: 1 },
      { latency_p99_us: 11000, catch_up_delivered_fraction: 0.99 },
    ],
    params: { workload: drops },
    label: ' drops=10%/5s(off 2s)',
  },
  {
    transport: 'sse',
    runs: [{ latency_p99_us: 7000 }],
    params: { workload: drops },
    label: ' drops=10%/5s(off 2s)',
  },
]);

test("one table per non-steady workload, a row per job of it after the same cell's steady job, the median of its runs", () => {
  const tables = resilienceTables(summarizeAll(result));
  assert.deepEqual(
    tables.map((t) => t.workload),
    ['drops'],
  );
  const t = tables[0]!;
  assert.deepEqual(t.heads, ['delivered after catch-up (%)', 'latency p99 (ms)']);
  assert.deepEqual(
    t.rows.map((r) => [r.transport, ...r.cells.map((c) => c.text)]),
    [
      ['ws', 'n/a', '4.00'],
      ['ws', '99.50', '10.0'],
      ['sse', 'n/a', '7.00'],
    ],
  );
});

test('the HTML report gets a Resilience section and the Markdown summary its tables; a steady run gets neither', async () => {
  const html = await renderHtml(result);
  assert.match(html, /<section id="resilience">.*Forced drops: delivery after catch-up/s);
  assert.match(html, /<a href="#resilience">Resilience<\/a>/);
  assert.match(
    renderMarkdown(result),
    /### Forced drops: delivery after catch-up\n\n.*\n\n\| parameter set \| transport \| delivered after catch-up \(%\) \| latency p99 \(ms\) \|/,
  );
  const steady = tinyResult([{ transport: 'ws', runs: [{ latency_p99_us: 4000 }] }]);
  assert.doesNotMatch(await renderHtml(steady), /id="resilience"/);
  assert.deepEqual(
    resilienceMarkdown(resilienceTables(summarizeAll(steady)), (s) => s),
    [],
  );
});

test('the restart caption and definitions say what the code measures: from just before listen(), answers to requests sent after the kill', async () => {
  const { CATALOG } = await import('../../reports/metric-catalog.ts');
  const restart = { kind: 'restart', downMs: 1000 };
  const tables = resilienceTables(
    summarizeAll(
      tinyResult([
        {
          transport: 'ws',
          runs: [{ catch_up_delivered_fraction: 1 }],
          params: { workload: restart },
          label: ' restart=1s',
        },
      ]),
    ),
  );
  const caption = tables.find((t) => t.title.startsWith('Server restart'))!.caption;
  assert.doesNotMatch(caption, /being ready/);
  assert.match(caption, /before the new server calls listen\(\)/);
  for (const key of ['restart_recovery_p50_ms', 'restart_recovery_p95_ms', 'restart_recovery_max_ms'] as const) {
    assert.match(CATALOG[key].definition, /just before the new server calls listen\(\)/, key);
    assert.match(CATALOG[key].definition, /after the kill/, key);
  }
  assert.match(CATALOG.restart_clients_not_back.definition, /after the kill/);
});

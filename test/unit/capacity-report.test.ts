// The capacity section's renderers: a synthetic capacity section on a committed fixture, its Markdown
// as a whole-text snapshot, the HTML section and chart by what they must show.
// To accept an intended change: UPDATE_SNAPSHOTS=1 node --import tsx --test test/unit/capacity-report.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';
import { capacityMarkdown, capacityPoints } from '../../reports/capacity.ts';
import { capacityChartSpec } from '../../reports/charts/capacity-chart.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import type { CapacitySection } from '../../bench/capacity/schema.ts';
import { TRANSPORT_NAMES, TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';

const fixture = parseResult(
  JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
);
const [held, other] = TRANSPORT_NAMES.filter((t) => !TRANSPORT_TRAITS[t].pollIntervalAxis);

const figures = (p99Ms: number, cpu: number) => ({
  p99Ms,
  serverCpuFraction: cpu,
  serverElu: cpu,
  // Two load processes: the busiest at 30% of a core, both together at 60%.
  loadCpuFraction: 0.3,
  loadCpuTotal: 0.6,
  serverRssBytes: 400 * 2 ** 20,
  rssPerClientBytes: 20_000,
  cpuMsPer1000Events: 30,
});
const step = (clients: number, pass: boolean, p99Ms: number, cpu: number) => ({
  clients,
  jobId: `${held} clients=${clients}`,
  pass,
  reasons: pass ? [] : [`p99 latency ${p99Ms} ms above 1000 ms`],
  figures: figures(p99Ms, cpu),
});

const section: CapacitySection = {
  serviceLevel: { p99Ms: 1000, maxLossFraction: 0, maxClientErrors: 0 },
  settings: { start: 1000, max: 18_090, requestedMax: 100_000, factor: 2, resolution: 0.1, maxSteps: 10 },
  machine: { cores: 2, memoryBytes: 8 * 2 ** 30, descriptorHardLimit: 20_000, ephemeralPorts: 28_232 },
  searches: [
    {
      key: `${held} rate=1/s payload=256B`,
      transport: held!,
      broker: 'memory',
      serverProcesses: 1,
      ratePerSec: 1,
      steps: [
        step(1000, true, 40, 0.1),
        step(2000, true, 90, 0.2),
        step(4000, true, 400, 0.6),
        step(8000, false, 2400, 0.97),
        step(6000, true, 800, 0.88),
        step(7000, false, 1300, 0.95),
      ],
      largestPass: 6000,
      firstFail: 7000,
      ended: 'narrowed',
      limit: { resource: 'server-cpu', clients: 7000, detail: 'server event loop busy 95% (CPU 95% of a core)' },
      nearLimit: { resource: 'server-cpu', clients: 6000, detail: 'server CPU 88% of a core, event loop 88% busy' },
    },
    {
      key: `${other} rate=1/s payload=256B broker=redis servers=2`,
      transport: other!,
      broker: 'redis',
      serverProcesses: 2,
      ratePerSec: 1,
      steps: [step(16_000, true, 300, 0.5), step(18_090, true, 350, 0.55)],
      largestPass: 18_090,
      firstFail: null,
      ended: 'cap-reached',
      limit: {
        resource: 'descriptors',
        clients: 18_090,
        detail: 'the level still held at 18090 clients, the most the hard open-files limit of 20000 allows per process',
      },
      nearLimit: null,
    },
  ],
};
const withCapacity: Result = { ...fixture, capacity: section };

test('Markdown: the capacity table and the projection with its formula and inputs (snapshot)', () => {
  const text = `${capacityMarkdown(withCapacity).join('\n')}\n`;
  const url = new URL('../snapshots/capacity-section.md', import.meta.url);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(url)) {
    if (process.env.UPDATE_SNAPSHOTS !== '1')
      assert.fail('no snapshot capacity-section.md: run with UPDATE_SNAPSHOTS=1, then review it');
    writeFileSync(url, text);
  }
  assert.equal(text, readFileSync(url, 'utf8'));
  // By hand: 30 ms per 1,000 events = 30 µs per event x 1 event/s x 1e6 clients / 0.7 = 42.9 cores.
  assert.match(text, /\| 42\.9 \| 43 \|/);
  // 20,000 B per client x 1e6 = 18.6 GiB; the clients cost both load processes' CPU, not the busiest's:
  // 0.6 cores / 6,000 clients x 1e6 / 0.7 = 142.9 load cores, 72 hosts of 2 cores.
  assert.match(text, /\| 18\.6 GiB \| 142\.9 \| 72 \| 36 \|/);
  assert.match(text, /load 60% of a core over all its processes/);
});

test('the summary has the section only when the result has a capacity search', () => {
  assert.match(renderMarkdown(withCapacity), /### How many clients\? Capacity search/);
  assert.doesNotMatch(renderMarkdown(fixture), /Capacity search/);
  assert.deepEqual(capacityMarkdown(fixture), []);
});

test('HTML: the capacity section with its chart, table and projection; absent without a search', async () => {
  const html = await renderHtml(withCapacity);
  const start = html.indexOf('<section id="capacity">');
  assert.ok(start > 0);
  const part = html.slice(start, html.indexOf('</section>', start));
  assert.match(part, /<svg/);
  assert.match(part, /p99 latency against audience/);
  assert.match(part, /<td>server CPU; near its limit at 6,000: server CPU<\/td>/);
  assert.match(part, /<td>file descriptors<\/td>/);
  assert.match(part, /server cores = server CPU per delivered event/);
  assert.match(html, /<a href="#capacity">Capacity<\/a>/);
  assert.doesNotMatch(await renderHtml(fixture), /id="capacity"/);
});

test('chart: p99 against audience on a log x axis, failing steps marked, the limit as a rule', () => {
  const points = capacityPoints(section);
  assert.equal(points.length, 8);
  assert.deepEqual(points[3], { series: held, clients: 8000, p99Ms: 2400, verdict: 'broke' });
  const spec = capacityChartSpec(points, 1000, { domain: [], range: [] }) as unknown as {
    layer: { mark: { type: string }; encoding: { x?: { scale?: { type: string } } }; data: { values: unknown[] } }[];
  };
  assert.equal(spec.layer[0]!.encoding.x?.scale?.type, 'log');
  const rule = spec.layer.find((l) => l.mark.type === 'rule')!;
  assert.deepEqual(rule.data.values, [{ limitMs: 1000 }]);
});

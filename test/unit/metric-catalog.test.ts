import { zeroCounters } from '../../bench/clients/counters.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  BASELINE_METRICS,
  CATALOG,
  CONSOLE_ROWS,
  EXPORTED_METRICS,
  LATENCY_PARTS,
  SPREAD_CHARTS,
  MARKDOWN_COLUMNS,
  MATRIX_CHARTS,
  METRICS,
  formatMetric,
  labelWithUnit,
  metricInfo,
  orderMetricKeys,
} from '../../reports/metric-catalog.ts';
import { DEFAULT_RULES } from '../../bench/gate/config.ts';
import { renderConsole } from '../../reports/console.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';
import { compareWithBaseline } from '../../reports/baseline.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { githubActionBenchmark } from '../../reports/exports.ts';
import { deriveMetrics, type ServerWindow } from '../../bench/metrics.ts';
import type { LoadReport } from '../../bench/load/ipc.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';
import { parseResult, type CompletedRun, type JobParams, type Result } from '../../bench/result-schema.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';
import { DEFAULT_WORKLOAD } from '../../bench/workload-params.ts';
import { DEFAULT_DEPLOYMENT } from '../../bench/deployment-params.ts';

const FIXTURES = ['small-result.json', 'quick-result.json', 'errored-result.json', 'loss-result.json'];
const fixtureKeys = (): Set<string> => {
  const keys = new Set<string>();
  for (const name of FIXTURES) {
    const result = parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));
    for (const job of result.jobs)
      for (const run of job.runs)
        if (run.status === 'completed') for (const key of Object.keys(run.metrics)) keys.add(key);
  }
  return keys;
};

/** What bench/metrics.ts produces today, whatever the fixtures were recorded with. The values do not matter. */
function derivedKeys(): string[] {
  const summary = { count: 1, min: 1, mean: 1, p50: 1, p90: 1, p99: 1, p999: 1, max: 1 };
  const params: JobParams = {
    transport: 'short-poll',
    framework: 'express',
    clients: 1,
    shape: { kind: 'steady', ratePerSec: 1 },
    payloadBytes: 1,
    pollIntervalMs: 1000,
    longPollWaitMs: null,
    perMessageDeflate: false,
    ...DEFAULT_WIRE,
    ...DEFAULT_WORKLOAD,
    ...DEFAULT_DEPLOYMENT,
    ...DIRECT_PATH,
  };
  const load: LoadReport = {
    startNs: '0',
    endNs: '1000000000',
    firstSeq: 1,
    lastSeq: 1,
    drainedMs: 0,
    delivery: { expected: 1, delivered: 1, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    latency: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    connectMs: summary,
    firstEventMs: summary,
    connectUs: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    firstEventUs: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    window: {
      ...zeroCounters(),
      bytesUp: 1,
      bytesDown: 1,
      httpRequests: 1,
      httpResponses: 1,
      messageBytesDown: 1,
      eventsReceived: 1,
    },
    countedUntilNs: '1000000000',
    runTotals: {
      ...zeroCounters(),
      bytesUp: 1,
      bytesDown: 1,
      tcpConnects: 1,
      httpRequests: 1,
      httpResponses: 1,
      messageBytesDown: 1,
      eventsReceived: 1,
      tlsHandshakes: 1,
    },
    connectBytesUp: 1,
    connectBytesDown: 1,
    clientsConnected: 1,
    loadCpuFraction: 0,
    loadLoopDelayP99Us: 0,
    totalErrors: 0,
  };
  const stats = (atNs: string): ServerStats => ({
    process: {
      atNs,
      cpuUserUs: 0,
      cpuSystemUs: 0,
      rssBytes: 1,
      heapUsedBytes: 1,
      heapTotalBytes: 1,
      externalBytes: 0,
      eluActiveMs: 0,
      eluIdleMs: 1,
      loopDelay: { meanUs: 0, p50Us: 0, p99Us: 0, maxUs: 0 },
    },
    counters: {
      tcpAccepted: 0,
      openSockets: 0,
      httpRequests: 0,
      wsHandshakes: 0,
      messagesReceived: 0,
      echoesSent: 0,
      messagesRefused: 0,
      slowConsumersDropped: 0,
      bytesIn: 0,
      bytesOut: 0,
    },
    // A feed read from a publisher: its arrival lag figures (absent without one).
    feed: {
      latestSeq: 1,
      subscribers: 1,
      duplicateEvents: 0,
      gapEvents: 0,
      upstream: {
        host: '127.0.0.1',
        port: 1,
        connected: true,
        connects: 1,
        protocolErrors: 0,
        lastError: null,
        arrivalLag: { events: 1, meanUs: 1, p50Us: 1, p99Us: 1, maxUs: 1 },
      },
    },
    gauges: {},
  });
  const server: ServerWindow = {
    idle: stats('0'),
    start: stats('0'),
    end: stats('1000000000'),
    retained: stats('1000000000'),
    // Behind a proxy, so the proxy's figure is produced too.
    proxy: { cpuMs: 1, wallMs: 1000 },
  };
  // And a job whose clients also send (an upstream workload), for the figures only it has.
  const withUpstream = deriveMetrics(
    { ...params, upstream: { intervalMs: 1000, messageBytes: 64 } },
    {
      ...load,
      upstream: { oneWay: load.latency, roundTrip: load.latency },
      window: { ...load.window, echoesReceived: 1, messageSocketBytesUp: 1, messageSocketBytesDown: 1 },
    },
    server,
  );
  // And the resilience workloads (issue 12): forced drops, and a server restart with its storm.
  const withDrops = deriveMetrics(
    { ...params, workload: { kind: 'drops', everyMs: 1000, share: 0.1, offlineMs: 2000 } },
    {
      ...load,
      drops: {
        seed: 1,
        performed: 1,
        refused: 0,
        reconnected: 1,
        recovered: 1,
        catchUp: load.latency,
        reconnectMs: summary,
        firstEventMs: summary,
        reconnectUs: load.latency,
        firstEventUs: load.latency,
        reconnectBytesUp: 1,
        reconnectBytesDown: 1,
        reconnectEventBytes: 1,
      },
    },
    server,
  );
  const withRestart = deriveMetrics(
    { ...params, workload: { kind: 'restart', downMs: 500 } },
    {
      ...load,
      restart: {
        downMs: 600,
        clientsBefore: 1,
        clientsBack: 1,
        recoveryMs: { p50: 1, p95: 1, max: 1 },
        recoveriesMs: [1],
        failedAttempts: 0,
      },
    },
    {
      ...server,
      storm: { tcpAccepted: 1, httpRequests: 1, wsHandshakes: 0, bytesIn: 1, bytesOut: 1, cpuMs: 1 },
    },
  );
  const withSlowReaders = deriveMetrics({ ...params, workload: { kind: 'slow-readers', count: 5 } }, load, {
    ...server,
    end: { ...server.end, gauges: { clientBufferedPeakBytes: 1 } },
  });
  // And an idle job soaked (issue 12), for the idle-cost and soak figures only such runs have.
  const idle = deriveMetrics({ ...params, workload: { kind: 'idle' } }, load, {
    ...server,
    soak: { sampleMs: 5000, samples: [] },
  });
  // And a job behind Redis (--broker redis), for the broker's cost.
  const withBroker = deriveMetrics({ ...params, broker: 'redis' }, load, {
    ...server,
    broker: { cpuMs: 1, wallMs: 1000, rssBytes: 1, usedMemoryBytes: 1, streamLength: 1 },
  });
  return [
    ...new Set(
      [withUpstream, withDrops, withRestart, withSlowReaders, idle, withBroker].flatMap((d) => Object.keys(d.metrics)),
    ),
    ...Object.keys(deriveMetrics(params, load, server).metrics),
  ];
}

test('every metric the fixtures and bench/metrics.ts produce is in the catalog', () => {
  const known = new Set(METRICS.map((m) => m.key));
  const fromFixtures = fixtureKeys();
  const fromBench = derivedKeys();
  assert.ok(fromFixtures.size >= 30, `fixtures hold ${fromFixtures.size} metrics`);
  assert.ok(fromBench.length >= 30, `deriveMetrics produces ${fromBench.length} metrics`);
  for (const key of [...fromFixtures, ...fromBench])
    assert.ok(known.has(key), `${key} has no entry in reports/metric-catalog.ts`);
  // And the catalog describes nothing that is never measured.
  for (const key of known)
    assert.ok(fromBench.includes(key), `${key} is in the catalog but bench/metrics.ts does not produce it`);
});

test('catalog entries are unique and each has a label and a one-sentence definition', () => {
  const keys = METRICS.map((m) => m.key);
  assert.equal(new Set(keys).size, keys.length, 'no key twice');
  for (const m of METRICS) {
    assert.ok(m.label.trim().length > 0, `${m.key}: label`);
    assert.ok(m.definition.trim().length > 0, `${m.key}: definition`);
    assert.ok(m.definition.endsWith('.'), `${m.key}: definition ends with a period: ${m.definition}`);
    assert.ok(Number.isFinite(m.scale) && m.scale > 0, `${m.key}: scale`);
  }
});

test('stored values are scaled and formatted for display', () => {
  assert.equal(formatMetric('latency_p50_us', 12345), '12.3');
  assert.equal(formatMetric('latency_p50_us', 468_000), '468');
  assert.equal(formatMetric('latency_p50_us', 4_130), '4.13');
  assert.equal(formatMetric('loss_fraction', 0.095), '9.50');
  assert.equal(formatMetric('server_cpu_fraction', 0.21), '21');
  assert.equal(formatMetric('server_heap_per_client_bytes', 3 * 1024 + 512), '3.5');
  assert.equal(formatMetric('events_delivered', 30000), '30,000');
  assert.equal(labelWithUnit('latency_p50_us'), 'latency p50 (ms)');
  assert.equal(labelWithUnit('server_heap_per_client_bytes'), 'server heap / client (KiB)');
});

test('a metric this version does not know is still shown, under its own name, after the known ones', () => {
  const info = metricInfo('future_metric_us', 'us');
  assert.equal(info.label, 'future metric us');
  assert.equal(info.unit, 'us');
  assert.equal(info.scale, 1);
  assert.equal(
    orderMetricKeys(['zeta_new', 'latency_p99_us', 'alpha_new', 'latency_p50_us']).join(','),
    'latency_p50_us,latency_p99_us,alpha_new,zeta_new',
  );
});

/** Every metric key the completed runs of a result hold. */
const fixtureKeysOf = (result: Result) =>
  new Set(result.jobs.flatMap((j) => j.runs.flatMap((r) => (r.status === 'completed' ? Object.keys(r.metrics) : []))));

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

test('every output lists only catalog metrics, each at most once, and the gate rules name only catalog metrics', () => {
  const known = new Set(Object.keys(CATALOG));
  const lists = {
    console: CONSOLE_ROWS,
    markdown: MARKDOWN_COLUMNS,
    'HTML matrix': MATRIX_CHARTS,
    'HTML latency parts': LATENCY_PARTS,
    'HTML cost charts': SPREAD_CHARTS,
    baseline: BASELINE_METRICS,
    exports: EXPORTED_METRICS,
    gate: Object.keys(DEFAULT_RULES),
  };
  for (const [output, keys] of Object.entries(lists)) {
    assert.ok(keys.length > 0, `${output} shows something`);
    assert.equal(new Set(keys).size, keys.length, `${output}: no metric twice`);
    for (const key of keys) assert.ok(known.has(key), `${output} lists ${key}, which the catalog lacks`);
  }
  // Positions order an output: two metrics at one position would make the order depend on the catalog's.
  for (const [output, position] of Object.entries({
    console: (k: string) => metricInfo(k).console?.row,
    markdown: (k: string) => metricInfo(k).markdown?.column,
    latencyParts: (k: string) => metricInfo(k).latencyParts,
    baseline: (k: string) => metricInfo(k).baseline,
    exported: (k: string) => metricInfo(k).exported,
    spreadChart: (k: string) => metricInfo(k).spreadChart?.order,
  })) {
    const at = METRICS.map((m) => position(m.key)).filter((p) => p !== undefined);
    assert.equal(new Set(at).size, at.length, `${output}: positions are unique`);
  }
  // A cost chart's id is an HTML id: unique, and not one of the charts the report draws itself.
  const ids = METRICS.flatMap((m) => (m.spreadChart ? [m.spreadChart.id] : []));
  assert.equal(new Set(ids).size, ids.length, 'cost chart ids are unique');
  for (const id of ids) assert.ok(!/^(bytes|requests|scalability|latency-\d+|matrix-\d+)$/.test(id), id);
});

test('the renderers show exactly the catalog lists, in their order', async () => {
  const result = fixture('small-result.json');
  // Lists that leave out a metric the result lacks, compared on the metrics this fixture has.
  const inFixture = fixtureKeysOf(result);
  const present = (keys: readonly string[]) => keys.filter((k) => inFixture.has(k));
  const consoleLabels = renderConsole(result)
    .split('\n')
    .filter((l) => /^ *[a-zA-Z]/.test(l));
  // Rows shown only where measured (TLS figures) are left out of tables without them, and rows shown
  // only for some jobs (resident memory with compression) where no job is one (the fixture has none).
  const rowLabels = CONSOLE_ROWS.filter(
    (k) => (!metricInfo(k).console!.onlyWhenMeasured || inFixture.has(k)) && !metricInfo(k).console!.onlyWhenJob,
  ).map((k) => {
    const row = metricInfo(k).console!;
    return `${row.indent ? '  ' : ''}${row.label ?? labelWithUnit(k)}`;
  });
  // Each table of the console has the rows in catalog order, then "runs completed".
  const firstTable = consoleLabels.slice(consoleLabels.findIndex((l) => l.startsWith(rowLabels[0]!)));
  for (const [i, label] of rowLabels.entries())
    assert.ok(firstTable[i]!.startsWith(label), `${label}: ${firstTable[i]}`);
  assert.ok(firstTable[rowLabels.length]!.startsWith('runs completed'));

  const markdownHeader = renderMarkdown(result)
    .split('\n')
    .find((l) => l.startsWith('| parameter set | transport |'))!;
  assert.equal(
    markdownHeader,
    `| parameter set | transport | ${MARKDOWN_COLUMNS.map((k) => metricInfo(k).markdown!.head).join(' | ')} | runs |`,
  );

  const html = await renderHtml(result);
  const matrixTitles = [...html.matchAll(/data-chart="matrix-\d+"/g)].length;
  assert.equal(matrixTitles, present(MATRIX_CHARTS).length, 'one matrix chart per catalog entry with data');
  const costCharts = [...html.matchAll(/data-chart="([a-z-]+)"/g)]
    .map((m) => m[1])
    .filter((id) => id !== 'bytes' && id !== 'requests' && !/^(latency|matrix|scalability)/.test(id!));
  assert.deepEqual(
    costCharts,
    present(SPREAD_CHARTS).map((k) => metricInfo(k).spreadChart!.id),
    'one cost chart per catalog entry with data, in order',
  );
  const parts = html.slice(html.indexOf('class="sortable latency-parts"'));
  const partsHead = [...parts.slice(0, parts.indexOf('</thead>')).matchAll(/<th scope="col">([^<]*)<\/th>/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(
    partsHead.slice(2),
    present(LATENCY_PARTS).map((k) => labelWithUnit(k)),
    'the latency-parts columns',
  );

  const cmp = compareWithBaseline(summarizeResult(result), result);
  assert.deepEqual(
    cmp.rows[0]!.cells.map((c) => c.metric),
    present(BASELINE_METRICS),
  );
  const exported = new Set(githubActionBenchmark(result).smallerIsBetter.map((e) => e.extra!.split('metric ')[1]));
  assert.deepEqual([...exported], present(EXPORTED_METRICS));
});

test('a result with a metric this version does not know loads, and the job table shows it under its raw name and unit', async () => {
  const result = fixture('small-result.json');
  for (const job of result.jobs)
    for (const run of job.runs)
      if (run.status === 'completed')
        (run as CompletedRun & { metrics: Record<string, unknown> }).metrics['future_widgets_per_event'] = {
          value: 4.5,
          unit: 'requests/event',
          better: 'lower',
          kind: 'exact',
        };
  const loaded = parseResult(JSON.parse(JSON.stringify(result)));
  const html = await renderHtml(loaded);
  assert.match(html, /<th scope="col">future widgets per event \(requests\/event\)<\/th>/);
  assert.match(html, /<td class="num" data-v="4.5">4.50<\/td>/);
});

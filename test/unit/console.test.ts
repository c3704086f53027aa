import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConsole } from '../../reports/console.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { warn } from '../../bench/warnings.ts';
import { tinyResult } from '../helpers/tiny-result.ts';

const fixture = (): Result =>
  parseResult(JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')));

test('the table puts transports side by side, with units on every row and the calibration floor on top', () => {
  const text = renderConsole(fixture());
  assert.match(text, /Calibration floor on this machine/);
  assert.match(text, /raw TCP round trip\s+p50 \d+ us/);
  assert.match(text, /after 100 ms idle/);
  const header = text.split('\n').find((l) => l.includes('short-poll 1000ms'))!;
  for (const column of ['short-poll 1000ms', 'short-poll 250ms', 'long-poll', 'sse', 'ws'])
    assert.ok(header.includes(column), column);
  for (const row of [
    'latency p50 (ms)',
    'bytes down / event (B)',
    'HTTP requests / event',
    'server CPU / 1000 events (ms)',
    'server CPU (share of a core)',
    'load generator CPU',
  ]) {
    assert.ok(text.includes(row), row);
  }
  assert.match(text, /\(1 run: no spread to show\)/);
  assert.match(text, /runs completed\s+1\/1/);
});

test('failed runs and warnings are listed under their table, and a failed job shows n/a', () => {
  const r = fixture();
  const job = r.jobs.find((j) => j.params.transport === 'ws')!;
  job.runs = [
    {
      status: 'errored',
      repetition: 1,
      startedAt: new Date(0).toISOString(),
      phase: 'measure',
      error: 'server exited (code 1)',
    },
  ];
  const sse = r.jobs.find((j) => j.params.transport === 'sse')!;
  const run = sse.runs[0]!;
  if (run.status === 'completed') run.warnings = [warn.eventsLost(3, 100, 10_000)];
  const text = renderConsole(r);
  assert.match(text, /! ws: run 1 failed during measure: server exited \(code 1\)/);
  assert.match(text, /! sse: run 1: lost 3 of 100 events/);
  assert.match(text, /runs completed\s+.*0\/1/);
  const p50 = text.split('\n').find((l) => l.startsWith('latency p50'))!;
  assert.ok(p50.trimEnd().endsWith('n/a'), p50);
});

test('publisher lateness stands under the latency rows, in ms, from the runs', () => {
  const r = fixture();
  const ws = r.jobs.find((j) => j.params.transport === 'ws')!;
  const run = ws.runs[0]!;
  if (run.status !== 'completed') throw new Error('fixture ws run must be completed');
  run.metrics['publisher_lateness_p99_us'] = { value: 12_345, unit: 'us', better: 'lower', kind: 'noisy' };
  const lines = renderConsole(r).split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith('publisher late p99 (ms)'));
  assert.ok(at > 0 && lines[at - 1]!.startsWith('latency max (ms)'), 'right under latency max');
  assert.ok(lines[at]!.trimEnd().endsWith('12.3'), lines[at]);
});

/**
 * Hand-worked: every cell below is computed by hand from the values given here (medians of 3 and of 2
 * runs, the catalog's scales and formats), not by reports/aggregate.ts.
 */
const SHORT_POLL = [
  // run 1, run 2, run 3
  { lat50: 480_000, lat99: 990_000, max: 1_002_000, pub: 200, dup: 0, ooo: 0, down: 400, over: 250, up: 120 },
  { lat50: 520_000, lat99: 995_000, max: 1_010_000, pub: 300, dup: 1, ooo: 0, down: 410, over: 260, up: 118 },
  { lat50: 500_000, lat99: 1_000_000, max: 1_004_000, pub: 250, dup: 0, ooo: 2, down: 405, over: 255, up: 122 },
];
const tiny = () =>
  tinyResult([
    {
      transport: 'short-poll',
      pollIntervalMs: 1000,
      runs: SHORT_POLL.map((r, i) => ({
        latency_p50_us: r.lat50,
        latency_p99_us: r.lat99,
        latency_max_us: r.max,
        publisher_lateness_p99_us: r.pub,
        events_delivered: 100,
        events_lost: 0,
        events_duplicated: r.dup,
        events_out_of_order: r.ooo,
        bytes_down_per_event: r.down,
        overhead_bytes_down_per_event: r.over,
        bytes_up_per_event: r.up,
        http_requests_per_event: [1, 1.02, 0.98][i]!,
        empty_responses_per_event: [0.1, 0.12, 0.08][i]!,
        tcp_connections_in_window: 0,
        connect_p50_ms: [2.5, 3.5, 3][i]!,
        first_event_p50_ms: [600, 700, 650][i]!,
        server_cpu_ms_per_1000_events: [40, 50, 45][i]!,
        server_cpu_fraction: [0.05, 0.07, 0.06][i]!,
        server_heap_per_client_bytes: [2048, 3072, 2560][i]!,
        server_loop_delay_p99_us: [10_500, 11_000, 12_000][i]!,
        load_cpu_fraction: [0.1, 0.2, 0.15][i]!,
      })),
    },
    {
      transport: 'ws',
      runs: [0, 1].map((i) => ({
        latency_p50_us: [2_000, 3_000][i]!,
        latency_p99_us: [8_000, 12_000][i]!,
        latency_max_us: [20_000, 40_000][i]!,
        publisher_lateness_p99_us: [100, 300][i]!,
        events_delivered: 100,
        events_lost: [0, 2][i]!,
        events_duplicated: 0,
        events_out_of_order: 0,
        bytes_down_per_event: [150, 152][i]!,
        overhead_bytes_down_per_event: [6, 8][i]!,
        bytes_up_per_event: [0.5, 1.5][i]!,
        http_requests_per_event: 0,
        empty_responses_per_event: 0,
        tcp_connections_in_window: 0,
        connect_p50_ms: [1.5, 2.5][i]!,
        first_event_p50_ms: [1000, 1100][i]!,
        server_cpu_ms_per_1000_events: [10, 14][i]!,
        server_cpu_fraction: [0.01, 0.03][i]!,
        server_heap_per_client_bytes: [5120, 6144][i]!,
        server_loop_delay_p99_us: [10_200, 10_400][i]!,
        load_cpu_fraction: [0.04, 0.06][i]!,
      })),
    },
  ]);

test('every cell of a tiny result, worked out by hand: medians, [min-max] of noisy rows, scales and formats', () => {
  const text = renderConsole(tiny());
  assert.match(text, /== rate=1\/s clients=10 payload=100B == {2}\(median of 3 runs; \[min-max\] across runs\)/);
  const lines = text.split('\n');
  const header = lines.find((l) => l.includes('short-poll 1000ms'))!;
  assert.deepEqual(header.trim().split(/\s{2,}/), ['short-poll 1000ms', 'ws']);
  /** Label, short polling (3 runs), WebSocket (2 runs: the median is the mean of the two). */
  const expected: [string, string, string][] = [
    // 480/500/520 ms; WebSocket 2.00/3.00 ms -> 2.50
    ['latency p50 (ms)', '500 [480-520]', '2.50 [2.00-3.00]'],
    // 8 and 12 ms -> 10.0 (three significant figures: 10.0 but 8.00)
    ['latency p99 (ms)', '995 [990-1000]', '10.0 [8.00-12.0]'],
    ['latency max (ms)', '1004 [1002-1010]', '30.0 [20.0-40.0]'],
    ['  publisher late p99 (ms)', '0.25 [0.20-0.30]', '0.20 [0.10-0.30]'],
    ['events delivered', '100', '100'],
    // 0 and 2 lost -> median 1
    ['events lost', '0', '1'],
    // The worst run of each, added: 1 duplicated (run 2) + 2 out of order (run 3) = 3, though no run had 3.
    ['duplicated + out of order', '3', '0'],
    ['bytes down / event (B)', '405', '151'],
    ['  of which headers+framing (B)', '255', '7'],
    ['bytes up / event (B)', '120', '1'],
    ['HTTP requests / event', '1.00', '0.00'],
    ['empty responses / event', '0.10', '0.00'],
    ['TCP connects in window', '0', '0'],
    ['connect p50 (ms)', '3.00 [2.50-3.50]', '2.00 [1.50-2.50]'],
    ['first event p50 (ms)', '650', '1050'],
    ['server CPU / 1000 events (ms)', '45.0 [40.0-50.0]', '12.0 [10.0-14.0]'],
    ['server CPU (share of a core)', '6% [5%-7%]', '2% [1%-3%]'],
    // 2560 B = 2.5 KiB; 5632 B = 5.5 KiB
    ['server heap / client (KiB)', '2.5', '5.5'],
    ['server loop delay p99 (ms)', '11.0', '10.3'],
    ['load generator CPU', '15%', '5%'],
    ['runs completed', '3/3', '2/2'],
  ];
  const start = lines.indexOf(header) + 2;
  const rows = lines.slice(start, start + expected.length);
  for (const [i, [label, poll, ws]] of expected.entries()) {
    const line = rows[i]!;
    assert.ok(line.startsWith(label), `row ${i + 1} is ${label}: ${line}`);
    assert.deepEqual(
      line
        .slice(label.length)
        .trim()
        .split(/\s{2,}/),
      [poll, ws],
      label,
    );
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConsole } from '../../reports/console.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { warn } from '../../bench/warnings.ts';

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

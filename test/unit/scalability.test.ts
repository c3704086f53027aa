import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  HISTORICAL_2010,
  PROJECTION_CLIENTS,
  projectBitsPerSecond,
  toMbitPerS,
  toMibitPerS,
} from '../../reports/scalability.ts';
import { parseResult } from '../../bench/result-schema.ts';
import { summarizeResult } from '../../reports/summary.ts';

/** Digits after the decimal point of a printed figure: "6.6" -> 1, "665" -> 0, "0.015" -> 3. */
const decimals = (printed: string) => (printed.includes('.') ? printed.split('.')[1]!.length : 0);

test('871 bytes and 2 bytes per message reproduce the 2010 table digit for digit (its "Mbps" are Mibit/s)', () => {
  PROJECTION_CLIENTS.forEach((clients, i) => {
    const polling = toMibitPerS(projectBitsPerSecond(HISTORICAL_2010.pollingOverheadBytes, clients, 1));
    const ws = toMibitPerS(projectBitsPerSecond(HISTORICAL_2010.webSocketOverheadBytes, clients, 1));
    assert.equal(
      polling.toFixed(decimals(HISTORICAL_2010.polling[i]!)),
      HISTORICAL_2010.polling[i],
      `polling, ${clients} clients: ${polling}`,
    );
    assert.equal(
      ws.toFixed(decimals(HISTORICAL_2010.webSocket[i]!)),
      HISTORICAL_2010.webSocket[i],
      `WebSocket, ${clients} clients: ${ws}`,
    );
  });
  // The published arithmetic for 1,000 polling clients: 871,000 B/s = 6,968,000 bit/s.
  assert.equal(projectBitsPerSecond(871, 1000), 6_968_000);
  assert.equal(toMbitPerS(6_968_000), 6.968);
});

test('decimal megabits are larger than the 2010 binary "Mbps" by 2^20 / 10^6', () => {
  const bits = projectBitsPerSecond(100, 10_000, 3);
  assert.equal(bits, 24_000_000);
  assert.ok(Math.abs(toMbitPerS(bits) / toMibitPerS(bits) - 1.048576) < 1e-12);
});

test('the measured projection uses bytes per delivered event both ways, from the set nearest one event per second', () => {
  const result = parseResult(
    JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')),
  );
  const s = summarizeResult(result).scalability!;
  assert.ok(s, 'a projection for a result with completed runs');
  assert.equal(s.rows.length, result.jobs.length);
  for (const row of s.rows) {
    const job = result.jobs.find(
      (j) =>
        row.label.startsWith(j.params.transport) &&
        (j.params.pollIntervalMs === null || row.label.endsWith(`${j.params.pollIntervalMs}ms`)),
    )!;
    const run = job.runs[0]!;
    assert.equal(run.status, 'completed');
    if (run.status !== 'completed') continue;
    const up = run.metrics['bytes_up_per_event']!.value;
    assert.equal(row.totalBytes, up + run.metrics['bytes_down_per_event']!.value, row.label);
    assert.equal(row.overheadBytes, up + run.metrics['overhead_bytes_down_per_event']!.value, row.label);
    assert.equal(row.total[0]!.mbit, (row.totalBytes * 1000 * 8) / 1e6, row.label);
    assert.ok(row.overheadBytes < row.totalBytes, `${row.label}: overhead is part of the total`);
  }
});

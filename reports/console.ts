/**
 * The terminal comparison: the calibration floor, then one table per parameter set with transports
 * side by side, medians over repetitions with the [min-max] range of noisy figures, units on every
 * row, and the warnings. A pure function of the result.
 */
import type { Result } from '../bench/result-schema.ts';
import { groupByParameterSet, transportLabel, type JobSummary } from './aggregate.ts';

interface Row {
  label: string;
  metric: string;
  format: (v: number) => string;
  /** Show the [min-max] range across runs (noisy figures). */
  range?: boolean;
}

import { fixed, int, pct, sig3 } from './format.ts';

const ms = (us: number) => sig3(us / 1000);

const ROWS: Row[] = [
  { label: 'latency p50 (ms)', metric: 'latency_p50_us', format: ms, range: true },
  { label: 'latency p99 (ms)', metric: 'latency_p99_us', format: ms, range: true },
  { label: 'latency max (ms)', metric: 'latency_max_us', format: ms, range: true },
  // Latency counts from the schedule: a late publisher adds to every transport alike.
  { label: '  publisher late p99 (ms)', metric: 'publisher_lateness_p99_us', format: ms, range: true },
  { label: 'events delivered', metric: 'events_delivered', format: int },
  { label: 'events lost', metric: 'events_lost', format: int },
  { label: 'duplicated + out of order', metric: 'dup_ooo', format: int },
  { label: 'bytes down / event (B)', metric: 'bytes_down_per_event', format: fixed(0) },
  { label: '  of which headers+framing (B)', metric: 'overhead_bytes_down_per_event', format: fixed(0) },
  { label: 'bytes up / event (B)', metric: 'bytes_up_per_event', format: fixed(0) },
  { label: 'HTTP requests / event', metric: 'http_requests_per_event', format: fixed(2) },
  { label: 'empty responses / event', metric: 'empty_responses_per_event', format: fixed(2) },
  { label: 'TCP connects in window', metric: 'tcp_connections_in_window', format: int },
  { label: 'connect p50 (ms)', metric: 'connect_p50_ms', format: sig3, range: true },
  { label: 'first event p50 (ms)', metric: 'first_event_p50_ms', format: fixed(0) },
  { label: 'server CPU / 1000 events (ms)', metric: 'server_cpu_ms_per_1000_events', format: sig3, range: true },
  { label: 'server CPU (share of a core)', metric: 'server_cpu_fraction', format: pct, range: true },
  { label: 'server heap / client (KiB)', metric: 'server_heap_per_client_bytes', format: (v) => (v / 1024).toFixed(1) },
  { label: 'server loop delay p99 (ms)', metric: 'server_loop_delay_p99_us', format: ms },
  { label: 'load generator CPU', metric: 'load_cpu_fraction', format: pct },
];

function cell(summary: JobSummary, row: Row): string {
  if (summary.completed.length === 0) return 'n/a';
  if (row.metric === 'dup_ooo') {
    const d = summary.metrics['events_duplicated'];
    const o = summary.metrics['events_out_of_order'];
    if (!d || !o) return 'n/a';
    return int(d.max + o.max);
  }
  const m = summary.metrics[row.metric];
  if (!m) return 'n/a';
  const main = row.format(m.median);
  return row.range && m.n > 1 ? `${main} [${row.format(m.min)}-${row.format(m.max)}]` : main;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderCalibration(result: Result): string {
  const c = result.calibration;
  if (!c) return 'Calibration: not measured (interrupted).';
  const us = (v: number) => `${v.toFixed(0)} us`;
  return [
    `Calibration floor on this machine (loopback, ${c.roundTrips} round trips, same process layout):`,
    `  raw TCP round trip       p50 ${us(c.tcpRoundTripUs.p50)}  p99 ${us(c.tcpRoundTripUs.p99)}  (one way ~ ${us(c.tcpRoundTripUs.p50 / 2)})`,
    `  raw WebSocket round trip p50 ${us(c.wsRoundTripUs.p50)}  p99 ${us(c.wsRoundTripUs.p99)}  (one way ~ ${us(c.wsRoundTripUs.p50 / 2)})`,
    `  after ${c.idleMs} ms idle        p50 ${us(c.wsIdleRoundTripUs.p50)}  max ${us(c.wsIdleRoundTripUs.max)}  (${c.idleRoundTrips} round trips; the floor at low event rates, where every delivery wakes idle CPUs)`,
  ].join('\n');
}

export function renderConsole(result: Result): string {
  const ctx = result.context;
  const out: string[] = [];
  const reps = ctx.scenario.repetitions;
  out.push(
    `pollbench ${ctx.tool.version}: scenario "${ctx.scenario.name}" (${ctx.profile}), ${reps} repetition${reps > 1 ? 's' : ''}, node ${ctx.node}, ${ctx.cpu.count} x ${ctx.cpu.model}`,
  );
  out.push(`HTTP framework: ${ctx.scenario.framework}; pinning: ${ctx.pinning.note}; result status: ${result.status}`);
  out.push('');
  out.push(renderCalibration(result));
  for (const [parameterSet, summaries] of groupByParameterSet(result)) {
    out.push('');
    out.push(
      `== ${parameterSet} ==  ${reps > 1 ? `(median of ${reps} runs; [min-max] across runs)` : '(1 run: no spread to show)'}`,
    );
    const header = ['', ...summaries.map((s) => transportLabel(s.job))];
    const rows = ROWS.map((row) => [row.label, ...summaries.map((s) => cell(s, row))]);
    rows.push(['runs completed', ...summaries.map((s) => `${s.completed.length}/${s.planned}`)]);
    out.push(table(header, rows));
    const notes = summaries.flatMap((s) =>
      [...s.errors, ...s.warnings].map((n) => `  ! ${transportLabel(s.job)}: ${n}`),
    );
    if (notes.length) out.push(...notes);
  }
  return `${out.join('\n')}\n`;
}

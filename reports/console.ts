/**
 * The terminal comparison: the calibration floor, then one table per parameter set with transports
 * side by side, medians over repetitions with the [min-max] range of noisy figures, units on every
 * row, and the warnings. A pure function of the result.
 */
import type { Result } from '../bench/result-schema.ts';
import { transportLabel, type JobSummary } from './aggregate.ts';
import { jobConditionsText } from './wire-text.ts';
import { pathDeltas } from './path-deltas.ts';
import { pathDeltasConsole } from './path-deltas-text.ts';
import { summaryOf, type Renderable } from './summary.ts';
import { latencyUncertaintyRow } from './agent-text.ts';
import { CONSOLE_ROWS, divideToDisplay, entryOf, labelWithUnit } from './metric-catalog.ts';

const ROWS = CONSOLE_ROWS.map((key) => {
  const info = entryOf(key);
  const row = info.console!;
  const label = row.label ?? labelWithUnit(key);
  return {
    key,
    label: row.indent ? `  ${label}` : label,
    range: row.range ?? false,
    onlyWhenMeasured: row.onlyWhenMeasured ?? false,
    onlyWhenJob: row.onlyWhenJob,
    format: row.format ?? ((stored: number) => info.format(divideToDisplay(info, stored))),
    cell: row.cell,
  };
});

function cell(summary: JobSummary, row: (typeof ROWS)[number]): string {
  if (summary.completed.length === 0) return 'n/a';
  if (row.cell) return row.cell(summary);
  const m = summary.metrics[row.key];
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
  const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  return [
    `Calibration floor on this machine (loopback, ${c.roundTrips} round trips, same process layout):`,
    `  raw TCP round trip       p50 ${us(c.tcpRoundTripUs.p50)}  p99 ${us(c.tcpRoundTripUs.p99)}  (one way ~ ${us(c.tcpRoundTripUs.p50 / 2)})`,
    `  raw WebSocket round trip p50 ${us(c.wsRoundTripUs.p50)}  p99 ${us(c.wsRoundTripUs.p99)}  (one way ~ ${us(c.wsRoundTripUs.p50 / 2)})`,
    `  after ${c.idleMs} ms idle        p50 ${us(c.wsIdleRoundTripUs.p50)}  max ${us(c.wsIdleRoundTripUs.max)}  (${c.idleRoundTrips} round trips; the floor at low event rates, where every delivery wakes idle CPUs)`,
    // Through each emulated network and of TLS handshakes: only in results that used them.
    ...(c.networks ?? []).map(
      (n) =>
        `  TCP round trip over ${n.network}: p50 ${ms(n.roundTripUs.p50 / 1000)}  p99 ${ms(n.roundTripUs.p99 / 1000)}  (configured ${n.configuredRttMs} ms; off by ${n.offByMs.toFixed(2)} ms: ${n.accurate ? 'accurate' : 'NOT ACCURATE'})`,
    ),
    ...(c.tls
      ? [
          `  TLS handshake, full      p50 ${ms(c.tls.full.ms.p50)}  ${Math.round(c.tls.full.bytesUp)} B up, ${Math.round(c.tls.full.bytesDown)} B down  (+${Math.round(c.tls.full.ticketBytesDown)} B session tickets)`,
          `  TLS handshake, resumed   p50 ${ms(c.tls.resumed.ms.p50)}  ${Math.round(c.tls.resumed.bytesUp)} B up, ${Math.round(c.tls.resumed.bytesDown)} B down  (${(c.tls.resumed.resumedFraction * 100).toFixed(0)}% resumed)`,
          `  TLS record overhead      ${c.tls.recordOverheadBytes} B per record${c.tls.negotiated ? `  (${[c.tls.negotiated.protocol, c.tls.negotiated.cipher, c.tls.negotiated.group ?? 'key exchange not reported'].filter(Boolean).join(', ')})` : ''}`,
        ]
      : []),
  ].join('\n');
}

export function renderConsole(input: Renderable): string {
  const summary = summaryOf(input);
  const result = summary.result;
  const ctx = result.context;
  const out: string[] = [];
  const reps = ctx.scenario.repetitions;
  out.push(
    `pollbench ${ctx.tool.version}: scenario "${ctx.scenario.name}" (${ctx.profile}), ${reps} repetition${reps > 1 ? 's' : ''}, node ${ctx.node}, ${ctx.cpu.count} x ${ctx.cpu.model}`,
  );
  out.push(`HTTP framework: ${ctx.scenario.framework}; pinning: ${ctx.pinning.note}; result status: ${result.status}`);
  out.push('');
  out.push(renderCalibration(result));
  for (const [parameterSet, summaries] of summary.sets) {
    out.push('');
    const path = jobConditionsText(summaries[0]!.job);
    out.push(
      `== ${parameterSet} ==  ${path ? `${path}  ` : ''}${reps > 1 ? `(median of ${reps} runs; [min-max] across runs)` : '(1 run: no spread to show)'}`,
    );
    const header = ['', ...summaries.map((s) => transportLabel(s.job))];
    const shown = (row: (typeof ROWS)[number]) =>
      (!row.onlyWhenMeasured || summaries.some((s) => s.metrics[row.key])) &&
      (!row.onlyWhenJob || summaries.some((s) => row.onlyWhenJob!(s.job.params)));
    const rows = ROWS.filter(shown).map((row) => [row.label, ...summaries.map((s) => cell(s, row))]);
    const uncertainty = latencyUncertaintyRow(summaries);
    if (uncertainty) rows.push(uncertainty);
    rows.push(['runs completed', ...summaries.map((s) => `${s.completed.length}/${s.planned}`)]);
    out.push(table(header, rows));
    const notes = summaries.flatMap((s) =>
      [...s.errors, ...s.warnings].map((n) => `  ! ${transportLabel(s.job)}: ${n}`),
    );
    if (notes.length) out.push(...notes);
  }
  const deltas = pathDeltasConsole(pathDeltas(summary.jobs));
  if (deltas.length) out.push('', ...deltas);
  return `${out.join('\n')}\n`;
}

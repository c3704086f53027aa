/**
 * What the path's own parts did in each job (HTML): the one-way delay the network emulator really
 * applied against what its profile asks, how late its timers fired, its CPU, and the reverse proxy's
 * CPU and connections to the server. Medians over completed runs. A reader checks here that a latency
 * over 4g is the network's and the transport's, not an emulator that fell behind. Empty for results
 * whose runs have no path figures (the direct path).
 */
import type { CompletedRun } from '../bench/result-schema.ts';
import { median, transportLabel, type JobSummary } from './aggregate.ts';
import { escapeHtml as e } from './escape.ts';
import { pct } from './format.ts';

type Emulator = NonNullable<NonNullable<CompletedRun['path']>['emulator']>;
type Proxy = NonNullable<NonNullable<CompletedRun['path']>['proxy']>;

interface Column {
  head: string;
  of: (run: CompletedRun) => number | null | undefined;
  format: (v: number) => string;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const count = (v: number) => Math.round(v).toLocaleString('en-US');
const emulator = (f: (x: Emulator) => number | null) => (r: CompletedRun) =>
  r.path?.emulator ? f(r.path.emulator) : undefined;
const proxy = (f: (x: Proxy) => number) => (r: CompletedRun) => (r.path?.proxy ? f(r.path.proxy) : undefined);

const COLUMNS: Column[] = [
  { head: 'configured one way (ms)', of: emulator((x) => x.configuredOneWayMs), format: ms },
  { head: 'applied one way up (ms)', of: emulator((x) => x.appliedOneWayUpMs), format: ms },
  { head: 'applied one way down (ms)', of: emulator((x) => x.appliedOneWayDownMs), format: ms },
  { head: 'emulator timer lateness p99 (ms)', of: emulator((x) => x.latenessP99Us / 1000), format: ms },
  { head: 'emulator timer lateness max (ms)', of: emulator((x) => x.latenessMaxUs / 1000), format: ms },
  { head: 'emulator CPU (share of a core)', of: emulator((x) => x.cpuFraction), format: pct },
  { head: 'segments lost', of: emulator((x) => x.segmentsLost), format: count },
  { head: 'max queued (bytes)', of: emulator((x) => x.maxQueuedBytes), format: count },
  { head: 'proxy CPU (share of a core)', of: proxy((x) => x.cpuFraction), format: pct },
  { head: 'server TCP accepts (from the proxy)', of: proxy((x) => x.serverTcpAccepted), format: count },
];

/** The median of a column over a job's runs, NaN when no run has it. */
function cell(s: JobSummary, c: Column): number {
  const values = s.completed.map(c.of).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return median(values);
}

export function pathPartsTable(jobs: JobSummary[]): string {
  const summaries = jobs.filter((s) => s.completed.some((r) => r.path));
  if (summaries.length === 0) return '';
  const columns = COLUMNS.filter((c) => summaries.some((s) => Number.isFinite(cell(s, c))));
  const head = ['parameter set', 'transport', ...columns.map((c) => c.head)];
  const rows = summaries.map((s) => {
    const cells = columns.map((c) => {
      const v = cell(s, c);
      return `<td class="num" data-v="${Number.isFinite(v) ? v : ''}">${e(Number.isFinite(v) ? c.format(v) : 'n/a')}</td>`;
    });
    return `<tr><td>${e(s.job.parameterSet)}</td><td>${e(transportLabel(s.job))}</td>${cells.join('')}</tr>`;
  });
  return `<h3>The path's own parts</h3><div class="scroll"><table class="sortable path-parts"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>
<p class="caption">Medians over runs, jobs over an emulated network or a proxy only. Applied one way is the mean delay the emulator really added per direction, against its profile's half round trip; timer lateness is how much later than the model a chunk left; a late or busy emulator would add its own delay to every transport's latency.</p>`;
}

/**
 * Where a plan's time went, and how many latency samples each cell's percentiles rest on. A pure
 * function of the result (printed by `npm run bench` after the tables); results written before
 * phase timing existed get a one-line note instead of a breakdown.
 */
import type { CompletedRun, Result } from '../bench/result-schema.ts';
import { transportLabel } from './aggregate.ts';

/** Below this many latency samples in a run, its p99 is decided by a handful of the slowest deliveries. */
export const P99_MIN_SAMPLES = 1000;

type RunPhase = keyof NonNullable<CompletedRun['phasesMs']>;

/** In the order a run goes through them. */
const PHASE_LABELS: Record<RunPhase, string> = {
  start: 'process start (spawn to ready)',
  prewarm: 'JIT prewarm',
  connect: 'connect',
  warmup: 'warm-up',
  window: 'measurement window',
  drain: 'drain',
  snapshots: 'server stats snapshots',
  teardown: 'close and teardown',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const share = (ms: number, wallMs: number) => (wallMs > 0 ? `${((100 * ms) / wallMs).toFixed(1)}%` : '');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd(),
  );
}

const completedRuns = (result: Result): CompletedRun[] =>
  result.jobs.flatMap((j) => j.runs.filter((r): r is CompletedRun => r.status === 'completed'));

export function renderTimeBreakdown(result: Result): string {
  const timing = result.planTiming;
  const runs = completedRuns(result);
  const timed = runs.filter((r) => r.phasesMs !== undefined);
  if (!timing || timed.length === 0)
    return 'Time breakdown: not recorded in this result (written before phase timing existed, or no run completed).\n';
  const wall = timing.wallMs;
  const total = (phase: RunPhase) => timed.reduce((sum, r) => sum + r.phasesMs![phase], 0);
  const overlap = timed.reduce((sum, r) => sum + (r.startOverlapMs ?? 0), 0);
  const rows: string[][] = [['', 'total', 'share of wall']];
  const add = (label: string, ms: number) => rows.push([label, seconds(ms), share(ms, wall)]);
  add('bundling child processes', timing.bundleMs);
  add('calibration', timing.calibrationMs);
  let accounted = timing.bundleMs + timing.calibrationMs + timing.saveMs - overlap;
  for (const phase of Object.keys(PHASE_LABELS) as RunPhase[]) {
    add(PHASE_LABELS[phase], total(phase));
    accounted += total(phase);
  }
  add('  minus: start while the previous run ended', -overlap);
  add('writing the result file', timing.saveMs);
  const untimedRuns =
    result.jobs.reduce((n, j) => n + j.runs.filter((r) => r.status === 'errored').length, 0) +
    (runs.length - timed.length);
  add(
    untimedRuns > 0 ? `other (incl. ${untimedRuns} run${untimedRuns > 1 ? 's' : ''} without phases)` : 'other',
    wall - accounted,
  );
  const lines = [
    `Where the time went: ${timed.length} run${timed.length > 1 ? 's' : ''}, plan wall time ${seconds(wall)} (measurement windows: ${share(total('window'), wall)} of it)`,
    ...table(rows),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Latency samples per run for every job, and a flag on jobs whose per-run p99 (the figure the
 * tables show, as a median over runs) rests on fewer than P99_MIN_SAMPLES samples.
 */
export function renderSamplesPerCell(result: Result): string {
  const rows: string[][] = [['job', 'runs', 'latency samples per run (min-max)', '']];
  let flagged = 0;
  // An idle job delivers nothing on purpose: it has no latency to rest a p99 on, and no flag.
  for (const job of result.jobs.filter((j) => j.params.workload.kind !== 'idle')) {
    const counts = job.runs
      .filter((r): r is CompletedRun => r.status === 'completed')
      .map((r) => r.latency.summary.count);
    if (counts.length === 0) {
      rows.push([`${job.parameterSet} ${transportLabel(job)}`, '0', 'n/a', '']);
      continue;
    }
    const min = Math.min(...counts);
    const max = Math.max(...counts);
    const few = min < P99_MIN_SAMPLES;
    if (few) flagged++;
    rows.push([
      `${job.parameterSet} ${transportLabel(job)}`,
      String(counts.length),
      min === max ? String(min) : `${min}-${max}`,
      few ? `! p99 from < ${P99_MIN_SAMPLES.toLocaleString('en-US')} samples` : '',
    ]);
  }
  const lines = [
    'Latency samples per cell (a p99 needs about 1,000 samples to be more than the few slowest deliveries):',
    ...table(rows),
  ];
  if (flagged > 0)
    lines.push(
      `  ${flagged} cell${flagged > 1 ? 's' : ''} flagged: read their p99 as "near the maximum", not as a percentile.`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * One capacity step judged against the service level, from its job's runs in the result: pass when
 * every run completed with p99 latency at or under the limit, no event lost, duplicated or out of
 * order, no client error and every client connected. Its figures are those of its worst run (a
 * failing one, else the highest p99), so the verdict and the named limit rest on the same run.
 */
import type { CompletedRun, Job } from '../result-schema.ts';
import type { CapacityStep } from './schema.ts';

/** ListenOverflows / ListenDrops counted around a run (bench/capacity/netstat.ts). */
export interface ListenDeltas {
  listenOverflows: number;
  listenDrops: number;
}

/** By name, not key: a figure other work adds (the broker's CPU) is read when present. */
const metric = (run: CompletedRun, name: string): number | undefined =>
  (run.metrics as Record<string, { value: number } | undefined>)[name]?.value;

/** The load processes' CPU summed, for a run recorded before load_cpu_total_fraction (undefined: not recorded). */
function processesCpu(run: CompletedRun): number | undefined {
  const processes = run.load?.processes ?? [];
  return processes.length > 0 ? processes.reduce((s, p) => s + p.cpuFraction, 0) : undefined;
}

/** Why a completed run breaks the level (empty: it meets it). */
function runReasons(run: CompletedRun, p99LimitMs: number): string[] {
  const reasons: string[] = [];
  const p99Ms = (metric(run, 'latency_p99_us') ?? 0) / 1000;
  if (p99Ms > p99LimitMs) reasons.push(`p99 latency ${p99Ms.toFixed(0)} ms above ${p99LimitMs} ms`);
  const lost = metric(run, 'events_lost') ?? 0;
  if (lost > 0) reasons.push(`${lost} events lost`);
  // Missing and extra messages fail the run: a duplicate or a reordering is a delivery fault too.
  const duplicated = metric(run, 'events_duplicated') ?? 0;
  if (duplicated > 0) reasons.push(`${duplicated} events duplicated`);
  const outOfOrder = metric(run, 'events_out_of_order') ?? 0;
  if (outOfOrder > 0) reasons.push(`${outOfOrder} events out of order`);
  const errors = run.totals['clientErrors'] ?? 0;
  if (errors > 0) reasons.push(`${errors} client errors`);
  const c = run.connect;
  if (c && c.connected < c.requested)
    reasons.push(`${c.requested - c.connected} of ${c.requested} clients not connected`);
  const failed = c ? c.failures.timeout + c.failures.descriptors + c.failures.refused + c.failures.other : 0;
  if (failed > 0) reasons.push(`${failed} failed connects`);
  return reasons;
}

/** The figures a step is judged and its limit named by, from one completed run. */
function runFigures(run: CompletedRun, listen: ListenDeltas | undefined): Record<string, number> {
  const f: Record<string, number> = {};
  const put = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) f[name] = value;
  };
  put('p99Ms', (metric(run, 'latency_p99_us') ?? Number.NaN) / 1000);
  put('p50Ms', (metric(run, 'latency_p50_us') ?? Number.NaN) / 1000);
  put('lossFraction', metric(run, 'loss_fraction'));
  put('eventsLost', metric(run, 'events_lost'));
  put('eventsDuplicated', metric(run, 'events_duplicated'));
  put('eventsOutOfOrder', metric(run, 'events_out_of_order'));
  put('clientErrors', run.totals['clientErrors']);
  put('serverCpuFraction', metric(run, 'server_cpu_fraction'));
  put('serverElu', metric(run, 'server_event_loop_utilization'));
  put('cpuMsPer1000Events', metric(run, 'server_cpu_ms_per_1000_events'));
  // The busiest load process (saturation) and all of them summed (what the clients cost: the projection's).
  put('loadCpuFraction', metric(run, 'load_cpu_fraction'));
  put('loadCpuTotal', metric(run, 'load_cpu_total_fraction') ?? processesCpu(run));
  put('serverRssBytes', run.totals['serverRssRetainedBytes']);
  put('rssPerClientBytes', metric(run, 'server_rss_per_client_bytes'));
  // The broker's CPU when the job ran one (its figures come with --broker redis; read if present).
  put('brokerCpuFraction', metric(run, 'broker_cpu_fraction'));
  if (run.connect) {
    put('unconnected', run.connect.requested - run.connect.connected);
    put('connectTimeouts', run.connect.failures.timeout);
    put('connectRefused', run.connect.failures.refused);
    put('connectDescriptors', run.connect.failures.descriptors);
    put('connectOther', run.connect.failures.other);
  }
  if (listen) {
    put('listenOverflows', listen.listenOverflows);
    put('listenDrops', listen.listenDrops);
  }
  return f;
}

export interface JudgedStep {
  step: CapacityStep;
  /** The run its figures come from (null: none completed). */
  run: CompletedRun | null;
}

export function judgeStep(job: Job, p99LimitMs: number, listen: ListenDeltas | undefined): JudgedStep {
  const base = { clients: job.params.clients, jobId: job.id };
  const errored = job.runs.find((r) => r.status === 'errored');
  const completed = job.runs.filter((r): r is CompletedRun => r.status === 'completed');
  const judged = completed.map((run) => ({ run, reasons: runReasons(run, p99LimitMs) }));
  const worst =
    judged.find((j) => j.reasons.length > 0) ??
    [...judged].sort((a, b) => (metric(b.run, 'latency_p99_us') ?? 0) - (metric(a.run, 'latency_p99_us') ?? 0))[0];
  const reasons = [
    ...(errored && errored.status === 'errored' ? [`run failed (${errored.phase}): ${errored.error}`] : []),
    ...(worst?.reasons ?? []),
  ];
  // Only runs that ended count: an interrupted step has no verdict, whatever its other runs said.
  const unfinished = job.runs.length === 0 || job.runs.some((r) => r.status === 'aborted');
  const pass = reasons.length > 0 ? false : unfinished ? null : true;
  return {
    step: { ...base, pass, reasons, figures: worst ? runFigures(worst.run, listen) : {} },
    run: worst?.run ?? null,
  };
}

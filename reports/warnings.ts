/**
 * Everything a reader must know before trusting the figures, collected from a result: failed or
 * aborted runs, lost or duplicated events, a saturated load generator or server, an interrupted run.
 * Data only; each renderer shows it in its own way (the HTML report as a block at the top).
 */
import type { Result, RunWarning } from '../bench/result-schema.ts';
import { runWarningText, summarizeAll, transportLabel, type JobSummary } from './aggregate.ts';

export type NoticeKind = 'error' | 'loss' | 'saturation' | 'note';

export interface Notice {
  kind: NoticeKind;
  /** Which job (transport and parameter set), or "" for the whole result. */
  where: string;
  text: string;
  /** The job's parameter set and transport label ("" for the whole result). */
  parameterSet: string;
  label: string;
}

const KIND_ORDER: NoticeKind[] = ['error', 'loss', 'saturation', 'note'];

/** A publisher this late (µs) distorts latency more than the transports differ at low rates. */
const DISTURBING_LATENESS_US = 50_000;

/** Which group a run's warning is listed under: by its code (and figure), never by its wording. */
export function classify(w: RunWarning): NoticeKind {
  switch (w.code) {
    // bench/diagnosis.ts: a run short of descriptors measured a misconfigured machine, not a
    // transport; any other named bottleneck means the figures partly measure that limit.
    case 'bottleneck-descriptors':
      return 'error';
    case 'bottleneck-connect-backlog':
    case 'bottleneck-server-cpu':
    case 'bottleneck-load-cpu':
    case 'bottleneck-publisher':
      return 'saturation';
    case 'events-lost':
    case 'events-duplicated':
    case 'events-out-of-order':
    case 'events-before-schedule':
    case 'clients-unconnected':
    case 'client-errors':
    case 'no-events-in-window':
      return 'loss';
    case 'load-saturated':
    case 'server-saturated':
    case 'poll-ticks-skipped':
      return 'saturation';
    case 'publisher-late':
      return (w.value ?? 0) >= DISTURBING_LATENESS_US ? 'saturation' : 'note';
    case 'unrecognised':
      return 'note';
  }
}

/** `jobs`: the result's job summaries when the caller has them (reports/summary.ts), so they are not built twice. */
export function collectNotices(result: Result, jobs: JobSummary[] = summarizeAll(result)): Notice[] {
  const notices: Notice[] = [];
  if (result.status === 'interrupted')
    notices.push({
      kind: 'error',
      where: '',
      parameterSet: '',
      label: '',
      text: 'the run was interrupted: jobs without completed runs are missing from the figures',
    });
  if (result.status === 'running')
    notices.push({
      kind: 'error',
      where: '',
      parameterSet: '',
      label: '',
      text: 'the result file was still being written (the benchmark may have crashed): figures are partial',
    });
  const inj = result.context.inject;
  if (inj)
    notices.push({
      kind: 'error',
      where: '',
      parameterSet: '',
      label: '',
      text: `a regression was injected on purpose (${inj.extraResponseHeaderBytes} extra header bytes per HTTP response, ${inj.pushDelayMs} ms delay before each push): these are not the real servers' figures`,
    });
  if (!result.calibration)
    notices.push({ kind: 'note', where: '', parameterSet: '', label: '', text: 'no calibration floor was measured' });
  for (const s of jobs) {
    const label = transportLabel(s.job);
    const where = `${label}, ${s.job.parameterSet}`;
    const at = { where, parameterSet: s.job.parameterSet, label };
    for (const e of s.errors) notices.push({ kind: 'error', ...at, text: e });
    for (const r of s.completed)
      for (const w of r.warnings) notices.push({ kind: classify(w), ...at, text: runWarningText(r.repetition, w) });
  }
  return notices.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

export const NOTICE_TITLES: Record<NoticeKind, string> = {
  error: 'Failed or missing runs',
  loss: 'Delivery problems (loss, duplicates, disconnects)',
  saturation: 'Saturation or a disturbed machine: figures partly measure the limit, not the transport',
  note: 'Notes',
};

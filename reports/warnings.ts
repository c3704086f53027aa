/**
 * Everything a reader must know before trusting the figures, collected from a result: failed or
 * aborted runs, lost or duplicated events, a saturated load generator or server, an interrupted run.
 * Data only; each renderer shows it in its own way (the HTML report as a block at the top).
 */
import type { Result } from '../bench/result-schema.ts';
import { runWarningText, transportLabel, type JobSummary } from './aggregate.ts';
import { classify, type NoticeKind } from './warning-kinds.ts';

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

/** `jobs`: the result's job summaries, from the summary model (reports/summary.ts), which collects these. */
export function collectNotices(result: Result, jobs: JobSummary[]): Notice[] {
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

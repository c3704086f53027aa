/**
 * The shape the "Processes and agents" tables share (reports/scale-sections.ts lays them out): one
 * row per completed run that used several processes or agents, its job named by parameter set and
 * transport, and what each process or agent did in it. Pure helpers for the three row builders.
 */
import { transportLabel, type JobSummary } from './aggregate.ts';
import { sig3 } from './format.ts';
import type { CompletedRun } from '../bench/result-schema.ts';

export interface ScaleTable {
  title: string;
  caption: string;
  /** Column heads after parameter set, transport and run. */
  heads: string[];
  rows: { parameterSet: string; transport: string; run: number; cells: string[] }[];
}

/** A table of the runs `cells` answers for (null for the others), or null when no run has any. */
export function runTable(
  jobs: readonly JobSummary[],
  table: Omit<ScaleTable, 'rows'>,
  cells: (run: CompletedRun, job: JobSummary) => string[] | null,
): ScaleTable | null {
  const rows = jobs.flatMap((s) =>
    s.completed.flatMap((run) => {
      const shown = cells(run, s);
      return shown
        ? [{ parameterSet: s.job.parameterSet, transport: transportLabel(s.job), run: run.repetition, cells: shown }]
        : [];
    }),
  );
  return rows.length ? { ...table, rows } : null;
}

/** One figure per process, in order, for a cell: "41% / 39%". */
export const each = (values: readonly string[]): string => values.join(' / ');

/** A share of one core ("41%"), one decimal below 10% so a light process does not read as 0% or 1%. */
export function corePct(fraction: number): string {
  const pct = fraction * 100;
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

/** Microseconds as milliseconds, three significant figures as every ms figure reads ("0.42 ms"). */
export const usAsMs = (us: number): string => `${sig3(us / 1000)} ms`;

/** The largest of `values` over their mean (1.00 = even); '–' when there is nothing to share. */
export function balance(values: readonly number[]): string {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.length > 0 && mean > 0 ? `${(Math.max(...values) / mean).toFixed(2)}x` : '–';
}

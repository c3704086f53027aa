/**
 * The summary model of one result: the result aggregated once (every job's medians over runs, by
 * parameter set), with what the reports build from that (headline, scalability table, notices).
 * Each renderer builds it once and hands it to its parts, so no part re-aggregates the result.
 */
import type { Result } from '../bench/result-schema.ts';
import { groupSummaries, summarizeAll, type JobSummary } from './aggregate.ts';
import { headlineOf, type Headline } from './headline.ts';
import { scalabilityOf, type Scalability } from './scalability.ts';
import { collectNotices, type Notice } from './warnings.ts';

export interface ReportSummary {
  result: Result;
  /** Every job summarised, in result order. */
  jobs: JobSummary[];
  /** The same summaries by parameter set, in result order. */
  sets: Map<string, JobSummary[]>;
  headline: Headline | null;
  scalability: Scalability | null;
  /** Collected on first use (the console has no use for them), from the summaries above. */
  readonly notices: Notice[];
}

/**
 * What a renderer takes: a result, or its summary when the caller renders several outputs of one
 * result (bench, ci) and builds the summary once for all of them.
 */
export type Renderable = Result | ReportSummary;

export function summaryOf(input: Renderable): ReportSummary {
  return 'sets' in input ? input : summarizeResult(input);
}

export function summarizeResult(result: Result): ReportSummary {
  const jobs = summarizeAll(result);
  const sets = groupSummaries(jobs);
  let notices: Notice[] | undefined;
  return {
    result,
    jobs,
    sets,
    headline: headlineOf(sets),
    scalability: scalabilityOf(sets),
    get notices() {
      return (notices ??= collectNotices(result, jobs));
    },
  };
}

/**
 * Merges result files of the same profile, each holding one repetition per job (one invocation of a
 * checkout's `npm run bench` entry), into one result with every run of every job, repetitions
 * renumbered in the order the files are given. Pure. The context is the first file's (with the last finish time);
 * the calibration is the first file's.
 */
import { RESULT_SCHEMA_VERSION, type Job, type Result } from '../result-schema.ts';

export class MergeError extends Error {}

export function mergeResults(parts: Result[]): Result {
  if (parts.length === 0) throw new MergeError('nothing to merge');
  const first = parts[0]!;
  const jobs = new Map<string, Job>();
  const counts = new Map<string, number>();
  for (const part of parts) {
    if (part.schemaVersion !== RESULT_SCHEMA_VERSION)
      throw new MergeError(`schema v${part.schemaVersion} cannot be merged into v${RESULT_SCHEMA_VERSION}`);
    for (const job of part.jobs) {
      const target = jobs.get(job.id) ?? { ...job, runs: [] };
      jobs.set(job.id, target);
      for (const run of job.runs) {
        const repetition = (counts.get(job.id) ?? 0) + 1;
        counts.set(job.id, repetition);
        target.runs.push({ ...run, repetition });
      }
    }
  }
  const last = parts[parts.length - 1]!;
  const status = parts.some((p) => p.status === 'interrupted')
    ? 'interrupted'
    : parts.some((p) => p.status === 'running')
      ? 'running'
      : 'complete';
  const repetitions = Math.max(...counts.values());
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    context: {
      ...first.context,
      finishedAt: last.context.finishedAt,
      scenario: { ...first.context.scenario, repetitions },
    },
    calibration: first.calibration,
    status,
    jobs: [...jobs.values()],
  };
}

/**
 * A load group's window edge (bench/load-group.ts): every process opens the window at one shared
 * instant and reads its counters then; one that reads them later (a busy loop, a slow wake) reports
 * how late (startLagUs, bench/load/run-job.ts). An event scheduled between the instant and that
 * reading counts inside the window for the others and outside for it once the lag passes half the
 * time between events, so past that the run is warned about, the process named.
 */
import type { ScheduleShape } from '../servers/contract/shape-schema.ts';
import type { LoadProcessFigures } from './load/merge-reports.ts';
import type { RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

/** Half the time between events, µs: a steady feed's spacing, a burst feed's time between bursts. */
function halfEventPeriodUs(shape: ScheduleShape): number {
  const periodMs = shape.kind === 'steady' ? 1000 / shape.ratePerSec : shape.everyMs;
  return (periodMs * 1000) / 2;
}

export function startLagWarnings(shape: ScheduleShape, processes: readonly LoadProcessFigures[]): RunWarning[] {
  const limitUs = halfEventPeriodUs(shape);
  return processes.flatMap((p) =>
    p.startLagUs !== undefined && p.startLagUs > limitUs ? [warn.loadStartLate(p.name, p.startLagUs, limitUs)] : [],
  );
}

/**
 * The idle workload's warm-up (issue 12). An idle client's traffic is periodic and phase-locked to its
 * connect: a long poll's wait expires `longPollWaitMs` after the request that began at connect, a
 * keep-alive timer fires every period from the connect. With the usual half-second warm-up the window
 * opens just after the connect, so every client's traffic lands within a fraction of a second of the
 * window's edges, and a little queueing moves it across: measured with 1,000 long-poll clients, a 30 s
 * wait and a 60 s window, 1.6 answers per client per minute instead of 2. Starting the window half a
 * period after the connect puts every expiry mid-window: the counts are then whole periods.
 * Short polling needs nothing here: its clients' polls are spread evenly over the interval.
 */
import { TRANSPORT_TRAITS } from '../servers/contract/transport-traits.ts';
import type { JobParams } from './result-schema.ts';

/** Half the period of the job's idle traffic for an idle job, else 0 (nothing changes for other workloads). */
export function idleWarmupMs(params: JobParams): number {
  if (params.workload.kind !== 'idle') return 0;
  const traits = TRANSPORT_TRAITS[params.transport];
  const periodMs = traits.longPollWait
    ? params.longPollWaitMs
    : traits.keepAlive === null
      ? null
      : params.keepAlive[traits.keepAlive];
  return periodMs === null ? 0 : periodMs / 2;
}

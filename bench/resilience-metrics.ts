/**
 * The figures of the resilience workloads (issue 12): forced drops (bench/load/drops.ts) and the
 * server restart (bench/restart.ts). Only jobs with that workload have them (absentResilienceKeys);
 * no ratio here divides quantities of different event sets: a per-drop figure divides a sum over the
 * recovered drops by their count, the delivered fraction is the delivery check's own.
 */
import { exact, noisy } from './metric-value.ts';
import type { LoadReport } from './load/ipc.ts';
import type { JobParams, Metric } from './result-schema.ts';
import type { StormFigures } from './restart.ts';

export function resilienceMetrics(
  load: LoadReport,
  storm: StormFigures | undefined,
  server: { slowConsumersDropped: number; rssGrowthBytes: number; bufferedPeakBytes: number | undefined },
) {
  const d = load.delivery;
  const drops = load.drops;
  const catchUp = drops?.catchUp.summary;
  const restart = load.restart;
  return {
    // Slow readers: how many the server dropped (the workload's own readers and any measured client),
    // the most bytes it ever held queued for one client (the bound: the limit plus one frame), and its
    // resident memory after the drain less at idle (for every job: the steady job of the same cell is
    // the comparison).
    slow_readers_dropped: exact(server.slowConsumersDropped, 'count'),
    server_buffered_peak_bytes: noisy(server.bufferedPeakBytes ?? 0, 'bytes'),
    server_rss_growth_bytes: noisy(server.rssGrowthBytes, 'bytes'),
    catch_up_delivered_fraction: exact(d.expected ? d.delivered / d.expected : 0, 'fraction', 'higher'),
    drops_performed: exact(drops?.performed ?? 0, 'count', 'higher'),
    drops_reconnected: exact(drops?.reconnected ?? 0, 'count', 'higher'),
    drops_unrecovered: exact(drops ? drops.performed - drops.recovered : 0, 'count'),
    catch_up_latency_p50_us: noisy(catchUp?.p50 ?? 0, 'us'),
    catch_up_latency_p99_us: noisy(catchUp?.p99 ?? 0, 'us'),
    catch_up_latency_max_us: noisy(catchUp?.max ?? 0, 'us'),
    drop_reconnect_p50_ms: noisy(drops?.reconnectMs.p50 ?? 0, 'ms'),
    drop_first_event_p50_ms: noisy(drops?.firstEventMs.p50 ?? 0, 'ms'),
    drop_first_event_max_ms: noisy(drops?.firstEventMs.max ?? 0, 'ms'),
    // The same recovered drops' spans on both sides: their socket bytes less the events' own bytes.
    drop_reconnect_bytes: noisy(
      drops
        ? (drops.reconnectBytesUp + drops.reconnectBytesDown - drops.reconnectEventBytes) / Math.max(1, drops.recovered)
        : 0,
      'bytes',
    ),
    restart_down_ms: noisy(restart?.downMs ?? 0, 'ms'),
    restart_recovery_p50_ms: noisy(restart?.recoveryMs.p50 ?? 0, 'ms'),
    restart_recovery_p95_ms: noisy(restart?.recoveryMs.p95 ?? 0, 'ms'),
    restart_recovery_max_ms: noisy(restart?.recoveryMs.max ?? 0, 'ms'),
    restart_clients_not_back: exact(restart ? restart.clientsBefore - restart.clientsBack : 0, 'count'),
    restart_storm_connections: exact(storm?.tcpAccepted ?? 0, 'count'),
    restart_storm_requests: exact(storm ? storm.httpRequests + storm.wsHandshakes : 0, 'count'),
    restart_storm_bytes: noisy(storm ? storm.bytesIn + storm.bytesOut : 0, 'bytes'),
    restart_storm_cpu_ms: noisy(storm?.cpuMs ?? 0, 'ms'),
  } satisfies Record<string, Metric>;
}

type ResilienceKey = keyof ReturnType<typeof resilienceMetrics>;

/** The keys a job does not have: drop figures without drops, restart figures without a restart. */
export function absentResilienceKeys(
  params: JobParams,
  load: LoadReport,
  storm: StormFigures | undefined,
  bufferedPeakBytes: number | undefined,
) {
  const kind = params.workload.kind;
  const absent: ResilienceKey[] = [];
  if (kind !== 'drops' && kind !== 'restart') absent.push('catch_up_delivered_fraction');
  if (kind !== 'slow-readers') absent.push('slow_readers_dropped');
  // Polling transports queue one answer per request: no per-client buffer to report.
  if (bufferedPeakBytes === undefined) absent.push('server_buffered_peak_bytes');
  // Two processes: the new one's retained memory less the old one's idle memory is no growth.
  if (kind === 'restart') absent.push('server_rss_growth_bytes');
  if (kind !== 'drops' || !load.drops)
    absent.push(
      'drops_performed',
      'drops_reconnected',
      'drops_unrecovered',
      'catch_up_latency_p50_us',
      'catch_up_latency_p99_us',
      'catch_up_latency_max_us',
      'drop_reconnect_p50_ms',
      'drop_first_event_p50_ms',
      'drop_first_event_max_ms',
      'drop_reconnect_bytes',
    );
  else {
    // No event was emitted while a client was offline, or no drop came back: no figure, not zero.
    if (load.drops.catchUp.summary.count === 0)
      absent.push('catch_up_latency_p50_us', 'catch_up_latency_p99_us', 'catch_up_latency_max_us');
    if (load.drops.reconnected === 0) absent.push('drop_reconnect_p50_ms');
    if (load.drops.recovered === 0)
      absent.push('drop_first_event_p50_ms', 'drop_first_event_max_ms', 'drop_reconnect_bytes');
  }
  if (kind !== 'restart' || !load.restart)
    absent.push('restart_down_ms', 'restart_recovery_p50_ms', 'restart_recovery_p95_ms', 'restart_recovery_max_ms');
  else if (load.restart.clientsBack === 0)
    absent.push('restart_recovery_p50_ms', 'restart_recovery_p95_ms', 'restart_recovery_max_ms');
  if (kind !== 'restart' || !load.restart) absent.push('restart_clients_not_back');
  if (kind !== 'restart' || !storm)
    absent.push('restart_storm_connections', 'restart_storm_requests', 'restart_storm_bytes', 'restart_storm_cpu_ms');
  return absent;
}

/**
 * What the broker cost over a run's window (`--broker redis`; bench/broker/plan-broker.ts reads it at
 * the window's edges). Only runs behind Redis have these figures: the memory broker is the publisher's
 * own process, whose lateness has its own metric. All are noisy (timings and memory); the stream's
 * length at the window's end depends on how many events were due by then.
 */
import { noisy } from '../metric-value.ts';
import type { Metric } from '../result-schema.ts';
import type { BrokerWindow } from './plan-broker.ts';

export function brokerMetrics(w: BrokerWindow | undefined) {
  return {
    // redis-server's CPU time over the wall time between the two readings: a fraction of one core.
    broker_cpu_fraction: noisy(w && w.wallMs > 0 ? w.cpuMs / w.wallMs : 0, 'fraction'),
    broker_rss_bytes: noisy(w?.rssBytes ?? 0, 'bytes'),
    broker_used_memory_bytes: noisy(w?.usedMemoryBytes ?? 0, 'bytes'),
    broker_stream_length: noisy(w?.streamLength ?? 0, 'events'),
  } satisfies Record<string, Metric>;
}

/** The broker metrics a run cannot have: every one without a broker, a memory reading that failed. */
export function absentBrokerKeys(w: BrokerWindow | undefined): (keyof ReturnType<typeof brokerMetrics>)[] {
  if (!w) return ['broker_cpu_fraction', 'broker_rss_bytes', 'broker_used_memory_bytes', 'broker_stream_length'];
  return [
    ...(w.rssBytes === null ? (['broker_rss_bytes'] as const) : []),
    ...(w.usedMemoryBytes === null ? (['broker_used_memory_bytes'] as const) : []),
  ];
}

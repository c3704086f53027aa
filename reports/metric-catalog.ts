/**
 * What every metric in a result means and how it is shown: label, display unit (and the factor from
 * the stored unit), number format and a one-sentence definition. The terminal table, the Markdown
 * summary, the HTML job table and the methods section all read this one list, so a metric is named
 * and defined the same way everywhere. Metrics a newer result has and this list lacks are still
 * shown, under their raw name and unit.
 */
import type { Metric } from '../bench/result-schema.ts';
import { fixed, int, sig3 } from './format.ts';

export type MetricGroup = 'latency' | 'delivery' | 'bytes' | 'requests' | 'connections' | 'server' | 'load';

export interface MetricInfo {
  key: string;
  label: string;
  /** Unit as displayed (after `scale`). */
  unit: string;
  /** Stored value x scale = displayed value (e.g. us -> ms is 0.001). */
  scale: number;
  format: (displayed: number) => string;
  group: MetricGroup;
  definition: string;
}

const m = (
  key: string,
  label: string,
  unit: string,
  scale: number,
  format: (v: number) => string,
  group: MetricGroup,
  definition: string,
): MetricInfo => ({ key, label, unit, scale, format, group, definition });
const US_TO_MS = 1 / 1000;
const B_TO_KIB = 1 / 1024;

export const METRICS: readonly MetricInfo[] = [
  m(
    'latency_p50_us',
    'latency p50',
    'ms',
    US_TO_MS,
    sig3,
    'latency',
    'Median delivery latency: publish time on the shared monotonic clock to the moment the client has parsed the event, including the wait for the next poll.',
  ),
  m('latency_p90_us', 'latency p90', 'ms', US_TO_MS, sig3, 'latency', '90th percentile delivery latency.'),
  m('latency_p99_us', 'latency p99', 'ms', US_TO_MS, sig3, 'latency', '99th percentile delivery latency.'),
  m('latency_p999_us', 'latency p99.9', 'ms', US_TO_MS, sig3, 'latency', '99.9th percentile delivery latency.'),
  m('latency_max_us', 'latency max', 'ms', US_TO_MS, sig3, 'latency', 'Slowest delivery in the window.'),
  m(
    'latency_mean_us',
    'latency mean',
    'ms',
    US_TO_MS,
    sig3,
    'latency',
    'Mean delivery latency (shown for completeness; percentiles describe the distribution better).',
  ),
  m(
    'events_expected',
    'events expected',
    'events',
    1,
    int,
    'delivery',
    'Events scheduled inside the measurement window times connected clients: what exactly-once delivery must produce.',
  ),
  m(
    'events_delivered',
    'events delivered',
    'events',
    1,
    int,
    'delivery',
    'Events from the window that reached a client (one event to one client counts once).',
  ),
  m(
    'events_lost',
    'events lost',
    'events',
    1,
    int,
    'delivery',
    'Expected events that never arrived within the drain time after the window.',
  ),
  m('events_duplicated', 'events duplicated', 'events', 1, int, 'delivery', 'Events a client received more than once.'),
  m(
    'events_out_of_order',
    'events out of order',
    'events',
    1,
    int,
    'delivery',
    'Events a client received after a later event.',
  ),
  m('loss_fraction', 'loss', '%', 100, fixed(2), 'delivery', 'Lost events as a share of expected events.'),
  m(
    'bytes_down_per_event',
    'bytes down / event',
    'B',
    1,
    fixed(0),
    'bytes',
    'Bytes read by the clients at the socket (server to client) in the window per event received in it, everything included: headers, framing, empty responses, payload.',
  ),
  m(
    'message_bytes_down_per_event',
    'message bytes down / event',
    'B',
    1,
    fixed(0),
    'bytes',
    'Of the bytes down, the encoded events themselves (JSON envelope and payload): equal to the size of one encoded event on every transport.',
  ),
  m(
    'overhead_bytes_down_per_event',
    'headers + framing down / event',
    'B',
    1,
    fixed(0),
    'bytes',
    "Bytes down that are not events: HTTP status lines and headers, a poll body's array syntax ([, ] and commas) and empty [] bodies, chunk and SSE framing, WebSocket frame headers.",
  ),
  m(
    'bytes_up_per_event',
    'bytes up / event',
    'B',
    1,
    fixed(0),
    'bytes',
    'Bytes written by the clients at the socket (client to server) per delivered event: poll requests, their headers, control frames.',
  ),
  m(
    'bytes_down_per_client_per_s',
    'bytes down / client / s',
    'B/s',
    1,
    fixed(0),
    'bytes',
    'Download rate of one client over the window.',
  ),
  m(
    'bytes_up_per_client_per_s',
    'bytes up / client / s',
    'B/s',
    1,
    fixed(0),
    'bytes',
    'Upload rate of one client over the window.',
  ),
  m(
    'server_bytes_out_per_event',
    'server bytes out / event',
    'B',
    1,
    fixed(0),
    'bytes',
    'Bytes the server wrote at its sockets per delivered event (cross-check of bytes down, counted on the other end).',
  ),
  m(
    'http_requests_per_event',
    'HTTP requests / event',
    'requests',
    1,
    fixed(2),
    'requests',
    'HTTP requests answered in the window (counted when the answer is complete, so a poll parked at an edge counts where its events arrive) per event received in it; 0 for a pushed stream once it is open.',
  ),
  m(
    'empty_responses_per_event',
    'empty responses / event',
    'responses',
    1,
    fixed(2),
    'requests',
    'Poll responses that carried no event, per delivered event: the polling that found nothing.',
  ),
  m(
    'http_requests_per_client_per_s',
    'HTTP requests / client / s',
    'requests/s',
    1,
    fixed(2),
    'requests',
    'Request rate of one client over the window.',
  ),
  m(
    'server_http_requests_per_event',
    'server HTTP requests / event',
    'requests',
    1,
    fixed(2),
    'requests',
    'HTTP requests the server saw per delivered event (cross-check, counted on the other end).',
  ),
  m(
    'tcp_connections_in_window',
    'TCP connects in window',
    'connections',
    1,
    int,
    'connections',
    'TCP connections the clients opened during the window (0 when keep-alive and persistent streams hold).',
  ),
  m(
    'ws_handshakes_in_window',
    'WebSocket handshakes in window',
    'handshakes',
    1,
    int,
    'connections',
    'WebSocket upgrades during the window (reconnects).',
  ),
  m(
    'connect_bytes_per_client',
    'connect bytes / client',
    'B',
    1,
    fixed(0),
    'connections',
    'Bytes up and down at the socket while one client connects, up to its first event; includes whatever the server already sent by then (an SSE replay, a first event), so it varies between runs and never gates a comparison.',
  ),
  m(
    'connect_p50_ms',
    'connect p50',
    'ms',
    1,
    sig3,
    'connections',
    'Median time for a client to open its connection (and stream or upgrade) while all clients connect at once.',
  ),
  m('connect_p99_ms', 'connect p99', 'ms', 1, sig3, 'connections', '99th percentile connect time.'),
  m(
    'first_event_p50_ms',
    'first event p50',
    'ms',
    1,
    fixed(0),
    'connections',
    'Median time from starting to connect to the first event received.',
  ),
  m(
    'first_event_p99_ms',
    'first event p99',
    'ms',
    1,
    fixed(0),
    'connections',
    '99th percentile time to the first event.',
  ),
  m(
    'server_cpu_ms_per_1000_events',
    'server CPU / 1000 events',
    'ms',
    1,
    sig3,
    'server',
    'Server process CPU time (user + system) during the window per 1,000 delivered events.',
  ),
  m(
    'server_cpu_fraction',
    'server CPU',
    '% of a core',
    100,
    fixed(0),
    'server',
    'Server CPU time over wall time during the window.',
  ),
  m(
    'server_event_loop_utilization',
    'server event loop busy',
    '%',
    100,
    fixed(0),
    'server',
    'Share of the window the server event loop was busy (above 90% the server is saturated).',
  ),
  m(
    'server_heap_per_client_bytes',
    'server heap / client',
    'KiB',
    B_TO_KIB,
    fixed(1),
    'server',
    'JS heap retained per connected client: heap after the run with clients still connected minus heap before any client, both after a full GC.',
  ),
  m(
    'server_rss_per_client_bytes',
    'server RSS / client',
    'KiB',
    B_TO_KIB,
    fixed(1),
    'server',
    'Resident memory per connected client, measured the same way as the heap (noisier: the allocator keeps freed pages).',
  ),
  m(
    'server_loop_delay_p99_us',
    'server loop delay p99',
    'ms',
    US_TO_MS,
    sig3,
    'server',
    '99th percentile event-loop delay in the server during the window, minus the 10 ms sampling resolution.',
  ),
  m(
    'publisher_lateness_p99_us',
    'publisher lateness p99',
    'ms',
    US_TO_MS,
    sig3,
    'server',
    'How late the feed published events against their schedule (latency is measured from the schedule, so lateness counts).',
  ),
  m(
    'publisher_lateness_max_us',
    'publisher lateness max',
    'ms',
    US_TO_MS,
    sig3,
    'server',
    'Worst publisher lateness in the window.',
  ),
  m(
    'feed_arrival_lag_p99_us',
    'feed arrival lag p99',
    'ms',
    US_TO_MS,
    sig3,
    'server',
    "How long after its scheduled time the server handed an event to its transports (publisher lateness, the hop from the publisher, and any wait behind a busy server loop): delivery latency beyond this is the server's fan-out and the transport's.",
  ),
  m(
    'load_cpu_fraction',
    'load generator CPU',
    '% of a core',
    100,
    fixed(0),
    'load',
    'Load-generator CPU over wall time; above 80% the client side limits the figures.',
  ),
  m(
    'load_loop_delay_p99_us',
    'load generator loop delay p99',
    'ms',
    US_TO_MS,
    sig3,
    'load',
    'Event-loop delay in the load generator: receive timestamps are late by about this much.',
  ),
];

const BY_KEY = new Map(METRICS.map((info) => [info.key, info]));

/** The catalog entry, or a plain one for a metric this version does not know. */
export function metricInfo(key: string, unit?: Metric['unit']): MetricInfo {
  return (
    BY_KEY.get(key) ??
    m(key, key.replace(/_/g, ' '), unit ?? '', 1, sig3, 'server', 'Not described by this version of pollbench.')
  );
}

/** A stored value formatted for display with the catalog's scale and format (no unit). */
export function formatMetric(key: string, stored: number): string {
  const info = metricInfo(key);
  return info.format(stored * info.scale);
}

/** "latency p50 (ms)": the label a table header or chart axis uses. */
export function labelWithUnit(key: string): string {
  const info = metricInfo(key);
  return info.unit ? `${info.label} (${info.unit})` : info.label;
}

/** Catalog order first, unknown metrics after, alphabetically: one stable order for every table. */
export function orderMetricKeys(keys: Iterable<string>): string[] {
  const present = new Set(keys);
  const known = METRICS.map((i) => i.key).filter((k) => present.has(k));
  const unknown = [...present].filter((k) => !BY_KEY.has(k)).sort();
  return [...known, ...unknown];
}

/**
 * The metric catalog: one entry per metric a run can have, with everything about it outside the
 * computation (bench/metrics.ts): its label, display unit (and the factor from the stored unit),
 * number format, one-sentence definition, where each output shows it, and how the regression gate
 * treats it. The console table, the Markdown summary, the HTML report (job table, matrix charts,
 * latency parts, methods), the baseline comparison, the CI exports and the gate's defaults all derive
 * their lists from here. `CATALOG` is typed by `MetricKey` (the keys deriveMetrics produces), so a
 * metric without an entry, or an entry without a metric, fails to compile.
 *
 * Metrics a newer result has and this version lacks are still shown, under their raw name and unit.
 */
import type { JobSummary } from './aggregate.ts';
import type { JobParams, Metric, MetricKey, RunMetrics } from '../bench/result-schema.ts';
import { fixed, int, pct, sig3 } from './format.ts';
import type { Workload } from '../bench/workload-params.ts';

/** The workloads with a resilience table: every one but the steady feed. */
export type ResilienceWorkload = Exclude<Workload['kind'], 'steady'>;

export type MetricGroup = 'latency' | 'delivery' | 'bytes' | 'requests' | 'connections' | 'server' | 'load';

/**
 * Positions (`row`, `column`, ...) order a metric within one output; gaps of 10 leave room to insert.
 * An absent field means the output does not show the metric.
 */
export interface MetricEntry {
  label: string;
  /** Unit as displayed (after `scale`). */
  unit: string;
  /** Stored value x scale = displayed value (e.g. us -> ms is 0.001). */
  scale: number;
  format: (displayed: number) => string;
  group: MetricGroup;
  definition: string;
  /** A row of the terminal table. */
  console?: {
    row: number;
    /** Defaults to the label with its unit, e.g. "latency p50 (ms)". */
    label?: string;
    /** Shown indented under the row above it, as a part of it. */
    indent?: boolean;
    /** Show the [min-max] range across runs (noisy figures). */
    range?: boolean;
    /** Formats the stored value (default: the display format of the scaled value). */
    format?: (stored: number) => string;
    /** The whole cell from the job summary, for a row that combines metrics. */
    cell?: (summary: JobSummary) => string;
    /** Left out of a table where no transport has the figure (TLS figures on a cleartext path). */
    onlyWhenMeasured?: boolean;
    /** Left out of a table where no job matches (resident memory where compression keeps zlib state). */
    onlyWhenJob?: (params: JobParams) => boolean;
  };
  /** A column of the Markdown job table (median of runs). */
  markdown?: { column: number; head: string };
  /** A chart in the HTML report's parameter-matrix section, in catalog order. */
  matrix?: {
    title: string;
    yTitle: string;
    /** The figure per run, already displayed (default: this metric, scaled). */
    perRun?: (metrics: RunMetrics) => number;
  };
  /**
   * A chart of its own among the HTML report's costs, after the bytes and requests charts: a bar per
   * transport (median of runs) with the range across runs, in `order`.
   */
  spreadChart?: { order: number; id: string; title: string; subtitle: string; axisTitle: string; caption: string };
  /** A column of the HTML latency-parts table. */
  latencyParts?: number;
  /** A column of the resilience tables (reports/resilience.ts), for jobs of these workloads. */
  resilience?: { workloads: readonly ResilienceWorkload[]; column: number };
  /** A column of the descriptive baseline comparison (`--baseline`). */
  baseline?: number;
  /** Exported to CI benchmark tools (github-action-benchmark, Bencher): worth tracking over time. */
  exported?: number;
  /**
   * The gate's built-in rule (bench/gate/config.ts); fields as in its config file. Absent: gated
   * with the global thresholds.
   */
  gate?: GateRule;
}

/** The per-metric settings of the gate's config file (bench/gate/config.ts metricRuleSchema). */
interface GateRule {
  gate?: boolean;
  minEffect?: number;
  minAbsolute?: number;
  tolerance?: number;
  absoluteTolerance?: number;
}

export interface MetricInfo extends MetricEntry {
  key: string;
}

const US_TO_MS = 1 / 1000;
const B_TO_KIB = 1 / 1024;

// Gate rules: the defaults come from this machine's same-code comparisons. Below these floors a change
// is noise (a few hundred microseconds of latency, a few CPU milliseconds per 1,000 events, a couple
// of KiB per client), and the harness's own figures (load generator, publisher, connection storms)
// describe the run, not the code under test, so they never fail the gate.
export const CATALOG = {
  latency_p50_us: {
    label: 'latency p50',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition:
      'Median delivery latency: publish time on the shared monotonic clock to the moment the client has parsed the event, including the wait for the next poll.',
    console: { row: 10, range: true },
    markdown: { column: 10, head: 'latency p50 (ms)' },
    matrix: { title: 'Median latency', yTitle: 'latency p50 (ms)' },
    latencyParts: 10,
    baseline: 10,
    exported: 10,
    gate: { minAbsolute: 300 },
  },
  latency_p90_us: {
    label: 'latency p90',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: '90th percentile delivery latency.',
    gate: { minAbsolute: 500 },
  },
  latency_p99_us: {
    label: 'latency p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: '99th percentile delivery latency.',
    console: { row: 20, range: true },
    markdown: { column: 20, head: 'latency p99 (ms)' },
    matrix: { title: 'Tail latency', yTitle: 'latency p99 (ms)' },
    latencyParts: 20,
    baseline: 20,
    exported: 20,
    gate: { minAbsolute: 1000 },
    resilience: { workloads: ['drops', 'restart', 'slow-readers'], column: 10 },
  },
  latency_p999_us: {
    label: 'latency p99.9',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: '99.9th percentile delivery latency.',
    gate: { gate: false },
  },
  latency_max_us: {
    label: 'latency max',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: 'Slowest delivery in the window.',
    console: { row: 30, range: true },
    gate: { gate: false },
  },
  latency_mean_us: {
    label: 'latency mean',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: 'Mean delivery latency (shown for completeness; percentiles describe the distribution better).',
    gate: { minAbsolute: 300 },
  },
  events_expected: {
    label: 'events expected',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'delivery',
    definition:
      'Events scheduled inside the measurement window times connected clients: what exactly-once delivery must produce.',
    // Counts that follow from the window and the audience, not from the code's efficiency.
    gate: { gate: false },
  },
  events_delivered: {
    label: 'events delivered',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'delivery',
    definition: 'Events from the window that reached a client (one event to one client counts once).',
    console: { row: 50, label: 'events delivered' },
    gate: { gate: false },
  },
  events_lost: {
    label: 'events lost',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'delivery',
    definition: 'Expected events that never arrived within the drain time after the window.',
    console: { row: 60, label: 'events lost' },
    markdown: { column: 70, head: 'lost' },
    exported: 70,
    // Any lost, duplicated or reordered event is a regression: tolerance zero.
    gate: { tolerance: 0, absoluteTolerance: 0 },
  },
  events_duplicated: {
    label: 'events duplicated',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'delivery',
    definition: 'Events a client received more than once.',
    console: {
      row: 70,
      label: 'duplicated + out of order',
      // One row for both: the worst run of each, added (any non-zero is a delivery bug).
      cell: (s) => {
        const d = s.metrics['events_duplicated'];
        const o = s.metrics['events_out_of_order'];
        return d && o ? int(d.max + o.max) : 'n/a';
      },
    },
    gate: { tolerance: 0, absoluteTolerance: 0 },
  },
  events_out_of_order: {
    label: 'events out of order',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'delivery',
    definition: 'Events a client received after a later event.',
    gate: { tolerance: 0, absoluteTolerance: 0 },
  },
  loss_fraction: {
    label: 'loss',
    unit: '%',
    scale: 100,
    format: fixed(2),
    group: 'delivery',
    definition: 'Lost events as a share of expected events.',
    gate: { tolerance: 0, absoluteTolerance: 0 },
    resilience: { workloads: ['slow-readers'], column: 20 },
  },
  bytes_down_per_event: {
    label: 'bytes down / event',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      'Bytes read by the clients at the socket (server to client) in the window per event received in it, everything included: headers, framing, empty responses, payload.',
    console: { row: 80 },
    markdown: { column: 30, head: 'bytes down / event' },
    matrix: {
      title: 'Bytes per delivered event, both ways',
      yTitle: 'bytes / event',
      perRun: (m) => (m.bytes_up_per_event?.value ?? Number.NaN) + (m.bytes_down_per_event?.value ?? Number.NaN),
    },
    baseline: 30,
    exported: 30,
  },
  message_bytes_down_per_event: {
    label: 'message bytes down / event',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      "Of the bytes down, the encoded events themselves as the client's application reads them: the JSON text (envelope and payload) or the binary record, as base64 text in SSE's binary data fields, after decompression where compression is on; one encoded event's size per event on every transport.",
  },
  overhead_bytes_down_per_event: {
    label: 'headers + framing down / event',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      "Bytes down that are not events: HTTP status lines and headers, a poll body's array syntax ([, ] and commas) and empty [] bodies, chunk and SSE framing, WebSocket frame headers. Not given where compression is on: events, headers and framing are deflated together.",
    console: { row: 90, label: 'of which headers+framing (B)', indent: true },
  },
  bytes_up_per_event: {
    label: 'bytes up / event',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      'Bytes written by the clients at the socket (client to server) per delivered event: poll requests, their headers, control frames.',
    console: { row: 100 },
    markdown: { column: 40, head: 'bytes up / event' },
    baseline: 40,
    exported: 40,
  },
  bytes_down_per_client_per_s: {
    label: 'bytes down / client / s',
    unit: 'B/s',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition: 'Download rate of one client over the window.',
  },
  bytes_up_per_client_per_s: {
    label: 'bytes up / client / s',
    unit: 'B/s',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition: 'Upload rate of one client over the window.',
  },
  // Idle cost (issue 12): only idle jobs have these (bench/idle-metrics.ts), and no per-event figure.
  idle_bytes_down_per_client_per_min: {
    label: 'idle bytes down / client / min',
    unit: 'B/min',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      'Idle workload (no event in the window): bytes one idle client read at its sockets per minute, all of it what holding the connection costs (empty poll answers, long-poll wait expiries, SSE comment lines, WebSocket pings).',
    console: { row: 103, onlyWhenMeasured: true },
    resilience: { workloads: ['idle'], column: 10 },
  },
  idle_bytes_up_per_client_per_min: {
    label: 'idle bytes up / client / min',
    unit: 'B/min',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      'Idle workload: bytes one idle client wrote at its sockets per minute (poll requests, WebSocket pongs; an SSE client sends nothing).',
    console: { row: 104, onlyWhenMeasured: true },
    resilience: { workloads: ['idle'], column: 20 },
  },
  idle_requests_per_client_per_min: {
    label: 'idle requests / client / min',
    unit: 'requests/min',
    scale: 1,
    format: fixed(1),
    group: 'requests',
    definition:
      'Idle workload: HTTP answers one idle client received per minute (60,000 / poll interval for short polling, 60,000 / wait for long polling; 0 for a stream).',
    console: { row: 105, onlyWhenMeasured: true },
    resilience: { workloads: ['idle'], column: 30 },
  },
  idle_keep_alives_per_client_per_min: {
    label: 'idle keep-alives / client / min',
    unit: '/min',
    scale: 1,
    format: fixed(1),
    group: 'connections',
    definition:
      "Idle workload: WebSocket pings or SSE comment lines the server sent one client per minute (the job's keep-alive setting; 0 for polling, whose keep-alive is its requests).",
    console: { row: 106, onlyWhenMeasured: true },
    gate: { gate: false },
    resilience: { workloads: ['idle'], column: 40 },
  },
  idle_server_cpu_ms_per_client_per_min: {
    label: 'idle server CPU / client / min',
    unit: 'ms/min',
    scale: 1,
    format: sig3,
    group: 'server',
    definition:
      "Idle workload: server CPU time (user + system) per idle client per minute, over the server's own window span.",
    console: { row: 107, onlyWhenMeasured: true, range: true },
    resilience: { workloads: ['idle'], column: 50 },
  },
  server_bytes_out_per_event: {
    label: 'server bytes out / event',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      'Bytes the server wrote at its sockets per delivered event (cross-check of bytes down, counted on the other end).',
    // A cross-check counted on the server: its window edges are read over IPC a moment apart from the
    // client's, so a response straddling an edge moves 1-2% between runs (measured). The client-side
    // bytes and requests per event are the gated figures.
    gate: { gate: false },
  },
  http_requests_per_event: {
    label: 'HTTP requests / event',
    unit: 'requests',
    scale: 1,
    format: fixed(2),
    group: 'requests',
    definition:
      'HTTP requests answered in the window (counted when the answer is complete, so a poll parked at an edge counts where its events arrive) per event received in it; 0 for a pushed stream once it is open.',
    console: { row: 110, label: 'HTTP requests / event' },
    markdown: { column: 50, head: 'HTTP requests / event' },
    matrix: { title: 'HTTP requests per delivered event', yTitle: 'requests / event' },
    baseline: 50,
    exported: 50,
    gate: { tolerance: 0.02 },
  },
  empty_responses_per_event: {
    label: 'empty responses / event',
    unit: 'responses',
    scale: 1,
    format: fixed(2),
    group: 'requests',
    definition: 'Poll responses that carried no event, per delivered event: the polling that found nothing.',
    console: { row: 120, label: 'empty responses / event' },
    exported: 60,
    // Polls that straddle an event by a few ms move an event between polls: requests and empty
    // responses per event wobble by about a percent at rates near the poll frequency.
    gate: { tolerance: 0.05, absoluteTolerance: 0.02 },
  },
  http_requests_per_client_per_s: {
    label: 'HTTP requests / client / s',
    unit: 'requests/s',
    scale: 1,
    format: fixed(2),
    group: 'requests',
    definition: 'Request rate of one client over the window.',
    gate: { tolerance: 0.02 },
  },
  server_http_requests_per_event: {
    label: 'server HTTP requests / event',
    unit: 'requests',
    scale: 1,
    format: fixed(2),
    group: 'requests',
    definition: 'HTTP requests the server saw per delivered event (cross-check, counted on the other end).',
    // A cross-check counted on the server, like server_bytes_out_per_event.
    gate: { gate: false },
  },
  tcp_connections_in_window: {
    label: 'TCP connects in window',
    unit: 'connections',
    scale: 1,
    format: int,
    group: 'connections',
    definition: 'TCP connections the clients opened during the window (0 when keep-alive and persistent streams hold).',
    console: { row: 130, label: 'TCP connects in window' },
    // Connection churn in the window: one more reconnect is a regression.
    gate: { absoluteTolerance: 0 },
  },
  ws_handshakes_in_window: {
    label: 'WebSocket handshakes in window',
    unit: 'handshakes',
    scale: 1,
    format: int,
    group: 'connections',
    definition: 'WebSocket upgrades during the window (reconnects).',
    gate: { absoluteTolerance: 0 },
  },
  connect_bytes_per_client: {
    label: 'connect bytes / client',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'connections',
    definition:
      'Bytes up and down at the socket while one client connects, up to its first event; includes whatever the server already sent by then (an SSE replay, a first event), so it varies between runs and never gates a comparison.',
    // Bytes before the first event include whatever the server had already sent when it was counted
    // (an SSE replay, a first event in the same read): same code, 90% apart between runs (measured).
    gate: { gate: false },
  },
  connect_p50_ms: {
    label: 'connect p50',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      'Median time for a client to open its connection (and stream or upgrade) while all clients connect at once.',
    console: { row: 140, range: true },
    gate: { gate: false },
  },
  connect_p99_ms: {
    label: 'connect p99',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition: '99th percentile connect time.',
    gate: { gate: false },
  },
  first_event_p50_ms: {
    label: 'first event p50',
    unit: 'ms',
    scale: 1,
    format: fixed(0),
    group: 'connections',
    definition: 'Median time from starting to connect to the first event received.',
    console: { row: 150 },
    gate: { gate: false },
  },
  tls_handshake_bytes_per_connection: {
    label: 'TLS handshake / connection',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'connections',
    definition:
      "Socket bytes up and down of one TLS handshake (ClientHello to the client's Finished), mean over every connection of the run, resumed ones included; session tickets sent after it are not in it. Cleartext paths have none.",
    console: { row: 145, onlyWhenMeasured: true },
    gate: { absoluteTolerance: 16 },
  },
  tls_handshake_mean_ms: {
    label: 'TLS handshake time',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      'Mean time from TCP connect to the end of the TLS handshake, over every connection of the run (through the emulated network, it includes its round trips).',
    console: { row: 146, indent: true, onlyWhenMeasured: true },
    gate: { gate: false },
  },
  tls_resumed_fraction: {
    label: 'TLS sessions resumed',
    unit: '%',
    scale: 100,
    format: fixed(0),
    group: 'connections',
    definition: "Share of the run's TLS handshakes that resumed an earlier session (reconnects offer the last one).",
    gate: { gate: false },
  },
  upstream_bytes_up_per_message: {
    label: 'upstream bytes up / message',
    unit: 'B',
    scale: 1,
    format: fixed(1),
    group: 'bytes',
    definition:
      "Jobs whose clients also send (an upstream workload): socket bytes of one message on its way up, mean over the window's echoed messages. A WebSocket frame (masked: 4 bytes more than the same frame down, RFC 6455), or a POST on the client's second kept-alive HTTP/1.1 connection (request line, headers, body). Taken off the feed's bytes up per event.",
    console: { row: 101, onlyWhenMeasured: true },
    gate: { absoluteTolerance: 8 },
  },
  upstream_bytes_down_per_echo: {
    label: 'upstream bytes down / echo',
    unit: 'B',
    scale: 1,
    format: fixed(1),
    group: 'bytes',
    definition:
      "Socket bytes of the server's answer to one message (the echo frame, or the POST's response), mean over the window's echoes; taken off the feed's bytes down per event. Not measurable for WebSocket under TLS or permessage-deflate, where echo and feed frames share records or deflate state (then neither figure is shown).",
    console: { row: 102, indent: true, onlyWhenMeasured: true },
    gate: { absoluteTolerance: 8 },
  },
  upstream_one_way_p50_us: {
    label: 'upstream one-way p50',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition:
      "Median time from a client's send to the server having read the message (the server stamps it on the same monotonic clock), over messages sent in the window.",
    console: { row: 41, onlyWhenMeasured: true, range: true },
    gate: { gate: false },
  },
  upstream_one_way_p99_us: {
    label: 'upstream one-way p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: "99th percentile of the time from a client's send to the server having read the message.",
    gate: { gate: false },
  },
  echo_round_trip_p50_us: {
    label: 'echo round trip p50',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition:
      "Median time from a client's send to its echo received (the WebSocket API's ws.send() then onmessage; a fetch POST and its answer), over messages sent in the window.",
    console: { row: 42, onlyWhenMeasured: true, range: true },
    gate: { gate: false },
  },
  echo_round_trip_p99_us: {
    label: 'echo round trip p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: "99th percentile of the time from a client's send to its echo received.",
    console: { row: 43, indent: true, onlyWhenMeasured: true, range: true },
    gate: { gate: false },
  },
  server_connections_per_client: {
    label: 'server connections / client',
    unit: 'connections',
    scale: 1,
    format: fixed(2),
    group: 'connections',
    definition:
      'TCP connections the server accepted from the first client connect to the end of the drain, per connected client: 1 when every client holds its own keep-alive connection, below 1 when a proxy in front pools them.',
    console: { row: 147, onlyWhenMeasured: true },
    gate: { gate: false },
  },
  first_event_p99_ms: {
    label: 'first event p99',
    unit: 'ms',
    scale: 1,
    format: fixed(0),
    group: 'connections',
    definition: '99th percentile time to the first event.',
    gate: { gate: false },
  },
  proxy_cpu_ms_per_1000_events: {
    label: 'proxy CPU / 1000 events',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'server',
    definition:
      "The reverse proxy's CPU time (nginx master and workers, user + system, from /proc in 10 ms ticks) during the window per 1,000 delivered events: what the proxy took over from the server (TLS, HTTP parsing) is here, not free.",
    console: { row: 161, indent: true, range: true, onlyWhenMeasured: true },
    gate: { gate: false },
  },
  server_cpu_ms_per_1000_events: {
    label: 'server CPU / 1000 events',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'server',
    definition:
      'Server process CPU time (user + system) during the window per 1,000 delivered events; in a job whose clients also send messages, answering them is included (the per-message figures are beside it).',
    console: { row: 160, range: true },
    markdown: { column: 60, head: 'server CPU ms / 1000 events' },
    matrix: { title: 'Server CPU per 1,000 delivered events', yTitle: 'CPU ms / 1000 events' },
    spreadChart: {
      order: 1,
      id: 'server-cpu',
      title: 'Server CPU per 1,000 delivered events',
      subtitle: 'bar: median of runs; line: min to max across runs',
      axisTitle: 'CPU ms per 1000 events',
      caption:
        'Server process CPU (user + system) during the window, divided by delivered events. Lower is cheaper to serve.',
    },
    baseline: 60,
    exported: 80,
    gate: { minAbsolute: 5 },
  },
  server_cpu_fraction: {
    label: 'server CPU',
    unit: '% of a core',
    scale: 100,
    format: fixed(0),
    group: 'server',
    definition: 'Server CPU time over wall time during the window.',
    console: { row: 170, label: 'server CPU (share of a core)', format: pct, range: true },
    gate: { gate: false },
  },
  server_event_loop_utilization: {
    label: 'server event loop busy',
    unit: '%',
    scale: 100,
    format: fixed(0),
    group: 'server',
    definition: 'Share of the window the server event loop was busy (above 90% the server is saturated).',
    gate: { gate: false },
  },
  server_heap_per_client_bytes: {
    label: 'server heap / client',
    unit: 'KiB',
    scale: B_TO_KIB,
    format: fixed(1),
    group: 'server',
    definition:
      'JS heap retained per connected client: heap after the run with clients still connected minus heap before any client, both after a full GC.',
    console: { row: 180 },
    matrix: { title: 'Server memory per client', yTitle: 'heap KiB / client' },
    spreadChart: {
      order: 2,
      id: 'server-memory',
      title: 'Server memory per connected client',
      subtitle: 'JS heap retained per client after a full GC; bar: median, line: min to max',
      axisTitle: 'heap KiB per client',
      caption:
        'Heap after the run with all clients still connected, minus heap before any client connected, both after a full GC, divided by clients. Small values (a few KiB) are within noise at 50 clients.',
    },
    baseline: 70,
    exported: 90,
    gate: { minEffect: 0.25, minAbsolute: 4096 },
  },
  server_rss_per_client_bytes: {
    label: 'server RSS / client',
    unit: 'KiB',
    scale: B_TO_KIB,
    format: fixed(1),
    group: 'server',
    definition:
      "Resident memory per connected client, measured the same way as the heap (noisier: the allocator keeps freed pages). The console shows it where compression is on: zlib's deflate state (about 256 KiB a connection, context takeover or not) lives outside V8's heap.",
    console: { row: 181, indent: true, onlyWhenJob: (p) => p.compression !== 'off' },
    gate: { gate: false },
  },
  server_loop_delay_p99_us: {
    label: 'server loop delay p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'server',
    definition:
      '99th percentile event-loop delay in the server during the window, minus the 10 ms sampling resolution.',
    console: { row: 190 },
    latencyParts: 60,
    gate: { gate: false },
  },
  publisher_lateness_p99_us: {
    label: 'publisher lateness p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'server',
    definition:
      'How late the feed published events against their schedule (latency is measured from the schedule, so lateness counts).',
    // Latency counts from the schedule: a late publisher adds to every transport alike.
    console: { row: 40, label: 'publisher late p99 (ms)', indent: true, range: true },
    latencyParts: 30,
    gate: { gate: false },
  },
  publisher_lateness_max_us: {
    label: 'publisher lateness max',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'server',
    definition: 'Worst publisher lateness in the window.',
    latencyParts: 40,
    gate: { gate: false },
  },
  feed_arrival_lag_p50_us: {
    label: 'feed arrival lag p50',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'server',
    definition:
      'Median of the feed arrival lag (below): with --broker redis, compared with the same job on the memory broker, what the hop through Redis adds before the fan-out starts.',
    latencyParts: 45,
    gate: { gate: false },
  },
  feed_arrival_lag_p99_us: {
    label: 'feed arrival lag p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'server',
    definition:
      "How long after its scheduled time the server handed an event to its transports (publisher lateness, the hop from the publisher, and any wait behind a busy server loop): delivery latency beyond this is the server's fan-out and the transport's.",
    latencyParts: 50,
    gate: { gate: false },
  },
  // Behind a broker (--broker redis, bench/broker/): what redis-server cost over the window; only redis jobs have these.
  broker_cpu_fraction: {
    label: 'broker CPU',
    unit: '% of a core',
    scale: 100,
    format: fixed(1),
    group: 'server',
    definition:
      "--broker redis: redis-server's CPU time (user + system, from /proc in 10 ms ticks) over the wall time between the readings at the window's edges: the appends of the publisher and the reads of the server, trimming included.",
    console: { row: 175, label: 'broker CPU (share of a core)', format: pct, range: true, onlyWhenMeasured: true },
    latencyParts: 70,
    gate: { gate: false },
  },
  broker_rss_bytes: {
    label: 'broker RSS',
    unit: 'MiB',
    scale: 1 / (1024 * 1024),
    format: sig3,
    group: 'server',
    definition:
      "--broker redis: redis-server's resident memory (/proc VmRSS) at the window's end; one redis-server serves the whole plan, so it includes what earlier runs left in its allocator.",
    console: { row: 176, indent: true, onlyWhenMeasured: true },
    gate: { gate: false },
  },
  broker_used_memory_bytes: {
    label: 'broker used memory',
    unit: 'MiB',
    scale: 1 / (1024 * 1024),
    format: sig3,
    group: 'server',
    definition:
      "--broker redis: Redis' own count of the memory it holds (INFO memory used_memory) at the window's end: the run's stream (the previous feed's is deleted when the next opens) and its fixed overhead.",
    gate: { gate: false },
  },
  broker_stream_length: {
    label: 'broker stream length',
    unit: 'events',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      "--broker redis: entries in the run's stream at the window's end (XLEN): every event published so far, at most the ring capacity the stream is trimmed to.",
    gate: { gate: false },
  },
  // A soak (--soak, bench/soak.ts): growth after the first minute; only soak runs have these.
  soak_rss_growth: {
    label: 'soak RSS growth',
    unit: '%',
    scale: 100,
    format: fixed(1),
    group: 'server',
    definition:
      "Soak: growth of the server's resident memory (after a full GC) after the first minute (half the soak when shorter), as the rise of a least-squares line through the samples over its value at the first; 5% or more is warned about.",
    console: { row: 191, onlyWhenMeasured: true },
  },
  soak_heap_growth: {
    label: 'soak heap growth',
    unit: '%',
    scale: 100,
    format: fixed(1),
    group: 'server',
    definition: "Soak: growth of the server's used JavaScript heap (after a full GC) over the same span as RSS growth.",
    console: { row: 192, onlyWhenMeasured: true },
  },
  soak_active_resources_growth: {
    label: 'soak handle growth',
    unit: 'handles',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      "Soak: change in the server's active handles and requests (process.getActiveResourcesInfo(): sockets, timers) over the same span as RSS growth.",
    console: { row: 193, onlyWhenMeasured: true },
  },
  load_cpu_fraction: {
    label: 'load generator CPU',
    unit: '% of a core',
    scale: 100,
    format: fixed(0),
    group: 'load',
    definition:
      'Load-generator CPU over wall time; above 80% the client side limits the figures. With several load processes (or agents) it is the busiest one, the one that saturates first.',
    console: { row: 200, label: 'load generator CPU', format: pct },
    gate: { gate: false },
  },
  load_cpu_total_fraction: {
    label: 'load generator CPU, all processes',
    unit: '% of a core',
    scale: 100,
    format: fixed(0),
    group: 'load',
    definition:
      'CPU over wall time summed over every load process and agent (1 = one core busy): what the clients cost, which the million-client projection scales. Equal to load generator CPU with one load process.',
    gate: { gate: false },
  },
  load_loop_delay_p99_us: {
    label: 'load generator loop delay p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'load',
    definition: 'Event-loop delay in the load generator: receive timestamps are late by about this much.',
    gate: { gate: false },
  },
  // Resilience workloads (issue 12): forced drops (bench/load/drops.ts) and the server restart
  // (bench/restart.ts, bench/load/restart-recovery.ts). Only runs of those workloads have them. They
  // describe how the transport recovers, so the gate leaves them out except delivery.
  catch_up_delivered_fraction: {
    label: 'delivered after catch-up',
    unit: '%',
    scale: 100,
    format: fixed(2),
    group: 'delivery',
    definition:
      "Jobs with forced drops or a server restart: of the events scheduled in the window times the measured clients, the share delivered once the drain ended (the delivery check's delivered / expected; duplicates and out-of-order events are counted apart and never add to it). 100% while the feed's ring still holds what a resuming client asks for.",
    resilience: { workloads: ['drops', 'restart'], column: 5 },
  },
  drops_performed: {
    label: 'forced drops',
    unit: 'drops',
    scale: 1,
    format: int,
    group: 'connections',
    definition:
      'Connections reset (TCP RST) by the forced-drops workload during the window: every interval, a share of the clients picked by a seeded PRNG among those connected, online and back from their last drop.',
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 30 },
  },
  drops_reconnected: {
    label: 'drops reconnected',
    unit: 'drops',
    scale: 1,
    format: int,
    group: 'connections',
    definition:
      "Forced drops after which the server had answered the client again by the end of the drain (WebSocket open, SSE stream headers, a poll's answer; not a TCP connect, which an emulated path or proxy accepts on the server's behalf).",
    gate: { gate: false },
  },
  drops_unrecovered: {
    label: 'drops not recovered',
    unit: 'drops',
    scale: 1,
    format: int,
    group: 'delivery',
    definition: 'Forced drops after which the client had received no new event by the end of the drain.',
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 40 },
  },
  catch_up_latency_p50_us: {
    label: 'catch-up latency p50',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition:
      "Forced drops: median publish-to-receive time of the window's events emitted while their client was offline (from the reset to the end of its offline time), first receipt only. At least the rest of the offline time, plus the reconnect and the catch-up itself.",
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 50 },
  },
  catch_up_latency_p99_us: {
    label: 'catch-up latency p99',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: '99th percentile of the catch-up latency (events emitted while their client was offline).',
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 60 },
  },
  catch_up_latency_max_us: {
    label: 'catch-up latency max',
    unit: 'ms',
    scale: US_TO_MS,
    format: sig3,
    group: 'latency',
    definition: 'Longest catch-up latency (events emitted while their client was offline).',
    gate: { gate: false },
  },
  drop_reconnect_p50_ms: {
    label: 'reconnect after drop p50',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      "Forced drops: median time from the client's first connection attempt after its offline time (short polling: its next scheduled poll) to the server's first answer (WebSocket open, SSE stream headers, a poll's answer).",
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 70 },
  },
  drop_first_event_p50_ms: {
    label: 'first event after drop p50',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'latency',
    definition:
      "Forced drops: median time from the client's first connection attempt after its offline time to the first new event it received.",
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 80 },
  },
  drop_first_event_max_ms: {
    label: 'first event after drop max',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'latency',
    definition:
      "Forced drops: longest time from the client's first connection attempt after its offline time to the first new event it received.",
    gate: { gate: false },
  },
  drop_reconnect_bytes: {
    label: 'bytes per reconnect',
    unit: 'B',
    scale: 1,
    format: fixed(0),
    group: 'bytes',
    definition:
      "Forced drops: what reconnecting cost beyond the events it brought back, mean over the drops after which an event came: socket bytes (TCP payload, up + down, of the feed's connections) from the client's first attempt after its offline time until the read carrying its first new event had been handled, less the bytes of the events read in that span: the new connection's handshakes (TLS, WebSocket upgrade, HTTP request and response head), the requests, and the framing of the events read by then.",
    gate: { gate: false },
    resilience: { workloads: ['drops'], column: 90 },
  },
  restart_down_ms: {
    label: 'server down',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'server',
    definition:
      "Server restart: from the SIGKILL to the new process calling listen() on the same port (the requested down time plus the new process's start-up).",
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 30 },
  },
  restart_recovery_p50_ms: {
    label: 'back after restart p50',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      "Server restart: median, over the clients that came back, of the time from just before the new server calls listen() to the client reading its first answer to a request sent (or a connection attempt begun) after the kill (WebSocket open, SSE stream headers, a poll's answer); an answer the killed server wrote, read late, does not count. Clients retry every reconnect delay, short polling at its next scheduled poll, and a long poll is answered at the next event.",
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 40 },
  },
  restart_recovery_p95_ms: {
    label: 'back after restart p95',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      'Server restart: 95th percentile (nearest rank) of the time from just before the new server calls listen() to each client reading its first answer to a request sent after the kill.',
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 50 },
  },
  restart_recovery_max_ms: {
    label: 'back after restart max',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'connections',
    definition:
      'Server restart: time from just before the new server calls listen() until the last client that came back read its first answer to a request sent after the kill.',
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 60 },
  },
  restart_clients_not_back: {
    label: 'clients not back',
    unit: 'clients',
    scale: 1,
    format: int,
    group: 'connections',
    definition:
      'Server restart: measured clients with no answer to a request sent after the kill (so from the new server) by the end of the drain.',
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 70 },
  },
  restart_storm_connections: {
    label: 'storm TCP accepts',
    unit: 'connections',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      'Server restart: TCP connections the new server process accepted in its first 2 s after listen() (the reconnect storm).',
    gate: { gate: false },
  },
  restart_storm_requests: {
    label: 'storm requests',
    unit: 'requests',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      'Server restart: HTTP requests plus WebSocket handshakes the new server process counted in its first 2 s after listen(): the reconnects, and the ordinary polls of those seconds.',
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 80 },
  },
  restart_storm_bytes: {
    label: 'storm bytes',
    unit: 'B',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      "Server restart: socket bytes in + out of the new server process's client connections in its first 2 s after listen(): handshakes, requests, the clients' catch-up and the live events of those seconds.",
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 90 },
  },
  restart_storm_cpu_ms: {
    label: 'storm server CPU',
    unit: 'ms',
    scale: 1,
    format: sig3,
    group: 'server',
    definition:
      'Server restart: CPU time of the new server process from its ready (start-up excluded) to 2 s after listen(): what the reconnect storm and the catch-up cost it.',
    gate: { gate: false },
    resilience: { workloads: ['restart'], column: 100 },
  },
  slow_readers_dropped: {
    label: 'slow readers dropped',
    unit: 'clients',
    scale: 1,
    format: int,
    group: 'server',
    definition:
      "Slow-readers jobs: clients the server dropped for leaving more than its slow-consumer limit unread (WebSocket close 1013, SSE end of stream; servers/slow-consumer.ts). Polling clients are never dropped: an unread answer is one answer. Drops beyond the slow readers' own count are measured clients, and a warning says so.",
    gate: { gate: false },
    resilience: { workloads: ['slow-readers'], column: 30 },
  },
  server_buffered_peak_bytes: {
    label: 'most queued for one client',
    unit: 'KiB',
    scale: 1 / 1024,
    format: sig3,
    group: 'server',
    definition:
      "WebSocket and SSE: the most bytes the server ever held queued in user space for one client (ws bufferedAmount, the response's writableLength; servers/slow-consumer.ts). The slow-consumer limit bounds it, plus one frame: the per-client memory bound.",
    gate: { gate: false },
    resilience: { workloads: ['slow-readers'], column: 35 },
  },
  server_rss_growth_bytes: {
    label: 'server RSS growth',
    unit: 'MiB',
    scale: 1 / (1024 * 1024),
    format: fixed(1),
    group: 'server',
    definition:
      "The server's resident memory after the drain less before the first client connected (every job but a restart's, whose two processes have no common baseline). With slow readers, what they add is bounded by their count times the slow-consumer limit (and a frame each), read against the same cell's steady job; the readers are dropped before the drain, so this is what stayed, not the peak.",
    gate: { gate: false },
    resilience: { workloads: ['slow-readers'], column: 40 },
  },
} satisfies Record<MetricKey, MetricEntry>;

/** Every entry with its key, in catalog order (the order of the job table and the glossary). */
export const METRICS: readonly MetricInfo[] = Object.entries(CATALOG).map(([key, entry]) => ({ key, ...entry }));

const BY_KEY = new Map(METRICS.map((info) => [info.key, info]));

/** The keys an output shows, ordered by their position in it. */
function shownIn(position: (info: MetricInfo) => number | undefined): MetricKey[] {
  return METRICS.filter((info) => position(info) !== undefined)
    .sort((a, b) => position(a)! - position(b)!)
    .map((info) => info.key as MetricKey);
}

export const CONSOLE_ROWS = shownIn((i) => i.console?.row);
export const MARKDOWN_COLUMNS = shownIn((i) => i.markdown?.column);
export const MATRIX_CHARTS = METRICS.filter((i) => i.matrix).map((i) => i.key as MetricKey);
export const LATENCY_PARTS = shownIn((i) => i.latencyParts);
export const SPREAD_CHARTS = shownIn((i) => i.spreadChart?.order);
export const BASELINE_METRICS = shownIn((i) => i.baseline);
export const EXPORTED_METRICS = shownIn((i) => i.exported);

/** The gate's built-in per-metric rules, by key. */
export const GATE_RULES: Record<string, GateRule> = Object.fromEntries(
  METRICS.flatMap((info) => (info.gate ? [[info.key, info.gate]] : [])),
);

/** The entry of a metric this version knows. */
export const entryOf = (key: MetricKey): MetricInfo => BY_KEY.get(key)!;

/** The catalog entry, or a plain one for a metric this version does not know. */
export function metricInfo(key: string, unit?: Metric['unit']): MetricInfo {
  return (
    BY_KEY.get(key) ?? {
      key,
      label: key.replace(/_/g, ' '),
      unit: unit ?? '',
      scale: 1,
      format: sig3,
      group: 'server',
      definition: 'Not described by this version of pollbench.',
    }
  );
}

/** A stored value formatted for display with the catalog's scale and format (no unit). */
export function formatMetric(key: string, stored: number): string {
  const info = metricInfo(key);
  return info.format(stored * info.scale);
}

/**
 * Stored -> displayed by dividing by the inverse of the scale (us / 1000), as the console and the
 * matrix charts always did, where the tables and exports multiply by the scale (us x 0.001). The two
 * differ in the last bit, which decides a rounding tie (175 us reads 0.17 one way, 0.18 the other);
 * kept apart so that no printed number moves in this refactor.
 */
export function divideToDisplay(info: MetricInfo, stored: number): number {
  return info.scale < 1 ? stored / (1 / info.scale) : stored * info.scale;
}

/** "latency p50 (ms)": the label a table header or chart axis uses (`unit`: the stored one, for an unknown metric). */
export function labelWithUnit(key: string, unit?: Metric['unit']): string {
  const info = metricInfo(key, unit);
  return info.unit ? `${info.label} (${info.unit})` : info.label;
}

/** Catalog order first, unknown metrics after, alphabetically: one stable order for every table. */
export function orderMetricKeys(keys: Iterable<string>): string[] {
  const present = new Set(keys);
  const known = METRICS.map((i) => i.key).filter((k) => present.has(k));
  const unknown = [...present].filter((k) => !BY_KEY.has(k)).sort();
  return [...known, ...unknown];
}

/**
 * Turns one run's raw measurements (the load generator's window report and the server's stats at
 * the window edges) into named metrics with units and direction. Definitions: README "Metrics".
 * "Per event" always means per *delivered* event (one event reaching one client), and every
 * per-event ratio divides quantities of the same deliveries: the bytes, answers and CPU of the
 * counting window over the events that arrived in that same window (`window.eventsReceived`). The
 * delivery check (lost, duplicated, latency) instead follows the events *scheduled* in the window
 * wherever they arrive, drain included. The two sets are the same events on an idle machine and
 * different ones when delivery lags (at saturation a window receives events scheduled seconds
 * earlier): dividing one set's bytes by the other's count was off by up to a third there.
 *
 * The server's figures come from its own snapshots, taken over IPC just before the load generator
 * opens its window and just after it closes it: a slightly longer span, and longer still when a
 * saturated server answers late. So server figures per event are its rate over its own span times
 * the load generator's span (exact when the rate is steady, as it is in a window), divided by the
 * events received in that span.
 */
import { exact, noisy } from './metric-value.ts';
import { TRANSPORT_TRAITS } from '../servers/contract/transport-traits.ts';
import type { LoadReport } from './load/ipc.ts';
import { busiestProcess, loadCpuTotal } from './load/merge-reports.ts';
import type { ServerStats } from '../servers/contract/server-ipc.ts';
import type { LagSummary } from '../servers/contract/lag.ts';
import type { Audit, JobParams, Metric, RunWarning, Unit } from './result-schema.ts';
import { warn } from './warnings.ts';
import { limitFigures } from './limit-figures.ts';
import { absentResilienceKeys, resilienceMetrics } from './resilience-metrics.ts';
import type { StormFigures } from './restart.ts';
import { idleMetrics } from './idle-metrics.ts';
import { soakMetrics, soakWarnings, type SoakSeries } from './soak.ts';
import { absentBrokerKeys, brokerMetrics } from './broker/broker-metrics.ts';
import type { BrokerWindow } from './broker/plan-broker.ts';

export interface ServerWindow {
  /** After the JIT prewarm, before any client connected, after a full GC: the memory baseline. */
  idle: ServerStats;
  start: ServerStats;
  end: ServerStats;
  /** After the drain, clients still connected, after a full GC: retained memory. */
  retained: ServerStats;
  /** How late the publisher process ran over the same window (it publishes from outside the server). */
  publisher?: LagSummary;
  /**
   * A reverse proxy in front of the server: its CPU time over its own span between readings at the
   * window's edges. Work it takes from the server (TLS, parsing) must not read as free.
   */
  proxy?: { cpuMs: number; wallMs: number };
  /** Workload `restart`: what the reconnecting clients cost the new server process (bench/restart.ts). */
  storm?: StormFigures;
  /** A soak's samples through the window (bench/soak.ts); absent for an ordinary run. */
  soak?: SoakSeries;
  /** `--broker redis`: what redis-server cost over the window (bench/broker/plan-broker.ts). */
  broker?: BrokerWindow;
}

/** The server's event-loop utilisation between two of its snapshots (0 when no time passed). */
export function eluBetween(a: ServerStats, b: ServerStats): number {
  const active = b.process.eluActiveMs - a.process.eluActiveMs;
  const idle = b.process.eluIdleMs - a.process.eluIdleMs;
  return active + idle > 0 ? active / (active + idle) : 0;
}

/** The run's window edges and whole-run socket totals (client side after close, server side after that). */
export function auditOf(serverPort: number, clientPort: number, load: LoadReport, serverFinal: ServerStats): Audit {
  const c = load.runTotals;
  const s = serverFinal.counters;
  return {
    serverPort,
    ...(clientPort !== serverPort ? { clientPort } : {}),
    windowStartNs: load.startNs,
    windowEndNs: load.endNs,
    countedUntilNs: load.countedUntilNs,
    eventsReceived: load.window.eventsReceived,
    clientRun: {
      bytesUp: c.bytesUp,
      bytesDown: c.bytesDown,
      tcpConnects: c.tcpConnects,
      httpRequests: c.httpRequests,
      wsHandshakes: c.wsHandshakes,
      eventsReceived: c.eventsReceived,
    },
    serverRun: {
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      tcpAccepted: s.tcpAccepted,
      httpRequests: s.httpRequests,
      wsHandshakes: s.wsHandshakes,
    },
  };
}

/** Units of the figures that divide by the events received in the window. */
const PER_EVENT_UNITS = new Set<Unit>(['bytes/event', 'requests/event', 'cpu-ms/1000 events']);

/** Figures an idle run has no data for: it delivers no event (bench/idle-metrics.ts has its own). */
const IDLE_ABSENT = /^(latency_|first_event_)/;

/** Above this share of one core, the load generator's own limits start to show in the figures. */
export const LOAD_SATURATION_FRACTION = 0.8;
/** Above this event-loop utilisation the server is saturated: its latency is queueing, not transport. */
export const SERVER_SATURATION_ELU = 0.9;
/** Publisher lateness worth a warning: it shows up as latency on every transport. */
const PUBLISHER_LATE_WARN_US = 10_000;

export function deriveMetrics(params: JobParams, load: LoadReport, server: ServerWindow) {
  const d = load.delivery;
  const w = load.window;
  // TLS handshakes happen at connect, before the window: their figures are over the whole run.
  const run = load.runTotals;
  const received = w.eventsReceived;
  const perEvent = (x: number) => x / Math.max(1, received);
  // The span the window's counters cover (from the reading at its start to the one at its end).
  const windowS = Number(BigInt(load.countedUntilNs) - BigInt(load.startNs)) / 1e9;
  // Per client means per measured client: those that did not connect by the deadline were left out.
  const measuredClients = Math.max(1, load.clientsConnected);
  const perClientPerS = (x: number) => x / measuredClients / windowS;
  const lat = load.latency.summary;

  const s0 = server.start;
  const s1 = server.end;
  // NaN only until the deletes below: without the figure the metric is absent.
  const arrivalLag = s1.feed?.upstream?.arrivalLag;
  // The most bytes the server held queued for one client: a push transport's gauge (servers/slow-consumer.ts).
  const bufferedPeakBytes: number | undefined = s1.gauges['clientBufferedPeakBytes'];
  const cpuMs = (s1.process.cpuUserUs + s1.process.cpuSystemUs - s0.process.cpuUserUs - s0.process.cpuSystemUs) / 1000;
  const serverWallMs = Number(BigInt(s1.process.atNs) - BigInt(s0.process.atNs)) / 1e6;
  const serverBytesOut = s1.counters.bytesOut - s0.counters.bytesOut;
  const serverRequests = s1.counters.httpRequests - s0.counters.httpRequests;
  // A server quantity over its own span, scaled to the load generator's span (see the header).
  const toClientSpan = serverWallMs > 0 ? (windowS * 1000) / serverWallMs : 1;
  const serverPerEvent = (x: number) => perEvent(x * toClientSpan);
  const lateness = server.publisher;
  // Upstream messages and their echoes travel beside the feed: the per-event figures are the feed's
  // alone, so their socket bytes (counted exactly by the clients: a connection of their own, or frames
  // of their own; bench/clients/upstream-sender.ts) come off, and the server's POSTs off its requests.
  // Read live like bytesUp/bytesDown (not at the latest echo), so a message in flight at an edge comes
  // off the same side of it as its bytes went on.
  const feedBytesUp = w.bytesUp - w.messageChannelBytesUp;
  const feedBytesDown = w.bytesDown - w.messageChannelBytesDown;
  const postsAnswered =
    s1.counters.messagesReceived -
    s0.counters.messagesReceived +
    (s1.counters.messagesRefused - s0.counters.messagesRefused);
  const serverFeedRequests =
    serverRequests - (TRANSPORT_TRAITS[params.transport].httpStack === 'ws' ? 0 : postsAnswered);
  const upstream = load.upstream;
  // This object defines the metric keys (MetricKey below): a new metric is one line here and its
  // entry in reports/metric-catalog.ts, which fails to compile until the entry exists.
  const measured = {
    latency_p50_us: noisy(lat.p50, 'us'),
    latency_p90_us: noisy(lat.p90, 'us'),
    latency_p99_us: noisy(lat.p99, 'us'),
    latency_p999_us: noisy(lat.p999, 'us'),
    latency_max_us: noisy(lat.max, 'us'),
    latency_mean_us: noisy(lat.mean, 'us'),
    events_expected: exact(d.expected, 'events', 'higher'),
    events_delivered: exact(d.delivered, 'events', 'higher'),
    events_lost: exact(d.lost, 'events'),
    events_duplicated: exact(d.duplicated, 'events'),
    events_out_of_order: exact(d.outOfOrder, 'events'),
    loss_fraction: exact(d.expected ? d.lost / d.expected : 0, 'fraction'),
    bytes_up_per_event: exact(perEvent(feedBytesUp), 'bytes/event'),
    bytes_down_per_event: exact(perEvent(feedBytesDown), 'bytes/event'),
    message_bytes_down_per_event: exact(perEvent(w.messageBytesDown), 'bytes/event'),
    overhead_bytes_down_per_event: exact(perEvent(feedBytesDown - w.messageBytesDown), 'bytes/event'),
    bytes_up_per_client_per_s: exact(perClientPerS(feedBytesUp), 'bytes/client/s'),
    bytes_down_per_client_per_s: exact(perClientPerS(feedBytesDown), 'bytes/client/s'),
    upstream_bytes_up_per_message: exact(w.messageSocketBytesUp / Math.max(1, w.echoesReceived), 'bytes'),
    upstream_bytes_down_per_echo: exact(w.messageSocketBytesDown / Math.max(1, w.echoesReceived), 'bytes'),
    upstream_one_way_p50_us: noisy(upstream?.oneWay.summary.p50 ?? 0, 'us'),
    upstream_one_way_p99_us: noisy(upstream?.oneWay.summary.p99 ?? 0, 'us'),
    echo_round_trip_p50_us: noisy(upstream?.roundTrip.summary.p50 ?? 0, 'us'),
    echo_round_trip_p99_us: noisy(upstream?.roundTrip.summary.p99 ?? 0, 'us'),
    http_requests_per_event: exact(perEvent(w.httpResponses), 'requests/event'),
    empty_responses_per_event: exact(perEvent(w.emptyResponses), 'requests/event'),
    http_requests_per_client_per_s: exact(perClientPerS(w.httpResponses), 'requests/client/s'),
    tcp_connections_in_window: exact(w.tcpConnects, 'count'),
    ws_handshakes_in_window: exact(w.wsHandshakes, 'count'),
    connect_bytes_per_client: exact((load.connectBytesUp + load.connectBytesDown) / measuredClients, 'bytes/client'),
    connect_p50_ms: noisy(load.connectMs.p50, 'ms'),
    connect_p99_ms: noisy(load.connectMs.p99, 'ms'),
    tls_handshake_bytes_per_connection: exact(
      (run.tlsHandshakeBytesUp + run.tlsHandshakeBytesDown) / Math.max(1, run.tlsHandshakes),
      'bytes',
    ),
    tls_handshake_mean_ms: noisy(run.tlsHandshakeUs / Math.max(1, run.tlsHandshakes) / 1000, 'ms'),
    tls_resumed_fraction: exact(run.tlsResumedHandshakes / Math.max(1, run.tlsHandshakes), 'fraction', 'higher'),
    server_connections_per_client: exact(
      (server.retained.counters.tcpAccepted - server.idle.counters.tcpAccepted) / measuredClients,
      'count',
    ),
    first_event_p50_ms: noisy(load.firstEventMs.p50, 'ms'),
    first_event_p99_ms: noisy(load.firstEventMs.p99, 'ms'),
    server_cpu_ms_per_1000_events: noisy(serverPerEvent(cpuMs) * 1000, 'cpu-ms/1000 events'),
    server_cpu_fraction: noisy(serverWallMs > 0 ? cpuMs / serverWallMs : 0, 'fraction'),
    // The proxy's rate over its own span, times the window's span, per event (as the server's).
    proxy_cpu_ms_per_1000_events: noisy(
      server.proxy && server.proxy.wallMs > 0
        ? perEvent((server.proxy.cpuMs * windowS * 1000) / server.proxy.wallMs) * 1000
        : 0,
      'cpu-ms/1000 events',
    ),
    server_rss_per_client_bytes: noisy(
      (server.retained.process.rssBytes - server.idle.process.rssBytes) / measuredClients,
      'bytes/client',
    ),
    server_heap_per_client_bytes: noisy(
      (server.retained.process.heapUsedBytes - server.idle.process.heapUsedBytes) / measuredClients,
      'bytes/client',
    ),
    server_event_loop_utilization: noisy(eluBetween(s0, s1), 'fraction'),
    server_loop_delay_p99_us: noisy(s1.process.loopDelay.p99Us, 'us'),
    // Cross-checks, not exact: the two processes' spans are read a moment apart, and bytesWritten
    // includes bytes still queued in the server when the window closes.
    server_bytes_out_per_event: noisy(serverPerEvent(serverBytesOut), 'bytes/event'),
    server_http_requests_per_event: noisy(serverPerEvent(serverFeedRequests), 'requests/event'),
    publisher_lateness_p99_us: noisy(lateness?.p99Us ?? 0, 'us'),
    publisher_lateness_max_us: noisy(lateness?.maxUs ?? 0, 'us'),
    feed_arrival_lag_p50_us: noisy(arrivalLag?.p50Us ?? NaN, 'us'),
    feed_arrival_lag_p99_us: noisy(arrivalLag?.p99Us ?? NaN, 'us'),
    load_cpu_fraction: noisy(load.loadCpuFraction, 'fraction'),
    load_cpu_total_fraction: noisy(loadCpuTotal(load), 'fraction'),
    load_loop_delay_p99_us: noisy(load.loadLoopDelayP99Us, 'us'),
    // Forced drops and the server restart (issue 12); only jobs with that workload keep them.
    ...resilienceMetrics(load, server.storm, {
      slowConsumersDropped: s1.counters.slowConsumersDropped,
      rssGrowthBytes: server.retained.process.rssBytes - server.idle.process.rssBytes,
      bufferedPeakBytes,
    }),
    ...idleMetrics({ load, start: s0, end: s1, clients: measuredClients }),
    ...soakMetrics(server.soak),
    ...brokerMetrics(server.broker),
  } satisfies Record<string, Metric>;
  const metrics: Partial<typeof measured> = measured;
  if (!server.proxy) delete metrics.proxy_cpu_ms_per_1000_events;
  // A missing figure is absent, never a zero (a server group merged without histograms has no p50).
  if (arrivalLag?.p50Us === undefined) delete metrics.feed_arrival_lag_p50_us;
  if (arrivalLag === undefined) delete metrics.feed_arrival_lag_p99_us;
  if (!server.soak)
    for (const key of Object.keys(metrics)) if (key.startsWith('soak_')) delete metrics[key as MetricKey];
  for (const key of absentBrokerKeys(server.broker)) delete metrics[key];
  for (const key of absentResilienceKeys(params, load, server.storm, bufferedPeakBytes)) delete metrics[key];
  if (params.workload.kind === 'slow-readers') {
    // The server's counts include the slow readers (their connections, the bytes queued to them, their
    // buffers and CPU) while these divide by the measured clients or their events: no such figure.
    delete metrics.server_bytes_out_per_event;
    delete metrics.server_connections_per_client;
    delete metrics.server_rss_per_client_bytes;
    delete metrics.server_heap_per_client_bytes;
    delete metrics.server_cpu_ms_per_1000_events;
  }
  if (params.workload.kind === 'restart') {
    // Two processes: the new one's retained memory less the old one's idle memory is no figure of the
    // transport. Their CPU is (the new one's from its ready: bench/restart.ts acrossRestart), so
    // server_cpu_ms_per_1000_events stays, reconnect storm included.
    delete metrics.server_rss_per_client_bytes;
    delete metrics.server_heap_per_client_bytes;
  }
  // Compressed, the socket carries deflated bytes and messageBytesDown counts the events inflated: their
  // difference is no "headers + framing" (SSE with gzip: about 108 - 305 = -197 B an event), so no figure.
  if (params.compression !== 'off' || params.perMessageDeflate) delete metrics.overhead_bytes_down_per_event;
  if (!params.upstream || !upstream || w.echoesReceived === 0) {
    // No upstream workload (or no echo in the window): no upstream figures, not zeros.
    delete metrics.upstream_bytes_up_per_message;
    delete metrics.upstream_bytes_down_per_echo;
    delete metrics.upstream_one_way_p50_us;
    delete metrics.upstream_one_way_p99_us;
    delete metrics.echo_round_trip_p50_us;
    delete metrics.echo_round_trip_p99_us;
  } else {
    // The server's bytes out include the echoes, which it does not count apart: no cross-check here.
    delete metrics.server_bytes_out_per_event;
    if (w.messageSocketBytesDown === 0) {
      // WebSocket echoes under TLS or permessage-deflate share records or deflate state with the feed's
      // frames: the socket cannot tell them apart, so the feed's download per event is not measurable.
      delete metrics.upstream_bytes_down_per_echo;
      delete metrics.bytes_down_per_event;
      delete metrics.overhead_bytes_down_per_event;
      delete metrics.bytes_down_per_client_per_s;
    }
  }
  // A cleartext run has no TLS figures (not zeros).
  if (run.tlsHandshakes === 0) {
    delete metrics.tls_handshake_bytes_per_connection;
    delete metrics.tls_handshake_mean_ms;
    delete metrics.tls_resumed_fraction;
  }

  const limits = limitFigures(s1.counters, w.catchUpPages);
  const totals: Record<string, number> = {
    windowMs: windowS * 1000,
    clients: params.clients,
    clientsConnected: load.clientsConnected,
    clientBytesUp: w.bytesUp,
    clientBytesDown: w.bytesDown,
    clientMessageBytesDown: w.messageBytesDown,
    clientEventsReceived: received,
    clientHttpRequests: w.httpRequests,
    clientHttpResponses: w.httpResponses,
    clientEmptyResponses: w.emptyResponses,
    clientTcpConnects: w.tcpConnects,
    clientReconnects: w.reconnects,
    clientErrors: load.totalErrors,
    ...(load.drops && { dropSeed: load.drops.seed, dropCatchUpEvents: load.drops.catchUp.summary.count }),
    ...(load.restart && { restartFailedAttempts: load.restart.failedAttempts }),
    skippedPolls: w.skippedPolls,
    clockAnomalies: d.clockAnomalies,
    serverCpuMs: cpuMs,
    serverBytesIn: s1.counters.bytesIn - s0.counters.bytesIn,
    serverBytesOut: serverBytesOut,
    serverHttpRequests: serverRequests,
    // WebSocket pings and SSE comment lines the server sent in its window (servers/keep-alive.ts).
    serverKeepAlivesSent: (s1.counters.keepAlivesSent ?? 0) - (s0.counters.keepAlivesSent ?? 0),
    // HTTP/2 servers only: streams opened in the window (one per request, POSTs of messages included).
    ...(s1.counters.http2Streams !== undefined && {
      serverHttp2Streams: s1.counters.http2Streams - (s0.counters.http2Streams ?? 0),
    }),
    ...(params.upstream && {
      clientMessagesSent: w.messagesSent,
      clientEchoesReceived: w.echoesReceived,
      clientSkippedSends: w.skippedSends,
      serverMessagesReceived: s1.counters.messagesReceived - s0.counters.messagesReceived,
    }),
    serverTcpAccepted: s1.counters.tcpAccepted,
    serverWsHandshakes: s1.counters.wsHandshakes,
    // From the server's start to the window's end (servers/slow-consumer.ts), slow readers included.
    serverSlowConsumersDropped: s1.counters.slowConsumersDropped,
    serverOpenSockets: s1.counters.openSockets,
    serverRssIdleBytes: server.idle.process.rssBytes,
    serverRssRetainedBytes: server.retained.process.rssBytes,
    serverHeapIdleBytes: server.idle.process.heapUsedBytes,
    serverHeapRetainedBytes: server.retained.process.heapUsedBytes,
    ...limits.totals,
  };

  const warnings: RunWarning[] = [...limits.warnings];
  if (d.lost > 0) warnings.push(warn.eventsLost(d.lost, d.expected, load.drainedMs));
  if (d.duplicated > 0) warnings.push(warn.eventsDuplicated(d.duplicated));
  if (d.outOfOrder > 0) warnings.push(warn.eventsOutOfOrder(d.outOfOrder));
  if (d.clockAnomalies > 0) warnings.push(warn.eventsBeforeSchedule(d.clockAnomalies));
  if (load.clientsConnected < params.clients)
    warnings.push(warn.clientsUnconnected(load.clientsConnected, params.clients));
  if (load.totalErrors > 0) warnings.push(warn.clientErrors(load.totalErrors));
  const [hostRefused, originRefused] = [s1.counters.hostRefused ?? 0, s1.counters.originRefused ?? 0];
  if (hostRefused + originRefused > 0) warnings.push(warn.requestsRefused(hostRefused, originRefused));
  // Several load processes: loadCpuFraction is the busiest one's (merge-reports.ts), named here.
  if (load.loadCpuFraction > LOAD_SATURATION_FRACTION)
    warnings.push(
      warn.loadSaturated(load.loadCpuFraction, LOAD_SATURATION_FRACTION, busiestProcess(load.processes)?.name),
    );
  const elu = metrics['server_event_loop_utilization']!.value;
  if (elu > SERVER_SATURATION_ELU)
    warnings.push(warn.serverSaturated(elu, metrics['server_cpu_fraction']!.value, SERVER_SATURATION_ELU));
  if (lateness && lateness.maxUs > PUBLISHER_LATE_WARN_US)
    warnings.push(warn.publisherLate(lateness.maxUs, PUBLISHER_LATE_WARN_US));
  if (w.skippedPolls > 0) warnings.push(warn.pollTicksSkipped(w.skippedPolls));
  if (w.skippedSends > 0) warnings.push(warn.upstreamSendsSkipped(w.skippedSends));
  // Measured clients the server dropped as slow, as they saw it (a WebSocket close 1013, an SSE
  // stream ended), capped by the server's own count: an SSE stream also ends when a server process
  // exits, and the slow readers of a slow-readers workload are the server's count too.
  const measuredDropped = Math.min(run.droppedAsSlow, s1.counters.slowConsumersDropped);
  if (measuredDropped > 0) warnings.push(warn.slowConsumersDropped(measuredDropped));
  // Slow readers that were never dropped: the run did not reach the limit (a short window, a slow
  // feed), so it shows readers that had not yet cost what they would.
  if (params.workload.kind === 'slow-readers' && bufferedPeakBytes !== undefined) {
    const notDropped = params.workload.count - (s1.counters.slowConsumersDropped - measuredDropped);
    if (notDropped > 0) warnings.push(warn.slowReadersNotDropped(notDropped, params.workload.count));
  }
  warnings.push(...soakWarnings(server.soak, metrics.soak_rss_growth?.value));
  // Optional chaining: hand-built params in older tests predate the workload field.
  const idle = params.workload?.kind === 'idle';
  // Idle figures for idle jobs only; an idle job has no latency either (nothing was delivered).
  for (const key of Object.keys(metrics))
    if (idle ? IDLE_ABSENT.test(key) : key.startsWith('idle_')) delete metrics[key as MetricKey];
  if (received === 0) {
    // A ratio over no event is no figure (dividing by max(1, 0) read as millions of bytes per event).
    for (const [key, metric] of Object.entries(metrics))
      if (PER_EVENT_UNITS.has(metric.unit)) delete metrics[key as MetricKey];
    // An idle window is empty by design: no warning.
    if (!idle) warnings.push(warn.noEventsInWindow());
  }
  return { metrics, totals, warnings };
}

/** The key of every metric a run can have: what deriveMetrics produces. */
export type MetricKey = keyof ReturnType<typeof deriveMetrics>['metrics'];

/**
 * The warnings a run can carry, one constructor per code: each says what the figure and its limit
 * were (data) and keeps the sentence readers have always seen (display). Reports classify by code
 * (reports/warning-kinds.ts, which also gives the severity written here), never by the sentence, so
 * rewording one here changes no classification.
 */
import type { BottleneckResource, RunWarning, WarningCode } from './result-schema.ts';
import { classify, latenessMs, type NoticeKind } from '../reports/warning-kinds.ts';

/**
 * How serious a warning is, from the group the reports list it under (reports/warning-kinds.ts): a
 * run short of file descriptors measured a misconfigured machine, not a transport (error); a note is
 * only worth knowing; loss and saturation compromise the figures (warning).
 */
const SEVERITY: Record<NoticeKind, RunWarning['severity']> = {
  error: 'error',
  loss: 'warning',
  saturation: 'warning',
  note: 'note',
};

export function runWarning(
  code: WarningCode,
  message: string,
  value: number | null = null,
  limit: number | null = null,
): RunWarning {
  return { code, severity: SEVERITY[classify({ code, value })], value, limit, message };
}

const pct0 = (fraction: number) => `${(fraction * 100).toFixed(0)}%`;

export const warn = {
  eventsLost: (lost: number, expected: number, drainedMs: number) =>
    runWarning(
      'events-lost',
      `lost ${lost} of ${expected} events (${((100 * lost) / Math.max(1, expected)).toFixed(2)}%): not delivered within ${(drainedMs / 1000).toFixed(1)} s after the window`,
      lost,
    ),
  eventsDuplicated: (n: number) => runWarning('events-duplicated', `${n} events delivered twice`, n),
  restartPastWindow: (lateMs: number) =>
    runWarning(
      'restart-past-window',
      `the server restart ran ${lateMs.toFixed(0)} ms past the window's end (new server listening plus its reconnect storm): the clients' figures stop at the window's end, the server's do not; give a longer --duration`,
      lateMs,
      0,
    ),
  eventsOutOfOrder: (n: number) => runWarning('events-out-of-order', `${n} events out of order`, n),
  eventsBeforeSchedule: (n: number) =>
    runWarning(
      'events-before-schedule',
      `${n} events received before their scheduled time: the shared-clock assumption failed`,
      n,
    ),
  clientsUnconnected: (connected: number, clients: number) =>
    runWarning('clients-unconnected', `only ${connected} of ${clients} clients connected`, connected, clients),
  clientErrors: (n: number) =>
    runWarning('client-errors', `${n} client errors (failed requests or dropped connections)`, n),
  requestsRefused: (host: number, origin: number) =>
    runWarning(
      'requests-refused',
      `the server refused ${host + origin} requests: ${host} for a Host not its own (421), ${origin} for an Origin not allowed (403; --allow-origin)`,
      host + origin,
    ),
  /** `who`: the busiest of several load processes ("load process 2 of 3"); absent: the one load generator. */
  loadSaturated: (cpuFraction: number, limit: number, who?: string) =>
    runWarning(
      'load-saturated',
      `${who ?? 'load generator'} saturated: ${pct0(cpuFraction)} of a core; these figures are partly the client's, not the server's`,
      cpuFraction,
      limit,
    ),
  serverSaturated: (elu: number, cpuFraction: number, limit: number) =>
    runWarning(
      'server-saturated',
      `server saturated: event loop busy ${pct0(elu)} of the window (CPU ${pct0(cpuFraction)} of a core); latency here is mostly queueing in the server`,
      elu,
      limit,
    ),
  publisherLate: (maxUs: number, limitUs: number) =>
    runWarning('publisher-late', `publisher ran up to ${latenessMs(maxUs)} ms behind schedule`, maxUs, limitUs),
  pollTicksSkipped: (n: number) =>
    runWarning('poll-ticks-skipped', `${n} poll ticks skipped because the previous poll had not returned`, n),
  upstreamSendsSkipped: (n: number) =>
    runWarning(
      'upstream-sends-skipped',
      `${n} upstream messages not sent because the previous one had not been echoed yet: the upstream figures rest on fewer messages than scheduled`,
      n,
    ),
  // The limits' values are in the result's context (serverLimits), the same for every run of a plan.
  connectionsRefused: (n: number) =>
    runWarning(
      'connections-refused',
      `${n} connections refused by the server's connection limit (--max-connections): the figures include what the limit did`,
      n,
    ),
  catchUpCapped: (n: number) =>
    runWarning(
      'catch-up-capped',
      `${n} poll answers cut to a catch-up page (--catch-up-max-events): clients were further behind than one answer may carry`,
      n,
    ),
  slowConsumersDropped: (n: number) =>
    runWarning(
      'slow-consumers-dropped',
      `${n} clients dropped by the server for leaving more bytes unread than its slow-consumer limit: the load generator did not keep up`,
      n,
    ),
  slowReadersNotDropped: (n: number, count: number) =>
    runWarning(
      'slow-readers-not-dropped',
      `${n} of ${count} slow readers were still connected at the end: the run ended before their unread bytes reached the slow-consumer limit, so it shows less than they would cost`,
      n,
    ),
  noEventsInWindow: () =>
    runWarning('no-events-in-window', 'no event arrived in the measurement window: per-event figures are left out', 0),
  bottleneck: (resource: BottleneckResource, message: string) => runWarning(`bottleneck-${resource}`, message),
  networkInaccurate: (offMs: number, limitMs: number, p99Ms: number) =>
    runWarning(
      'network-inaccurate',
      `the network emulator's one-way delay was off its profile by ${offMs.toFixed(2)} ms (timer error p99 ${p99Ms.toFixed(1)} ms; limit ${limitMs.toFixed(2)} ms, 5% of the one-way delay or 1 ms): this run measured another network than its profile`,
      offMs,
      limitMs,
    ),
  soakRssGrowth: (growth: number, limit: number, fromMs: number, toMs: number) =>
    runWarning(
      'soak-rss-growth',
      `server RSS grew ${(growth * 100).toFixed(1)}% from ${(fromMs / 1000).toFixed(0)} s to ${(toMs / 1000).toFixed(0)} s into the soak (limit ${(limit * 100).toFixed(0)}%): memory that keeps growing with nothing new to hold`,
      growth,
      limit,
    ),
  linkSaturated: (direction: 'down' | 'up', usedFraction: number, limit: number) =>
    runWarning(
      'link-saturated',
      `the emulated ${direction}link carried ${pct0(usedFraction)} of its rate: latency here is the link's queue, not the transport`,
      usedFraction,
      limit,
    ),
  serverStatsStale: (snapshots: number) =>
    runWarning(
      'server-stats-stale',
      `${snapshots} server stats snapshot${snapshots === 1 ? '' : 's'} merged a worker's stale figures (it did not answer in time): the group's counters and CPU miss what it did since (an undercount)`,
      snapshots,
      0,
    ),
  loadStartLate: (process: string, lagUs: number, limitUs: number) =>
    runWarning(
      'load-start-late',
      `${process} opened the shared window ${(lagUs / 1000).toFixed(1)} ms late (limit ${(limitUs / 1000).toFixed(1)} ms, half an event period): an event may count on the wrong side of the window's edge there`,
      lagUs,
      limitUs,
    ),
};

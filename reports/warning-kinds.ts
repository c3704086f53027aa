/**
 * What each warning code means to a reader, in one table: the group the reports list it under
 * (reports/warnings.ts) and, derived from that group, the severity bench/warnings.ts writes into every
 * result. One home, so a result file and its report cannot disagree. bench/ imports this; it imports
 * only types from bench/ (reports/ renders without the harness).
 */
import type { RunWarning, WarningCode } from '../bench/result-schema.ts';

export type NoticeKind = 'error' | 'loss' | 'saturation' | 'note';

/**
 * A publisher this late (ms) distorts latency more than the transports differ at low rates: a late
 * publisher warning from here on is a saturation notice, and beyond it bench/diagnosis.ts names the
 * publisher as a run's bottleneck when no process is saturated.
 */
export const DISTURBING_LATENESS_MS = 50;

/**
 * Publisher lateness (µs) as its warning prints it, in ms with one decimal. The group is decided on
 * this printed figure, so a warning that reads "50.0 ms" is never filed under Notes.
 */
export const latenessMs = (us: number): string => (us / 1000).toFixed(1);

/** Every code's group; a function where the group depends on the warning's figure. */
const KINDS: Record<WarningCode, NoticeKind | ((value: number | null) => NoticeKind)> = {
  'events-lost': 'loss',
  'events-duplicated': 'loss',
  'events-out-of-order': 'loss',
  'events-before-schedule': 'loss',
  // bench/restart.ts: a restart (with its storm) that ran past the window's end: the clients' figures
  // and the server's cover different spans.
  'restart-past-window': 'saturation',
  'clients-unconnected': 'loss',
  'client-errors': 'loss',
  // servers/access-policy.ts refused some of the clients' requests (Host or Origin): they were not served.
  'requests-refused': 'loss',
  'no-events-in-window': 'loss',
  'load-saturated': 'saturation',
  'server-saturated': 'saturation',
  'poll-ticks-skipped': 'saturation',
  'upstream-sends-skipped': 'saturation',
  // Measured clients that read too slowly for the server's buffer limit (servers/slow-consumer.ts):
  // the load generator fell behind, so the figures partly measure it.
  'slow-consumers-dropped': 'saturation',
  'slow-readers-not-dropped': 'note',
  'publisher-late': (value) => (Number(latenessMs(value ?? 0)) >= DISTURBING_LATENESS_MS ? 'saturation' : 'note'),
  // bench/diagnosis.ts: a run short of descriptors measured a misconfigured machine, not a
  // transport; any other named bottleneck means the figures partly measure that limit.
  'bottleneck-descriptors': 'error',
  'bottleneck-connect-backlog': 'saturation',
  'bottleneck-server-cpu': 'saturation',
  'bottleneck-load-cpu': 'saturation',
  'bottleneck-publisher': 'saturation',
  // bench/path-figures.ts: an emulator off its profile measured another network than the one named;
  // an access link too slow for the offered bytes measured its queue, not the transport.
  'network-inaccurate': 'saturation',
  'link-saturated': 'saturation',
  // bench/limit-figures.ts: a server limit reached (servers/contract/server-limits.ts) means the run
  // measured the limit as well as the transport.
  'connections-refused': 'saturation',
  'catch-up-capped': 'saturation',
  // bench/soak.ts: the server kept growing after its first minute (a leak, or a bound too high).
  'soak-rss-growth': 'saturation',
  // servers/cluster-primary.ts: a worker that did not answer a stats request in time was merged with
  // its last snapshot: the group's counters and CPU miss what it did since (an undercount).
  'server-stats-stale': 'saturation',
  // bench/load/run-job.ts: a load process opened the shared window more than half an event period
  // late, so an event may count on the wrong side of the window's edge in that process.
  'load-start-late': 'saturation',
  // A sentence of an old file, or a code newer than this reader: worth knowing, no more.
  unrecognised: 'note',
};

/** Which group a run's warning is listed under: by its code (and figure), never by its wording. */
export function classify(w: Pick<RunWarning, 'code' | 'value'>): NoticeKind {
  const kind = KINDS[w.code];
  return typeof kind === 'function' ? kind(w.value) : kind;
}

/**
 * Codes that say a process ran out of CPU, so a latency curve shows queueing, not the transport: the
 * window's saturation warnings, and the CPU bottlenecks, which can stand alone (a server saturated
 * only while clients connected raises no window warning; bench/diagnosis.ts alreadyWarned). A connect
 * backlog or a late publisher is a limit "with neither process saturated": not counted.
 */
const SATURATED_CODES: ReadonlySet<WarningCode> = new Set<WarningCode>([
  'load-saturated',
  'server-saturated',
  'bottleneck-server-cpu',
  'bottleneck-load-cpu',
]);

export const isSaturated = (w: Pick<RunWarning, 'code'>): boolean => SATURATED_CODES.has(w.code);

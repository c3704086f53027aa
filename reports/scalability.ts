/**
 * The 2010 scalability table, rebuilt. Lubbers and Greco ("HTML5 Web Sockets: A Quantum Leap in
 * Scalability for the Web", Kaazing/websocket.org, 2010) counted 871 bytes of HTTP request and
 * response headers per poll against 2 bytes of WebSocket framing per message and projected the
 * network load of N clients each receiving one message per second. Their "Mbps" are bits per second
 * divided by 2^20 (Mibit/s). Here the same projection runs on the bytes pollbench measured at the
 * socket per delivered event, in both Mbit/s (10^6) and Mibit/s (2^20).
 */
import {
  closestToOnePerSecond,
  eventRate,
  overheadBytesPerEvent,
  parameterSetText,
  totalBytesPerEvent,
  transportLabel,
  type JobSummary,
} from './aggregate.ts';
import { isDefaultWire, jobWireText } from './wire-text.ts';

export const HISTORICAL_SOURCE =
  'P. Lubbers and F. Greco, "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web", Kaazing / websocket.org, 2010';
export const PROJECTION_CLIENTS = [1_000, 10_000, 100_000] as const;

/** The published figures exactly as printed, so a test can hold the projection to them digit for digit. */
export const HISTORICAL_2010 = {
  pollingOverheadBytes: 871,
  webSocketOverheadBytes: 2,
  messagesPerSecond: 1,
  polling: ['6.6', '66', '665'],
  webSocket: ['0.015', '0.153', '1.526'],
} as const;

export const WHAT_2010_LEFT_OUT =
  'The 2010 table counted only HTTP headers and 2-byte frame headers: it left out TCP/IP headers and ACKs (at least 40 bytes per segment, not visible at the socket, so missing here too), the TCP and WebSocket handshakes, the 4-byte mask RFC 6455 requires on every client-to-server frame, the empty responses short polling gets when nothing happened, and the encoding of the message itself.';

/** Bits per second for `clients` each receiving `messagesPerSecond` messages of `bytesPerMessage`. */
export function projectBitsPerSecond(bytesPerMessage: number, clients: number, messagesPerSecond = 1): number {
  return bytesPerMessage * clients * messagesPerSecond * 8;
}
/** Megabit/s (10^6 bits/s): what network equipment is rated in. */
export const toMbitPerS = (bitsPerSecond: number): number => bitsPerSecond / 1e6;
/** Mebibit/s (2^20 bits/s): what the 2010 table called "Mbps". */
export const toMibitPerS = (bitsPerSecond: number): number => bitsPerSecond / 2 ** 20;

export interface ProjectionRow {
  label: string;
  transport: string;
  /** Measured per delivered event: headers and framing both ways (no event message). */
  overheadBytes: number;
  /** Measured per delivered event: everything at the socket both ways. */
  totalBytes: number;
  overhead: { clients: number; mbit: number; mibit: number }[];
  total: { clients: number; mbit: number; mibit: number }[];
}

export interface Scalability {
  parameterSet: string;
  parameterText: string;
  /** Events per second the measurement ran at (the projection always assumes 1 message per client per second). */
  measuredRate: number;
  payloadBytes: number;
  rows: ProjectionRow[];
}

function project(bytes: number) {
  return PROJECTION_CLIENTS.map((clients) => {
    const bits = projectBitsPerSecond(bytes, clients, HISTORICAL_2010.messagesPerSecond);
    return { clients, mbit: toMbitPerS(bits), mibit: toMibitPerS(bits) };
  });
}

/**
 * The table from a result's job summaries by parameter set (reports/summary.ts). Measured bytes come
 * from the parameter set nearest one event per second (per-event bytes of polling depend on how many
 * polls an event costs, so the rate matters), most clients among those.
 */
export function scalabilityOf(bySet: Map<string, JobSummary[]>): Scalability | null {
  const sets = [...bySet]
    .map(([parameterSet, summaries]) => ({ parameterSet, summaries: summaries.filter((s) => s.completed.length > 0) }))
    .filter((s) => s.summaries.length > 0);
  if (sets.length === 0) return null;
  // The table is about the classic exchange: measured on the default wire where the result has it.
  const onDefaultWire = sets.filter((set) => set.summaries.every((s) => isDefaultWire(s.job)));
  const candidates = onDefaultWire.length > 0 ? onDefaultWire : sets;
  const best = [...candidates].sort((a, b) => closestToOnePerSecond(a.summaries[0]!.job, b.summaries[0]!.job))[0]!;
  const job = best.summaries[0]!.job;
  // The same cell and path on another wire (HTTP/2, the 2010 or browser headers...): measured rows
  // of their own, labelled with what differs, so the historical assumption sits next to today's.
  const cell = cellKey(job);
  const twins = sets
    .filter((set) => set !== best && set.summaries.some((s) => cellKey(s.job) === cell))
    // Not an upstream workload: its per-event bytes are the feed's alone (the messages come off,
    // bench/metrics.ts), so the row would repeat the default's, or be missing where WebSocket echoes
    // share records with the feed (TLS, deflate). Nor a job without both directions measured.
    .flatMap((set) =>
      set.summaries.filter(
        (s) =>
          cellKey(s.job) === cell &&
          !isDefaultWire(s.job) &&
          s.job.params.upstream === null &&
          Number.isFinite(totalBytesPerEvent(s)),
      ),
    );
  return {
    parameterSet: best.parameterSet,
    parameterText: parameterSetText(job),
    measuredRate: eventRate(job),
    payloadBytes: job.params.payloadBytes,
    rows: [...best.summaries, ...twins].map((s) => {
      const overheadBytes = overheadBytesPerEvent(s);
      const totalBytes = totalBytesPerEvent(s);
      const wire = jobWireText(s.job);
      return {
        // A row on the wire the caption names (parameterText, from `job`) is the transport alone; any
        // other names its own, so two rows of one transport never read alike and WebSocket's HTTP/1.1
        // row in an HTTP/2 set does not pass for HTTP/2.
        label:
          wire === jobWireText(job)
            ? transportLabel(s.job)
            : `${transportLabel(s.job)} (${wire || 'default wire: HTTP/1.1, minimal headers, JSON, uncompressed'})`,
        transport: s.job.params.transport,
        overheadBytes,
        totalBytes,
        // A compressed job has no headers + framing figure (bench/metrics.ts): no row, not NaN or a negative one.
        overhead: Number.isFinite(overheadBytes) ? project(overheadBytes) : [],
        total: project(totalBytes),
      };
    }),
  };
}

/** A job's cell and path without its transport and wire: what two rows of one projection must share. */
function cellKey(job: JobSummary['job']): string {
  const p = job.params;
  return JSON.stringify([p.shape, p.clients, p.payloadBytes, p.network, p.tls, p.proxy]);
}

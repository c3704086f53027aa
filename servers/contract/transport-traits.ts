/**
 * Contract (servers/contract/). Imported by the server's start-up (servers/start.ts), the matrix, the
 * load generator and the orchestrator (bench/), and the reports.
 *
 * What sets one transport apart from the others, in one record per transport. Every place that used
 * to branch on a transport's name (the matrix, the load generator's prewarm, the orchestrator, the
 * server's start-up, the reports) reads these traits instead, so a new transport is its server file,
 * its client file, its record here (which names it) and one line in each of the two maps from name to
 * implementation (servers/transports/index.ts, bench/clients/index.ts).
 *
 * It lives in the contract folder because both sides read it: servers import nothing from bench, bench
 * and reports import only this folder of servers/. It is data only (no runtime imports beyond the
 * routes), so the load process and the renderers can import it cheaply.
 */
import { EVENTS_PATH, STREAM_PATH, WS_PATH } from './routes.ts';

export interface TransportTraits {
  /** Human name for the headline's cards and sentences ("WebSocket"). */
  readonly name: string;
  /**
   * Chart colours, fixed per transport so a reader learns them once. A transport with the
   * poll-interval axis has one chart series per interval and takes its colours in turn (shades of red
   * for short polling); the others have one series and use the first colour.
   */
  readonly colours: readonly string[];
  /**
   * The scenario's poll-interval axis applies: the matrix runs the transport once per interval (and not
   * ws twice for two intervals), its job id and report label carry the interval, and every job's
   * measurement window is aligned to whole poll intervals when a scenario contains such a transport
   * (see bench/load/window.ts alignedWindowMs: a window of whole intervals counts whole poll cycles).
   */
  readonly pollIntervalAxis: boolean;
  /**
   * The scenario's longPollWaitMs applies: it is recorded in the job's params and id, and the scenario
   * is rejected when it is under 100 ms (a hold that short is a short poll).
   */
  readonly longPollWait: boolean;
  /**
   * Which HTTP stack serves it. 'framework': the scenario's framework (express or bare node:http), so
   * the framework axis applies. 'ws': the ws library upgrading on bare node:http, whatever the
   * scenario's framework (the framework axis does not apply, recorded as 'node'; perMessageDeflate
   * does, and the job id names 'ws' or 'ws+deflate' instead of the framework).
   */
  readonly httpStack: 'framework' | 'ws';
  /**
   * The HTTP version axis applies: its requests run over HTTP/2 too (one connection per client, one
   * stream per request). False for a transport whose library speaks only HTTP/1.1 (ws has no RFC 8441
   * WebSocket over HTTP/2): the matrix runs it once, on HTTP/1.1, and the report says so.
   */
  readonly http2: boolean;
  /**
   * Which of the keep-alives (servers/contract/server-limits.ts keepAliveSchema) its server sends to an
   * idle client, or null when its own requests keep the connection alive (a poll's answer, a long poll's
   * wait expiry): the matrix records only this one in the job, so a job's id names what it ran.
   */
  readonly keepAlive: 'wsPingMs' | 'sseCommentMs' | null;
  /**
   * The JIT prewarm before connect (bench/load/run-job.ts): the request path and the query that follows
   * `?since=<current seq>`, or null when the transport makes no per-event requests to warm (a stream
   * is warmed by its own warm-up phase).
   */
  readonly jitPrewarm: { readonly path: string; readonly query: string } | null;
  /**
   * The request a person makes by hand to follow the feed from its oldest held event (`npm run
   * serve` prints it with a curl example): path and query. A WebSocket's is its upgrade URL.
   */
  readonly byHand: { readonly path: string; readonly query: string };
  /**
   * What a client that never reads sends (the slow-readers workload, bench/load/slow-readers.ts): its
   * request path (then `?since=<seq>`), whether it asks for a WebSocket upgrade, and whether the answer
   * is a stream, whose head it waits for before it stops reading (a poll's answer is left unread whole).
   */
  readonly slowReader: { readonly path: string; readonly upgrade: boolean; readonly stream: boolean };
  /**
   * Its role in the headline (reports/headline.ts): 'reference' is what the others are "how many times
   * less than" (one row per poll interval), a number orders the compared rows (lowest first).
   */
  readonly headline: 'reference' | number;
}

/** One record per transport, in the order reports list them; its key is the transport's name. */
const TRAITS = {
  'short-poll': {
    name: 'Short polling',
    colours: ['#e45756', '#f58518', '#9d3a2f', '#ff9d98', '#c9a227'],
    pollIntervalAxis: true,
    longPollWait: false,
    keepAlive: null,
    httpStack: 'framework',
    http2: true,
    jitPrewarm: { path: EVENTS_PATH, query: '' },
    byHand: { path: EVENTS_PATH, query: '?since=0' },
    slowReader: { path: EVENTS_PATH, upgrade: false, stream: false },
    headline: 'reference',
  },
  'long-poll': {
    name: 'Long polling',
    colours: ['#b279a2'],
    pollIntervalAxis: false,
    longPollWait: true,
    keepAlive: null,
    httpStack: 'framework',
    http2: true,
    // wait=0 answers at once, so the prewarm exercises the same route without parking requests.
    jitPrewarm: { path: EVENTS_PATH, query: '&wait=0' },
    byHand: { path: EVENTS_PATH, query: '?since=0&wait=30000' },
    slowReader: { path: EVENTS_PATH, upgrade: false, stream: false },
    headline: 2,
  },
  sse: {
    name: 'Server-Sent Events',
    colours: ['#4c78a8'],
    pollIntervalAxis: false,
    longPollWait: false,
    keepAlive: 'sseCommentMs',
    httpStack: 'framework',
    http2: true,
    jitPrewarm: null,
    byHand: { path: STREAM_PATH, query: '?since=0' },
    slowReader: { path: STREAM_PATH, upgrade: false, stream: true },
    headline: 1,
  },
  ws: {
    name: 'WebSocket',
    colours: ['#1b9e77'],
    pollIntervalAxis: false,
    longPollWait: false,
    keepAlive: 'wsPingMs',
    httpStack: 'ws',
    http2: false,
    jitPrewarm: null,
    byHand: { path: WS_PATH, query: '?since=0' },
    slowReader: { path: WS_PATH, upgrade: true, stream: true },
    headline: 0,
  },
} as const satisfies Record<string, TransportTraits>;

export type TransportName = keyof typeof TRAITS;
export const TRANSPORT_TRAITS: Readonly<Record<TransportName, TransportTraits>> = TRAITS;

/** Every transport's name, in the record's order: a tuple, so zod can build its enum from it. */
export const TRANSPORT_NAMES = Object.keys(TRAITS) as [TransportName, ...TransportName[]];

export class UnknownTransportError extends Error {}

/**
 * The traits of a transport named by data from outside the type system (a result file, a report's
 * input). An unknown name is an error with the known names listed, never a silent default.
 */
export function transportTraits(name: string): TransportTraits {
  if (!Object.hasOwn(TRANSPORT_TRAITS, name)) {
    throw new UnknownTransportError(`unknown transport ${JSON.stringify(name)}; known: ${TRANSPORT_NAMES.join(', ')}`);
  }
  return TRANSPORT_TRAITS[name as TransportName];
}

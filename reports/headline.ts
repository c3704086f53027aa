/**
 * The headline: for one parameter set, how many times less latency, fewer bytes and fewer requests
 * WebSocket, SSE and long polling need than short polling. Data only; each renderer words it.
 *
 * Which parameter set: among those where short polling and at least one other transport completed,
 * one on an emulated network when the result has any (no user deploys on loopback), on the first such
 * network in result order (the scenario's order); then the one closest to the classic "one message
 * per second" case (steady rate nearest 1 event/s), with the most clients among those. The choice and
 * the path are stated next to the figures.
 */
import { transportTraits } from '../servers/contract/transport-traits.ts';
import { times } from './format.ts';
import { isEmulated, jobPathText, networkKey } from './path-text.ts';
import { isDefaultWire } from './wire-text.ts';
import {
  closestToOnePerSecond,
  medianOf,
  parameterSetText,
  totalBytesPerEvent,
  transportLabel,
  type JobSummary,
} from './aggregate.ts';

export interface HeadlineRow {
  label: string;
  transport: string;
  latencyP50Ms: number;
  bytesPerEvent: number;
  requestsPerEvent: number;
  /** Reference / this: how many times less. Infinity when this needs none (requests of a stream). */
  latencyTimes: number;
  bytesTimes: number;
  requestsTimes: number;
  cpuPer1000: number;
  cpuTimes: number;
  /** The same ratios against the other short-poll intervals of the parameter set. */
  versusOthers: { label: string; latencyTimes: number; bytesTimes: number }[];
}

export interface Headline {
  parameterSet: string;
  /** "1 event/s to 500 clients, 256-byte payload", with the path when it is not the direct one. */
  parameterText: string;
  /** The path in words ("over 4g: 150 ms RTT, ...; TLS"), "" for the direct loopback path. */
  path: string;
  /** Why this path, when the result has emulated networks (else ""): a sentence for under the figures. */
  pathChoice: string;
  reference: {
    label: string;
    pollIntervalMs: number;
    latencyP50Ms: number;
    bytesPerEvent: number;
    requestsPerEvent: number;
    cpuPer1000: number;
  };
  /** Other short-poll intervals measured in the same parameter set, for the sentence under the cards. */
  otherReferences: string[];
  rows: HeadlineRow[];
}

/** Whether a summary's transport is the headline's reference (short polling), per its traits. */
const isReference = (s: JobSummary) => transportTraits(s.job.params.transport).headline === 'reference';

/** The order of the compared rows (WebSocket, SSE, long polling), per their traits. */
function headlineOrder(s: JobSummary): number {
  const role = transportTraits(s.job.params.transport).headline;
  return role === 'reference' ? -1 : role;
}

function usable(s: JobSummary): boolean {
  return s.completed.length > 0 && Number.isFinite(medianOf(s, 'latency_p50_us'));
}

/**
 * The headline from a result's job summaries by parameter set (reports/summary.ts); null when no
 * parameter set has both a short-polling reference and another transport.
 */
export function headlineOf(sets: Map<string, JobSummary[]>): Headline | null {
  const comparable = [...sets]
    .map(([parameterSet, summaries]) => ({ parameterSet, summaries: summaries.filter(usable) }))
    .filter(({ summaries }) => summaries.some(isReference) && summaries.some((s) => !isReference(s)));
  if (comparable.length === 0) return null;
  // The headline compares transports on the default wire where the result has it (every transport
  // there: WebSocket has no HTTP/2 set); the other wires are in the tables and the wire chart.
  const onDefaultWire = comparable.filter(({ summaries }) => summaries.every((s) => isDefaultWire(s.job)));
  const candidates = onDefaultWire.length > 0 ? onDefaultWire : comparable;
  const otherWires = onDefaultWire.length > 0 && onDefaultWire.length < comparable.length;

  const network = (c: (typeof candidates)[number]) => c.summaries[0]!.job.params.network;
  const emulated = candidates.filter((c) => isEmulated(network(c)));
  const first = emulated[0] && networkKey(network(emulated[0]));
  const onPath = first ? emulated.filter((c) => networkKey(network(c)) === first) : candidates;
  const best = [...onPath].sort((a, b) => closestToOnePerSecond(a.summaries[0]!.job, b.summaries[0]!.job))[0]!;

  const polls = best.summaries.filter(isReference);
  const ref = polls[0]!;
  const refLatency = medianOf(ref, 'latency_p50_us') / 1000;
  const refBytes = totalBytesPerEvent(ref);
  const refRequests = medianOf(ref, 'http_requests_per_event');
  const refCpu = medianOf(ref, 'server_cpu_ms_per_1000_events');

  const rows: HeadlineRow[] = best.summaries
    .filter((s) => !isReference(s))
    .sort((a, b) => headlineOrder(a) - headlineOrder(b))
    .map((s) => {
      const latencyP50Ms = medianOf(s, 'latency_p50_us') / 1000;
      const bytesPerEvent = totalBytesPerEvent(s);
      const requestsPerEvent = medianOf(s, 'http_requests_per_event');
      const cpuPer1000 = medianOf(s, 'server_cpu_ms_per_1000_events');
      return {
        label: transportLabel(s.job),
        transport: s.job.params.transport,
        latencyP50Ms,
        bytesPerEvent,
        requestsPerEvent,
        latencyTimes: refLatency / latencyP50Ms,
        bytesTimes: refBytes / bytesPerEvent,
        requestsTimes: requestsPerEvent === 0 ? Number.POSITIVE_INFINITY : refRequests / requestsPerEvent,
        cpuPer1000,
        cpuTimes: refCpu / cpuPer1000,
        versusOthers: polls.slice(1).map((p) => ({
          label: transportLabel(p.job),
          latencyTimes: medianOf(p, 'latency_p50_us') / 1000 / latencyP50Ms,
          bytesTimes: totalBytesPerEvent(p) / bytesPerEvent,
        })),
      };
    });

  return {
    parameterSet: best.parameterSet,
    parameterText: parameterSetText(ref.job),
    path: jobPathText(ref.job),
    pathChoice: [
      first
        ? `The headline is measured ${jobPathText(ref.job)} (the first emulated network of this result: no one deploys on loopback)${candidates.length > onPath.length ? '; the other paths are in the tables' : ''}.`
        : '',
      otherWires
        ? 'It compares the transports as pollbench sends them by default (HTTP/1.1, minimal headers, JSON, uncompressed); the other wires this result measured are in the tables and the wire chart.'
        : '',
    ]
      .filter(Boolean)
      .join(' '),
    reference: {
      label: transportLabel(ref.job),
      pollIntervalMs: ref.job.params.pollIntervalMs ?? Number.NaN,
      latencyP50Ms: refLatency,
      bytesPerEvent: refBytes,
      requestsPerEvent: refRequests,
      cpuPer1000: refCpu,
    },
    otherReferences: polls
      .slice(1)
      .map(
        (p) =>
          `${transportLabel(p.job)}: latency p50 ${(medianOf(p, 'latency_p50_us') / 1000).toFixed(0)} ms, ${totalBytesPerEvent(p).toFixed(0)} B and ${medianOf(p, 'http_requests_per_event').toFixed(2)} requests per event`,
      ),
    rows,
  };
}

/** The human name for the cards and sentences, from the transport's traits; an unknown transport throws. */
export function transportName(transport: string): string {
  return transportTraits(transport).name;
}

/** One sentence per row, e.g. "WebSocket: 36x less latency (12.8 ms vs 460 ms), 1.8x fewer bytes, no HTTP requests (short polling: 1.00 per event)". */
export function headlineSentence(h: Headline, row: HeadlineRow): string {
  const name = transportName(row.transport);
  const latency = `${fmtTimes(row.latencyTimes, 'lower')} latency (p50 ${fmtMs(row.latencyP50Ms)} vs ${fmtMs(h.reference.latencyP50Ms)})`;
  const bytes = `${fmtTimes(row.bytesTimes, 'fewer')} bytes (${row.bytesPerEvent.toFixed(0)} B vs ${h.reference.bytesPerEvent.toFixed(0)} B per event)`;
  const requests =
    row.requestsPerEvent === 0
      ? `no HTTP requests per event (short polling: ${h.reference.requestsPerEvent.toFixed(2)})`
      : Math.abs(row.requestsTimes - 1) < 0.05
        ? `as many HTTP requests (${row.requestsPerEvent.toFixed(2)} per event)`
        : `${fmtTimes(row.requestsTimes, 'fewer')} HTTP requests (${row.requestsPerEvent.toFixed(2)} vs ${h.reference.requestsPerEvent.toFixed(2)} per event)`;
  const cpu = `${fmtTimes(row.cpuTimes, 'less')} server CPU per event`;
  return `${name}: ${latency}, ${bytes}, ${requests}, ${cpu}`;
}

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
}

/** "36x less", "1.2x more" when the ratio is below 1, "about the same" within 5%. */
export function fmtTimes(ratio: number, word: 'less' | 'fewer' | 'lower'): string {
  if (ratio === Number.POSITIVE_INFINITY) return 'none needed';
  if (!Number.isFinite(ratio) || ratio <= 0) return 'n/a';
  if (Math.abs(ratio - 1) < 0.05) return 'about the same';
  if (ratio < 1) return `${times(1 / ratio)} ${word === 'lower' ? 'higher' : 'more'}`;
  return `${times(ratio)} ${word}`;
}

/**
 * The methods section, generated from the result's own context and calibration: what ran, where,
 * with which versions, how it was pinned and timed, and what the figures mean. Nothing here is
 * written per report by hand; it is all read from the result file.
 */
import { scenarioWireText } from './wire-text.ts';
import type { Result } from '../bench/result-schema.ts';
import { METRICS } from './metric-catalog.ts';

export interface MethodsEntry {
  term: string;
  detail: string;
}

const GiB = 1024 ** 3;

type Scenario = Result['context']['scenario'];
type Shape = Scenario['matrix']['shapes'][number];

const shapeText = (sh: Shape) =>
  sh.kind === 'steady'
    ? `${sh.ratePerSec} event${sh.ratePerSec === 1 ? '' : 's'}/s`
    : `bursts of ${sh.size} every ${sh.everyMs} ms`;

/** "; not run: 1 event/s to 50 clients" for a scenario that leaves cells of its product out. */
function excludedText(exclude: Scenario['matrix']['exclude']): string {
  if (!exclude?.length) return '';
  const cell = (e: NonNullable<typeof exclude>[number]) =>
    [
      e.shape && shapeText(e.shape),
      e.clients !== undefined && `${e.clients} clients`,
      e.payloadBytes !== undefined && `${e.payloadBytes} B payload`,
    ]
      .filter(Boolean)
      .join(' to ');
  return `; not run: ${exclude.map(cell).join(', ')}`;
}

export function methodsEntries(result: Result): MethodsEntry[] {
  const c = result.context;
  const s = c.scenario;
  const t = s.timing;
  const entries: MethodsEntry[] = [
    {
      term: 'Tool',
      detail: `pollbench ${c.tool.version}${c.gitSha ? `, commit ${c.gitSha.slice(0, 12)}${c.gitDirty ? ' (with uncommitted changes)' : ''}` : ''}`,
    },
    { term: 'Command', detail: c.command.length ? `npm run bench -- ${c.command.join(' ')}` : 'npm run bench' },
    {
      term: 'Started / finished',
      detail: `${c.startedAt} / ${c.finishedAt ?? 'not finished'} (result status: ${result.status})`,
    },
    {
      term: 'Machine',
      detail: `${c.cpu.count} x ${c.cpu.model}${c.cpu.speedMHz > 0 ? ` (${c.cpu.speedMHz} MHz)` : ''}, ${(c.memoryBytes / GiB).toFixed(1)} GiB RAM, ${c.os.platform} ${c.os.release} ${c.os.arch}`,
    },
    {
      term: 'Runtime and libraries',
      detail: [`Node ${c.node}`, ...Object.entries(c.packages).map(([name, version]) => `${name} ${version}`)].join(
        ', ',
      ),
    },
    {
      term: 'Process layout',
      detail: `every run starts a fresh server process and a fresh load-generator process; ${c.publisher ? `the feed comes from one publisher process per plan, outside the server${c.publisher.cpus === null ? '' : ` on CPU ${c.publisher.cpus}`} (its lateness counts in latency and is reported beside it)` : 'the server ran the feed schedule itself'}; pinning: ${c.pinning.note}${c.pinning.available ? ` (server on CPU ${c.pinning.serverCpus}, load generator on CPU ${c.pinning.loadCpus})` : ''}`,
    },
    { term: 'Scenario', detail: `"${s.name}" (${c.profile} profile): ${s.description}` },
    {
      term: 'Matrix',
      detail: `transports ${s.transports.join(', ')}; shapes ${s.matrix.shapes.map(shapeText).join(', ')}; clients ${s.matrix.clients.join(', ')}; payload ${s.matrix.payloadBytes.join(', ')} B; short-poll intervals ${s.matrix.pollIntervalMs.join(', ')} ms${scenarioWireText(s)}${excludedText(s.matrix.exclude)}`,
    },
    {
      term: 'Server settings',
      detail: `HTTP framework ${s.framework} (WebSocket: ws on node:http); long-poll wait ${s.longPollWaitMs} ms; ${s.perMessageDeflate ? 'permessage-deflate with ws defaults on; ' : ''}feed ring of ${s.ringCapacity} events`,
    },
    {
      term: 'Timing per run',
      detail: `${t.prewarmRequests} JIT prewarm requests before any client; ${t.warmupMs} ms warm-up with all clients connected (excluded); ${t.measureMs} ms measurement window (aligned to whole event periods and poll intervals); then a drain for late events of at least ${t.drainMs} ms, extended while events are still arriving (capped at 10 s)`,
    },
    {
      term: 'Repetitions',
      detail: `${s.repetitions} run${s.repetitions === 1 ? '' : 's'} of every job, interleaved across transports (A B C A B C, not A A A B B B) so drift hits all alike; tables show the median over runs and the [min-max] across runs, never the best run`,
    },
  ];
  if (c.serverLimits) entries.push(serverLimitsEntry(c.serverLimits));
  if (c.inject)
    entries.push({
      term: 'Injected regression',
      detail: `${c.inject.extraResponseHeaderBytes} extra header bytes on every HTTP response, ${c.inject.pushDelayMs} ms delay before every push (a gate test, not a real measurement)`,
    });
  const cal = result.calibration;
  entries.push({
    term: 'Calibration floor',
    detail: cal
      ? `loopback round trips in the same process layout: raw TCP p50 ${cal.tcpRoundTripUs.p50.toFixed(0)} us, p99 ${cal.tcpRoundTripUs.p99.toFixed(0)} us; raw WebSocket p50 ${cal.wsRoundTripUs.p50.toFixed(0)} us, p99 ${cal.wsRoundTripUs.p99.toFixed(0)} us (${cal.roundTrips} round trips); WebSocket after ${cal.idleMs} ms idle p50 ${cal.wsIdleRoundTripUs.p50.toFixed(0)} us (${cal.idleRoundTrips} round trips). Half a round trip is the one-way physical minimum a delivery can have here`
      : 'not measured (the run was interrupted before calibration finished)',
  });
  entries.push(
    {
      term: 'Latency',
      detail:
        'publish-to-receive on one monotonic clock shared by server and load generator (same machine), from the time the event was scheduled; polling latency includes the wait for the next poll, which polls on a fixed schedule. Recorded per delivery in an HdrHistogram (microseconds, 3 significant digits)',
    },
    {
      term: 'Bytes',
      detail:
        'counted at the sockets (bytes read and written) on the client side, split up and down; per delivered event means per event reaching one client. TCP/IP headers are below the socket and not counted',
    },
  );
  return entries;
}

/** The limits every feed server enforced, in one line (results from before them have none). */
function serverLimitsEntry(l: NonNullable<Result['context']['serverLimits']>): MethodsEntry {
  return {
    term: 'Server limits',
    detail: `at most ${l.maxConnections} connections per server; at most ${l.catchUpMaxEvents} events per poll answer (a client further behind gets the next page at once); a WebSocket or SSE client dropped past ${l.slowConsumerMaxBytes} unread bytes; request head due within ${l.headersTimeoutMs} ms, whole request within ${l.requestTimeoutMs} ms (a long-poll hold or a stream is not cut)`,
  };
}

/** Every metric's definition, in catalog order, for the glossary under the methods. */
export function metricDefinitions(): MethodsEntry[] {
  return METRICS.map((m) => ({ term: `${m.label}${m.unit ? ` (${m.unit})` : ''}`, detail: m.definition }));
}

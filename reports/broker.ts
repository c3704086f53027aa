/**
 * "Broker vs transport" (`--broker memory,redis`): every job behind Redis beside the same job on the
 * memory broker (the publisher's own TCP feed), with the latency the clients saw, the arrival lag at
 * the server (scheduled time to hand-over to the transports) and what redis-server cost. The latency
 * difference within a pair is what the broker adds; the arrival lag difference says how much of it
 * comes before the server's fan-out. Pure: summaries in, rows out; Markdown and HTML only lay it out.
 */
import { medianOf, transportLabel, type JobSummary } from './aggregate.ts';
import { escapeHtml as e } from './escape.ts';
import { formatMetric, labelWithUnit } from './metric-catalog.ts';
import type { MetricKey } from '../bench/result-schema.ts';

const COLUMNS: readonly MetricKey[] = [
  'latency_p50_us',
  'latency_p99_us',
  'feed_arrival_lag_p50_us',
  'feed_arrival_lag_p99_us',
  'broker_cpu_fraction',
  'broker_rss_bytes',
  'broker_used_memory_bytes',
  'broker_stream_length',
];

const TITLE = 'Behind a broker: memory vs redis';
const CAPTION =
  "Each job behind Redis beside the same job on the memory broker (the publisher's own feed), medians over runs. Latency minus its memory twin's is what the broker adds; the arrival lag columns show how much of it comes before the server hands events to its transports. Broker CPU, memory and stream length are redis-server's over the window (redis jobs only).";

interface BrokerRow {
  parameterSet: string;
  transport: string;
  broker: string;
  cells: string[];
}

/** The jobs as pairs (the memory job first, when the plan ran one), or null without a redis job. */
export function brokerRows(jobs: readonly JobSummary[]): { heads: string[]; rows: BrokerRow[] } | null {
  const twinKey = (s: JobSummary) => JSON.stringify({ ...s.job.params, broker: null });
  const redis = jobs.filter((s) => s.job.params.broker === 'redis');
  if (redis.length === 0) return null;
  const memoryByKey = new Map(
    jobs.filter((s) => (s.job.params.broker ?? 'memory') === 'memory').map((s) => [twinKey(s), s]),
  );
  const row = (s: JobSummary): BrokerRow => ({
    parameterSet: s.job.parameterSet,
    transport: transportLabel(s.job),
    broker: s.job.params.broker ?? 'memory',
    cells: COLUMNS.map((key) => {
      const value = medianOf(s, key);
      return Number.isFinite(value) ? formatMetric(key, value) : '–';
    }),
  });
  const rows = redis.flatMap((s) => {
    const twin = memoryByKey.get(twinKey(s));
    return twin ? [row(twin), row(s)] : [row(s)];
  });
  return { heads: ['parameter set', 'transport', 'broker', ...COLUMNS.map((k) => labelWithUnit(k))], rows };
}

export function brokerMarkdown(jobs: readonly JobSummary[], md: (text: string) => string): string[] {
  const table = brokerRows(jobs);
  if (!table) return [];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${TITLE}`,
    '',
    md(CAPTION),
    '',
    line(table.heads.map(md)),
    line(table.heads.map((_, i) => (i >= 3 ? '---:' : '---'))),
    ...table.rows.map((r) => line([r.parameterSet, r.transport, r.broker, ...r.cells].map(md))),
    '',
  ];
}

export function brokerSection(jobs: readonly JobSummary[]): string {
  const table = brokerRows(jobs);
  if (!table) return '';
  const head = table.heads.map((h) => `<th scope="col">${e(h)}</th>`).join('');
  const rows = table.rows
    .map(
      (r) =>
        `<tr><td>${e(r.parameterSet)}</td><td>${e(r.transport)}</td><td>${e(r.broker)}</td>${r.cells.map((c) => `<td class="num">${e(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<section id="broker"><h2>${e(TITLE)}</h2><p class="caption">${e(CAPTION)}</p><div class="scroll"><table class="broker"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

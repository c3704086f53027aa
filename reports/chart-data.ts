/**
 * Result -> the rows each chart draws. Pure and separate from the chart specs, so the numbers a
 * chart shows can be tested without rendering it.
 */
import type { MetricKey, Result } from '../bench/result-schema.ts';
import {
  eventRate,
  median,
  medianOf,
  parameterSetText,
  perRunMedian,
  transportLabel,
  type JobSummary,
} from './aggregate.ts';
import { latencyCurve } from './latency-curves.ts';
import type { LatencyChartInput } from './charts/latency-chart.ts';
import type { BytesRow } from './charts/bytes-chart.ts';
import type { CountRow } from './charts/per-event-chart.ts';
import type { SpreadRow } from './charts/spread-chart.ts';
import type { TransportSeries } from './charts/common.ts';
import type { MatrixPoint } from './charts/matrix-chart.ts';
import type { RttPoint } from './charts/rtt-chart.ts';
import { metricInfo } from './metric-catalog.ts';
import { networkKey, pathWithoutNetwork } from './path-text.ts';
import { jobConditionsText } from './wire-text.ts';
import { isSaturated } from './warning-kinds.ts';
import type { ReportSummary } from './summary.ts';

type Colors = LatencyChartInput['colors'];

/** Transport labels in the order they first appear in the result: the order of every chart. */
export function transportOrder(result: Result): string[] {
  return [...new Set(result.jobs.map(transportLabel))];
}

/** Every job's chart series (its label and transport), in result order: what the colour scale is built from. */
export function transportSeries(result: Result): TransportSeries[] {
  return result.jobs.map((job) => ({ label: transportLabel(job), transport: job.params.transport }));
}

/**
 * Parameter sets with at least one completed run, in result order, each named for a chart panel
 * ("1/s, 500 clients, 256 B"; bursts spelled out).
 */
function completedSets(summary: ReportSummary): [string, JobSummary[]][] {
  return [...summary.sets]
    .map(([, list]) => list.filter((s) => s.completed.length > 0))
    .filter((list) => list.length > 0)
    .map((list) => [panelLabel(list[0]!), list] as [string, JobSummary[]]);
}

/** A set's panel name: its rate, clients and payload, then its path (two paths of one cell are two panels). */
function panelLabel(s: JobSummary): string {
  const path = jobConditionsText(s.job);
  return `${cellLabel(s)}${path ? `, ${path}` : ''}`;
}

/** "1/s, 500 clients, 256 B payload": a parameter set without its path. */
function cellLabel(s: JobSummary): string {
  const p = s.job.params;
  const shape =
    p.shape.kind === 'steady' ? `${p.shape.ratePerSec}/s` : `bursts of ${p.shape.size} every ${p.shape.everyMs} ms`;
  return `${shape}, ${p.clients.toLocaleString('en-US')} clients, ${p.payloadBytes} B payload`;
}

export function latencyChartInputs(summary: ReportSummary, colors: Colors): LatencyChartInput[] {
  const floors: LatencyChartInput['floors'] = [];
  const c = summary.result.calibration;
  if (c) {
    floors.push({
      label: `loopback one-way floor (WebSocket round trip / 2): ${(c.wsRoundTripUs.p50 / 2000).toFixed(3)} ms`,
      ms: c.wsRoundTripUs.p50 / 2000,
    });
    floors.push({
      label: `after ${c.idleMs} ms idle (round trip / 2): ${(c.wsIdleRoundTripUs.p50 / 2000).toFixed(2)} ms`,
      ms: c.wsIdleRoundTripUs.p50 / 2000,
    });
  }
  return completedSets(summary).map(([, list]) => {
    const set = list[0]!.job.parameterSet;
    const curves = list.flatMap((s) => {
      const curve = latencyCurve(s);
      return curve ? [{ label: transportLabel(s.job), curve }] : [];
    });
    const runs = Math.max(...curves.map((x) => x.curve.runs), 0);
    // Saturation changes what a curve means (queueing, not transport): say so on the chart itself.
    const saturated = list.flatMap((s) => {
      const hit = s.completed.filter((r) => r.warnings.some(isSaturated)).length;
      return hit ? [`${transportLabel(s.job)} saturated in ${hit} of ${s.completed.length} runs`] : [];
    });
    return {
      title: `Latency distribution: ${parameterSetText(list[0]!.job)}`,
      subtitle: `${set}; deliveries of ${runs} run${runs === 1 ? '' : 's'} pooled per transport; dots: p50 and p99; dashed: calibration floors${saturated.length ? `; WARNING: ${saturated.join(', ')}` : ''}`,
      curves,
      floors,
      colors,
    };
  });
}

export function bytesRows(summary: ReportSummary): BytesRow[] {
  return completedSets(summary).flatMap(([set, list]) =>
    list.flatMap((s): BytesRow[] => {
      const transport = transportLabel(s.job);
      if (s.job.params.compression !== 'off')
        return [
          { set, transport, part: 'down: all, compressed' as const, bytes: medianOf(s, 'bytes_down_per_event') },
          { set, transport, part: 'up: requests + framing' as const, bytes: medianOf(s, 'bytes_up_per_event') },
        ].filter((r) => Number.isFinite(r.bytes));
      const message = medianOf(s, 'message_bytes_down_per_event');
      // Each delivered event carries its payload exactly once; the rest of the message is JSON envelope.
      const payload = Math.min(s.job.params.payloadBytes, message);
      const rows: BytesRow[] = [
        { set, transport, part: 'down: payload', bytes: payload },
        { set, transport, part: 'down: message envelope', bytes: message - payload },
        { set, transport, part: 'down: headers + framing', bytes: medianOf(s, 'overhead_bytes_down_per_event') },
        { set, transport, part: 'up: requests + framing', bytes: medianOf(s, 'bytes_up_per_event') },
      ];
      return rows.filter((r) => Number.isFinite(r.bytes));
    }),
  );
}

export function countRows(summary: ReportSummary): CountRow[] {
  return completedSets(summary).flatMap(([set, list]) =>
    list.flatMap((s): CountRow[] => {
      const transport = transportLabel(s.job);
      const perDelivered = (key: MetricKey) =>
        perRunMedian(s, (m) => (m[key]?.value ?? Number.NaN) / Math.max(1, m['events_delivered']?.value ?? 0));
      return [
        { set, transport, what: 'HTTP requests', value: medianOf(s, 'http_requests_per_event') },
        { set, transport, what: 'empty responses', value: medianOf(s, 'empty_responses_per_event') },
        {
          set,
          transport,
          what: 'reconnects',
          value: perDelivered('tcp_connections_in_window') + perDelivered('ws_handshakes_in_window'),
        },
      ].filter((r) => Number.isFinite(r.value));
    }),
  );
}

/** Median and [min, max] across runs of one metric, scaled for display, one row per job. */
export function spreadRows(summary: ReportSummary, key: MetricKey): SpreadRow[] {
  const scale = metricInfo(key).scale;
  return completedSets(summary).flatMap(([set, list]) =>
    list.flatMap((s) => {
      const m = s.metrics[key];
      return m
        ? [
            {
              set,
              transport: transportLabel(s.job),
              median: m.median * scale,
              min: m.min * scale,
              max: m.max * scale,
              runs: m.n,
            },
          ]
        : [];
    }),
  );
}

export interface MatrixLayout {
  /** Which parameter is on the x axis. */
  xTitle: string;
  logX: boolean;
  /** Whether any parameter varies at all (with one parameter set there is no matrix to show). */
  varies: boolean;
  x: (s: JobSummary) => number;
  panel: (s: JobSummary) => string;
}

const DIMENSIONS = [
  {
    name: 'event rate (events/s)',
    short: 'rate',
    of: (s: JobSummary) => eventRate(s.job),
    text: (v: number) => `${v}/s`,
  },
  {
    name: 'clients',
    short: 'clients',
    of: (s: JobSummary) => s.job.params.clients,
    text: (v: number) => `${v} clients`,
  },
  {
    name: 'payload (bytes)',
    short: 'payload',
    of: (s: JobSummary) => s.job.params.payloadBytes,
    text: (v: number) => `${v} B payload`,
  },
];

/**
 * The first parameter that varies goes on the x axis; the other varying ones make the panels, and so
 * does the path when the result has several (a line never joins figures of two paths).
 */
export function matrixLayout(summaries: JobSummary[]): MatrixLayout {
  const varying = DIMENSIONS.filter((d) => new Set(summaries.map(d.of)).size > 1);
  const xDim = varying[0] ?? DIMENSIONS[1]!;
  const others = varying.slice(1);
  const xs = summaries.map(xDim.of).filter((v) => v > 0);
  const pathVaries = new Set(summaries.map((s) => jobConditionsText(s.job))).size > 1;
  return {
    xTitle: xDim.name,
    logX: xs.length > 0 && Math.max(...xs) / Math.min(...xs) >= 10,
    varies: varying.length > 0,
    x: xDim.of,
    panel: (s) => {
      const parts = [
        ...others.map((d) => d.text(d.of(s))),
        ...(pathVaries ? [jobConditionsText(s.job) || 'direct loopback'] : []),
      ];
      return parts.length ? parts.join(', ') : 'all';
    },
  };
}

/**
 * Median and p99 latency (medians over runs, ms) of every completed job against its network's
 * configured round trip, one panel per parameter set with the network taken out (rate, clients,
 * payload, TLS and proxy stay). Loopback sits at x = 0, its configured round trip: every x is the
 * profile's figure, not a measurement, and the real loopback round trip (tens of µs, under
 * Calibration) would not show apart from 0 at this scale. Empty unless at least two networks ran.
 */
export function rttRows(summary: ReportSummary): RttPoint[] {
  const summaries = completedSummaries(summary);
  if (new Set(summaries.map((s) => networkKey(s.job.params.network))).size < 2) return [];
  const panelOf = (s: JobSummary) => {
    const without = pathWithoutNetwork(s.job.params);
    return `${cellLabel(s)}${without ? `, ${without}` : ''}`;
  };
  // A panel whose cell ran on one network only has nothing to draw against the round trip.
  const networksOf = new Map<string, Set<string>>();
  for (const s of summaries)
    (networksOf.get(panelOf(s)) ?? networksOf.set(panelOf(s), new Set()).get(panelOf(s))!).add(
      networkKey(s.job.params.network),
    );
  return summaries.flatMap((s) => {
    const panel = panelOf(s);
    if (networksOf.get(panel)!.size < 2) return [];
    const base = {
      panel,
      transport: transportLabel(s.job),
      network: s.job.params.network.name,
      rttMs: s.job.params.network.rttMs,
    };
    return [
      { ...base, stat: 'p50' as const, ms: medianOf(s, 'latency_p50_us') / 1000 },
      { ...base, stat: 'p99' as const, ms: medianOf(s, 'latency_p99_us') / 1000 },
    ].filter((r) => Number.isFinite(r.ms));
  });
}

/** A metric (or a figure derived per run from the metrics) across the matrix, one point per job. */
export function matrixPoints(
  summaries: JobSummary[],
  layout: MatrixLayout,
  derive: (m: JobSummary['completed'][number]['metrics']) => number,
  scale = 1,
): MatrixPoint[] {
  return summaries.flatMap((s) => {
    const values = s.completed.map((r) => derive(r.metrics) * scale).filter(Number.isFinite);
    if (values.length === 0) return [];
    return [
      {
        transport: transportLabel(s.job),
        x: layout.x(s),
        panel: layout.panel(s),
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
      },
    ];
  });
}

export function completedSummaries(summary: ReportSummary): JobSummary[] {
  return completedSets(summary).flatMap(([, list]) => list);
}

/** Whether log scale helps: all positive and spanning more than a factor of 20. */
export function wantsLog(values: number[]): boolean {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length > 0 && v.every((x) => x > 0) && Math.max(...v) / Math.min(...v) > 20;
}

export type { Colors };

/**
 * Latency distribution of one parameter set: a percentile curve per transport on a "nines" axis
 * (50%, 90%, 99%, 99.9% evenly spaced), latency on a log scale, and the calibration floors as
 * dashed reference lines so a reader sees how far above the physical minimum each transport is.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LatencyCurve } from '../latency-curves.ts';
import { BASE_CONFIG, CHART_WIDTH } from './common.ts';

export interface LatencyChartInput {
  title: string;
  subtitle: string;
  curves: { label: string; curve: LatencyCurve }[];
  /** One-way floors in ms, e.g. half the loopback WebSocket round trip. */
  floors: { label: string; ms: number }[];
  colors: { domain: string[]; range: string[] };
}

/** Latencies below 1 us cannot be drawn on a log scale (and cannot be measured by the histogram). */
const MIN_MS = 0.001;
/** Percentiles marked with a dot on every curve, so the median and the tail can be read off. */
export const MILESTONES = [50, 99];

export function latencyChartSpec(input: LatencyChartInput): TopLevelSpec {
  const points = input.curves.flatMap(({ label, curve }) =>
    curve.points.map((p) => ({
      transport: label,
      nines: p.nines,
      percentile: p.percentile,
      ms: Math.max(MIN_MS, p.latencyMs),
    })),
  );
  const maxNines = Math.max(10, ...points.map((p) => p.nines));
  // No tick at 0%: it would sit on top of the 50% label; the axis starts there anyway.
  const ticks = [2, 10, 100, 1_000, 10_000, 100_000, 1_000_000].filter((t) => t <= maxNines);
  const milestones = points.filter((p) => MILESTONES.some((m) => Math.abs(p.percentile - m) < 1e-9));
  const floors = input.floors
    .filter((f) => Number.isFinite(f.ms) && f.ms > 0)
    .map((f) => ({ floor: f.label, ms: Math.max(MIN_MS, f.ms) }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Latency percentiles per transport, ${input.subtitle}`,
    title: { text: input.title, subtitle: input.subtitle },
    width: CHART_WIDTH,
    height: 300,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
        encoding: {
          x: {
            field: 'nines',
            type: 'quantitative',
            scale: { type: 'log', domain: [1, maxNines] },
            axis: {
              title: 'percentile of deliveries (90%, 99%, 99.9% evenly spaced)',
              values: ticks,
              labelExpr: "format(100 - 100 / datum.value, '.5~r') + '%'",
            },
          },
          y: {
            field: 'ms',
            type: 'quantitative',
            scale: { type: 'log' },
            axis: { title: 'delivery latency (ms, log scale)' },
          },
          color: { field: 'transport', type: 'nominal', scale: input.colors, legend: { title: 'transport' } },
        },
      },
      {
        data: { values: milestones },
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          x: { field: 'nines', type: 'quantitative' },
          y: { field: 'ms', type: 'quantitative' },
          color: { field: 'transport', type: 'nominal', scale: input.colors, legend: { title: 'transport' } },
          tooltip: [
            { field: 'transport' },
            { field: 'percentile', format: '.3~r' },
            { field: 'ms', title: 'ms', format: '.3~r' },
          ],
        },
      },
      {
        data: { values: floors },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#777777' },
        encoding: { y: { field: 'ms', type: 'quantitative' } },
      },
      {
        data: { values: floors },
        mark: { type: 'text', align: 'right', dx: -4, dy: -6, fontSize: 10, color: '#555555' },
        encoding: { y: { field: 'ms', type: 'quantitative' }, x: { value: CHART_WIDTH }, text: { field: 'floor' } },
      },
    ],
  };
}

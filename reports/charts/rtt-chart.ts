/**
 * Latency against the network's round trip: the picture that explains the whole comparison. A pushed
 * event (WebSocket, SSE) costs about half a round trip on top of the loopback floor; a long poll
 * between half and a whole round trip (the re-poll after each event); a short poll about half its
 * interval plus half a round trip. One line per transport, solid for the median and dashed for p99,
 * one panel per parameter set without its network, and grey guides at RTT/2 and RTT.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG } from './common.ts';

export interface RttPoint {
  /** The parameter set without its network: "1/s, 500 clients, 256 B payload, TLS". */
  panel: string;
  /** Transport label ("short-poll 1000ms", "ws"). */
  transport: string;
  /** The network profile's name. */
  network: string;
  /** The profile's configured round trip (ms; loopback 0). */
  rttMs: number;
  stat: 'p50' | 'p99';
  /** Median over runs of the job's latency at that percentile (ms). */
  ms: number;
}

export interface RttChartInput {
  points: RttPoint[];
  logY: boolean;
  colors: { domain: string[]; range: string[] };
}

/** Guide lines at half and one round trip, per panel, where the round trip is above 0 (a log axis has no 0). */
function guides(points: RttPoint[]) {
  const rtts = [...new Set(points.map((p) => p.rttMs))].filter((r) => r > 0).sort((a, b) => a - b);
  const panels = [...new Set(points.map((p) => p.panel))];
  return panels.flatMap((panel) =>
    rtts.flatMap((rttMs) => [
      { panel, guide: 'RTT / 2', rttMs, ms: rttMs / 2 },
      { panel, guide: 'RTT', rttMs, ms: rttMs },
    ]),
  );
}

export function rttChartSpec(input: RttChartInput): TopLevelSpec {
  const rtts = [...new Set(input.points.map((p) => p.rttMs))].sort((a, b) => a - b);
  const x = {
    field: 'rttMs',
    type: 'quantitative',
    title: 'network round trip (ms)',
    scale: { zero: true, nice: false, padding: 12 },
    axis: { values: rtts, format: '~s' },
  } as const;
  const y = {
    field: 'ms',
    type: 'quantitative',
    title: 'latency (ms)',
    scale: input.logY ? { type: 'log' as const } : { zero: true },
  } as const;
  const panels = new Set(input.points.map((p) => p.panel)).size;
  const g = guides(input.points);
  const maxRtt = Math.max(...rtts);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: "Median and p99 latency of each transport against the network's round trip",
    title: {
      text: "Latency against the network's round trip",
      subtitle:
        "x: the profile's configured round trip (loopback at 0); solid: median, dashed: p99 (medians over runs); grey: RTT / 2 and RTT",
    },
    config: BASE_CONFIG,
    data: {
      values: [...input.points.map((p) => ({ ...p, kind: 'transport' })), ...g.map((p) => ({ ...p, kind: 'guide' }))],
    },
    // Wrapped after three panels: a matrix with several rates, audiences or TLS on and off stays readable.
    facet: { field: 'panel', type: 'nominal', title: null, sort: null },
    columns: 3,
    spec: {
      width: panels > 1 ? 260 : 460,
      height: 260,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'guide'" }],
          mark: { type: 'line', color: '#999999', strokeDash: [2, 3], strokeWidth: 1 },
          encoding: { x, y, detail: { field: 'guide', type: 'nominal' } },
        },
        {
          // A tick at every round trip, so a guide shows even where only one network is above 0.
          transform: [{ filter: "datum.kind === 'guide'" }],
          mark: { type: 'tick', orient: 'horizontal', color: '#999999', size: 22, thickness: 1 },
          encoding: { x, y },
        },
        {
          transform: [{ filter: `datum.kind === 'guide' && datum.rttMs === ${maxRtt}` }],
          mark: { type: 'text', align: 'left', dx: 14, color: '#777777', fontSize: 10 },
          encoding: { x, y, text: { field: 'guide', type: 'nominal' } },
        },
        {
          transform: [{ filter: "datum.kind === 'transport'" }],
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: {
            x,
            y,
            color: { field: 'transport', type: 'nominal', scale: input.colors, legend: { title: 'transport' } },
            strokeDash: {
              field: 'stat',
              type: 'nominal',
              scale: {
                domain: ['p50', 'p99'],
                range: [
                  [1, 0],
                  [6, 3],
                ],
              },
              legend: null, // the subtitle says which is which
            },
            detail: { field: 'stat', type: 'nominal' },
            tooltip: [
              { field: 'transport' },
              { field: 'network' },
              { field: 'stat' },
              { field: 'ms', title: 'latency (ms)', format: '.3~r' },
            ],
          },
        },
      ],
    },
  };
}

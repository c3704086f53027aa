/**
 * Projected network load against audience size, log-log: the 2010 projections for polling and
 * WebSocket as dashed lines, and the same projection from pollbench's measured headers and framing
 * per delivered event (like for like with 2010, which counted no payload) as solid lines, in Mbit/s.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG } from './common.ts';

export interface ScalabilityPoint {
  series: string;
  /** `other wire`: the same cell measured on another wire (HTTP/2, browser or 2010 headers), dotted. */
  source: 'measured' | 'other wire' | '2010';
  clients: number;
  mbit: number;
}

export function scalabilityChartSpec(
  points: ScalabilityPoint[],
  subtitle: string,
  colors: { domain: string[]; range: string[] },
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Projected network load for 1,000 to 100,000 clients receiving one message per second',
    title: { text: 'Projected network load at one message per client per second', subtitle },
    width: 420,
    height: 260,
    config: BASE_CONFIG,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'clients',
        type: 'quantitative',
        scale: { type: 'log' },
        axis: { values: [1_000, 10_000, 100_000], format: ',' },
        title: 'clients',
      },
      y: { field: 'mbit', type: 'quantitative', scale: { type: 'log' }, title: 'Mbit/s (10^6 bits/s, log scale)' },
      color: { field: 'series', type: 'nominal', scale: colors, legend: { title: null, symbolType: 'stroke' } },
      strokeDash: {
        field: 'source',
        type: 'nominal',
        scale: {
          domain: ['measured', 'other wire', '2010'],
          range: [
            [1, 0],
            [1, 2],
            [5, 4],
          ],
        },
        legend: null,
      },
      tooltip: [
        { field: 'series' },
        { field: 'source' },
        { field: 'clients', format: ',' },
        { field: 'mbit', format: '.4~r', title: 'Mbit/s' },
      ],
    },
  };
}

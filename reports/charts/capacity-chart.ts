/**
 * The capacity search's steps: p99 latency against audience (log x), one line per transport and
 * deployment in the order of audience, failing steps as crosses, and the service level's limit drawn
 * as a dashed rule.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG } from './common.ts';

export interface CapacityPoint {
  series: string;
  clients: number;
  p99Ms: number;
  verdict: 'met' | 'broke';
}

export function capacityChartSpec(
  points: CapacityPoint[],
  limitMs: number,
  colors: { domain: string[]; range: string[] },
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'p99 latency of every capacity step against its audience, with the service level limit',
    title: {
      text: 'p99 latency against audience, every step of the capacity search',
      subtitle: `dashed: the level's limit (${limitMs} ms); crosses: steps that broke the level`,
    },
    width: 480,
    height: 280,
    config: BASE_CONFIG,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: false },
        encoding: {
          x: {
            field: 'clients',
            type: 'quantitative',
            scale: { type: 'log' },
            axis: { format: '~s' },
            title: 'clients (log scale)',
          },
          y: { field: 'p99Ms', type: 'quantitative', scale: { type: 'log' }, title: 'p99 latency, ms (log scale)' },
          color: { field: 'series', type: 'nominal', scale: colors, legend: { title: null } },
          order: { field: 'clients', type: 'quantitative' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'clients', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'p99Ms', type: 'quantitative', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', scale: colors },
          shape: {
            field: 'verdict',
            type: 'nominal',
            scale: { domain: ['met', 'broke'], range: ['circle', 'cross'] },
            legend: { title: 'level' },
          },
          tooltip: [
            { field: 'series' },
            { field: 'clients', format: ',' },
            { field: 'p99Ms', format: ',.0f', title: 'p99 ms' },
            { field: 'verdict' },
          ],
        },
      },
      {
        data: { values: [{ limitMs }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#b00020' },
        encoding: { y: { field: 'limitMs', type: 'quantitative' } },
      },
    ],
  };
}

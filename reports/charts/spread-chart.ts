/**
 * Median across runs as a bar with the [min, max] across runs as a whisker, one panel per parameter
 * set: for noisy figures such as server CPU per 1,000 events and memory per client.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SET_ROWS } from './common.ts';

export interface SpreadRow {
  set: string;
  transport: string;
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface SpreadChartInput {
  title: string;
  subtitle: string;
  axisTitle: string;
  rows: SpreadRow[];
  transports: string[];
  colors: { domain: string[]; range: string[] };
}

export function spreadChartSpec(input: SpreadChartInput): TopLevelSpec {
  const y = { field: 'transport', type: 'nominal', sort: input.transports, title: null } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${input.title}: median of runs with min to max`,
    title: { text: input.title, subtitle: input.subtitle },
    config: BASE_CONFIG,
    data: { values: input.rows },
    facet: {
      row: SET_ROWS,
    },
    spec: {
      width: 460,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y,
            x: { field: 'median', type: 'quantitative', title: input.axisTitle },
            color: { field: 'transport', type: 'nominal', scale: input.colors, legend: null },
            tooltip: [
              { field: 'transport' },
              { field: 'median', format: '.3~r' },
              { field: 'min', format: '.3~r' },
              { field: 'max', format: '.3~r' },
              { field: 'runs' },
            ],
          },
        },
        {
          mark: { type: 'rule', color: '#333333' },
          encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
        },
      ],
    },
    // Each panel its own scale: CPU per 1,000 events spans 20 to 3,000 ms across parameter sets.
    resolve: { scale: { x: 'independent' } },
  };
}

/**
 * One metric across the parameter matrix: the varying parameter on the x axis (event rate, clients
 * or payload), one line per transport, one panel per combination of the other varying parameters.
 * Shows where long polling approaches push and where short polling breaks.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG } from './common.ts';

export interface MatrixPoint {
  transport: string;
  x: number;
  panel: string;
  median: number;
  min: number;
  max: number;
}

export interface MatrixChartInput {
  title: string;
  subtitle: string;
  xTitle: string;
  yTitle: string;
  points: MatrixPoint[];
  logX: boolean;
  logY: boolean;
  colors: { domain: string[]; range: string[] };
}

export function matrixChartSpec(input: MatrixChartInput): TopLevelSpec {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: input.xTitle,
    scale: input.logX ? { type: 'log' as const } : { zero: false, padding: 12 },
    axis: { values: [...new Set(input.points.map((p) => p.x))].sort((a, b) => a - b), format: '~s' },
  } as const;
  const yScale = input.logY ? { type: 'log' as const } : { zero: true };
  const color = { field: 'transport', type: 'nominal', scale: input.colors, legend: { title: 'transport' } } as const;
  const panels = new Set(input.points.map((p) => p.panel)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${input.title} across the parameter matrix`,
    title: { text: input.title, subtitle: input.subtitle },
    config: BASE_CONFIG,
    data: { values: input.points },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: null } },
    spec: {
      width: panels > 1 ? 240 : 420,
      height: 200,
      layer: [
        {
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: {
            x,
            y: { field: 'median', type: 'quantitative', title: input.yTitle, scale: yScale },
            color,
            tooltip: [
              { field: 'transport' },
              { field: 'x', title: input.xTitle },
              { field: 'median', format: '.3~r' },
              { field: 'min', format: '.3~r' },
              { field: 'max', format: '.3~r' },
            ],
          },
        },
        {
          mark: { type: 'rule', opacity: 0.6 },
          encoding: { x, y: { field: 'min', type: 'quantitative', scale: yScale }, y2: { field: 'max' }, color },
        },
      ],
    },
  };
}

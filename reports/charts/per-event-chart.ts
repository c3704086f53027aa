/**
 * A grouped horizontal bar chart of per-event counts by transport, one panel per parameter set:
 * HTTP requests, empty responses and reconnects (TCP connects plus WebSocket handshakes opened
 * during the window) per delivered event.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SET_ROWS } from './common.ts';

export interface CountRow {
  set: string;
  transport: string;
  what: string;
  value: number;
}

export const COUNT_KINDS = ['HTTP requests', 'empty responses', 'reconnects'] as const;
const KIND_COLORS = ['#e45756', '#f58518', '#72b7b2'];

export function perEventCountsSpec(rows: CountRow[], transports: string[]): TopLevelSpec {
  const y = { field: 'transport', type: 'nominal', sort: transports, title: null } as const;
  const x = {
    field: 'value',
    type: 'quantitative',
    title: 'per delivered event',
    scale: { domainMin: 0, nice: true },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'HTTP requests, empty responses and reconnects per delivered event, by transport',
    title: {
      text: 'Requests and connections per delivered event',
      subtitle: 'during the measurement window; every client opened one connection before it (see the job table)',
    },
    config: BASE_CONFIG,
    data: { values: rows },
    facet: {
      row: SET_ROWS,
      column: {
        field: 'what',
        type: 'nominal',
        title: null,
        sort: [...COUNT_KINDS],
        header: { labelFontWeight: 'bold', labelFontSize: 12 },
      },
    },
    spec: {
      width: 150,
      height: { step: 16 },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y,
            x,
            color: {
              field: 'what',
              type: 'nominal',
              scale: { domain: [...COUNT_KINDS], range: KIND_COLORS },
              legend: null,
            },
            tooltip: [{ field: 'transport' }, { field: 'what' }, { field: 'value', format: '.3f' }],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333333' },
          encoding: { y, x, text: { field: 'value', type: 'quantitative', format: '.2~f' } },
        },
      ],
    },
    spacing: { row: 10, column: 16 },
    resolve: { scale: { x: 'shared' } },
  };
}

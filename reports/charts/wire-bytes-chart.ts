/**
 * The chart a reader should remember from the wire axes: bytes on the wire per delivered event for
 * each transport, side by side across request header profiles and HTTP versions (and whatever else
 * of the wire varies in the result), one panel per cell and path. Bars are stacked: down, then up.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG } from './common.ts';

export interface WireBytesRow {
  /** The cell and path ("1/s, 500 clients, 256 B payload"). */
  panel: string;
  /** The wire variant ("HTTP/2 · browser headers"). */
  variant: string;
  /** The transport series label ("short-poll 1000ms"). */
  transport: string;
  direction: 'down' | 'up';
  bytes: number;
}

export function wireBytesChartSpec(
  rows: readonly WireBytesRow[],
  variants: readonly string[],
  colors: { domain: string[]; range: string[] },
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Bytes per delivered event per transport across header profiles and HTTP versions',
    title: {
      text: 'What one delivered event costs on the wire, by what the clients send',
      subtitle:
        'median of runs; both directions at the client sockets (down solid, up light); TCP/IP headers not included',
    },
    config: BASE_CONFIG,
    data: { values: rows.map((r) => ({ ...r, order: r.direction === 'down' ? 0 : 1 })) },
    facet: {
      row: {
        field: 'panel',
        type: 'nominal',
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 560,
      height: 220,
      mark: { type: 'bar' },
      encoding: {
        x: {
          field: 'variant',
          type: 'nominal',
          sort: [...variants],
          title: null,
          axis: { labelAngle: 0, labelLimit: 140 },
        },
        xOffset: { field: 'transport', type: 'nominal', sort: colors.domain },
        y: { field: 'bytes', type: 'quantitative', stack: 'zero', title: 'bytes per delivered event' },
        color: { field: 'transport', type: 'nominal', scale: colors, legend: { title: null, orient: 'bottom' } },
        opacity: {
          field: 'direction',
          type: 'ordinal',
          sort: ['down', 'up'],
          scale: { domain: ['down', 'up'], range: [1, 0.45] },
          legend: { title: null, orient: 'bottom' },
        },
        order: { field: 'order', type: 'quantitative' },
        tooltip: [
          { field: 'transport' },
          { field: 'variant' },
          { field: 'direction' },
          { field: 'bytes', format: '.0f' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

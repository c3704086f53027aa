/**
 * The chart a reader should remember from the wire axes: bytes on the wire per delivered event for
 * each transport, side by side across request header profiles and HTTP versions (and whatever else
 * of the wire varies in the result), one panel per cell and path. Bars are stacked: down, then up.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SET_ROWS } from './common.ts';

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
    // Wire labels are long; vega's default cuts axis labels at 180 px.
    config: { ...BASE_CONFIG, axis: { ...BASE_CONFIG.axis, labelLimit: 300 } },
    data: { values: rows.map((r) => ({ ...r, order: r.direction === 'down' ? 0 : 1 })) },
    facet: { row: { ...SET_ROWS, field: 'panel' } },
    spec: {
      width: 520,
      // One band per wire, its transports side by side within it: long wire labels read on the left.
      // (With an offset channel the step is the offset's: one bar's height.)
      height: { step: 11 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'variant', type: 'nominal', sort: [...variants], title: null, axis: { labelLimit: 260 } },
        yOffset: { field: 'transport', type: 'nominal', sort: colors.domain },
        x: { field: 'bytes', type: 'quantitative', stack: 'zero', title: 'bytes per delivered event' },
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
    resolve: { scale: { x: 'shared' } },
  };
}

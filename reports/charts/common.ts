/**
 * What every chart shares: one colour per transport label (the same in every chart of a report), a
 * base config, and the row shapes the chart builders take.
 */
import type { Config } from 'vega-lite';
import { transportTraits } from '../../servers/contract/transport-traits.ts';

/** One chart series: a transport label ("short-poll 1000ms", "ws") and the transport it belongs to. */
export interface TransportSeries {
  label: string;
  transport: string;
}

/**
 * Scale domain and range for the transport series of one result, in result order. Colours are fixed
 * per transport (its traits), so a reader learns them once; a transport with several series (short
 * polling, one per interval) takes its colours in turn. An unknown transport throws: it never gets
 * another transport's colour.
 */
export function transportColors(series: readonly TransportSeries[]): { domain: string[]; range: string[] } {
  const domain: string[] = [];
  const range: string[] = [];
  const taken = new Map<string, number>();
  for (const { label, transport } of series) {
    if (domain.includes(label)) continue;
    const { colours } = transportTraits(transport);
    const n = taken.get(transport) ?? 0;
    taken.set(transport, n + 1);
    domain.push(label);
    range.push(colours[n % colours.length]!);
  }
  return { domain, range };
}

export const CHART_WIDTH = 560;

/** One row of small charts per parameter set, labelled above it, in the data's order. */
export const SET_ROWS = {
  field: 'set',
  type: 'nominal',
  title: null,
  sort: null,
  header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' },
} as const;

export const BASE_CONFIG: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: '#ffffff',
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eeeeee' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'right', labelLimit: 400 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555555' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/**
 * What every chart shares: one colour per transport label (the same in every chart of a report), a
 * base config, and the row shapes the chart builders take.
 */
import type { Config } from 'vega-lite';

/** Fixed colours by transport, so a reader learns them once; short-poll intervals get shades of red. */
const BASE: Record<string, string> = { ws: '#1b9e77', sse: '#4c78a8', 'long-poll': '#b279a2' };
const SHORT_POLL_SHADES = ['#e45756', '#f58518', '#9d3a2f', '#ff9d98', '#c9a227'];

/** Scale domain and range for the transport labels of one result, in result order. */
export function transportColors(labels: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(labels)];
  let shade = 0;
  const range = domain.map((label) => BASE[label] ?? SHORT_POLL_SHADES[shade++ % SHORT_POLL_SHADES.length]!);
  return { domain, range };
}

export const CHART_WIDTH = 560;

export const BASE_CONFIG: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: '#ffffff',
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eeeeee' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'right', labelLimit: 400 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555555' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/**
 * Bytes per delivered event, one bar per transport and parameter set, split into what went down
 * (payload, the message's JSON envelope, headers and framing) and what went up (poll requests,
 * client frames). All measured at the socket on the client side. A compressed job's download is one part:
 * its payload, envelope and framing are compressed together, so they have no separate sizes on the wire.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SET_ROWS } from './common.ts';

export interface BytesRow {
  set: string;
  transport: string;
  part: BytesPart;
  bytes: number;
}

export const BYTES_PARTS = [
  'down: payload',
  'down: message envelope',
  'down: headers + framing',
  'down: all, compressed',
  'up: requests + framing',
] as const;
export type BytesPart = (typeof BYTES_PARTS)[number];
const PART_COLORS = ['#4c78a8', '#9ecae9', '#f58518', '#72b7b2', '#e45756'];

export function bytesChartSpec(rows: BytesRow[], transports: string[]): TopLevelSpec {
  // The legend lists the parts this result has (no compressed part without a compressed job).
  const parts = BYTES_PARTS.filter((part) => rows.some((r) => r.part === part));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      'Bytes per delivered event by transport, split into payload, envelope, headers and framing, and upload',
    title: {
      text: 'Bytes on the wire per delivered event',
      subtitle: 'median of runs; measured at the client sockets, TCP/IP headers not included',
    },
    config: BASE_CONFIG,
    data: { values: rows.map((r) => ({ ...r, order: parts.indexOf(r.part) })) },
    facet: {
      row: SET_ROWS,
    },
    spec: {
      width: 460,
      height: { step: 18 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'transport', type: 'nominal', sort: transports, title: null },
        x: { field: 'bytes', type: 'quantitative', stack: 'zero', title: 'bytes per delivered event' },
        color: {
          field: 'part',
          type: 'nominal',
          scale: { domain: parts, range: parts.map((part) => PART_COLORS[BYTES_PARTS.indexOf(part)]!) },
          legend: { title: null, orient: 'bottom', columns: 2 },
        },
        order: { field: 'order', type: 'quantitative' },
        tooltip: [{ field: 'transport' }, { field: 'part' }, { field: 'bytes', format: '.0f' }],
      },
    },
    resolve: { scale: { x: 'shared' } },
  };
}

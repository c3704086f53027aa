/**
 * The rows of the wire chart (charts/wire-bytes-chart.ts): for every cell and path that the result
 * measured on two or more wires, each job's bytes down and up per delivered event, under a label of
 * what its wire was. Only the wire axes that vary within the panel name the variant, so a result
 * comparing header profiles over two HTTP versions reads "HTTP/1.1 · minimal", "HTTP/2 · browser".
 */
import { medianOf, transportLabel, type JobSummary } from './aggregate.ts';
import type { WireBytesRow } from './charts/wire-bytes-chart.ts';
import { jobPathText } from './path-text.ts';
import { transportTraits } from '../servers/contract/transport-traits.ts';

type Params = JobSummary['job']['params'];

const RESPONSE = {
  of: (p: Params) => p.responseHeaders,
  text: (p: Params) => `${p.responseHeaders} response`,
  always: false,
  byDefault: 'default',
};

/**
 * The wire axes a variant label may name, each with its words. HTTP version and request headers, the
 * chart's subject, are named whenever they vary; the others only where they differ from their default
 * (bench/wire-params.ts DEFAULT_WIRE, which reports/ may not import).
 */
const AXES: {
  of: (p: Params) => string;
  text: (p: Params, cookieVaries: boolean) => string;
  always: boolean;
  byDefault?: string;
}[] = [
  { of: (p) => p.http, text: (p) => `HTTP/${p.http}`, always: true, byDefault: '1.1' },
  {
    of: (p) => (p.requestHeaders === 'minimal' ? 'minimal' : `${p.requestHeaders}/${p.cookieBytes}`),
    // The cookie's size is in the parameter set; a label names it only where two sizes share a panel.
    text: (p, cookieVaries) =>
      `${p.requestHeaders} headers${cookieVaries && p.cookieBytes > 0 ? ` (${p.cookieBytes} B cookie)` : ''}`,
    always: true,
    byDefault: 'minimal',
  },
  RESPONSE,
  { of: (p) => p.encoding, text: (p) => p.encoding, always: false, byDefault: 'json' },
  { of: (p) => p.payloadContent, text: (p) => p.payloadContent, always: false, byDefault: 'text' },
  {
    of: (p) => p.compression,
    text: (p) => (p.compression === 'on' ? 'compressed' : 'compressed, no takeover'),
    always: false,
    byDefault: 'off',
  },
  {
    of: (p) => JSON.stringify(p.upstream),
    text: (p) => `messages up ${p.upstream?.messageBytes} B/${p.upstream?.intervalMs} ms`,
    always: false,
    byDefault: 'null',
  },
];

function panelOf(s: JobSummary): string {
  const p = s.job.params;
  const shape =
    p.shape.kind === 'steady' ? `${p.shape.ratePerSec}/s` : `bursts of ${p.shape.size} every ${p.shape.everyMs} ms`;
  const path = jobPathText(s.job);
  return `${shape}, ${p.clients.toLocaleString('en-US')} clients, ${p.payloadBytes} B payload${path ? `, ${path}` : ''}`;
}

/** Rows and the variants in first-seen order; empty when no panel has two wires. */
export function wireBytesRows(summaries: readonly JobSummary[]): { rows: WireBytesRow[]; variants: string[] } {
  const panels = new Map<string, JobSummary[]>();
  for (const s of summaries) {
    // An upstream job's per-event bytes are the feed's alone (its messages have figures of their own):
    // a bar of them would repeat its twin's and read as if messages cost nothing.
    if (s.completed.length === 0 || s.job.params.upstream !== null) continue;
    const key = panelOf(s);
    panels.set(key, [...(panels.get(key) ?? []), s]);
  }
  const rows: WireBytesRow[] = [];
  const variants: string[] = [];
  for (const [panel, list] of panels) {
    const varying = AXES.filter((axis) => new Set(list.map((s) => axis.of(s.job.params))).size > 1);
    if (varying.length === 0) continue;
    const cookieVaries = new Set(list.map((s) => s.job.params.cookieBytes).filter((c) => c > 0)).size > 1;
    for (const s of list) {
      const p = s.job.params;
      // Response profiles are the HTTP servers' (ws writes its own 101), and the 2010 set names its
      // request and response headers together: neither tells a wire of this panel apart.
      const namesResponse = transportTraits(p.transport).httpStack === 'framework' && p.requestHeaders !== '2010';
      const differs = varying.filter(
        (axis) => axis.of(p) !== axis.byDefault && !axis.always && (axis !== RESPONSE || namesResponse),
      );
      // HTTP version and headers whenever they vary and are the difference, or nothing else is:
      // "binary", not "HTTP/1.1 · minimal headers · binary" (vega cuts axis labels at 180 px).
      const headersDiffer = AXES[1]!.of(p) !== AXES[1]!.byDefault;
      const named = varying.filter((axis) => {
        if (!axis.always) return differs.includes(axis);
        if (axis.of(p) !== axis.byDefault) return true;
        return differs.length === 0 && (axis === AXES[0] || !headersDiffer);
      });
      // The HTTP version beside non-default headers, so "HTTP/1.1 · browser headers" pairs with "HTTP/2 · …".
      if (headersDiffer && varying.includes(AXES[0]!) && !named.includes(AXES[0]!)) named.unshift(AXES[0]!);
      const variant = named.map((axis) => axis.text(p, cookieVaries)).join(' · ') || 'defaults';
      if (!variants.includes(variant)) variants.push(variant);
      const transport = transportLabel(s.job);
      for (const [direction, key] of [
        ['down', 'bytes_down_per_event'],
        ['up', 'bytes_up_per_event'],
      ] as const) {
        const bytes = medianOf(s, key);
        if (Number.isFinite(bytes)) rows.push({ panel, variant, transport, direction, bytes });
      }
    }
  }
  return { rows, variants };
}

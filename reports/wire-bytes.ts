/**
 * The rows of the wire chart (charts/wire-bytes-chart.ts): for every cell and path that the result
 * measured on two or more wires, each job's bytes down and up per delivered event, under a label of
 * what its wire was. Only the wire axes that vary within the panel name the variant, so a result
 * comparing header profiles over two HTTP versions reads "HTTP/1.1 · minimal", "HTTP/2 · browser".
 */
import { medianOf, transportLabel, type JobSummary } from './aggregate.ts';
import type { WireBytesRow } from './charts/wire-bytes-chart.ts';
import { jobPathText } from './path-text.ts';

type Params = JobSummary['job']['params'];

/**
 * The wire axes a variant label may name, each with its words. HTTP version and request headers, the
 * chart's subject, are named whenever they vary; the others only where they differ from their default
 * (bench/wire-params.ts DEFAULT_WIRE, which reports/ may not import).
 */
const AXES: { of: (p: Params) => string; text: (p: Params) => string; always: boolean; byDefault?: string }[] = [
  { of: (p) => p.http, text: (p) => `HTTP/${p.http}`, always: true },
  {
    of: (p) => `${p.requestHeaders}/${p.cookieBytes}`,
    text: (p) => `${p.requestHeaders} headers${p.cookieBytes > 0 ? ` (${p.cookieBytes} B cookie)` : ''}`,
    always: true,
  },
  { of: (p) => p.responseHeaders, text: (p) => `${p.responseHeaders} response`, always: false, byDefault: 'default' },
  { of: (p) => p.encoding, text: (p) => p.encoding, always: false, byDefault: 'json' },
  { of: (p) => p.payloadContent, text: (p) => `${p.payloadContent} payload`, always: false, byDefault: 'text' },
  { of: (p) => p.compression, text: (p) => `compression ${p.compression}`, always: false, byDefault: 'off' },
  {
    of: (p) => JSON.stringify(p.upstream),
    text: (p) => `upstream ${p.upstream?.messageBytes} B/${p.upstream?.intervalMs} ms`,
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
    if (s.completed.length === 0) continue;
    const key = panelOf(s);
    panels.set(key, [...(panels.get(key) ?? []), s]);
  }
  const rows: WireBytesRow[] = [];
  const variants: string[] = [];
  for (const [panel, list] of panels) {
    const varying = AXES.filter((axis) => new Set(list.map((s) => axis.of(s.job.params))).size > 1);
    if (varying.length === 0) continue;
    for (const s of list) {
      const p = s.job.params;
      const named = varying.filter((axis) => axis.always || axis.of(p) !== axis.byDefault);
      const variant = named.map((axis) => axis.text(p)).join(' · ') || 'defaults';
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

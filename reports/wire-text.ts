/**
 * A job's wire (bench/wire-params.ts) in words, the one wording every renderer uses: "HTTP/2 (h2c);
 * Chromium's request headers with a 600-byte cookie; binary events". Every default has no words, so
 * every text of a result from before the wire axes stays as it was.
 */
import type { Job } from '../bench/result-schema.ts';
import type { WireParams } from '../bench/wire-params.ts';
import type { Scenario } from '../bench/scenarios/schema.ts';
import { jobPathText } from './path-text.ts';

const REQUEST_HEADERS: Record<WireParams['requestHeaders'], (cookieBytes: number) => string> = {
  minimal: () => '',
  browser: (cookie) => `Chromium's request headers${cookie > 0 ? ` with a ${cookie}-byte cookie` : ''}`,
  '2010': () => "the 2010 article's request headers",
};

const RESPONSE_HEADERS: Record<WireParams['responseHeaders'], string> = {
  default: '',
  lean: 'lean response headers',
  '2010': "the 2010 article's response headers",
};

const HTTP: Record<WireParams['http'], (tls: boolean) => string> = {
  '1.1': () => '',
  '2': (tls) => `HTTP/2 (${tls ? 'h2' : 'h2c'})`,
};

const ENCODING: Record<WireParams['encoding'], string> = { json: '', binary: 'binary events' };

const PAYLOAD_CONTENT: Record<WireParams['payloadContent'], string> = { text: '', random: 'random payload' };

const COMPRESSION: Record<WireParams['compression'], string> = {
  off: '',
  on: 'compressed (permessage-deflate or gzip, context kept across events)',
  'on-no-takeover': 'compressed event by event (no context takeover)',
};

/** The wire in words, "" on every default. `tls` names HTTP/2's flavour (h2 over TLS, h2c without). */
export function wireText(w: WireParams, tls: boolean): string {
  return [
    HTTP[w.http](tls),
    REQUEST_HEADERS[w.requestHeaders](w.cookieBytes),
    RESPONSE_HEADERS[w.responseHeaders],
    ENCODING[w.encoding],
    PAYLOAD_CONTENT[w.payloadContent],
    COMPRESSION[w.compression],
    w.upstream ? `each client sends ${w.upstream.messageBytes} B every ${w.upstream.intervalMs} ms` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export const jobWireText = (job: Job): string => wireText(job.params, job.params.tls);

/** Wire and path together ("HTTP/2 (h2); over 4g: 60 ms RTT, …"), "" when both are the defaults. */
export function jobConditionsText(job: Job): string {
  return [jobWireText(job), jobPathText(job)].filter(Boolean).join('; ');
}

/** Whether a job ran on every wire default (what every result before the wire axes measured). */
export const isDefaultWire = (job: Job): boolean => jobWireText(job) === '';

/**
 * Every job condition of a result other than the defaults, as its label in parameter sets
 * ("http=2 network=4g tls", what the tables show) and its words: a legend for tables that name
 * parameter sets by their labels. The label is what follows the payload in the parameter set
 * (bench/matrix.ts puts the wire, then the path, last).
 */
export function conditionsLegend(jobs: readonly Job[]): { label: string; text: string }[] {
  const legend = new Map<string, string>();
  for (const job of jobs) {
    const text = jobConditionsText(job);
    if (!text) continue;
    const payload = ` payload=${job.params.payloadBytes}B `;
    const at = job.parameterSet.indexOf(payload);
    legend.set(at >= 0 ? job.parameterSet.slice(at + payload.length) : job.parameterSet, text);
  }
  return [...legend].map(([label, text]) => ({ label, text }));
}

/**
 * The scenario's wire axes for the Methods section ("; HTTP 1.1, 2; request headers minimal, browser
 * (cookie 285 B)"), "" when it asks for the defaults only.
 */
export function scenarioWireText(s: Scenario): string {
  const m = s.matrix;
  const cookie = s.cookieBytes === undefined ? '' : ` (cookie ${s.cookieBytes} B)`;
  if (m.wires) {
    const list = m.wires.map((w) => {
      const parts = Object.entries(w).map(([k, v]) => `${k} ${typeof v === 'object' && v ? JSON.stringify(v) : v}`);
      return parts.length ? parts.join(', ') : 'defaults';
    });
    return `; wires, one at a time: ${list.join('; ')}${cookie}`;
  }
  const axes: [string, readonly unknown[] | undefined][] = [
    ['HTTP', m.http],
    ['request headers', m.headers],
    ['response headers', m.responseHeaders],
    ['encodings', m.encodings],
    ['payload contents', m.payloadContents],
    ['compression', m.compression],
    ['upstream', m.upstream?.map((u) => (u ? `${u.messageBytes} B every ${u.intervalMs} ms` : 'none'))],
  ];
  const given = axes.filter(([, values]) => values !== undefined);
  return given.map(([name, values]) => `; ${name} ${values!.join(', ')}`).join('') + (given.length ? cookie : '');
}

/**
 * The HTML tables and blocks of the report: every job with every metric, the scalability table,
 * the baseline comparison, the warnings and the methods. Every string from the result is escaped.
 */
import { anyMetric, transportLabel, type JobSummary } from './aggregate.ts';
import type { BaselineComparison } from './baseline.ts';
import { escapeHtml as e } from './escape.ts';
import { signedPct } from './format.ts';
import { formatMetric, LATENCY_PARTS, labelWithUnit, metricInfo, orderMetricKeys } from './metric-catalog.ts';
import type { MethodsEntry } from './methods.ts';
import {
  HISTORICAL_2010,
  HISTORICAL_SOURCE,
  PROJECTION_CLIENTS,
  WHAT_2010_LEFT_OUT,
  projectBitsPerSecond,
  toMbitPerS,
  toMibitPerS,
  type Scalability,
} from './scalability.ts';
import { NOTICE_TITLES, type Notice } from './warnings.ts';
import type { ResilienceTable } from './resilience.ts';
import type { NoticeKind } from './warning-kinds.ts';

/** A sortable numeric cell: the display text, the raw value for sorting. */
const num = (text: string, value: number) =>
  `<td class="num" data-v="${Number.isFinite(value) ? value : ''}">${e(text)}</td>`;

export function jobTable(summaries: JobSummary[]): string {
  const keys = orderMetricKeys(summaries.flatMap((s) => Object.keys(s.metrics)));
  // An unknown metric (from a newer version) is headed by its raw name and stored unit.
  const unitOf = (key: string) => summaries.flatMap((s) => anyMetric(s.metrics, key) ?? [])[0]?.unit;
  const head = ['parameter set', 'transport', 'runs completed', ...keys.map((k) => labelWithUnit(k, unitOf(k)))];
  const rows = summaries.map((s) => {
    const cells = keys.map((key) => {
      // Every key the result holds, also those this version does not know.
      const m = anyMetric(s.metrics, key);
      if (!m) return num('n/a', Number.NaN);
      const info = metricInfo(key, m.unit);
      const spread = m.n > 1 && m.min !== m.max ? ` [${formatMetric(key, m.min)}-${formatMetric(key, m.max)}]` : '';
      return num(`${formatMetric(key, m.median)}${spread}`, m.median * info.scale);
    });
    const failed = s.completed.length < s.planned ? ' class="partial"' : '';
    return `<tr${failed}><td>${e(s.job.parameterSet)}</td><td>${e(transportLabel(s.job))}</td>${num(`${s.completed.length}/${s.planned}`, s.completed.length)}${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table class="sortable jobs"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/**
 * What a latency is made of, per job: the delivery latency next to how late the publisher ran (it
 * counts in every transport's latency alike, since latency runs from the schedule) and the server's
 * loop delay (queueing in the server), so a reader can tell the harness's and the server's share
 * from the transport's. Metrics a result does not have are left out.
 */

export function latencyPartsTable(jobs: JobSummary[]): string {
  const summaries = jobs.filter((s) => s.completed.length > 0);
  const keys = LATENCY_PARTS.filter((key) => summaries.some((s) => s.metrics[key]));
  if (summaries.length === 0 || keys.length === 0) return '';
  const head = ['parameter set', 'transport', ...keys.map((k) => labelWithUnit(k))];
  const rows = summaries.map((s) => {
    const cells = keys.map((key) => {
      const m = s.metrics[key];
      return m ? num(formatMetric(key, m.median), m.median * metricInfo(key, m.unit).scale) : num('n/a', Number.NaN);
    });
    return `<tr><td>${e(s.job.parameterSet)}</td><td>${e(transportLabel(s.job))}</td>${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table class="sortable latency-parts"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>
<p class="caption">Medians over runs. Latency counts from each event's scheduled time, so a publisher running late adds to every transport alike. Feed arrival lag is how long after its scheduled time the server handed an event to its transports (publisher lateness, the hop from the publisher, any wait behind a busy server loop); the server's loop delay is time work waits behind other work in the server. What is left of the latency is the fan-out and the transport's own.</p>`;
}

/** The resilience tables, one sub-section each (empty without non-steady workloads). */
export function resilienceSection(tables: ResilienceTable[]): string {
  if (tables.length === 0) return '';
  const blocks = tables.map((t) => {
    const head = ['parameter set', 'transport', ...t.heads];
    const rows = t.rows.map(
      (r) =>
        `<tr><td>${e(r.parameterSet)}</td><td>${e(r.transport)}</td>${r.cells.map((c) => num(c.text, c.value)).join('')}</tr>`,
    );
    return `<h3 id="${e(t.id)}">${e(t.title)}</h3><p class="caption">${e(t.caption)}</p><div class="scroll"><table class="sortable resilience"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  return `<section id="resilience"><h2>Resilience: drops, restarts, idle clients, slow readers</h2>${blocks.join('')}</section>`;
}

const mib = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3));

export function scalabilityTable(s: Scalability): string {
  const head = `<tr><th scope="col" rowspan="2">figures</th><th scope="col" rowspan="2">bytes per message</th>${PROJECTION_CLIENTS.map((n) => `<th scope="colgroup" colspan="2">${n.toLocaleString('en-US')} clients</th>`).join('')}</tr><tr>${PROJECTION_CLIENTS.map(() => '<th scope="col">Mibit/s</th><th scope="col">Mbit/s</th>').join('')}</tr>`;
  const historical = (label: string, bytes: number, printed: readonly string[]) =>
    `<tr class="historical"><td>${e(label)}</td>${num(`${bytes}`, bytes)}${PROJECTION_CLIENTS.map((n, i) => {
      const bits = projectBitsPerSecond(bytes, n);
      return `${num(`${printed[i]} (printed)`, toMibitPerS(bits))}${num(mib(toMbitPerS(bits)), toMbitPerS(bits))}`;
    }).join('')}</tr>`;
  const measured = (label: string, bytes: number, cells: { mbit: number; mibit: number }[]) =>
    `<tr><td>${e(label)}</td>${num(bytes.toFixed(0), bytes)}${cells.map((c) => `${num(mib(c.mibit), c.mibit)}${num(mib(c.mbit), c.mbit)}`).join('')}</tr>`;
  const rows = [
    historical('2010: polling, HTTP headers only', HISTORICAL_2010.pollingOverheadBytes, HISTORICAL_2010.polling),
    historical('2010: WebSocket, frame header only', HISTORICAL_2010.webSocketOverheadBytes, HISTORICAL_2010.webSocket),
    ...s.rows
      .filter((r) => r.overhead.length > 0)
      .map((r) => measured(`measured: ${r.label}, headers + framing`, r.overheadBytes, r.overhead)),
    ...s.rows.map((r) => measured(`measured: ${r.label}, everything incl. payload`, r.totalBytes, r.total)),
  ];
  return `<div class="scroll"><table class="scalability"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>
<p class="caption">Projection: bytes per message x clients x 1 message/s x 8 bits. Measured bytes are per delivered event, both directions, at the socket, from ${e(s.parameterText)} (${e(s.parameterSet)}; at that rate short polling's empty polls are in its bytes). Historical source: ${e(HISTORICAL_SOURCE)}. ${e(WHAT_2010_LEFT_OUT)}</p>`;
}

export function baselineTable(cmp: BaselineComparison, baselineName: string): string {
  const parts: string[] = [
    `<p>Baseline: <code>${e(baselineName)}</code>. Medians over runs and the relative change. This is descriptive; for a verdict with statistics run <code>npm run compare</code>.</p>`,
  ];
  if (cmp.contextDifferences.length)
    parts.push(
      `<p class="warn">The runs differ in context: ${e(cmp.contextDifferences.join('; '))}. Differences may come from that, not from the code.</p>`,
    );
  if (cmp.rows.length === 0) parts.push('<p>No job is in both results.</p>');
  else {
    const metrics = [...new Set(cmp.rows.flatMap((r) => r.cells.map((c) => c.metric)))];
    const head = `<tr><th scope="col">parameter set</th><th scope="col">transport</th>${metrics.map((m) => `<th scope="col">${e(labelWithUnit(m))}</th>`).join('')}</tr>`;
    const body = cmp.rows.map(
      (r) =>
        `<tr><td>${e(r.parameterSet)}</td><td>${e(r.label)}</td>${metrics
          .map((m) => {
            const c = r.cells.find((x) => x.metric === m);
            if (!c) return num('n/a', Number.NaN);
            const cls = Math.abs(c.change) < 0.005 || c.change === 0 ? '' : c.worse ? ' worse' : ' better';
            return `<td class="num${cls}" data-v="${Number.isFinite(c.change) ? c.change : ''}">${e(`${formatMetric(m, c.baseline)} -> ${formatMetric(m, c.current)} (${signedPct(c.change)})`)}</td>`;
          })
          .join('')}</tr>`,
    );
    parts.push(
      `<div class="scroll"><table class="sortable"><thead>${head}</thead><tbody>${body.join('')}</tbody></table></div>`,
    );
  }
  if (cmp.onlyInCurrent.length) parts.push(`<p>Only in this result: ${e(cmp.onlyInCurrent.join('; '))}</p>`);
  if (cmp.onlyInBaseline.length) parts.push(`<p>Only in the baseline: ${e(cmp.onlyInBaseline.join('; '))}</p>`);
  return parts.join('\n');
}

export function noticesBlock(notices: Notice[]): string {
  if (notices.length === 0) return '';
  const kinds = [...new Set(notices.map((n) => n.kind))] as NoticeKind[];
  const groups = kinds.map((kind) => {
    const items = notices
      .filter((n) => n.kind === kind)
      .map((n) => `<li>${n.where ? `<strong>${e(n.where)}</strong>: ` : ''}${e(n.text)}</li>`);
    const list = `<ul>${items.join('')}</ul>`;
    // Notes (for example a late publisher) matter less than loss or saturation: folded, with a count.
    return kind === 'note'
      ? `<details><summary><strong>${e(NOTICE_TITLES[kind])}</strong> (${items.length})</summary>${list}</details>`
      : `<h3>${e(NOTICE_TITLES[kind])}</h3>${list}`;
  });
  const serious = notices.some((n) => n.kind !== 'note');
  return `<section id="warnings" class="notices${serious ? ' serious' : ''}"><h2>${serious ? 'Warnings: read before trusting the figures' : 'Notes'}</h2>${groups.join('')}</section>`;
}

export function definitionList(entries: MethodsEntry[]): string {
  return `<dl>${entries.map((x) => `<dt>${e(x.term)}</dt><dd>${e(x.detail)}</dd>`).join('')}</dl>`;
}

/**
 * The index page of a published report site (GitHub Pages or any static host): one row per
 * published run, newest first, with the commit, the scenario and the headline figures, linking to
 * each run's own report. A pure function of the results and their report paths.
 */
import type { Result } from '../bench/result-schema.ts';
import { escapeHtml as e } from './escape.ts';
import { fmtMs, fmtTimes, transportName } from './headline.ts';
import { summarizeResult } from './summary.ts';

export interface PublishedRun {
  result: Result;
  /** Relative link to the run's HTML report, e.g. reports/2026-11-24T01-00-00Z-abc123.html */
  href: string;
  /** Relative link to the result JSON. */
  json: string;
}

export function renderPagesIndex(runs: PublishedRun[], title = 'pollbench reports'): string {
  const sorted = [...runs].sort((a, b) => b.result.context.startedAt.localeCompare(a.result.context.startedAt));
  const rows = sorted.map(({ result, href, json }) => {
    const ctx = result.context;
    const summary = summarizeResult(result);
    const h = summary.headline;
    const headline = h
      ? h.rows
          .map(
            (r) =>
              `${transportName(r.transport)}: ${fmtTimes(r.latencyTimes, 'lower')} latency (${fmtMs(r.latencyP50Ms)}), ${fmtTimes(r.bytesTimes, 'fewer')} bytes`,
          )
          .join('; ')
      : 'no headline';
    const serious = summary.notices.filter((n) => n.kind !== 'note').length;
    return `<tr><td>${e(ctx.startedAt.replace('T', ' ').slice(0, 19))}</td><td><code>${e(ctx.gitSha ? ctx.gitSha.slice(0, 10) : 'unknown')}</code></td><td>${e(ctx.scenario.name)}</td><td>${e(`${ctx.cpu.count} x ${ctx.cpu.model}, Node ${ctx.node}`)}</td><td>${e(h ? `vs ${h.reference.label} at ${h.parameterText}: ${headline}` : headline)}</td><td>${serious ? `${serious} warning${serious === 1 ? '' : 's'}` : ''}</td><td><a href="${e(href)}">report</a> · <a href="${e(json)}">result</a></td></tr>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>
body { margin: 0 auto; max-width: 1180px; padding: 24px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f3f3f5; }
td:nth-child(5) { max-width: 520px; }
</style>
</head>
<body>
<h1>${e(title)}</h1>
<p>${sorted.length} published run${sorted.length === 1 ? '' : 's'}, newest first. Each report is self-contained; the result file next to it can be re-rendered with <code>npm run report</code>.</p>
<table><thead><tr><th>started (UTC)</th><th>commit</th><th>scenario</th><th>machine</th><th>headline</th><th>warnings</th><th></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body>
</html>
`;
}

/**
 * "Processes and agents": the server processes, load processes and load agents tables
 * (reports/server-group-table.ts, load-process-table.ts, agent-table.ts) laid out for the Markdown
 * summary and the HTML report. Nothing at all for a result whose runs used one process of each on
 * one host, so older results render exactly as before.
 */
import type { JobSummary } from './aggregate.ts';
import { escapeHtml as e } from './escape.ts';
import { agentTable } from './agent-table.ts';
import { loadProcessTable } from './load-process-table.ts';
import { serverGroupTable } from './server-group-table.ts';
import type { ScaleTable } from './scale-table.ts';

const TITLE = 'Processes and agents';
const FIXED_HEADS = ['parameter set', 'transport', 'run'];

const tables = (jobs: readonly JobSummary[]): ScaleTable[] =>
  [serverGroupTable(jobs), loadProcessTable(jobs), agentTable(jobs)].filter((t): t is ScaleTable => t !== null);

const cellsOf = (r: ScaleTable['rows'][number]) => [r.parameterSet, r.transport, String(r.run), ...r.cells];

export function scaleMarkdown(jobs: readonly JobSummary[], md: (text: string) => string): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return tables(jobs).flatMap((t) => {
    const heads = [...FIXED_HEADS, ...t.heads];
    return [
      `### ${t.title}`,
      '',
      md(t.caption),
      '',
      line(heads.map(md)),
      line(heads.map((_, i) => (i >= FIXED_HEADS.length - 1 ? '---:' : '---'))),
      ...t.rows.map((r) => line(cellsOf(r).map(md))),
      '',
    ];
  });
}

export function scaleSection(jobs: readonly JobSummary[]): string {
  const shown = tables(jobs);
  if (shown.length === 0) return '';
  const body = shown
    .map((t) => {
      const head = [...FIXED_HEADS, ...t.heads].map((h) => `<th scope="col">${e(h)}</th>`).join('');
      const rows = t.rows
        .map(
          (r) =>
            `<tr>${cellsOf(r)
              .map((c, i) => (i < FIXED_HEADS.length - 1 ? `<td>${e(c)}</td>` : `<td class="num">${e(c)}</td>`))
              .join('')}</tr>`,
        )
        .join('');
      return `<h3>${e(t.title)}</h3><p class="caption">${e(t.caption)}</p><div class="scroll"><table class="scale"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
    })
    .join('');
  return `<section id="scale"><h2>${e(TITLE)}</h2>${body}</section>`;
}

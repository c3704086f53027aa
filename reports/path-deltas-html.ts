/**
 * What the path adds in the HTML report: one sortable table per change of one path axis (the same
 * columns as the Markdown, reports/path-deltas-text.ts). A row whose transport does not work on the
 * changed path is marked like a job with failed runs. Empty for a result without twins.
 */
import { escapeHtml as e } from './escape.ts';
import type { PathDeltaGroup } from './path-deltas.ts';
import { columnsOf, groupTitle, PATH_DELTAS_CAPTION, runsNote, worksText } from './path-deltas-text.ts';

export function pathDeltasSection(groups: readonly PathDeltaGroup[]): string {
  if (groups.length === 0) return '';
  const tables = groups.map((g) => {
    const columns = columnsOf(g);
    const head = ['transport', 'works', ...columns.map((c) => c.head)];
    const rows = g.rows.map((r) => {
      const cells = columns.map((c) => {
        const v = c.value(r);
        return `<td class="num" data-v="${Number.isFinite(v) ? v : ''}">${e(c.text(r, '\u2192'))}</td>`;
      });
      return `<tr${r.works ? '' : ' class="partial"'}><td>${e(r.transport)}</td><td>${e(worksText(r))}</td>${cells.join('')}</tr>`;
    });
    return `<h3>${e(groupTitle(g))}</h3><p class="caption">${e(g.parameterSet + runsNote(g))}</p><div class="scroll"><table class="sortable path-deltas"><thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  return `<section id="path-deltas"><h2>What the path adds</h2><p class="caption">${e(PATH_DELTAS_CAPTION)}</p>${tables.join('')}</section>`;
}

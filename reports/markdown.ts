/**
 * The Markdown summary, for a CI job summary or a pull-request comment: the headline, one compact
 * table of every job, the warnings, and (when given) the change against a baseline. Always under
 * GitHub's 65,536-character limit: long lists are cut with a note saying how much was left out.
 */
import { medianOf, transportLabel } from './aggregate.ts';
import { compareWithBaseline } from './baseline.ts';
import { escapeMarkdown as md, markdownCode } from './escape.ts';
import { signedPct } from './format.ts';
import { headlineSentence } from './headline.ts';
import { entryOf, formatMetric, labelWithUnit, MARKDOWN_COLUMNS } from './metric-catalog.ts';
import { summaryOf, type Renderable, type ReportSummary } from './summary.ts';
import { pathFacts } from './path-facts.ts';
import { conditionsLegend } from './wire-text.ts';
import { pathDeltas } from './path-deltas.ts';
import { capacityMarkdown } from './capacity.ts';
import { pathDeltasMarkdown } from './path-deltas-text.ts';
import { NOTICE_TITLES } from './warnings.ts';
import { resilienceMarkdown, resilienceTables } from './resilience.ts';
import { brokerMarkdown } from './broker.ts';
import { scaleMarkdown } from './scale-sections.ts';

export const MARKDOWN_LIMIT = 65_000;
const MAX_NOTICES = 40;

export interface MarkdownOptions {
  baseline?: { result: Renderable; name: string };
  /** Where the full HTML report is, to link from the summary. */
  htmlReport?: string;
}

const COLUMNS = MARKDOWN_COLUMNS.map((key) => ({ key, head: entryOf(key).markdown!.head }));

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const header = (cells: string[], numericFrom: number) => [
  row(cells),
  row(cells.map((_, i) => (i >= numericFrom ? '---:' : '---'))),
];

/** Adds lines while they fit in the budget; returns how many did not fit. */
function addWithin(out: string[], lines: string[], budget: number): number {
  let used = out.reduce((n, l) => n + l.length + 1, 0);
  for (let i = 0; i < lines.length; i++) {
    if (used + lines[i]!.length + 1 > budget) return lines.length - i;
    out.push(lines[i]!);
    used += lines[i]!.length + 1;
  }
  return 0;
}

export function renderMarkdown(input: Renderable, options: MarkdownOptions = {}): string {
  const summary = summaryOf(input);
  const result = summary.result;
  const ctx = result.context;
  const reps = ctx.scenario.repetitions;
  // Reserve room for the sections after the job table so that a huge table cannot crowd them out.
  const out: string[] = [];
  out.push(`## pollbench: scenario "${md(ctx.scenario.name)}"`);
  out.push('');
  out.push(
    md(
      `${reps} run${reps === 1 ? '' : 's'} per job (median shown), ${ctx.cpu.count} x ${ctx.cpu.model}, Node ${ctx.node}, ${ctx.scenario.framework}, ${ctx.pinning.note}; result status: ${result.status}.`,
    ),
  );
  out.push('');

  const h = summary.headline;
  if (h) {
    out.push(
      `**Headline** at ${md(h.parameterText)}, compared with short polling every ${h.reference.pollIntervalMs} ms:`,
    );
    out.push('');
    for (const r of h.rows) out.push(`- ${md(headlineSentence(h, r))}`);
    if (h.pathChoice) out.push('', md(h.pathChoice));
  } else {
    out.push('No headline: no parameter set where short polling and another transport both completed.');
  }
  out.push('');
  out.push(...capacityMarkdown(result));

  const tail: string[] = [];
  const notices = summary.notices;
  if (notices.length) {
    tail.push(`### Warnings (${notices.length})`);
    tail.push('');
    let kind: string | null = null;
    for (const n of notices.slice(0, MAX_NOTICES)) {
      if (n.kind !== kind) {
        // A blank line ends the previous group's list; without it the title would continue its last item.
        if (kind !== null) tail.push('');
        kind = n.kind;
        tail.push(`**${md(NOTICE_TITLES[n.kind])}**`, '');
      }
      tail.push(`- ${n.where ? `${md(n.where)}: ` : ''}${md(n.text)}`);
    }
    if (notices.length > MAX_NOTICES) tail.push(`- ... and ${notices.length - MAX_NOTICES} more (see the HTML report)`);
    tail.push('');
  }
  tail.push(...pathDeltasMarkdown(pathDeltas(summary.jobs)));
  tail.push(...resilienceMarkdown(resilienceTables(summary.jobs), md));
  tail.push(...brokerMarkdown(summary.jobs, md));
  tail.push(...scaleMarkdown(summary.jobs, md));
  const facts = pathFacts(result);
  if (facts.length) {
    tail.push('### Network path', '');
    for (const f of facts) tail.push(`- **${md(f.term)}**: ${md(f.detail)}`);
    tail.push('');
  }
  if (options.baseline) tail.push(...baselineSection(summary, options.baseline));
  if (options.htmlReport) tail.push(`Full report with charts: ${markdownCode(options.htmlReport)}`);
  const tailLength = tail.reduce((n, l) => n + l.length + 1, 0);

  out.push(`### All jobs (median of runs)`);
  out.push('');
  const legend = conditionsLegend(result.jobs);
  if (legend.length) {
    out.push(
      `Conditions: ${legend.map((p) => `${markdownCode(p.label)} is ${md(p.text)}`).join('; ')}; the rest ran direct over loopback, HTTP/1.1, with minimal headers and JSON events.`,
    );
    out.push('');
  }
  const summaries = summary.jobs;
  const lines = summaries.map((s) => {
    if (s.completed.length === 0)
      return row([md(s.job.parameterSet), md(transportLabel(s.job)), ...COLUMNS.map(() => 'n/a'), `0/${s.planned}`]);
    return row([
      md(s.job.parameterSet),
      md(transportLabel(s.job)),
      ...COLUMNS.map((c) => (Number.isFinite(medianOf(s, c.key)) ? formatMetric(c.key, medianOf(s, c.key)) : 'n/a')),
      `${s.completed.length}/${s.planned}`,
    ]);
  });
  const budget = MARKDOWN_LIMIT - 200 - Math.min(tailLength, MARKDOWN_LIMIT / 2);
  addWithin(out, header(['parameter set', 'transport', ...COLUMNS.map((c) => c.head), 'runs'], 2), budget);
  const cut = addWithin(out, lines, budget);
  if (cut)
    out.push(
      `\n_${cut} more job${cut === 1 ? '' : 's'} not shown to stay within the size limit; see the HTML report._`,
    );
  out.push('');
  const leftOut = addWithin(out, tail, MARKDOWN_LIMIT - 100);
  // After a blank line: directly under a cut table the note would be read as one more row.
  if (leftOut) out.push('', `_${leftOut} more lines not shown to stay within the size limit._`);
  return `${out.join('\n')}\n`;
}

function baselineSection(summary: ReportSummary, baseline: { result: Renderable; name: string }): string[] {
  const cmp = compareWithBaseline(summary, baseline.result);
  const lines = [`### Compared with ${markdownCode(baseline.name)}`, ''];
  if (cmp.contextDifferences.length) lines.push(`Context differs: ${md(cmp.contextDifferences.join('; '))}.`, '');
  if (cmp.rows.length === 0) lines.push('No job is in both results.');
  else {
    const metrics = [...new Set(cmp.rows.flatMap((r) => r.cells.map((c) => c.metric)))];
    lines.push(...header(['parameter set', 'transport', ...metrics.map((m) => md(labelWithUnit(m)))], 2));
    for (const r of cmp.rows) {
      lines.push(
        row([
          md(r.parameterSet),
          md(r.label),
          ...metrics.map((m) => {
            const c = r.cells.find((x) => x.metric === m);
            return c
              ? `${formatMetric(m, c.baseline)} → ${formatMetric(m, c.current)} (${signedPct(c.change)})`
              : 'n/a';
          }),
        ]),
      );
    }
  }
  lines.push('', 'Descriptive medians; `npm run compare` gives the verdict with statistics.', '');
  return lines;
}

/**
 * A comparison as Markdown (job summary / PR comment; under the 65,000-character limit) and as JSON
 * (for tools). Regressions first, then improvements, then everything else folded.
 */
import { escapeMarkdown as md, markdownCode } from './escape.ts';
import { signedPct } from './format.ts';
import { MARKDOWN_LIMIT } from './markdown.ts';
import { formatMetric, labelWithUnit } from './metric-catalog.ts';
import type { Comparison, MetricComparison } from '../bench/gate/compare.ts';

export interface ComparisonNames {
  baseline: string;
  candidate: string;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const HEAD = ['job', 'metric', 'baseline', 'candidate', 'change', 'CI of the change (unadjusted)', 'verdict', 'why'];

function cells(m: MetricComparison): string[] {
  const value = (s: MetricComparison['baseline']) =>
    s.n === 0 ? 'n/a' : `${formatMetric(m.metric, m.kind === 'exact' ? s.median : s.mean)} (n=${s.n})`;
  const ci = m.ci ? `${signedPct(m.ci[0])} to ${signedPct(m.ci[1])}` : m.kind === 'exact' ? 'exact' : 'n/a';
  const verdict = m.verdict === 'regressed' ? (m.gated ? '**regressed**' : 'regressed (not gated)') : m.verdict;
  return [
    md(`${m.label}, ${m.parameterSet}`),
    md(labelWithUnit(m.metric)),
    value(m.baseline),
    value(m.candidate),
    signedPct(m.change),
    ci,
    verdict,
    md(m.reason),
  ];
}

function table(list: MetricComparison[], budget: number): string[] {
  const out = [row(HEAD), row(HEAD.map((_, i) => (i >= 2 && i <= 5 ? '---:' : '---')))];
  let used = out.join('\n').length;
  for (let i = 0; i < list.length; i++) {
    const line = row(cells(list[i]!));
    if (used + line.length + 1 > budget) {
      out.push('', `_${list.length - i} more rows not shown to stay within the size limit; see the JSON._`);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out;
}

/** A list of job ids, cut after `max` so that thousands of one-sided jobs cannot exceed the size limit. */
function someOf(ids: string[], max = 20): string {
  const shown = md(ids.slice(0, max).join('; '));
  return ids.length > max ? `${shown} and ${ids.length - max} more (see the JSON)` : shown;
}

export function renderComparisonMarkdown(cmp: Comparison, names: ComparisonNames): string {
  const out: string[] = [];
  const failures = cmp.regressions.length + cmp.jobsFailedInCandidate.length;
  const head =
    cmp.verdict === 'regressed'
      ? `## pollbench: ${failures} regression${failures === 1 ? '' : 's'}`
      : '## pollbench: no regression';
  out.push(head, '');
  out.push(
    `Baseline ${markdownCode(names.baseline)} vs candidate ${markdownCode(names.candidate)}: ${cmp.commonJobs} jobs compared, ${cmp.metrics.length} metrics.`,
  );
  out.push('');
  out.push(
    `Exact metrics (bytes, requests, connections per event, loss) are compared by their medians with a tolerance of ${(cmp.config.tolerance * 100).toFixed(1)}% unless set per metric. ` +
      `Noisy metrics (latency, CPU, memory) use Welch's t-test on run-level values (n = completed runs per side), a minimum effect of ${(cmp.config.minEffect * 100).toFixed(0)}% (and a per-metric absolute floor), ` +
      `and Holm-Bonferroni over the ${cmp.noisyTests} gated tests: at most a ${(cmp.config.alpha * 100).toFixed(0)}% chance of any false alarm among the noisy metrics of this comparison (uncorrected, ${cmp.uncorrectedExpectedFalseAlarms.toFixed(1)} false alarms would be expected between identical code). ` +
      'The confidence intervals shown are per metric, before that adjustment, relative to the baseline mean. ' +
      `Polling's per-event bytes and requests also tolerate one response per window edge (2 / responses in the window, at most ${cmp.edgeToleranceCap}x the tolerance).`,
  );
  out.push('');
  if (cmp.contextDifferences.length)
    out.push(
      `**Context differs**: ${md(cmp.contextDifferences.join('; '))}. A difference may come from that rather than from the code.`,
      '',
    );
  if (cmp.jobsOnlyInBaseline.length) out.push(`Only in the baseline: ${someOf(cmp.jobsOnlyInBaseline)}`, '');
  if (cmp.jobsFailedInCandidate.length)
    out.push(
      `**No completed run in the candidate** (counted as regressions): ${someOf(cmp.jobsFailedInCandidate)}`,
      '',
    );
  if (cmp.jobsOnlyInCandidate.length) out.push(`Only in the candidate: ${someOf(cmp.jobsOnlyInCandidate)}`, '');

  const budget = () => MARKDOWN_LIMIT - 500 - out.join('\n').length;
  if (cmp.regressions.length) out.push('### Regressions', '', ...table(cmp.regressions, budget() / 2), '');
  if (cmp.improvements.length) out.push('### Improvements', '', ...table(cmp.improvements, budget() / 2), '');
  const rest = cmp.metrics.filter((m) => !(m.gated && (m.verdict === 'regressed' || m.verdict === 'improved')));
  out.push('<details><summary>All other comparisons</summary>', '', ...table(rest, budget()), '', '</details>', '');
  return `${out.join('\n')}\n`;
}

/** The comparison for tools: everything, with the thresholds it was made with. */
export function comparisonJson(cmp: Comparison, names: ComparisonNames): string {
  return `${JSON.stringify({ schema: 'pollbench-comparison/1', ...names, ...cmp }, null, 1)}\n`;
}

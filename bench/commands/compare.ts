/**
 * `npm run compare -- <baseline.json> <candidate.json>`: the regression verdict between two saved
 * results, as Markdown on stdout (and optionally files), with the exit code a CI job needs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, runCommand, unusableOutput } from './runner.ts';
import { InputError, loadResultFile } from '../result-file.ts';
import { GATE_OPTIONS, GATE_USAGE, gateConfig } from '../gate/options.ts';
import { ConfigError } from '../gate/config.ts';
import { compareResults, UnusableComparison } from '../gate/compare.ts';
import { comparisonJson, renderComparisonMarkdown } from '../../reports/comparison.ts';

export const COMPARE_USAGE = `Usage: npm run compare -- <baseline.json> <candidate.json> [options]

Compares two pollbench results job by job and metric by metric: exact metrics (bytes, requests,
connections per event, loss) against a tolerance, noisy ones (latency, CPU, memory) with Welch's
t-test on run-level values, a minimum effect and Holm-Bonferroni. Prints the Markdown verdict.

Options:
${GATE_USAGE}
  --markdown <file>   also write the Markdown there
  --json <file>       write the full comparison as JSON there
  -h, --help          show this help

Exit codes: 0 no regression; 1 regression; 2 unusable input (unreadable file, schema mismatch,
no job in common, bad option).`;

async function main(): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'pollbench compare',
      usage: COMPARE_USAGE,
      positionals: { count: 2, describe: (got) => `give a baseline and a candidate result file (got ${got} files)` },
    },
    process.argv.slice(2),
    { ...GATE_OPTIONS, markdown: { type: 'string' }, json: { type: 'string' } },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  // Before comparing: the files it was asked to write can be written.
  for (const flag of ['markdown', 'json'] as const) {
    const value = values[flag];
    const bad = value === undefined ? null : unusableOutput('pollbench compare', `--${flag}`, value, 'file');
    if (bad !== null) return bad;
  }
  try {
    const [baseFile, candFile] = positionals as [string, string];
    const config = gateConfig(values);
    const cmp = compareResults(loadResultFile(baseFile), loadResultFile(candFile), config);
    const names = { baseline: path.basename(baseFile), candidate: path.basename(candFile) };
    const markdown = renderComparisonMarkdown(cmp, names);
    process.stdout.write(markdown);
    if (values.markdown) writeFileSync(values.markdown, markdown);
    if (values.json) writeFileSync(values.json, comparisonJson(cmp, names));
    process.stderr.write(
      `${cmp.verdict === 'regressed' ? `REGRESSED: ${cmp.regressions.length} gated metric${cmp.regressions.length === 1 ? '' : 's'} got worse${cmp.jobsFailedInCandidate.length ? `, ${cmp.jobsFailedInCandidate.length} job${cmp.jobsFailedInCandidate.length === 1 ? '' : 's'} without a completed run` : ''}` : 'no regression'} (${cmp.metrics.length} metrics in ${cmp.commonJobs} jobs)\n`,
    );
    return cmp.verdict === 'regressed' ? 1 : 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof ConfigError || err instanceof UnusableComparison) {
      process.stderr.write(`pollbench compare: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

runCommand('pollbench compare', main);

/**
 * `npm run bench:ci`: the CI profile, with a verdict.
 *
 *   npm run bench:ci                               the profile alone (result, reports, exports)
 *   npm run bench:ci -- --against origin/main      same-runner A/B against another git ref (recommended)
 *   npm run bench:ci -- --baseline base.json       against a stored result
 *
 * Writes into --out (default results/ci): candidate.json (and baseline.json), report.html and
 * report.md (the candidate, with the baseline section), compare.md and compare.json, and the exports
 * github-action-benchmark-smaller.json, github-action-benchmark-bigger.json and bencher.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, runCommand, stopOnInterrupt, unusableOutput, wholeNumbers } from './runner.ts';
import { UsageError, parseInject } from '../args.ts';
import { stopAllChildren } from '../child.ts';
import { runPlan } from '../orchestrator.ts';
import { createProgressPrinter } from '../progress.ts';
import { InputError, loadResultFile } from '../result-file.ts';
import type { Result } from '../result-schema.ts';
import { writeReports } from '../report-writer.ts';
import { AgainstError, cleanupAgainstNow, runAgainst } from '../ci/against.ts';
import { GATE_OPTIONS, GATE_USAGE, gateConfig } from '../gate/options.ts';
import { ciScenario } from '../scenarios/ci.ts';
import { ConfigError } from '../gate/config.ts';
import { compareResults, UnusableComparison } from '../gate/compare.ts';
import { comparisonJson, renderComparisonMarkdown } from '../../reports/comparison.ts';
import { bencherBmf, githubActionBenchmark } from '../../reports/exports.ts';
import { summarizeResult } from '../../reports/summary.ts';

export const CI_USAGE = `Usage: npm run bench:ci -- [options]

Runs the CI profile (${ciScenario.description.replace(/^CI profile: /, '')}) and, given a
baseline, decides whether the candidate regressed. Same-runner A/B (--against) is the recommended
mode: both checkouts run interleaved on this machine, so drift hits both alike.

Options:
  --against <git-ref>  check the ref out in a temporary worktree and run both, interleaved
  --baseline <file>    compare with a stored result instead
  --runs <n>           repetitions per side (default ${ciScenario.repetitions}; at least 3 for the noisy metrics)
  --out <dir>          where everything goes (default results/ci)
${GATE_USAGE}
  --inject-regression <spec>  test the gate: header=<bytes>,delay=<ms> on the candidate only
  -h, --help           show this help

Exit codes: 0 no regression (or nothing to compare with); 1 regression, or a run failed;
2 bad usage or unusable input; 130 interrupted.`;

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 1)}\n`);
}

const COMMAND = { name: 'pollbench ci', usage: CI_USAGE };

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    ...GATE_OPTIONS,
    against: { type: 'string' },
    baseline: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
    'inject-regression': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const n = wholeNumbers(COMMAND, values, { runs: [ciScenario.repetitions, 100] });
  if (typeof n === 'number') return n;
  const { runs } = n;
  let config;
  let storedBaseline: Result | undefined;
  let inject;
  try {
    if (values.against !== undefined && values.baseline !== undefined)
      throw new UsageError('give --against or --baseline, not both');
    config = gateConfig(values);
    if (values.baseline !== undefined) storedBaseline = loadResultFile(values.baseline);
    if (values['inject-regression'] !== undefined) inject = parseInject(values['inject-regression']);
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError || err instanceof ConfigError) {
      process.stderr.write(`pollbench ci: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const outDir = values.out ?? path.join('results', 'ci');
  const badOut = unusableOutput('pollbench ci', '--out', outDir);
  if (badOut !== null) return badOut;

  const signal = stopOnInterrupt('pollbench ci', 'finished runs are kept', stopAllChildren, cleanupAgainstNow);

  let baseline: Result | undefined = storedBaseline;
  let candidate: Result;
  let interrupted: boolean;
  let baselineName = values.baseline ? path.basename(values.baseline) : 'baseline';
  if (values.against !== undefined) {
    try {
      const outcome = await runAgainst({
        ref: values.against,
        runs,
        outDir,
        signal,
        inject,
        log: (l) => process.stderr.write(`pollbench ci: ${l}\n`),
      });
      baseline = outcome.baseline;
      candidate = outcome.candidate;
      interrupted = outcome.interrupted;
      baselineName = `${values.against} (${outcome.baselineSha.slice(0, 10)})`;
    } catch (err) {
      if (err instanceof AgainstError) {
        process.stderr.write(`pollbench ci: ${err.message}\n`);
        return signal.aborted ? 130 : 2;
      }
      throw err;
    }
  } else {
    const progress = createProgressPrinter();
    const outcome = await runPlan({
      scenario: { ...ciScenario, repetitions: runs },
      profile: 'default',
      outDir: path.join(outDir, 'runs'),
      command: ['bench:ci', ...process.argv.slice(2)],
      signal,
      onProgress: (p) => progress.update(p),
      ...(inject ? { inject } : {}),
    });
    progress.done();
    candidate = outcome.result;
    interrupted = candidate.status === 'interrupted';
  }

  writeJson(path.join(outDir, 'candidate.json'), candidate);
  if (baseline) writeJson(path.join(outDir, 'baseline.json'), baseline);
  // Aggregated once for the Markdown, the HTML and both exports.
  const summary = summarizeResult(candidate);
  const reports = await writeReports({
    result: summary,
    stem: path.join(outDir, 'report'),
    ...(baseline ? { baseline: { result: baseline, name: baselineName } } : {}),
  });
  const gab = githubActionBenchmark(summary);
  writeJson(path.join(outDir, 'github-action-benchmark-smaller.json'), gab.smallerIsBetter);
  // github-action-benchmark rejects an empty file; today every exported metric is lower-is-better.
  if (gab.biggerIsBetter.length)
    writeJson(path.join(outDir, 'github-action-benchmark-bigger.json'), gab.biggerIsBetter);
  writeJson(path.join(outDir, 'bencher.json'), bencherBmf(summary));

  const failedRuns = candidate.jobs.some((j) => j.runs.some((r) => r.status === 'errored'));
  let code = failedRuns ? 1 : 0;
  if (baseline) {
    try {
      const cmp = compareResults(baseline, candidate, config);
      const names = { baseline: baselineName, candidate: values.against !== undefined ? 'working tree' : 'this run' };
      const markdown = renderComparisonMarkdown(cmp, names);
      writeFileSync(path.join(outDir, 'compare.md'), markdown);
      writeFileSync(path.join(outDir, 'compare.json'), comparisonJson(cmp, names));
      process.stdout.write(markdown);
      process.stderr.write(
        `\n${cmp.verdict === 'regressed' ? `REGRESSED: ${cmp.regressions.length} gated metric${cmp.regressions.length === 1 ? '' : 's'} got worse${cmp.jobsFailedInCandidate.length ? `, ${cmp.jobsFailedInCandidate.length} job${cmp.jobsFailedInCandidate.length === 1 ? '' : 's'} without a completed run` : ''}` : 'no regression'}; details in ${path.join(outDir, 'compare.md')}\n`,
      );
      if (cmp.verdict === 'regressed') code = 1;
    } catch (err) {
      if (!(err instanceof UnusableComparison)) throw err;
      process.stderr.write(`pollbench ci: ${err.message}\n`);
      code = 2;
    }
  } else {
    process.stdout.write(readFileSync(reports.markdown, 'utf8'));
  }
  process.stderr.write(`HTML report: ${reports.html}\nMarkdown summary: ${reports.markdown}\n`);
  return interrupted ? 130 : code;
}

runCommand('pollbench ci', main, stopAllChildren);

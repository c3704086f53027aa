/**
 * `npm run bench:false-alarms`: how often does the gate cry wolf? Runs the CI profile of this one
 * checkout many times, interleaved like every pollbench run, then splits the repetitions in time
 * order into disjoint same-code A/B comparisons (A B A B ... within each block, n per side as in
 * `bench:ci`) and counts the comparisons that report any gated regression. Target: at most 1 in 20.
 *
 * Disjoint blocks are independent but expensive (2 x n runs of every job each). --resamples adds
 * comparisons drawn from the same pool: each picks 2 x n distinct repetitions at random (seeded,
 * reproducible) and splits them A/B. Each one is a valid same-code comparison; they share runs, so
 * their rate is an estimate with more spread than the disjoint one, and both are reported.
 *
 * Writes <out>/false-alarms.json (every comparison's regressions, and the largest same-code change
 * of each exact metric, which is what the exact tolerances must cover) and prints a summary.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, runCommand, stopOnInterrupt, unusableOutput, wholeNumbers } from './runner.ts';
import { InputError } from '../result-file.ts';
import { ConfigError } from '../gate/config.ts';
import { stopAllChildren } from '../child.ts';
import { runPlan } from '../orchestrator.ts';
import { createProgressPrinter } from '../progress.ts';
import { ciScenario } from '../scenarios/ci.ts';
import { gateConfig, GATE_OPTIONS } from '../gate/options.ts';
import { analyzeFalseAlarms } from '../ci/false-alarm-analysis.ts';

export const FALSE_ALARMS_USAGE = `Usage: npm run bench:false-alarms -- [--comparisons 5] [--runs 6] [--resamples 20] [--out dir] [gate options]

Runs the CI profile 2 x runs x comparisons times (one checkout, interleaved), splits the runs into
same-code A/B comparisons and counts how many the gate calls a regression. Target: at most 1 in 20.`;

const COMMAND = { name: 'pollbench false-alarms', usage: FALSE_ALARMS_USAGE };

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    ...GATE_OPTIONS,
    comparisons: { type: 'string' },
    resamples: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const n = wholeNumbers(COMMAND, values, {
    comparisons: [5, 100],
    resamples: [20, 1000, 0],
    runs: [ciScenario.repetitions, 20, 3],
  });
  if (typeof n === 'number') return n;
  const { comparisons, resamples, runs: perSide } = n;
  let config;
  try {
    config = gateConfig(values);
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof InputError)) throw err;
    process.stderr.write(`pollbench false-alarms: ${err.message}\n`);
    return 2;
  }
  const outDir = values.out ?? path.join('results', 'false-alarms');
  const badOut = unusableOutput('pollbench false-alarms', '--out', outDir);
  if (badOut !== null) return badOut;
  const signal = stopOnInterrupt('pollbench false-alarms', 'finished runs are kept', stopAllChildren);

  const progress = createProgressPrinter();
  const { result } = await runPlan({
    scenario: { ...ciScenario, repetitions: 2 * perSide * comparisons },
    profile: 'default',
    outDir,
    command: ['bench:false-alarms', ...process.argv.slice(2)],
    signal,
    onProgress: (p) => progress.update(p),
  });
  progress.done();

  const summary = analyzeFalseAlarms(result, perSide, resamples, config);
  const { outcomes, falseAlarms: alarms, resampled } = summary;
  const resampledAlarms = resampled.falseAlarms;
  const done = Math.min(...result.jobs.map((j) => j.runs.filter((r) => r.status === 'completed').length));
  writeFileSync(path.join(outDir, 'false-alarms.json'), `${JSON.stringify(summary, null, 1)}\n`);
  process.stdout.write(
    `${alarms} false alarm${alarms === 1 ? '' : 's'} in ${outcomes.length} same-code comparisons (n = ${perSide} runs per side)\n`,
  );
  for (const o of outcomes.filter((x) => x.regressions.length))
    process.stdout.write(`  comparison ${o.comparison}: ${o.regressions.join('; ')}\n`);
  process.stdout.write(
    `${resampledAlarms} false alarm${resampledAlarms === 1 ? '' : 's'} in ${resampled.comparisons} resampled same-code comparisons (drawn from the same ${done} runs per job)\n`,
  );
  for (const o of resampled.outcomes.filter((x) => x.regressions.length))
    process.stdout.write(`  resample ${o.comparison}: ${o.regressions.join('; ')}\n`);
  process.stdout.write(
    `largest same-code change of an exact metric: ${summary.largestExactChanges
      .slice(0, 5)
      .map((x) => `${x.metric} ${(x.change * 100).toFixed(2)}%`)
      .join(', ')}\n`,
  );
  return result.status === 'interrupted' ? 130 : 0;
}

runCommand('pollbench false-alarms', main, stopAllChildren);

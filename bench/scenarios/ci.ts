import { defaultScenario } from './default.ts';
import type { Scenario } from './schema.ts';

/**
 * The CI profile: one parameter set where every transport is busy enough to measure (5 events/s to
 * 50 clients; short polling every 500 ms, so some polls come back empty) and small enough for 2 cores,
 * with 6 repetitions so the noisy metrics have n = 6 per side. About 2.5 minutes alone, 5-6 minutes
 * for a same-runner A/B comparison.
 */
export const ciScenario: Scenario = {
  ...defaultScenario,
  name: 'ci',
  description:
    'CI profile: every transport at 5 events/s to 50 clients, 256-byte payload; poll interval of 500 ms; 6 repetitions.',
  matrix: { shapes: [{ kind: 'steady', ratePerSec: 5 }], clients: [50], payloadBytes: [256], pollIntervalMs: [500] },
  timing: { ...defaultScenario.timing, measureMs: 2000 },
  repetitions: 6,
};

/**
 * The same profile as command-line options, for running another checkout's `npm run bench` entry (which may
 * predate the "ci" scenario) with exactly these settings, one repetition per invocation.
 */
export function ciProfileArgs(s: Scenario = ciScenario): string[] {
  const rates = s.matrix.shapes.map((sh) => (sh.kind === 'steady' ? sh.ratePerSec : Number.NaN));
  if (rates.some(Number.isNaN)) throw new Error('the CI profile must use steady shapes');
  return [
    '--transports',
    s.transports.join(','),
    '--rate',
    rates.join(','),
    '--clients',
    s.matrix.clients.join(','),
    '--payload',
    s.matrix.payloadBytes.join(','),
    '--interval',
    s.matrix.pollIntervalMs.join(','),
    '--duration',
    String(s.timing.measureMs / 1000),
    '--warmup',
    String(s.timing.warmupMs / 1000),
    '--framework',
    s.framework,
    '--runs',
    '1',
  ];
}

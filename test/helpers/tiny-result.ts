/**
 * A tiny hand-built result for tests whose expected values are worked out by hand: one parameter set
 * (1 event/s to 10 clients, 100-byte payload), the jobs and per-run metric values the test gives,
 * everything else (context, calibration, histograms) borrowed from a committed fixture. The metric
 * values are the test's own numbers, so no expectation has to come from the code under test.
 */
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type Metric, type MetricKey, type Result } from '../../bench/result-schema.ts';

export interface TinyJob {
  transport: 'short-poll' | 'long-poll' | 'sse' | 'ws';
  /** Short polling only. */
  pollIntervalMs?: number;
  /** One entry per completed run: the stored value of each metric (unit as bench/metrics.ts stores it). */
  runs: Partial<Record<MetricKey, number>>[];
  /** Job parameters that differ from the tiny set's (e.g. a wire axis); the label goes on id and set. */
  params?: Record<string, unknown>;
  label?: string;
}

/**
 * Metrics newer than the fixture the runs are borrowed from, stored as bench/metrics.ts stores them
 * (unit, direction, kind), so a test can give them too.
 */
const NEWER_METRICS: Partial<Record<MetricKey, Omit<Metric, 'value'>>> = {
  server_connections_per_client: { unit: 'count', better: 'lower', kind: 'exact' },
  tls_handshake_bytes_per_connection: { unit: 'bytes', better: 'lower', kind: 'exact' },
  tls_handshake_mean_ms: { unit: 'ms', better: 'lower', kind: 'noisy' },
  tls_resumed_fraction: { unit: 'fraction', better: 'higher', kind: 'exact' },
  catch_up_delivered_fraction: { unit: 'fraction', better: 'higher', kind: 'exact' },
};

export const TINY_PARAMETER_SET = 'rate=1/s clients=10 payload=100B';

export function tinyResult(jobs: TinyJob[]): Result {
  const template = parseResult(
    JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')),
  );
  const run = template.jobs[0]!.runs[0] as CompletedRun;
  const repetitions = Math.max(...jobs.map((j) => j.runs.length));
  const doc = {
    ...template,
    context: { ...template.context, scenario: { ...template.context.scenario, repetitions } },
    jobs: jobs.map((j) => ({
      id: `${j.transport}${j.pollIntervalMs ? ` interval=${j.pollIntervalMs}ms` : ''} ${TINY_PARAMETER_SET}${j.label ?? ''}`,
      parameterSet: `${TINY_PARAMETER_SET}${j.label ?? ''}`,
      params: {
        transport: j.transport,
        framework: j.transport === 'ws' ? 'node' : 'express',
        clients: 10,
        shape: { kind: 'steady', ratePerSec: 1 },
        payloadBytes: 100,
        pollIntervalMs: j.transport === 'short-poll' ? (j.pollIntervalMs ?? 1000) : null,
        longPollWaitMs: j.transport === 'long-poll' ? 30_000 : null,
        perMessageDeflate: false,
        ...j.params,
      },
      runs: j.runs.map((values, i) => ({
        ...run,
        repetition: i + 1,
        warnings: [],
        // Unit, direction and kind as a real run stores them; the value is the test's.
        metrics: Object.fromEntries(
          Object.entries(values).map(([key, value]) => [
            key,
            { ...(run.metrics[key as MetricKey] ?? NEWER_METRICS[key as MetricKey]!), value },
          ]),
        ),
      })),
    })),
  };
  return parseResult(JSON.parse(JSON.stringify(doc)));
}

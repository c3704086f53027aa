import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyUncertaintyRow } from '../../reports/agent-text.ts';
import type { JobSummary } from '../../reports/aggregate.ts';
import type { CompletedRun } from '../../bench/result-schema.ts';

const summary = (bounds: (number | undefined)[]) =>
  ({
    completed: bounds.map((b) => ({ ...(b === undefined ? {} : { latencyUncertaintyUs: b }) }) as CompletedRun),
  }) as JobSummary;

test('no run on agents: no row', () => {
  assert.equal(latencyUncertaintyRow([summary([undefined]), summary([])]), null);
});

test("the largest bound of a job's runs, beside jobs measured on one clock", () => {
  assert.deepEqual(latencyUncertaintyRow([summary([3.25, 12.664]), summary([undefined]), summary([4.04])]), [
    'latency clock uncertainty (agents)',
    '± 13 µs',
    'one clock',
    '± 4.0 µs',
  ]);
});

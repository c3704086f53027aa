/** A run's agent clock figures (bench/agent/run-figures.ts), worked by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentFigures } from '../../bench/agent/run-figures.ts';
import { RemoteLoad } from '../../bench/agent/remote-load.ts';
import type { LoadReport } from '../../bench/load/ipc.ts';

// A RemoteLoad without its broker: agentFigures reads only its class and its agent.
const remote = (name: string) =>
  Object.assign(Object.create(RemoteLoad.prototype) as RemoteLoad, { agent: { name, hostname: `${name}.host` } });
const clock = (offsetNs: number, uncertaintyNs: number) => ({
  offsetNs: String(offsetNs),
  uncertaintyNs,
  exchanges: 50,
});
const report = (o: Partial<LoadReport>) => o as LoadReport;

test('the uncertainty is widened by the drift between the offsets before and after the run', () => {
  const figures = agentFigures([
    // Before: 1,000,000 ns ± 40 µs; after: 1,250,000 ns ± 30 µs: 250 µs of drift, 40 + 250 µs.
    { load: remote('a'), report: report({ clock: clock(1_000_000, 40_000), clockAfter: clock(1_250_000, 30_000) }) },
    // Drifting the other way: |-100 µs| + the larger uncertainty, 50 µs.
    { load: remote('b'), report: report({ clock: clock(500_000, 20_000), clockAfter: clock(400_000, 50_000) }) },
  ]);
  assert.deepEqual(
    figures.agents?.map((a) => [a.name, a.clockOffsetNs, a.clockOffsetAfterNs, a.clockDriftUs, a.clockUncertaintyUs]),
    [
      ['a', '1000000', '1250000', 250, 290],
      ['b', '500000', '400000', 100, 150],
    ],
  );
  assert.equal(figures.latencyUncertaintyUs, 290);
});

test('without an offset after the run: the one measured before, as it was; local load: no figures', () => {
  const figures = agentFigures([{ load: remote('a'), report: report({ clock: clock(7_000, 12_000) }) }]);
  assert.equal(figures.agents?.[0]?.clockUncertaintyUs, 12);
  assert.equal(figures.agents?.[0]?.clockOffsetAfterNs, undefined);
  assert.deepEqual(agentFigures([{ load: {}, report: report({}) }]), {});
});

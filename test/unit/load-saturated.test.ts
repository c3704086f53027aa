import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseRun } from '../../bench/diagnosis.ts';
import { warn } from '../../bench/warnings.ts';
import { busiestProcess, type LoadProcessFigures } from '../../bench/load/merge-reports.ts';

const processes: LoadProcessFigures[] = [
  { name: 'load process 1 of 3', firstClient: 0, clients: 100, cpuFraction: 0.3, loopDelayP99Us: 5000 },
  { name: 'load process 2 of 3', firstClient: 100, clients: 100, cpuFraction: 0.97, loopDelayP99Us: 90_000 },
  { name: 'load process 3 of 3', firstClient: 200, clients: 100, cpuFraction: 0.2, loopDelayP99Us: 4000 },
];

test('a saturated load process is named, not averaged away with idle ones', () => {
  const busiest = busiestProcess(processes)!;
  assert.equal(busiest.name, 'load process 2 of 3');
  // The mean would be 49%: under the 80% limit. The busiest is what the warning and the diagnosis read.
  const w = warn.loadSaturated(busiest.cpuFraction, 0.8, busiest.name);
  assert.match(w.message, /^load process 2 of 3 saturated: 97% of a core/);
  assert.equal(w.value, 0.97);
  assert.match(warn.loadSaturated(0.93, 0.8).message, /^load generator saturated: 93% of a core/);
  const b = diagnoseRun({ loadCpuFraction: 0.97, loadLoopDelayP99Us: 90_000, processes }, {});
  assert.equal(b?.resource, 'load-cpu');
  assert.match(b!.detail, /^load process 2 of 3 at 97% of a core/);
});

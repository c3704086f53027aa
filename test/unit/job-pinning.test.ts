import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pinningForJob } from '../../bench/job-pinning.ts';
import type { Pinning } from '../../bench/child.ts';

const plan = (cores: number): Pinning => ({
  available: true,
  serverCpus: '0',
  loadCpus: cores === 2 ? '1' : `1-${cores - 1}`,
  note: 'plan',
});

test('one server process keeps the plan pinning: server on core 0, the harness on the rest', () => {
  assert.deepEqual(pinningForJob(plan(8), 1, 8), plan(8));
});

test('N server processes get N cores when the machine has them, leaving at least one to the harness', () => {
  const four = pinningForJob(plan(8), 4, 8);
  assert.equal(four.serverCpus, '0-3');
  assert.equal(four.loadCpus, '4-7');
  const many = pinningForJob(plan(4), 16, 4);
  assert.equal(many.serverCpus, '0-2');
  assert.equal(many.loadCpus, '3');
  assert.match(many.note, /16 server processes on cores 0-2/);
});

test('on two cores (or unpinned) the processes share the server core: nothing to split', () => {
  assert.deepEqual(pinningForJob(plan(2), 2, 2), plan(2));
  const unpinned: Pinning = { available: false, serverCpus: null, loadCpus: null, note: 'no taskset' };
  assert.deepEqual(pinningForJob(unpinned, 4, 8), unpinned);
});

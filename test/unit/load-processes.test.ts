import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENTS_PER_LOAD_PROCESS, loadProcessesLine, resolveLoadProcesses } from '../../bench/load-processes.ts';
import { cpusOf, sliceClients } from '../../bench/load-group.ts';

test('auto: one load process per CLIENTS_PER_LOAD_PROCESS clients, at most the load cores', () => {
  assert.equal(resolveLoadProcesses(undefined, 100, 8), 1);
  assert.equal(resolveLoadProcesses(undefined, CLIENTS_PER_LOAD_PROCESS, 8), 1);
  assert.equal(resolveLoadProcesses(undefined, CLIENTS_PER_LOAD_PROCESS + 1, 8), 2);
  assert.equal(resolveLoadProcesses(undefined, 100 * CLIENTS_PER_LOAD_PROCESS, 8), 8);
  // One core for the load (this machine's pinning): one process, as before.
  assert.equal(resolveLoadProcesses(undefined, 100 * CLIENTS_PER_LOAD_PROCESS, 1), 1);
});

test('asked for: that many, never more than the job has clients', () => {
  assert.equal(resolveLoadProcesses(3, 1000, 1), 3);
  assert.equal(resolveLoadProcesses(8, 5, 8), 5);
});

test('the line printed before the run names the count per client count and the rule', () => {
  assert.equal(
    loadProcessesLine(undefined, [100, 20_000, 100], 2),
    `load processes: 1 for 100 clients, 2 for 20000 clients (auto: one per ${CLIENTS_PER_LOAD_PROCESS} clients, at most the 2 cores the load may use)`,
  );
  assert.equal(loadProcessesLine(2, [40], 1), 'load processes: 2 for 40 clients (--load-processes 2)');
});

test('clients split into contiguous slices covering every client once', () => {
  assert.deepEqual(sliceClients(10, 3), [
    { first: 0, count: 4 },
    { first: 4, count: 3 },
    { first: 7, count: 3 },
  ]);
  assert.deepEqual(sliceClients(40, 1), [{ first: 0, count: 40 }]);
  for (const [clients, n] of [
    [1, 1],
    [7, 7],
    [20_001, 4],
  ] as const) {
    const slices = sliceClients(clients, n);
    assert.equal(
      slices.reduce((s, x) => s + x.count, 0),
      clients,
    );
    slices.forEach((s, k) => assert.equal(s.first, k === 0 ? 0 : slices[k - 1]!.first + slices[k - 1]!.count));
  }
});

test('taskset lists expand to one CPU each', () => {
  assert.deepEqual(cpusOf('1'), ['1']);
  assert.deepEqual(cpusOf('2-4,7'), ['2', '3', '4', '7']);
  assert.deepEqual(cpusOf(null), []);
});

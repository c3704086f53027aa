import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BASE_DESCRIPTORS, descriptorsNeeded, maxClientsFor, planDescriptors, readDescriptorLimits, setChildDescriptorLimit, withDescriptorLimit } from '../../bench/descriptors.ts';

describe('descriptor arithmetic', () => {
  test('one socket per client per process, 10% for overlapping reconnects, plus Node\'s own', () => {
    assert.equal(descriptorsNeeded(0), BASE_DESCRIPTORS);
    assert.equal(descriptorsNeeded(1000), 1100 + BASE_DESCRIPTORS);
    assert.equal(descriptorsNeeded(2000), 2200 + BASE_DESCRIPTORS);
    assert.equal(descriptorsNeeded(5001), 5502 + BASE_DESCRIPTORS);
  });

  test('maxClientsFor inverts it: the most clients that fit a limit', () => {
    for (const limit of [256, 1024, 4096, 20_000]) {
      const n = maxClientsFor(limit);
      assert.ok(descriptorsNeeded(n) <= limit, `${n} clients need ${descriptorsNeeded(n)} > ${limit}`);
      assert.ok(descriptorsNeeded(n + 1) > limit, `${n + 1} clients would fit ${limit} too`);
    }
    assert.equal(maxClientsFor(50), 0);
  });

  test('under the soft limit: nothing to do; under the hard one: raise; above it: stop with what to run', () => {
    assert.deepEqual(planDescriptors(500, { soft: 1024, hard: 4096 }), { action: 'ok', needed: 650 });
    const raise = planDescriptors(2000, { soft: 1024, hard: 4096 });
    assert.equal(raise.action, 'raise');
    assert.ok(raise.action === 'raise' && raise.to === 2300);
    const stop = planDescriptors(2000, { soft: 1024, hard: 1024 });
    assert.equal(stop.action, 'stop');
    assert.ok(stop.action === 'stop');
    assert.equal(stop.message, '2000 clients need 2300 open files per process, above the hard limit of 1024: raise it (as root: ulimit -Hn 2300; or LimitNOFILE / limits.conf) and run again, or use --clients 840 at most');
    assert.ok(!stop.message.includes('\n'), 'one line');
  });
});

describe('raising the limit for children', () => {
  after(() => setChildDescriptorLimit(null));

  test('this process\'s limits are readable', () => {
    const limits = readDescriptorLimits();
    assert.ok(limits && limits.soft > 0 && limits.hard >= limits.soft, JSON.stringify(limits));
  });

  test('a child started through withDescriptorLimit runs with the raised soft limit (under prlimit 256:4096)', (t) => {
    if (spawnSync('prlimit', ['--version']).status !== 0) return t.skip('prlimit not installed');
    setChildDescriptorLimit(null);
    assert.deepEqual(withDescriptorLimit('node', ['x.js']), ['node', ['x.js']], 'no limit set: the command is unchanged');
    setChildDescriptorLimit(3000);
    const [command, argv] = withDescriptorLimit('sh', ['-c', 'ulimit -Sn']);
    const r = spawnSync('prlimit', ['--nofile=256:4096', command, ...argv], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '3000');
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BASE_DESCRIPTORS,
  clientsPerProcess,
  descriptorsNeeded,
  maxClientsFor,
  planDescriptors,
  readDescriptorLimits,
} from '../../bench/descriptors.ts';

describe('descriptor arithmetic', () => {
  test("one socket per client per process, 10% for overlapping reconnects, plus Node's own", () => {
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

  test('a limit that fits no client at all says so instead of "--clients 0"', () => {
    const stop = planDescriptors(10, { soft: 50, hard: 50 });
    assert.ok(
      stop.action === 'stop' &&
        stop.message.endsWith('(no run fits under this limit)') &&
        !stop.message.includes('--clients 0'),
      JSON.stringify(stop),
    );
  });

  test('within the hard limit: go on; above it: stop with one line saying what to run', () => {
    assert.deepEqual(
      planDescriptors(2000, { soft: 1024, hard: 4096 }),
      { action: 'ok', needed: 2300 },
      'the soft limit does not count: Node raises it',
    );
    const stop = planDescriptors(2000, { soft: 1024, hard: 1024 });
    assert.equal(stop.action, 'stop');
    assert.ok(stop.action === 'stop');
    assert.equal(
      stop.message,
      '2000 clients need 2300 open files per process, above the hard limit of 1024: raise it (as root: ulimit -Hn 2300; or LimitNOFILE / limits.conf) and run again, or use --clients 840 at most',
    );
    assert.ok(!stop.message.includes('\n'), 'one line');
  });
});

describe("the busiest process's share", () => {
  test('a job split over server and load processes: each holds its share, the busier side counts', () => {
    assert.equal(clientsPerProcess([{ clients: 20_000, serverProcesses: 1 }], undefined), 20_000);
    assert.equal(clientsPerProcess([{ clients: 20_000, serverProcesses: 2 }], 2), 10_000);
    assert.equal(clientsPerProcess([{ clients: 20_000, serverProcesses: 2 }], 1), 20_000, 'one load process holds all');
    assert.equal(clientsPerProcess([{ clients: 20_001, serverProcesses: 4 }], 3), 6667, 'rounded up');
    assert.equal(
      clientsPerProcess(
        [
          { clients: 20_000, serverProcesses: 2 },
          { clients: 5_000, serverProcesses: 1 },
        ],
        2,
      ),
      10_000,
      'by job, not the largest clients over the fewest processes',
    );
  });
});

describe('above the hard limit', () => {
  const limits = { soft: 20_000, hard: 20_000 };
  test('a process that may raise it (CAP_SYS_RESOURCE) raises it to what the plan needs', () => {
    assert.deepEqual(planDescriptors(20_000, limits, { canRaise: true, nrOpen: 1_048_576, systemFree: 2_000_000 }), {
      action: 'raise',
      needed: 22_100,
      limit: 22_100,
    });
    assert.deepEqual(
      planDescriptors(20_000, limits, { canRaise: true, nrOpen: null, systemFree: null }),
      { action: 'raise', needed: 22_100, limit: 22_100 },
      'an unknown ceiling does not stop it: the raise itself is checked',
    );
  });

  test('within the hard limit nothing is raised, privileged or not', () => {
    assert.deepEqual(planDescriptors(10_000, limits, { canRaise: true, nrOpen: 1_048_576, systemFree: null }), {
      action: 'ok',
      needed: 11_100,
    });
  });

  test('a process that may not raise it keeps the one-line refusal', () => {
    const stop = planDescriptors(20_000, limits, { canRaise: false, nrOpen: 1_048_576, systemFree: 2_000_000 });
    assert.ok(stop.action === 'stop', JSON.stringify(stop));
    assert.match(stop.message, /^20000 clients need 22100 open files per process, above the hard limit of 20000: /);
    assert.match(stop.message, /--clients 18090 at most$/);
  });

  test('root without CAP_SYS_RESOURCE (a container) is told where the limit is set, not to run ulimit', () => {
    const stop = planDescriptors(20_000, limits, { canRaise: false, root: true, nrOpen: 1_048_576, systemFree: null });
    assert.ok(stop.action === 'stop', JSON.stringify(stop));
    assert.match(
      stop.message,
      /lacks CAP_SYS_RESOURCE, so raise it where its container or service starts \(docker run --ulimit nofile=22100:22100; LimitNOFILE=22100\)/,
    );
    assert.doesNotMatch(stop.message, /ulimit -Hn/);
  });

  test("above the kernel's per-process ceiling (fs.nr_open) even root stops, told which sysctl", () => {
    const stop = planDescriptors(20_000, limits, { canRaise: true, nrOpen: 21_000, systemFree: null });
    assert.ok(stop.action === 'stop', JSON.stringify(stop));
    assert.match(stop.message, /fs\.nr_open of 21000: raise it \(sysctl fs\.nr_open=22100\)/);
    assert.ok(!stop.message.includes('\n'), 'one line');
  });

  test('above the file handles the system has free (fs.file-max), both processes counted, it stops', () => {
    const stop = planDescriptors(20_000, limits, { canRaise: true, nrOpen: 1_048_576, systemFree: 40_000 });
    assert.ok(stop.action === 'stop', JSON.stringify(stop));
    assert.match(stop.message, /above the 40000 file handles the system has free \(fs\.file-max\)/);
    assert.match(stop.message, /--clients 18090 at most$/, 'half the free handles each');
  });
});

describe('the limits a child starts with', () => {
  test('are readable, and Node raises its soft limit to the hard one (so only the hard one counts)', (t) => {
    const limits = readDescriptorLimits();
    assert.ok(limits && limits.soft > 0 && limits.hard >= limits.soft, JSON.stringify(limits));
    if (spawnSync('prlimit', ['--version']).status !== 0) return t.skip('prlimit not installed');
    const r = spawnSync(
      'prlimit',
      [
        '--nofile=256:4096',
        process.execPath,
        '--import',
        'tsx',
        '-e',
        "import('./bench/descriptors.ts').then((m) => console.log(JSON.stringify(m.readDescriptorLimits())))",
      ],
      { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { soft: 4096, hard: 4096 });
  });
});

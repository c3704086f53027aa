import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readRaiseRights } from '../../bench/descriptors.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const hasPrlimit = spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * In its own process (the test runner's limit stays as it was): sets its limit to `to(hard)` with
 * raiseDescriptorLimit, starts a child (a server or load generator inherits the same way), and prints
 * the limits before, after, and the child's as /proc/<pid>/limits shows it (what a run records).
 */
function setThenSpawn(to: string): { before: { hard: number }; after: { hard: number } | null; child: number | null } {
  const script = `
    const d = await import('./bench/descriptors.ts');
    const { openFilesOf } = await import('./bench/proxy/proc-cpu.ts');
    const { spawn } = await import('node:child_process');
    const before = d.readDescriptorLimits();
    const after = d.raiseDescriptorLimit(${to});
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const limit = openFilesOf(child.pid);
    child.kill();
    console.log(JSON.stringify({ before, after, child: limit }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof setThenSpawn>;
}

test(
  'a limit set on the orchestrator before a child starts is the one the child runs with',
  { skip: !hasPrlimit && 'prlimit (util-linux) is not installed' },
  () => {
    // Lowering needs no privilege, so this runs everywhere: the same call and inheritance as a raise.
    const r = setThenSpawn('before.hard - 7');
    assert.equal(r.after?.hard, r.before.hard - 7);
    assert.equal(r.child, r.before.hard - 7, 'the child (soft = hard: Node raises its soft limit) has it');
  },
);

const rights = readRaiseRights();
test(
  'with CAP_SYS_RESOURCE, a limit raised above the hard one is the one a child runs with',
  { skip: !rights.canRaise && 'this process may not raise its hard limit (no CAP_SYS_RESOURCE, or no prlimit)' },
  () => {
    const r = setThenSpawn('before.hard + 1000');
    assert.equal(r.after?.hard, r.before.hard + 1000);
    assert.equal(r.child, r.before.hard + 1000);
  },
);

test(
  'without CAP_SYS_RESOURCE the raise fails and the limit is unchanged (the CLI then refuses in one line)',
  { skip: rights.canRaise && 'this process may raise its hard limit' },
  () => {
    if (!hasPrlimit) return;
    const r = setThenSpawn('before.hard + 1000');
    assert.equal(r.after?.hard, r.before.hard);
    assert.equal(r.child, r.before.hard);
  },
);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launcherChain, launcherKind } from '../../bench/launchers.ts';

test('launcherKind: npm and npx by title or script, tsx in any form, a shell only with -c', () => {
  assert.equal(launcherKind(['npm run bench --quick']), 'npm');
  assert.equal(launcherKind(['npm exec tsx bench/commands/bench.ts']), 'npm');
  assert.equal(launcherKind(['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'bench']), 'npm');
  assert.equal(launcherKind(['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'tsx']), 'npm');
  assert.equal(launcherKind(['node', '/repo/node_modules/.bin/tsx', 'bench/commands/bench.ts']), 'tsx');
  assert.equal(launcherKind(['node', '--import', 'tsx', 'bench/commands/bench.ts']), 'tsx');
  assert.equal(
    launcherKind(['/usr/bin/node', '--require', '/repo/node_modules/tsx/dist/preflight.cjs', 'bench.ts']),
    'tsx',
  );
  assert.equal(launcherKind(['sh', '-c', 'tsx bench/commands/bench.ts']), 'shell');
  assert.equal(launcherKind(['/bin/bash', '-c', 'npm run bench']), 'shell');
  for (const other of [[], ['bash'], ['-bash'], ['timeout', '60', 'npm', 'run', 'bench'], ['node', 'server.js']])
    assert.equal(launcherKind(other), null, other.join(' '));
});

test('launcherChain: a shell counts only under npm; the chain stops at the first other process', async () => {
  // sh -c '<node printing its chain>': the shell is not npm's, so the chain is empty.
  const script = `import('${new URL('../../bench/launchers.ts', import.meta.url).href}').then((m) => console.log(JSON.stringify(m.launcherChain())))`;
  const child = spawn('sh', ['-c', `"${process.execPath}" --import tsx -e "${script}"; true`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  assert.deepEqual(JSON.parse(out), []);
  // This test process: its chain has only launchers in it, nearest first.
  for (const link of launcherChain()) assert.ok(link.pid > 1 && /^\d+$/.test(link.startTicks));
});

/** The child bundle: built from the real entry points, it starts a real server; a failed build falls back to tsx with one warning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CHILD_ENTRIES,
  bundleName,
  buildChildBundle,
  childEntryArgs,
  removeChildBundle,
  useChildBundle,
} from '../../bench/child-bundle.ts';
import { ManagedChild } from '../../bench/child.ts';
import type { FromServer, ToServer } from '../../servers/contract/server-ipc.ts';

const serverPath = fileURLToPath(new URL('../../servers/main.ts', import.meta.url));

test('entry names are file names', () => {
  assert.equal(bundleName('servers/main.ts'), 'servers-main');
  assert.equal(bundleName('bench/publisher/main.ts'), 'bench-publisher-main');
});

test('a bundled server starts and reports ready; children started after the plan use tsx again', async () => {
  const bundle = await buildChildBundle(CHILD_ENTRIES, (line) => assert.fail(line));
  assert.ok(bundle);
  try {
    assert.ok([...bundle.files.values()].every((f) => existsSync(f)));
    useChildBundle(bundle);
    const args = childEntryArgs(serverPath);
    assert.equal(args.at(-1), bundle.files.get(serverPath));
    const server = new ManagedChild<ToServer, FromServer>(
      'server',
      '../servers/main.ts',
      [JSON.stringify({ role: 'echo', kind: 'tcp', host: '127.0.0.1' })],
      null,
    );
    try {
      const ready = await server.waitFor('ready', 15_000);
      assert.ok(ready.port > 0);
      assert.ok(server.process.spawnargs.includes(bundle.files.get(serverPath)!), 'started from the bundle');
    } finally {
      await server.stop();
    }
  } finally {
    useChildBundle(null);
    removeChildBundle(bundle);
  }
  assert.ok(!existsSync(bundle.dir), 'the bundle directory is removed');
  assert.deepEqual(childEntryArgs(serverPath).slice(0, 1), ['--import']);
});

test('a build that fails returns null after exactly one warning line', async () => {
  const warnings: string[] = [];
  const bundle = await buildChildBundle(['bench/no-such-entry.ts'], (line) => warnings.push(line));
  assert.equal(bundle, null);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /could not bundle the child processes .*starting them with tsx/);
  assert.ok(!warnings[0]!.includes('\n'));
});

test('a process that exits without removing its bundle (second Ctrl-C) still removes the directory', () => {
  const moduleUrl = new URL('../../bench/child-bundle.ts', import.meta.url).href;
  const script = `const { buildChildBundle } = await import(${JSON.stringify(moduleUrl)}); const b = await buildChildBundle(); console.log(b.dir); process.exit(130);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 130, child.stderr);
  const dir = child.stdout.trim();
  assert.match(dir, /pollbench-children-/);
  assert.ok(!existsSync(dir), `${dir} left behind`);
});

/** `npm run pages` with results whose strings are hostile: every file it writes stays inside the site folder. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/small-result.json'), 'utf8'));

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

test('hostile commit, start time and machine names: every file is written inside the site', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'pollbench-pages-'));
  try {
    const site = path.join(root, 'deep', 'site');
    const inputs = path.join(root, 'inputs');
    mkdirSync(inputs);
    // Each the case or worse; the scenario name is schema-checked (lower case, digits, dashes).
    const hostile: [string, (c: typeof FIXTURE.context) => void][] = [
      ['commit /../../../', (c) => (c.gitSha = '/../../../')],
      [
        'start time ../../../../escaped, machine ../<b>',
        (c) => {
          c.startedAt = '../../../../escaped';
          c.cpu.model = '../<b>';
          c.os.release = '/../../';
        },
      ],
      [
        'commit .., start time /etc/passwd',
        (c) => {
          c.gitSha = '..';
          c.startedAt = '/etc/passwd';
        },
      ],
    ];
    for (const [i, [what, mutate]] of hostile.entries()) {
      const result = structuredClone(FIXTURE);
      mutate(result.context);
      const file = path.join(inputs, `r${i}.json`);
      writeFileSync(file, JSON.stringify(result));
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'bench/commands/pages.ts'), file, site],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    }
    // Nothing but the inputs and the site: no file one level (or more) above the site folder.
    assert.deepEqual(
      filesBelow(root).filter(
        (f) => !f.startsWith(`inputs${path.sep}`) && !f.startsWith(`deep${path.sep}site${path.sep}`),
      ),
      [],
    );
    const written = filesBelow(site);
    assert.equal(written.filter((f) => f.startsWith(`results${path.sep}`)).length, hostile.length);
    assert.equal(written.filter((f) => f.startsWith(`reports${path.sep}`)).length, hostile.length);
    for (const f of written) assert.match(path.basename(f), /^[A-Za-z0-9_][A-Za-z0-9._-]*$/, f);
    assert.match(readFileSync(path.join(site, 'index.html'), 'utf8'), new RegExp(`${hostile.length} published runs`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

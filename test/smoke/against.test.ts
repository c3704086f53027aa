/**
 * `bench:ci --against` end to end with stub checkouts: a throwaway git repo whose bench entry only
 * copies a fixture result to its --out folder, so the worktree, the interleaving, the merge, the
 * compare and the clean-up run for real in seconds, without benchmarks. The committed baseline has
 * the entry where checkouts from before bench/commands/ kept it (bench/cli.ts); the working tree
 * (the candidate) has it at bench/commands/bench.ts, so both layouts run. The candidate's old entry
 * fails if started, so preferring the old entry where both exist fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/small-result.json');

/** The stub: copies the fixture; with KILL_ME set in a checkout's marker file, dies by SIGKILL instead. */
const STUB = `import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
const out = process.argv[process.argv.indexOf('--out') + 1];
if (existsSync('KILL_ME')) process.kill(process.pid, 'SIGKILL');
mkdirSync(out, { recursive: true });
copyFileSync(${JSON.stringify(FIXTURE)}, out + '/latest.json');
`;

function stubRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-stub-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  mkdirSync(path.join(dir, 'bench'));
  writeFileSync(path.join(dir, 'bench/cli.ts'), STUB);
  copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\nresults\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'stub');
  mkdirSync(path.join(dir, 'bench/commands'));
  writeFileSync(path.join(dir, 'bench/commands/bench.ts'), STUB);
  writeFileSync(
    path.join(dir, 'bench/cli.ts'),
    "console.error('the old entry ran where the new one exists'); process.exit(1);\n",
  );
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const ci = (cwd: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/commands/ci.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
const worktrees = (cwd: string) =>
  spawnSync('git', ['worktree', 'list'], { cwd, encoding: 'utf8' }).stdout.trim().split('\n').length;

test('--against with a relative --out: both sides interleaved, merged, compared; the worktree is gone', () => {
  const repo = stubRepo();
  try {
    const r = ci(repo, ['--against', 'HEAD', '--runs', '3', '--out', 'results/ci']);
    assert.equal(r.status, 0, r.stderr);
    const out = path.join(repo, 'results/ci');
    assert.match(readFileSync(path.join(out, 'compare.md'), 'utf8'), /^## pollbench: no regression/);
    const rounds = (r.stderr.match(/round \d\/3: (baseline|candidate)/g) ?? []).map((l) =>
      l.replace(/round (\d)\/3: /, '$1 '),
    );
    assert.deepEqual(
      rounds,
      ['1 baseline', '1 candidate', '2 candidate', '2 baseline', '3 baseline', '3 candidate'],
      'A B, B A, A B',
    );
    const merged = JSON.parse(readFileSync(path.join(out, 'baseline.json'), 'utf8')) as { jobs: { runs: unknown[] }[] };
    assert.equal(merged.jobs[0]!.runs.length, 6, '3 rounds x 2 runs per fixture');
    assert.ok(existsSync(path.join(out, 'github-action-benchmark-smaller.json')));
    assert.ok(
      !existsSync(path.join(out, 'github-action-benchmark-bigger.json')),
      'no empty file for github-action-benchmark',
    );
    assert.equal(worktrees(repo), 1, 'only the main checkout is left');
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

test('a side killed by a signal fails the comparison (exit 2) instead of passing as an interrupt; no worktree left', () => {
  const repo = stubRepo();
  try {
    writeFileSync(path.join(repo, 'KILL_ME'), '');
    const r = ci(repo, ['--against', 'HEAD', '--runs', '3', '--out', 'results/ci']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the candidate run was killed by a signal/);
    assert.equal(worktrees(repo), 1);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
